package domain

// Assignment statuses: an offer of an intake to one partner and what
// became of it.
const (
	AssignmentOffered   = "offered"
	AssignmentAccepted  = "accepted"
	AssignmentDeclined  = "declined"
	AssignmentExpired   = "expired"
	AssignmentReleased  = "released"
	AssignmentCancelled = "cancelled"
	AssignmentCompleted = "completed"
)

// AssignmentStatuses is the value set of assignment statuses.
var AssignmentStatuses = []string{AssignmentOffered, AssignmentAccepted, AssignmentDeclined, AssignmentExpired,
	AssignmentReleased, AssignmentCancelled, AssignmentCompleted}

// PartnerSeesCustomer reports whether a partner whose assignment is in
// this status may see who the customer is and whom to contact (names,
// emails, company, domain, AWS account). Only the partner holding the
// accepted engagement does (SPEC §3 "Contacts"): before acceptance the
// partner sees the profile alone, and once the engagement was released or
// has ended the partner no longer needs the customer's details, so it loses
// them.
func PartnerSeesCustomer(assignmentStatus string) bool {
	return assignmentStatus == AssignmentAccepted
}
