package events_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/events"
)

var at = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// samples holds one payload of every kind.
var samples = []events.Payload{
	events.IntakeReceived{IntakeID: "i1"},
	events.IntakeUnroutable{IntakeID: "i1", DecisionID: "d1"},
	events.IntakePendingReview{IntakeID: "i1", DecisionID: "d1", PartnerID: "p1"},
	events.IntakeWithdrawn{IntakeID: "i1", AssignmentIDs: []string{"a1"}},
	events.IntakeClosed{IntakeID: "i1", AssignmentID: "a1", PartnerID: "p1"},
	events.AssignmentOffered{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", DecisionID: "d1", ExpiresAt: at, RemindAt: &at},
	events.AssignmentExpiring{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", ExpiresAt: at},
	events.AssignmentAccepted{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1"},
	events.AssignmentDeclined{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1"},
	events.AssignmentExpired{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1"},
	events.AssignmentReleased{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", ActorRole: "admin"},
	events.RecordTransitioned{RecordID: "r1", AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", FundingSource: "founders",
		From: "launched", To: "closed", ActorRole: "partner", ApprovedUSD: 20000, CommissionBPS: 1000, ClosedAt: &at},
	events.RecordLinked{RecordID: "r1", PartnerID: "p1"},
	events.RecordEdited{RecordID: "r1", PartnerID: "p1"},
	events.ACEConnectionSaved{ConnectionID: "c1", PartnerID: "p1", Created: true},
	events.ACEConnectionPinged{ConnectionID: "c1", PartnerID: "p1"},
	events.PartnerCreated{PartnerID: "p1", Tier: "advanced", Status: "active"},
	events.PartnerUpdated{PartnerID: "p1", Tier: "advanced", Status: "paused"},
	events.SettingsChanged{Fields: []string{"window_days"}},
	events.RoutingIndexChanged{PartnerID: "p1"},
	events.TrackRecordImported{PartnerID: "p1", Rows: 3},
	events.StatementInvoiced{StatementID: "s1", PartnerID: "p1", Month: "2026-02", TotalCents: 100, Reference: "INV-1"},
	events.StatementPaid{StatementID: "s1", PartnerID: "p1", Month: "2026-02", TotalCents: 100, Reference: "PAY-1"},
	events.PipelineFlagsRaised{PartnerID: "p1", Date: "2026-03-04", OpenFlags: 3,
		Flags: []events.RaisedFlag{{Flag: "stale", ACERecordID: "r1"}, {Flag: "follow_up_overdue", AssignmentID: "a1"}}},
	events.WebhookEndpointDisabled{EndpointID: "w1", PartnerID: "p1", FailingSince: at, LastError: "http_status"},
	events.WebhookRedeliveryRequested{EndpointID: "w1", PartnerID: "p1", EventID: "e0", DeliveryID: "d1", ActorRole: "partner"},
	events.OutboxTask{OutboxID: 7, TaskType: "routing:drain", Payload: json.RawMessage(`{"reason":"x"}`)},
}

// TestEveryPayloadDecodes: every kind has a sample, and each sample comes
// back from JSON as the same typed payload, so a kind that can be written
// can be read.
func TestEveryPayloadDecodes(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range samples {
		t.Run(p.Kind(), func(t *testing.T) {
			if seen[p.Kind()] {
				t.Fatalf("two samples of %s", p.Kind())
			}
			seen[p.Kind()] = true
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := events.Decode(events.Event{ID: "e1", Kind: p.Kind(), Subject: p.Subject(), Payload: b})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(p, got); d != "" {
				t.Errorf("decoded payload (-want +got):\n%s", d)
			}
			if p.Subject() == "" {
				t.Errorf("empty subject")
			}
		})
	}
	if d := cmp.Diff(events.Kinds(), sortedKeys(seen)); d != "" {
		t.Errorf("kinds without a sample (-kinds +samples):\n%s", d)
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for _, k := range events.Kinds() {
		if m[k] {
			out = append(out, k)
		}
	}
	return out
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		name    string
		e       events.Event
		unknown bool
	}{
		{"unknown kind", events.Event{ID: "e1", Kind: "intake.teleported", Payload: []byte(`{}`)}, true},
		{"empty kind", events.Event{ID: "e1", Payload: []byte(`{}`)}, true},
		{"payload of the wrong shape", events.Event{ID: "e1", Kind: events.KindIntakeReceived, Payload: []byte(`{"intake_id":7}`)}, false},
		{"payload not JSON", events.Event{ID: "e1", Kind: events.KindIntakeReceived, Payload: []byte(`nope`)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := events.Decode(c.e)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, events.ErrUnknownKind); got != c.unknown {
				t.Errorf("errors.Is(err, ErrUnknownKind) = %v (%v), want %v", got, err, c.unknown)
			}
		})
	}
}

// TestPayloadsCarryNoContacts: no payload has a field that could hold a
// startup's contacts or identity; events go to partners before acceptance.
func TestPayloadsCarryNoContacts(t *testing.T) {
	banned := []string{"email", "name", "contact", "company", "website", "domain", "phone", "account"}
	for _, p := range samples {
		ty := reflect.TypeOf(p)
		for i := 0; i < ty.NumField(); i++ {
			tag := strings.ToLower(ty.Field(i).Tag.Get("json") + " " + ty.Field(i).Name)
			for _, b := range banned {
				if strings.Contains(tag, b) {
					t.Errorf("%s.%s (%s) may carry contacts", ty.Name(), ty.Field(i).Name, tag)
				}
			}
		}
	}
}
