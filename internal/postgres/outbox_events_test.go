package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// TestMigrateOutboxToEvents loads outbox rows that name asynq tasks, in the
// schema before 0014, migrates, and checks that each became an outbox.task
// event holding the row as it was, that unsent ones are still handed to the
// relay, oldest first, and that events written afterwards follow them.
func TestMigrateOutboxToEvents(t *testing.T) {
	ctx := context.Background()
	db, x := blankDB(t)
	if _, err := db.MigrateTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	written := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	due := written.Add(48 * time.Hour)
	var ids [3]int64
	for i, r := range []struct {
		taskType, payload string
		processAt         *time.Time
		sent              bool
	}{
		{"intake:route", `{"intake_id":"i1","trigger":"submitted"}`, nil, false},
		{"assignment:expire", `{"assignment_id":"a1"}`, &due, false},
		{"routing:drain", `{"reason":"partner_added"}`, nil, true},
	} {
		var sentAt *time.Time
		if r.sent {
			sentAt = &written
		}
		if err := x.Get(&ids[i], `INSERT INTO outbox (task_type, payload, process_at, created_at, sent_at) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, r.taskType, r.payload, r.processAt, written, sentAt); err != nil {
			t.Fatal(err)
		}
	}
	if ran, err := db.Migrate(ctx, nil); err != nil || len(ran) == 0 || ran[0] != 14 {
		t.Fatalf("migrate: %v %v, want 14 first", ran, err)
	}

	var rows []struct {
		Kind       string     `db:"kind"`
		Subject    string     `db:"subject"`
		Payload    []byte     `db:"payload"`
		OccurredAt time.Time  `db:"occurred_at"`
		SentAt     *time.Time `db:"sent_at"`
	}
	if err := x.Select(&rows, `SELECT kind, subject, payload, occurred_at, sent_at FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []events.OutboxTask{
		{OutboxID: ids[0], TaskType: "intake:route", Payload: json.RawMessage(`{"trigger": "submitted", "intake_id": "i1"}`)}, // jsonb's key order
		{OutboxID: ids[1], TaskType: "assignment:expire", Payload: json.RawMessage(`{"assignment_id": "a1"}`), ProcessAt: &due},
		{OutboxID: ids[2], TaskType: "routing:drain", Payload: json.RawMessage(`{"reason": "partner_added"}`)},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows after the migration, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		p, err := events.Decode(events.Event{ID: "e", Kind: r.Kind, Payload: r.Payload})
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		got := p.(events.OutboxTask)
		if got.ProcessAt != nil {
			utc := got.ProcessAt.UTC()
			got.ProcessAt = &utc
		}
		if d := cmp.Diff(want[i], got); d != "" {
			t.Errorf("row %d (-want +got):\n%s", i, d)
		}
		if r.Subject != want[i].TaskType || !r.OccurredAt.Equal(written) || (r.SentAt != nil) != (i == 2) {
			t.Errorf("row %d: subject %q, occurred_at %v, sent_at %v", i, r.Subject, r.OccurredAt, r.SentAt)
		}
	}

	// Storage writes events beside the old rows, and the relay hands out
	// the unsent ones in the order they were written.
	b := intake.Example()
	b.AWSAccountID = nil
	sub, err := db.SubmitIntake(ctx, b, "after.example.com", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds, subjects []string
	if _, err := db.RelayOutbox(ctx, 10, func(evs []events.Event) (int, error) {
		for _, e := range evs {
			kinds, subjects = append(kinds, e.Kind), append(subjects, e.Subject)
		}
		return len(evs), nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"outbox.task", "outbox.task", "intake.received"}, kinds); d != "" {
		t.Errorf("relayed kinds (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"intake:route", "assignment:expire", sub.IntakeID}, subjects); d != "" {
		t.Errorf("relayed subjects (-want +got):\n%s", d)
	}
}

// outboxEvent is an event as a test reads it back.
type outboxEvent struct {
	Kind    string `db:"kind"`
	Subject string `db:"subject"`
	Payload string `db:"payload"`
}

// TestChangesWriteTheirEvents follows one intake through storage and checks
// that each change wrote the event of what happened, with ids only, and
// that an admin's release is recorded in the admin's name on the drafts it
// withdrew.
func TestChangesWriteTheirEvents(t *testing.T) {
	ctx := context.Background()
	db, x := testenv.MustOpenDBWithSQL(t)
	since := int64(0)
	// next returns the events written since the last call.
	next := func() []outboxEvent {
		t.Helper()
		var evs []outboxEvent
		if err := x.Select(&evs, `SELECT kind, subject, payload::text AS payload FROM outbox WHERE id > $1 ORDER BY id`, since); err != nil {
			t.Fatal(err)
		}
		if err := x.Get(&since, `SELECT COALESCE(max(id), 0) FROM outbox`); err != nil {
			t.Fatal(err)
		}
		return evs
	}
	kinds := func(evs []outboxEvent) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.Kind+" "+e.Subject)
		}
		return out
	}
	wantKinds := func(what string, want ...string) []outboxEvent {
		t.Helper()
		evs := next()
		if d := cmp.Diff(want, kinds(evs)); d != "" {
			t.Fatalf("%s wrote (-want +got):\n%s", what, d)
		}
		return evs
	}

	p, err := db.CreatePartner(ctx, domain.PartnerPatch{Name: new("P"), Tier: new("advanced"), Regions: new([]string{"eu"}),
		ContactEmail: new("p@p.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	wantKinds("creating a partner", "partner.created "+p.ID)
	adminKey, _, err := db.CreateAdminKey(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	admin := domain.Principal{Role: domain.RoleAdmin, KeyID: adminKey.ID}
	partner := domain.Principal{Role: domain.RolePartner, PartnerID: p.ID}

	b := intake.Example()
	b.AWSAccountID = nil
	sub, err := db.SubmitIntake(ctx, b, "events.example.com", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := wantKinds("a submission", "intake.received "+sub.IntakeID)
	if evs[0].Payload != fmt.Sprintf(`{"intake_id": "%s"}`, sub.IntakeID) {
		t.Errorf("intake.received payload %s", evs[0].Payload)
	}
	res, err := db.RouteIntake(ctx, sub.IntakeID, "submitted")
	if err != nil || res.Outcome != "offered" {
		t.Fatalf("route: %+v %v", res, err)
	}
	evs = wantKinds("routing", "assignment.offered "+res.AssignmentID)
	var offered events.AssignmentOffered
	if err := json.Unmarshal([]byte(evs[0].Payload), &offered); err != nil {
		t.Fatal(err)
	}
	// The deadline is the offer's time plus offer_ttl_hours (48 by default).
	if ttl := offered.ExpiresAt.Sub(db.Now()); offered.IntakeID != sub.IntakeID || offered.PartnerID != p.ID ||
		ttl > 48*time.Hour || ttl < 47*time.Hour {
		t.Errorf("assignment.offered %+v", offered)
	}
	if _, err := db.AcceptAssignment(ctx, p.ID, res.AssignmentID); err != nil {
		t.Fatal(err)
	}
	wantKinds("accepting", "assignment.accepted "+res.AssignmentID)
	rec, _, err := db.CreateACERecord(ctx, partner, res.AssignmentID, "founders", 10000, ace.RecordFields{})
	if err != nil {
		t.Fatal(err)
	}
	wantKinds("filing a draft")

	if _, err := db.ReleaseAssignment(ctx, admin, sub.IntakeID, "partner unresponsive"); err != nil {
		t.Fatal(err)
	}
	evs = wantKinds("an admin release", "ace_record.transitioned "+rec.ID, "assignment.released "+res.AssignmentID)
	var moved events.RecordTransitioned
	if err := json.Unmarshal([]byte(evs[0].Payload), &moved); err != nil {
		t.Fatal(err)
	}
	if moved.From != "identified" || moved.To != "withdrawn" || moved.Outcome != "" || moved.ActorRole != "admin" {
		t.Errorf("the draft's move: %+v", moved)
	}
	var by struct {
		Role  string  `db:"actor_role"`
		KeyID *string `db:"actor_key_id"`
	}
	if err := x.Get(&by, `SELECT actor_role, actor_key_id FROM ace_record_transitions WHERE ace_record_id = $1 AND to_state = 'withdrawn'`,
		rec.ID); err != nil {
		t.Fatal(err)
	}
	if by.Role != "admin" || by.KeyID == nil || *by.KeyID != adminKey.ID {
		t.Errorf("the withdrawn draft is recorded as %s %v, want the releasing admin %s", by.Role, by.KeyID, adminKey.ID)
	}

	// Nobody else may have the intake now: it waits, unroutable.
	if res, err = db.RouteIntake(ctx, sub.IntakeID, "released"); err != nil || res.Outcome != "unroutable" {
		t.Fatalf("re-route: %+v %v", res, err)
	}
	wantKinds("routing with nobody left", "intake.unroutable "+sub.IntakeID)
	if _, err := db.WithdrawIntake(ctx, sub.IntakeID, ""); err != nil {
		t.Fatal(err)
	}
	evs = wantKinds("a withdrawal", "intake.withdrawn "+sub.IntakeID)
	if evs[0].Payload != fmt.Sprintf(`{"intake_id": "%s", "assignment_ids": []}`, sub.IntakeID) {
		t.Errorf("intake.withdrawn payload %s", evs[0].Payload)
	}

	if _, err := db.UpdateSettings(ctx, admin, domain.SettingsPatch{Ints: map[string]int{"window_days": 200, "stale_days": 20}}); err != nil {
		t.Fatal(err)
	}
	evs = wantKinds("a settings change", "settings.changed settings")
	if evs[0].Payload != `{"fields": ["window_days", "stale_days"]}` {
		t.Errorf("settings.changed payload %s", evs[0].Payload)
	}
	var audited []*string
	if err := x.Select(&audited, `SELECT actor_key_id FROM settings_audit`); err != nil {
		t.Fatal(err)
	}
	if len(audited) != 2 || audited[0] == nil || *audited[0] != adminKey.ID {
		t.Errorf("settings audited as %v, want the admin's key", audited)
	}
	if _, err := db.UpdateSettings(ctx, admin, domain.SettingsPatch{Ints: map[string]int{"window_days": 200}}); err != nil {
		t.Fatal(err)
	}
	wantKinds("a settings change that changes nothing")
}
