package events

import (
	"encoding/json"
	"time"
)

// Event kinds. The names follow SPEC §8 where it names them.
const (
	KindIntakeReceived      = "intake.received"
	KindIntakeUnroutable    = "intake.unroutable"
	KindIntakePendingReview = "intake.pending_review"
	KindIntakeWithdrawn     = "intake.withdrawn"
	KindIntakeClosed        = "intake.closed"

	KindAssignmentOffered  = "assignment.offered"
	KindAssignmentExpiring = "assignment.expiring"
	KindAssignmentAccepted = "assignment.accepted"
	KindAssignmentDeclined = "assignment.declined"
	KindAssignmentExpired  = "assignment.expired"
	KindAssignmentReleased = "assignment.released"

	KindRecordTransitioned = "ace_record.transitioned"

	// The ACE sync (docs/ace-sync.md).
	KindRecordLinked        = "ace_record.linked"
	KindRecordEdited        = "ace_record.edited"
	KindACEConnectionSaved  = "ace_connection.saved"
	KindACEConnectionPinged = "ace_connection.pinged"

	KindPartnerCreated      = "partner.created"
	KindPartnerUpdated      = "partner.updated"
	KindSettingsChanged     = "settings.changed"
	KindRoutingIndexChanged = "routing_index.changed"
	KindTrackRecordImported = "track_record.imported"

	KindStatementInvoiced = "statement.invoiced"
	KindStatementPaid     = "statement.paid"

	KindPipelineFlagsRaised = "pipeline.flags_raised"

	KindWebhookEndpointDisabled    = "webhook_endpoint.disabled"
	KindWebhookRedeliveryRequested = "webhook.redelivery_requested"

	// KindOutboxTask is not something that happened: it is a row the
	// outbox held before it held events, which named an asynq task
	// directly. Migration 0014 turns such rows into events of this kind so
	// that they are still delivered, as the very task they named.
	KindOutboxTask = "outbox.task"
)

// IntakeReceived: a founder submitted an intake; it waits for routing.
type IntakeReceived struct {
	IntakeID string `json:"intake_id"`
}

func (IntakeReceived) Kind() string      { return KindIntakeReceived }
func (p IntakeReceived) Subject() string { return p.IntakeID }

// IntakeUnroutable: routing found no partner; the intake waits in the
// admin queue until the queue drains.
type IntakeUnroutable struct {
	IntakeID   string `json:"intake_id"`
	DecisionID string `json:"decision_id"`
}

func (IntakeUnroutable) Kind() string      { return KindIntakeUnroutable }
func (p IntakeUnroutable) Subject() string { return p.IntakeID }

// IntakePendingReview: in review mode, routing proposed PartnerID and an
// admin must confirm or assign another partner.
type IntakePendingReview struct {
	IntakeID   string `json:"intake_id"`
	DecisionID string `json:"decision_id"`
	PartnerID  string `json:"partner_id"`
}

func (IntakePendingReview) Kind() string      { return KindIntakePendingReview }
func (p IntakePendingReview) Subject() string { return p.IntakeID }

// IntakeWithdrawn: the founder withdrew the intake. AssignmentIDs are the
// offer cancelled or the engagement released by the withdrawal, if any, so
// that their partners can be told.
type IntakeWithdrawn struct {
	IntakeID      string   `json:"intake_id"`
	AssignmentIDs []string `json:"assignment_ids"`
}

func (IntakeWithdrawn) Kind() string      { return KindIntakeWithdrawn }
func (p IntakeWithdrawn) Subject() string { return p.IntakeID }

// IntakeClosed: the partner closed out every record of its engagement; the
// assignment is completed and the partner's slot is free.
type IntakeClosed struct {
	IntakeID     string `json:"intake_id"`
	AssignmentID string `json:"assignment_id"`
	PartnerID    string `json:"partner_id"`
}

func (IntakeClosed) Kind() string      { return KindIntakeClosed }
func (p IntakeClosed) Subject() string { return p.IntakeID }

