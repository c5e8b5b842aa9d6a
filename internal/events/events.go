// Package events names what happens in CloudRoute: an intake received, an
// offer made, a record moved. Storage writes one event into the outbox in
// the transaction that makes it happen; internal/jobs decides what each
// event sets off (route, expire, index, drain, accrue, mail, webhooks).
// Storage thus says what happened and never which task runs.
//
// The package is pure: kinds, one typed payload per kind, and decoding. It
// does no I/O.
//
// Payloads carry ids, never a startup's contacts or company details:
// effects that need more read it from storage when they run, after the
// access rules have been applied (SPEC §3 "Contacts", §8 "a partner's
// payload carries no contacts before acceptance").
package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Event is one thing that happened, as stored in the outbox.
type Event struct {
	// ID is a UUID. The task ids of the event's effects derive from it, so
	// an event relayed twice sets off each effect once.
	ID string
	// Kind is "aggregate.what_happened", one of the Kind constants.
	Kind string
	// Subject is the id of the object it happened to (the intake of
	// intake.*, the assignment of assignment.*, ...).
	Subject string
	// Payload is the kind's payload type as JSON.
	Payload json.RawMessage
	// OccurredAt is the time of the transaction that wrote the event.
	OccurredAt time.Time
}

// Payload is the typed body of an event: it knows its kind and subject, so
// a writer cannot pair a payload with the wrong kind.
type Payload interface {
	Kind() string
	Subject() string
}

// ErrUnknownKind is returned by Decode for a kind this build does not know:
// a newer build wrote it, and a newer build must handle it.
var ErrUnknownKind = errors.New("unknown event kind")

// Decode returns the typed payload of e. It returns ErrUnknownKind for a
// kind it does not know, and an error naming the event for a payload that
// does not decode.
func Decode(e Event) (Payload, error) {
	dec, ok := decoders[e.Kind]
	if !ok {
		return nil, fmt.Errorf("event %s: %w %q", e.ID, ErrUnknownKind, e.Kind)
	}
	p, err := dec(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("event %s (%s): bad payload: %w", e.ID, e.Kind, err)
	}
	return p, nil
}

// Kinds lists every known kind, sorted.
func Kinds() []string {
	out := make([]string, 0, len(decoders))
	for k := range decoders {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// decoders holds, for every kind, how to read its payload. A kind missing
// here cannot be written either: TestEveryPayloadDecodes checks both ways.
var decoders = map[string]func([]byte) (Payload, error){
	KindIntakeReceived:      decodeAs[IntakeReceived],
	KindIntakeUnroutable:    decodeAs[IntakeUnroutable],
	KindIntakePendingReview: decodeAs[IntakePendingReview],
	KindIntakeWithdrawn:     decodeAs[IntakeWithdrawn],
	KindIntakeClosed:        decodeAs[IntakeClosed],
	KindAssignmentOffered:   decodeAs[AssignmentOffered],
	KindAssignmentExpiring:  decodeAs[AssignmentExpiring],
	KindAssignmentAccepted:  decodeAs[AssignmentAccepted],
	KindAssignmentDeclined:  decodeAs[AssignmentDeclined],
	KindAssignmentExpired:   decodeAs[AssignmentExpired],
	KindAssignmentReleased:  decodeAs[AssignmentReleased],
	KindRecordTransitioned:  decodeAs[RecordTransitioned],
	KindRecordLinked:        decodeAs[RecordLinked],
	KindRecordEdited:        decodeAs[RecordEdited],
	KindACEConnectionSaved:  decodeAs[ACEConnectionSaved],
	KindACEConnectionPinged: decodeAs[ACEConnectionPinged],
	KindPartnerCreated:      decodeAs[PartnerCreated],
	KindPartnerUpdated:      decodeAs[PartnerUpdated],
	KindSettingsChanged:     decodeAs[SettingsChanged],
	KindRoutingIndexChanged: decodeAs[RoutingIndexChanged],
	KindTrackRecordImported: decodeAs[TrackRecordImported],
	KindStatementInvoiced:   decodeAs[StatementInvoiced],
	KindStatementPaid:       decodeAs[StatementPaid],
	KindPipelineFlagsRaised: decodeAs[PipelineFlagsRaised],

	KindWebhookEndpointDisabled:    decodeAs[WebhookEndpointDisabled],
	KindWebhookRedeliveryRequested: decodeAs[WebhookRedeliveryRequested],
	KindOutboxTask:                 decodeAs[OutboxTask],
}

func decodeAs[P Payload](b []byte) (Payload, error) {
	var p P
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return p, nil
}
