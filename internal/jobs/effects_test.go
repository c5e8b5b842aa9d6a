package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// effect is an Effect as the table test compares it.
type effect struct {
	Name, TaskID, Type, Payload, Queue string
	ProcessAt                          time.Time
}

func effectsOf(t *testing.T, p events.Payload) []effect {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	effs, err := jobs.Effects(events.Event{ID: "e1", Kind: p.Kind(), Subject: p.Subject(), Payload: b})
	if err != nil {
		t.Fatal(err)
	}
	var out []effect
	for _, e := range effs {
		out = append(out, effect{e.Name, e.TaskID, e.Task.Type(), string(e.Task.Payload()), e.Queue, e.ProcessAt})
	}
	return out
}

// whole is the effect of a task that works on the whole event (mail,
// webhooks, the admin digest): its payload is the event as the outbox
// holds it.
func whole(t *testing.T, name, taskType string, p events.Payload) effect {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(tasks.Event{ID: "e1", Kind: p.Kind(), Subject: p.Subject(), Payload: b})
	if err != nil {
		t.Fatal(err)
	}
	return effect{name, "evt-e1-" + name, taskType, string(payload), "default", time.Time{}}
}

func TestEffects(t *testing.T) {
	expires := time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC)
	remind := time.Date(2026, 3, 5, 21, 0, 0, 0, time.UTC)
	closed := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	route := func(trigger string) effect {
		return effect{"route", "evt-e1-route", "intake:route", `{"intake_id":"i1","trigger":"` + trigger + `"}`, "critical", time.Time{}}
	}
	index := effect{"index", "evt-e1-index", "index:update", `{"partner_id":"p1"}`, "default", time.Time{}}
	acePush := effect{"ace_push", "evt-e1-ace_push", "ace:push", `{"ace_record_id":"r1"}`, "default", time.Time{}}
	acePull := effect{"ace_pull", "evt-e1-ace_pull", "ace:pull", `{"connection_id":"c1"}`, "default", time.Time{}}
	drain := func(reason string) effect {
		return effect{"drain", "evt-e1-drain", "routing:drain", `{"reason":"` + reason + `"}`, "default", time.Time{}}
	}
	mail := func(p events.Payload) effect { return whole(t, "mail", "mail:event", p) }
	hook := func(p events.Payload) effect { return whole(t, "webhook", "webhook:fanout", p) }
	digest := func(p events.Payload) effect { return whole(t, "digest", "mail:admin_note", p) }

	received := events.IntakeReceived{IntakeID: "i1"}
	offered := events.AssignmentOffered{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", ExpiresAt: expires, RemindAt: &remind}
	unreminded := events.AssignmentOffered{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", ExpiresAt: expires}
	expiring := events.AssignmentExpiring{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", ExpiresAt: expires}
	expired := events.AssignmentExpired{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1"}
	accepted := events.AssignmentAccepted{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1"}
	released := events.AssignmentReleased{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1", ActorRole: "admin"}
	unroutable := events.IntakeUnroutable{IntakeID: "i1", DecisionID: "d1"}
	review := events.IntakePendingReview{IntakeID: "i1", DecisionID: "d1", PartnerID: "p1"}
	moved := events.RecordTransitioned{RecordID: "r1", PartnerID: "p1", From: "identified", To: "submitted"}
	decided := events.RecordTransitioned{RecordID: "r1", PartnerID: "p1", From: "validated", To: "approved", Outcome: "approved",
		ApprovedUSD: 20000}
	closing := events.RecordTransitioned{RecordID: "r1", PartnerID: "p1", From: "launched", To: "closed", ApprovedUSD: 20000,
		CommissionBPS: 1000, ClosedAt: &closed}
	closingBare := events.RecordTransitioned{RecordID: "r1", PartnerID: "p1", From: "launched", To: "closed", ClosedAt: &closed}
	linkedSubmit := events.RecordTransitioned{RecordID: "r1", PartnerID: "p1", From: "identified", To: "submitted", ActorRole: "partner", ACELinked: true}
	awsSubmit := events.RecordTransitioned{RecordID: "r1", PartnerID: "p1", From: "identified", To: "submitted", ActorRole: "aws", ACELinked: true}
	linkedAward := events.RecordTransitioned{RecordID: "r1", PartnerID: "p1", From: "validated", To: "approved", ActorRole: "partner",
		ACELinked: true, Outcome: "approved", ApprovedUSD: 20000}
	invoiced := events.StatementInvoiced{StatementID: "s1", PartnerID: "p1", Month: "2026-02", Reference: "INV-1"}
	paid := events.StatementPaid{StatementID: "s1", PartnerID: "p1", Month: "2026-02"}
	flags := events.PipelineFlagsRaised{PartnerID: "p1", Date: "2026-03-04", Flags: []events.RaisedFlag{{Flag: "stale", ACERecordID: "r1"}}}
	disabled := events.WebhookEndpointDisabled{EndpointID: "w1", PartnerID: "p1", FailingSince: closed, LastError: "timeout"}
	for _, c := range []struct {
		name  string
		event events.Payload
		want  []effect
	}{
		{"an intake received is routed, and its founders get the receipt", received, []effect{route("submitted"), mail(received)}},
		{"an offer expires at its deadline, is reminded before it, and is told", offered,
			[]effect{{"expire", "evt-e1-expire", "assignment:expire", `{"assignment_id":"a1"}`, "critical", expires},
				{"remind", "evt-e1-remind", "assignment:remind", `{"assignment_id":"a1"}`, "critical", remind}, mail(offered), hook(offered)}},
		{"an offer made with reminders off", unreminded,
			[]effect{{"expire", "evt-e1-expire", "assignment:expire", `{"assignment_id":"a1"}`, "critical", expires}, mail(unreminded), hook(unreminded)}},
		{"a reminder", expiring, []effect{mail(expiring), hook(expiring)}},
		{"a decline", events.AssignmentDeclined{AssignmentID: "a1", IntakeID: "i1", PartnerID: "p1"},
			[]effect{index, route("declined"), drain("capacity_freed")}},
		{"an expiry", expired, []effect{index, route("expired"), drain("capacity_freed"), mail(expired), hook(expired)}},
		{"a release", released, []effect{route("released"), drain("capacity_freed"), mail(released), hook(released)}},
		{"a withdrawal", events.IntakeWithdrawn{IntakeID: "i1"}, []effect{drain("intake_withdrawn")}},
		{"an engagement closed", events.IntakeClosed{IntakeID: "i1", AssignmentID: "a1", PartnerID: "p1"}, []effect{drain("capacity_freed")}},
		{"a move that decides nothing", moved, []effect{hook(moved)}},
		{"a decided move", decided, []effect{index, hook(decided)}},
		{"closing an award", closing,
			[]effect{{"accrue", "evt-e1-accrue", "commission:accrue",
				`{"ace_record_id":"r1","commission_bps":1000,"closed_at":"2026-03-04T09:00:00Z"}`, "default", time.Time{}}, hook(closing)}},
		{"closing without an award", closingBare, []effect{hook(closingBare)}},
		{"a linked record submitted by its partner is submitted to ACE", linkedSubmit, []effect{hook(linkedSubmit), acePush}},
		{"AWS's own move sends nothing back", awsSubmit, []effect{hook(awsSubmit)}},
		{"a linked record's award sends nothing to ACE", linkedAward, []effect{index, hook(linkedAward)}},
		{"a record linked", events.RecordLinked{RecordID: "r1", PartnerID: "p1"}, []effect{acePush}},
		{"a linked record edited", events.RecordEdited{RecordID: "r1", PartnerID: "p1"}, []effect{acePush}},
		{"a connection saved", events.ACEConnectionSaved{ConnectionID: "c1", PartnerID: "p1", Created: true}, []effect{acePull}},
		{"an event forwarded", events.ACEConnectionPinged{ConnectionID: "c1", PartnerID: "p1"}, []effect{acePull}},
		{"an active advanced partner added", events.PartnerCreated{PartnerID: "p1", Tier: "advanced", Status: "active"},
			[]effect{drain("partner_added")}},
		{"a paused partner added", events.PartnerCreated{PartnerID: "p1", Tier: "premier", Status: "paused"}, nil},
		{"a select partner added", events.PartnerCreated{PartnerID: "p1", Tier: "select", Status: "active"}, nil},
		{"a partner changed", events.PartnerUpdated{PartnerID: "p1", Tier: "select", Status: "paused"}, []effect{drain("partner_updated")}},
		{"the window changed", events.SettingsChanged{Fields: []string{"offer_ttl_hours", "window_days"}},
			[]effect{{"rebuild", "evt-e1-rebuild", "index:rebuild", `{}`, "low", time.Time{}}, drain("settings_changed")}},
		{"the threshold changed", events.SettingsChanged{Fields: []string{"close_rate_threshold"}}, []effect{drain("settings_changed")}},
		{"the routing mode changed", events.SettingsChanged{Fields: []string{"routing_mode"}}, []effect{drain("settings_changed")}},
		{"a hygiene setting changed", events.SettingsChanged{Fields: []string{"stale_days"}}, nil},
		{"a track record imported", events.TrackRecordImported{PartnerID: "p1", Rows: 4}, []effect{index}},
		{"the index changed", events.RoutingIndexChanged{PartnerID: "p1"}, []effect{drain("index_changed")}},
		{"an offer accepted tells the founders and the partner's systems", accepted, []effect{mail(accepted), hook(accepted)}},
		{"an unroutable intake waits for the admin digest", unroutable, []effect{digest(unroutable)}},
		{"a proposal waiting for review too", review, []effect{digest(review)}},
		{"a statement invoiced", invoiced, []effect{mail(invoiced), hook(invoiced)}},
		{"a statement paid", paid, []effect{hook(paid)}},
		{"the daily flags go to webhooks; the mail is the weekly digest", flags, []effect{hook(flags)}},
		{"a disabled endpoint is told to the partner", disabled, []effect{mail(disabled)}},
		{"a redelivery is one more delivery task", events.WebhookRedeliveryRequested{EndpointID: "w1", PartnerID: "p1", EventID: "e0",
			DeliveryID: "d1", ActorRole: "partner"},
			[]effect{{"redeliver", "evt-e1-redeliver", "webhook:deliver", `{"event_id":"e0","endpoint_id":"w1","manual":true}`, "default", time.Time{}}}},
		{"an old outbox row is its task", events.OutboxTask{OutboxID: 42, TaskType: "assignment:expire",
			Payload: json.RawMessage(`{"assignment_id":"a1"}`), ProcessAt: &expires},
			[]effect{{"task", "outbox:42", "assignment:expire", `{"assignment_id":"a1"}`, "critical", expires}}},
		{"an old row of an unknown task", events.OutboxTask{OutboxID: 43, TaskType: "legacy:thing", Payload: json.RawMessage(`{}`)},
			[]effect{{"task", "outbox:43", "legacy:thing", `{}`, "default", time.Time{}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, effectsOf(t, c.event)); d != "" {
				t.Errorf("effects (-want +got):\n%s", d)
			}
		})
	}
}

// TestEveryWebhookKindHasItsWebhook: a kind a partner may subscribe to
// sets off the webhook fan-out, and no other kind does.
func TestEveryWebhookKindHasItsWebhook(t *testing.T) {
	for _, kind := range events.Kinds() {
		effs, err := jobs.Effects(events.Event{ID: "e1", Kind: kind, Payload: samplePayload(t, kind)})
		if err != nil {
			t.Fatal(err)
		}
		has := false
		for _, e := range effs {
			has = has || e.Task.Type() == tasks.TypeWebhookFanout
		}
		if want := slices.Contains(events.WebhookKinds, kind); has != want {
			t.Errorf("%s sets off the webhook fan-out: %v, want %v", kind, has, want)
		}
	}
}

// samplePayload is a payload of kind that every rule of the table can
// read; the fields the rules look at are set so that each rule applies.
func samplePayload(t *testing.T, kind string) []byte {
	t.Helper()
	switch kind {
	case events.KindOutboxTask:
		return []byte(`{"outbox_id":1,"task_type":"routing:drain","payload":{}}`)
	case events.KindIntakeWithdrawn:
		return []byte(`{"intake_id":"i1","assignment_ids":[]}`)
	}
	return []byte(`{"partner_id":"p1","intake_id":"i1","assignment_id":"a1","expires_at":"2026-03-06T09:00:00Z"}`)
}

func TestEffectsOfUnreadableEvents(t *testing.T) {
	_, err := jobs.Effects(events.Event{ID: "e1", Kind: "intake.teleported", Payload: []byte(`{}`)})
	if !errors.Is(err, events.ErrUnknownKind) {
		t.Errorf("unknown kind: %v, want ErrUnknownKind", err)
	}
	_, err = jobs.Effects(events.Event{ID: "e1", Kind: events.KindIntakeReceived, Payload: []byte(`[]`)})
	if err == nil || errors.Is(err, events.ErrUnknownKind) {
		t.Errorf("bad payload: %v, want an error other than ErrUnknownKind", err)
	}
}

// queued lists the tasks waiting in Redis (pending or scheduled) by id.
func queued(t *testing.T, insp *asynq.Inspector) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, q := range []string{jobs.QueueCritical, jobs.QueueDefault, jobs.QueueLow} {
		pending, _ := insp.ListPendingTasks(q)
		scheduled, _ := insp.ListScheduledTasks(q)
		for _, ti := range append(pending, scheduled...) {
			out[ti.ID] = ti.Type
		}
	}
	return out
}

// TestRelaySetsOffEachEffectOnce: an event with three effects relayed, put
// back as unsent (a crash before it was marked) and relayed again is still
// three tasks in Redis, one per effect, under the event's task ids.
func TestRelaySetsOffEachEffectOnce(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{})
	const id = "5b0e6a4e-0000-4000-8000-000000000001"
	db.MustExec(`INSERT INTO outbox (event_id, kind, subject, payload) VALUES ($1, 'assignment.declined', 'a1',
		'{"assignment_id":"a1","intake_id":"i1","partner_id":"p1"}')`, id)
	for i := 0; i < 2; i++ {
		if n, err := w.RelayOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("relay %d: %d %v", i, n, err)
		}
		db.MustExec(`UPDATE outbox SET sent_at = NULL`)
	}
	want := map[string]string{"evt-" + id + "-index": "index:update", "evt-" + id + "-route": "intake:route",
		"evt-" + id + "-drain": "routing:drain"}
	if d := cmp.Diff(want, queued(t, asynq.NewInspectorFromRedisClient(rdb))); d != "" {
		t.Errorf("tasks in Redis (-want +got):\n%s", d)
	}
}

// TestRelayDeliversOldRows: a row from before the outbox held events (as
// migration 0014 rewrites it) is relayed as the task it named, due when it
// was due, under the task id the relay gave it before.
func TestRelayDeliversOldRows(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{})
	due := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	db.MustExec(`INSERT INTO outbox (event_id, kind, subject, payload) VALUES (gen_random_uuid(), 'outbox.task', 'assignment:expire',
		jsonb_build_object('outbox_id', 17, 'task_type', 'assignment:expire', 'payload', '{"assignment_id":"a1"}'::jsonb,
			'process_at', $1::timestamptz))`, due)
	if n, err := w.RelayOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("relay: %d %v", n, err)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	info, err := insp.GetTaskInfo(jobs.QueueCritical, "outbox:17")
	if err != nil {
		t.Fatalf("the old row's task is not in Redis: %v", err)
	}
	var payload map[string]string
	if err := json.Unmarshal(info.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	if info.Type != "assignment:expire" || payload["assignment_id"] != "a1" || info.State != asynq.TaskStateScheduled ||
		!info.NextProcessAt.Equal(due) {
		t.Errorf("task %s %s %v at %v, want assignment:expire for a1 scheduled at %v", info.Type, info.Payload, info.State,
			info.NextProcessAt, due)
	}
}

// TestRelayKeepsUnknownKinds: an event this build cannot handle is not
// dropped: the batch stops before it, and it waits, with the error noted,
// for a build that knows it.
func TestRelayKeepsUnknownKinds(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{})
	db.MustExec(`INSERT INTO outbox (event_id, kind, subject, payload) VALUES (gen_random_uuid(), 'intake.received', 'i1',
		'{"intake_id":"i1"}'), (gen_random_uuid(), 'intake.teleported', 'i2', '{}'), (gen_random_uuid(), 'intake.received', 'i3',
		'{"intake_id":"i3"}')`)
	n, err := w.RelayOnce(context.Background())
	if n != 1 || !errors.Is(err, events.ErrUnknownKind) {
		t.Fatalf("relay: %d %v; want 1 and ErrUnknownKind", n, err)
	}
	var unsent []struct {
		Kind      string  `db:"kind"`
		LastError *string `db:"last_error"`
	}
	if err := db.x.Select(&unsent, `SELECT kind, last_error FROM outbox WHERE sent_at IS NULL ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(unsent) != 2 || unsent[0].Kind != "intake.teleported" || unsent[0].LastError == nil {
		t.Errorf("unsent after the relay: %+v", unsent)
	}
}

// TestRelayPassesOverUnreadableEvents: an event of a known kind whose
// payload cannot be read never will be; it must not hold up the events
// behind it.
func TestRelayPassesOverUnreadableEvents(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{})
	db.MustExec(`INSERT INTO outbox (event_id, kind, subject, payload) VALUES (gen_random_uuid(), 'intake.received', 'i1',
		'{"intake_id":1}'), (gen_random_uuid(), 'intake.received', 'i2', '{"intake_id":"i2"}')`)
	if n, err := w.RelayOnce(context.Background()); err != nil || n != 2 {
		t.Fatalf("relay: %d %v; want 2 and no error", n, err)
	}
	if got := queued(t, asynq.NewInspectorFromRedisClient(rdb)); len(got) != 2 {
		t.Errorf("tasks in Redis: %v, want the second event's route and receipt only", got)
	}
}

// TestRelayBatchesRoutes: the route effects of one relayed batch become
// tasks of up to postgres.MaxRouteBatch intakes per trigger, holding every
// intake once, enqueued before the rest; the same batch relayed again is
// the same tasks. A trigger with one intake keeps its event's task.
func TestRelayBatchesRoutes(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{})
	received := 2*postgres.MaxRouteBatch + 6
	var want []string
	for i := 0; i < received; i++ {
		id := fmt.Sprintf("7a000000-0000-4000-8000-%012d", i)
		want = append(want, id)
		db.MustExec(`INSERT INTO outbox (event_id, kind, subject, payload) VALUES (gen_random_uuid(), 'intake.received', $1,
			jsonb_build_object('intake_id', $1::text))`, id)
		if i == postgres.MaxRouteBatch+8 {
			db.MustExec(`INSERT INTO outbox (event_id, kind, subject, payload) VALUES ('5b0e6a4e-0000-4000-8000-000000000002',
				'assignment.declined', 'a1', '{"assignment_id":"a1","intake_id":"i1","partner_id":"p1"}')`)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	var first map[string]string
	for round := 0; round < 2; round++ {
		if n, err := w.RelayOnce(context.Background()); err != nil || n != received+1 {
			t.Fatalf("relay %d: %d %v", round, n, err)
		}
		db.MustExec(`UPDATE outbox SET sent_at = NULL`)
		got := queued(t, insp)
		if round == 0 {
			first = got
		} else if d := cmp.Diff(first, got); d != "" {
			t.Errorf("relayed again, the tasks changed (-first +again):\n%s", d)
		}
	}
	pending, err := insp.ListPendingTasks(jobs.QueueCritical, asynq.PageSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	var routed []string
	var sizes []int
	declined := 0
	for _, ti := range pending {
		if ti.Type != tasks.TypeRouteIntake {
			continue
		}
		var p tasks.RouteIntake
		if err := json.Unmarshal(ti.Payload, &p); err != nil {
			t.Fatal(err)
		}
		switch {
		case p.Trigger == "declined":
			declined++
			if ti.ID != "evt-5b0e6a4e-0000-4000-8000-000000000002-route" || p.IntakeID != "i1" {
				t.Errorf("the declined intake's route task: %s %s", ti.ID, ti.Payload)
			}
		case p.Trigger == "submitted" && p.IntakeID == "" && strings.HasPrefix(ti.ID, "routes-"):
			routed = append(routed, p.IntakeIDs...)
			sizes = append(sizes, len(p.IntakeIDs))
		default:
			t.Errorf("unexpected route task %s %s", ti.ID, ti.Payload)
		}
	}
	slices.Sort(routed)
	if d := cmp.Diff(want, routed); d != "" {
		t.Errorf("intakes in the route tasks (-want +got):\n%s", d)
	}
	slices.Sort(sizes)
	if d := cmp.Diff([]int{6, postgres.MaxRouteBatch, postgres.MaxRouteBatch}, sizes); d != "" {
		t.Errorf("route task sizes (-want +got):\n%s", d)
	}
	if declined != 1 {
		t.Errorf("%d route tasks for the declined offer, want 1", declined)
	}
	// Every other effect is its own task: the receipts, and the declined
	// offer's index update and drain.
	qi, err := insp.GetQueueInfo(jobs.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	if qi.Pending != received+2 {
		t.Errorf("%d tasks on the default queue, want %d", qi.Pending, received+2)
	}
}