// AssignmentOffered: the intake was offered to PartnerID until ExpiresAt.
// RemindAt is when the partner is reminded if the offer is still
// unanswered (the offer_reminder_pct setting's share of the TTL); nil when
// reminders are off.
type AssignmentOffered struct {
	AssignmentID string     `json:"assignment_id"`
	IntakeID     string     `json:"intake_id"`
	PartnerID    string     `json:"partner_id"`
	DecisionID   string     `json:"decision_id"`
	ExpiresAt    time.Time  `json:"expires_at"`
	RemindAt     *time.Time `json:"remind_at,omitempty"`
}

func (AssignmentOffered) Kind() string      { return KindAssignmentOffered }
func (p AssignmentOffered) Subject() string { return p.AssignmentID }

// AssignmentExpiring: the offer is still unanswered at its reminder time
// and lapses at ExpiresAt. It is written once per offer, and never for an
// offer answered before its reminder time.
type AssignmentExpiring struct {
	AssignmentID string    `json:"assignment_id"`
	IntakeID     string    `json:"intake_id"`
	PartnerID    string    `json:"partner_id"`
	ExpiresAt    time.Time `json:"expires_at"`
}

func (AssignmentExpiring) Kind() string      { return KindAssignmentExpiring }
func (p AssignmentExpiring) Subject() string { return p.AssignmentID }

// AssignmentAccepted: the partner accepted the offer and may now see the
// customer and file records.
type AssignmentAccepted struct {
	AssignmentID string `json:"assignment_id"`
	IntakeID     string `json:"intake_id"`
	PartnerID    string `json:"partner_id"`
}

func (AssignmentAccepted) Kind() string      { return KindAssignmentAccepted }
func (p AssignmentAccepted) Subject() string { return p.AssignmentID }

// AssignmentDeclined: the partner declined the offer; the intake goes to
// the next partner.
type AssignmentDeclined struct {
	AssignmentID string `json:"assignment_id"`
	IntakeID     string `json:"intake_id"`
	PartnerID    string `json:"partner_id"`
}

func (AssignmentDeclined) Kind() string      { return KindAssignmentDeclined }
func (p AssignmentDeclined) Subject() string { return p.AssignmentID }

// AssignmentExpired: the offer's deadline passed unanswered; the intake
// goes to the next partner.
type AssignmentExpired struct {
	AssignmentID string `json:"assignment_id"`
	IntakeID     string `json:"intake_id"`
	PartnerID    string `json:"partner_id"`
}

func (AssignmentExpired) Kind() string      { return KindAssignmentExpired }
func (p AssignmentExpired) Subject() string { return p.AssignmentID }

// AssignmentReleased: the founder ("we did not connect") or an admin
// (ActorRole) released the accepted engagement; the intake goes to the next
// partner.
type AssignmentReleased struct {
	AssignmentID string `json:"assignment_id"`
	IntakeID     string `json:"intake_id"`
	PartnerID    string `json:"partner_id"`
	ActorRole    string `json:"actor_role"`
}

func (AssignmentReleased) Kind() string      { return KindAssignmentReleased }
func (p AssignmentReleased) Subject() string { return p.AssignmentID }

