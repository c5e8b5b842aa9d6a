// Package tasks names CloudRoute's asynq task types and their payloads:
// what internal/jobs enqueues (an event's effects, the periodic tasks) and
// runs. Storage does not know them; it records events (internal/events),
// and the jobs decide which tasks follow.
package tasks

import "time"

// Task types, "domain:action".
const (
	// TypeRouteIntake routes (or re-routes) one intake.
	TypeRouteIntake = "intake:route"
	// TypeExpireOffer expires one offered assignment at its deadline.
	TypeExpireOffer = "assignment:expire"
	// TypeSweepOffers is the periodic backstop that expires every overdue offer.
	TypeSweepOffers = "assignment:sweep"
	// TypeUpdateIndex recomputes one partner's routing-index cells.
	TypeUpdateIndex = "index:update"
	// TypeRebuildIndex rebuilds the whole routing index (nightly).
	TypeRebuildIndex = "index:rebuild"
	// TypeDrainUnroutable routes the unroutable intakes again, oldest first.
	TypeDrainUnroutable = "routing:drain"
	// TypeAccrueCommission writes the ledger entry of one closed record.
	TypeAccrueCommission = "commission:accrue"
	// TypeSweepAccruals accrues closed records whose accrual task was lost.
	TypeSweepAccruals = "commission:sweep"
	// TypeCloseStatements closes the previous month's statements.
	TypeCloseStatements = "statements:close"
	// TypeHygieneScan flags each open record of each partner (daily).
	TypeHygieneScan = "hygiene:scan"
	// TypeWriteSnapshots writes each partner's monthly snapshot.
	TypeWriteSnapshots = "snapshots:write"
	// TypePurgeIdempotency removes idempotency keys older than 24 hours.
	TypePurgeIdempotency = "idempotency:purge"
	// TypeACEPush brings one linked record's ACE opportunity up to date.
	TypeACEPush = "ace:push"
	// TypeACEPull polls one ACE connection for AWS's answers.
	TypeACEPull = "ace:pull"
	// TypeACEPoll polls every ACE connection (every minute).
	TypeACEPoll = "ace:poll"
)

// ACEPush is the payload of TypeACEPush.
type ACEPush struct {
	ACERecordID string `json:"ace_record_id"`
}

// ACEPull is the payload of TypeACEPull.
type ACEPull struct {
	ConnectionID string `json:"connection_id"`
}

// RouteIntake is the payload of TypeRouteIntake.
type RouteIntake struct {
	IntakeID string `json:"intake_id"`
	// Trigger says why routing runs: submitted, declined, expired, rerouted,
	// released, drain.
	Trigger string `json:"trigger"`
}

// ExpireOffer is the payload of TypeExpireOffer.
type ExpireOffer struct {
	AssignmentID string `json:"assignment_id"`
}

// UpdateIndex is the payload of TypeUpdateIndex.
type UpdateIndex struct {
	PartnerID string `json:"partner_id"`
}

// DrainUnroutable is the payload of TypeDrainUnroutable.
type DrainUnroutable struct {
	Reason string `json:"reason"`
}

// AccrueCommission is the payload of TypeAccrueCommission.
type AccrueCommission struct {
	ACERecordID string `json:"ace_record_id"`
	// CommissionBPS is the partner's rate when the record closed.
	CommissionBPS int `json:"commission_bps"`
	// ClosedAt is when the record closed: the accrual's date.
	ClosedAt time.Time `json:"closed_at"`
}

// Periodic is the payload of the periodic tasks: the period they cover, so
// a period is claimed once in Postgres. Empty means "the current one".
type Periodic struct {
	Period string `json:"period,omitempty"`
}
