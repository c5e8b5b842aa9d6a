// Package acesync holds the pure rules of the ACE sync: how a CloudRoute
// ACE record becomes a Partner Central opportunity (the push: CreateRequest,
// UpdateRequest, AssociateRequest, SubmitRequest), and how the review status
// and stage ACE answers with become the record's state (the pull: Decide).
// It does no I/O; the sync job calls it between storage and the
// partnercentral client. docs/ace-sync.md tells the same rules as tables.
//
// What AWS decides, AWS's answer sets: once a record is linked, its moves
// through review (submitted, validated, rejected, launched) come from ACE.
// What ACE does not carry stays CloudRoute's: the credit award (approved,
// with approved_usd) is given by the partner or an admin, and a record is
// closed in CloudRoute.
package acesync