// RecordTransitioned: an ACE record moved From → To. Outcome is the
// decided outcome the move records for routing (ace.OutcomeOf: approved,
// rejected, withdrawn, or "" for none). A move to closed carries what the
// commission accrual needs: the award, the partner's rate at closing and
// the closing time.
type RecordTransitioned struct {
	RecordID      string `json:"ace_record_id"`
	AssignmentID  string `json:"assignment_id"`
	IntakeID      string `json:"intake_id"`
	PartnerID     string `json:"partner_id"`
	FundingSource string `json:"funding_source"`
	From          string `json:"from"`
	To            string `json:"to"`
	Outcome       string `json:"outcome,omitempty"`
	ActorRole     string `json:"actor_role"`
	// ACELinked says the record is linked to an ACE opportunity, so the
	// sync has something to push (a submission).
	ACELinked     bool       `json:"ace_linked,omitempty"`
	ApprovedUSD   int64      `json:"approved_usd,omitempty"`
	CommissionBPS int        `json:"commission_bps,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
}

func (RecordTransitioned) Kind() string      { return KindRecordTransitioned }
func (p RecordTransitioned) Subject() string { return p.RecordID }

// RecordLinked: a partner linked a record to ACE (or gave the link's
// details again); the sync files it as an opportunity.
type RecordLinked struct {
	RecordID  string `json:"ace_record_id"`
	PartnerID string `json:"partner_id"`
}

func (RecordLinked) Kind() string      { return KindRecordLinked }
func (p RecordLinked) Subject() string { return p.RecordID }

// RecordEdited: a partner edited the fields of a record linked to ACE; the
// sync sends the change.
type RecordEdited struct {
	RecordID  string `json:"ace_record_id"`
	PartnerID string `json:"partner_id"`
}

func (RecordEdited) Kind() string      { return KindRecordEdited }
func (p RecordEdited) Subject() string { return p.RecordID }

// ACEConnectionSaved: a partner connected CloudRoute to Partner Central, or
// replaced its connection; Created tells which.
type ACEConnectionSaved struct {
	ConnectionID string `json:"connection_id"`
	PartnerID    string `json:"partner_id"`
	Created      bool   `json:"created"`
}

func (ACEConnectionSaved) Kind() string      { return KindACEConnectionSaved }
func (p ACEConnectionSaved) Subject() string { return p.ConnectionID }

// ACEConnectionPinged: a signed event forwarded from the partner's
// EventBridge (an opportunity changed in Partner Central) arrived for the
// connection.
type ACEConnectionPinged struct {
	ConnectionID string `json:"connection_id"`
	PartnerID    string `json:"partner_id"`
}

func (ACEConnectionPinged) Kind() string      { return KindACEConnectionPinged }
func (p ACEConnectionPinged) Subject() string { return p.ConnectionID }

// PartnerCreated: an admin added a partner, with its tier and status then.
type PartnerCreated struct {
	PartnerID string `json:"partner_id"`
	Tier      string `json:"tier"`
	Status    string `json:"status"`
}

func (PartnerCreated) Kind() string      { return KindPartnerCreated }
func (p PartnerCreated) Subject() string { return p.PartnerID }

// PartnerUpdated: an admin changed a partner; Tier and Status are its
// values after the change.
type PartnerUpdated struct {
	PartnerID string `json:"partner_id"`
	Tier      string `json:"tier"`
	Status    string `json:"status"`
}

func (PartnerUpdated) Kind() string      { return KindPartnerUpdated }
func (p PartnerUpdated) Subject() string { return p.PartnerID }

// SettingsChanged: an admin changed the settings named in Fields (their
// JSON names, as in the settings audit).
type SettingsChanged struct {
	Fields []string `json:"fields"`
}

func (SettingsChanged) Kind() string    { return KindSettingsChanged }
func (SettingsChanged) Subject() string { return "settings" }

// RoutingIndexChanged: the routing index was recomputed, for one partner
// or (PartnerID "") all of them.
type RoutingIndexChanged struct {
	PartnerID string `json:"partner_id,omitempty"`
}

func (RoutingIndexChanged) Kind() string { return KindRoutingIndexChanged }
func (p RoutingIndexChanged) Subject() string {
	if p.PartnerID == "" {
		return "all"
	}
	return p.PartnerID
}

// TrackRecordImported: an admin imported Rows historical outcomes for a
// partner.
type TrackRecordImported struct {
	PartnerID string `json:"partner_id"`
	Rows      int    `json:"rows"`
}

func (TrackRecordImported) Kind() string      { return KindTrackRecordImported }
func (p TrackRecordImported) Subject() string { return p.PartnerID }

// StatementInvoiced: an admin invoiced a partner's monthly statement;
// Reference is the invoice's.
type StatementInvoiced struct {
	StatementID string `json:"statement_id"`
	PartnerID   string `json:"partner_id"`
	Month       string `json:"month"` // YYYY-MM
	TotalCents  int64  `json:"total_cents"`
	Reference   string `json:"reference,omitempty"`
}

func (StatementInvoiced) Kind() string      { return KindStatementInvoiced }
func (p StatementInvoiced) Subject() string { return p.StatementID }

// StatementPaid: an admin recorded a statement as paid; Reference is the
// payment's.
type StatementPaid struct {
	StatementID string `json:"statement_id"`
	PartnerID   string `json:"partner_id"`
	Month       string `json:"month"` // YYYY-MM
	TotalCents  int64  `json:"total_cents"`
	Reference   string `json:"reference,omitempty"`
}

func (StatementPaid) Kind() string      { return KindStatementPaid }
func (p StatementPaid) Subject() string { return p.StatementID }

// PipelineFlagsRaised: the daily hygiene scan raised Flags on the
// partner's pipeline on Date (YYYY-MM-DD, UTC). One event per partner and
// scan, never one per flag; a scan that raised nothing for a partner
// writes none. OpenFlags counts every open flag after the scan.
type PipelineFlagsRaised struct {
	PartnerID string       `json:"partner_id"`
	Date      string       `json:"date"`
	Flags     []RaisedFlag `json:"flags"`
	OpenFlags int          `json:"open_flags"`
}

// RaisedFlag is one flag the scan raised: on a record, or on an accepted
// assignment with no record or update in time.
type RaisedFlag struct {
	Flag         string `json:"flag"`
	ACERecordID  string `json:"ace_record_id,omitempty"`
	AssignmentID string `json:"assignment_id,omitempty"`
}

func (PipelineFlagsRaised) Kind() string      { return KindPipelineFlagsRaised }
func (p PipelineFlagsRaised) Subject() string { return p.PartnerID }

// WebhookEndpointDisabled: deliveries to a partner's endpoint failed for
// long enough (webhook.ShouldDisable) and it was disabled. FailingSince is
// the first failure of the run; LastError the last one's class.
type WebhookEndpointDisabled struct {
	EndpointID   string    `json:"endpoint_id"`
	PartnerID    string    `json:"partner_id"`
	FailingSince time.Time `json:"failing_since"`
	LastError    string    `json:"last_error"`
}

func (WebhookEndpointDisabled) Kind() string      { return KindWebhookEndpointDisabled }
func (p WebhookEndpointDisabled) Subject() string { return p.EndpointID }

// WebhookRedeliveryRequested: the partner or an admin (ActorRole) asked
// for event EventID to be delivered to the endpoint again, from the
// delivery log's row DeliveryID.
type WebhookRedeliveryRequested struct {
	EndpointID string `json:"endpoint_id"`
	PartnerID  string `json:"partner_id"`
	EventID    string `json:"event_id"`
	DeliveryID string `json:"delivery_id"`
	ActorRole  string `json:"actor_role"`
}

func (WebhookRedeliveryRequested) Kind() string      { return KindWebhookRedeliveryRequested }
func (p WebhookRedeliveryRequested) Subject() string { return p.EndpointID }

// OutboxTask is the payload of KindOutboxTask: an outbox row written
// before 0014, as it was (see migrations/0014_outbox_events.sql). Nothing
// writes it any more.
type OutboxTask struct {
	OutboxID  int64           `json:"outbox_id"`
	TaskType  string          `json:"task_type"`
	Payload   json.RawMessage `json:"payload"`
	ProcessAt *time.Time      `json:"process_at"`
}

func (OutboxTask) Kind() string      { return KindOutboxTask }
func (p OutboxTask) Subject() string { return p.TaskType }

// WebhookKinds are the kinds a partner's webhook endpoint may subscribe to:
// what happens to the partner's own offers, engagements, records, pipeline
// and statements (SPEC §8). Every one of their payloads names the partner
// concerned, whose endpoints alone receive it.
var WebhookKinds = []string{
	KindAssignmentOffered,
	KindAssignmentExpiring,
	KindAssignmentExpired,
	KindAssignmentAccepted,
	KindAssignmentReleased,
	KindRecordTransitioned,
	KindPipelineFlagsRaised,
	KindStatementInvoiced,
	KindStatementPaid,
}
