// Package tasks names CloudRoute's asynq task types and their payloads:
// what internal/jobs enqueues (an event's effects, the periodic tasks) and
// runs. Storage does not know them; it records events (internal/events),
// and the jobs decide which tasks follow.
package tasks

import (
	"encoding/json"
	"time"
)

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

	// TypeRemindOffer writes the reminder of an offer still unanswered at
	// its reminder time (assignment.expiring).
	TypeRemindOffer = "assignment:remind"
	// TypeSendMail sends the mails one event causes, each to each of its
	// recipients once.
	TypeSendMail = "mail:event"
	// TypeNoteForAdmins notes an intake that needs an admin for the next
	// admin digest.
	TypeNoteForAdmins = "mail:admin_note"
	// TypeAdminDigest mails the admins the intakes that need them, at most
	// every 15 minutes.
	TypeAdminDigest = "mail:admin_digest"
	// TypeHygieneDigest mails each partner with open hygiene flags its
	// weekly digest.
	TypeHygieneDigest = "mail:hygiene_digest"
	// TypeWebhookFanout makes an event's webhook body and one delivery
	// task per subscribed endpoint of the partner concerned.
	TypeWebhookFanout = "webhook:fanout"
	// TypeDeliverWebhook makes one delivery attempt of one event to one
	// endpoint; asynq retries it on webhook.RetryDelay's schedule.
	TypeDeliverWebhook = "webhook:deliver"
)

// Event is the payload of the tasks that work on a whole event (mail,
// webhooks): the event as the outbox holds it.
type Event struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Subject    string          `json:"subject"`
	Payload    json.RawMessage `json:"payload"`
	OccurredAt time.Time       `json:"occurred_at"`
}

// RemindOffer is the payload of TypeRemindOffer.
type RemindOffer struct {
	AssignmentID string `json:"assignment_id"`
}

// DeliverWebhook is the payload of TypeDeliverWebhook.
type DeliverWebhook struct {
	EventID    string `json:"event_id"`
	EndpointID string `json:"endpoint_id"`
	// Manual is a redelivery asked for by the partner or an admin: it
	// sends even when the event was delivered already.
	Manual bool `json:"manual,omitempty"`
}

// The ACE sync's task types.
const (
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
	IntakeID string `json:"intake_id,omitempty"`
	// IntakeIDs, when set, are several intakes routed with the same
	// trigger in one transaction (the relay batches the route effects of
	// the events it moves at once).
	IntakeIDs []string `json:"intake_ids,omitempty"`
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
