package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/jmoiron/sqlx"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

const redisDB = 2

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.DropTemplates()
	os.Exit(code)
}

var quiet = slog.New(slog.NewJSONHandler(io.Discard, nil))

func ptr[T any](v T) *T { return &v }

// testDB is storage plus a plain connection to the same database, for what
// a test sets up or checks behind storage's back.
type testDB struct {
	*postgres.DB
	x *sqlx.DB
}

func openTestDB(t *testing.T) *testDB {
	t.Helper()
	db, x := testenv.MustOpenDBWithSQL(t)
	return &testDB{DB: db, x: x}
}

func (db *testDB) MustExec(q string, args ...any) { db.x.MustExec(q, args...) }

// Get runs q and fails the test on an error, so a failed query never reads
// as a zero.
func (db *testDB) Get(t *testing.T, dst any, q string, args ...any) {
	t.Helper()
	if err := db.x.Get(dst, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// closedRecord walks one intake through the store to a closed record with
// approvedUSD awarded, leaving the event that closed it (and sets off the
// commission accrual) in the outbox.
func closedRecord(t *testing.T, db *testDB, approvedUSD int64, bps int) (recordID, partnerID string) {
	t.Helper()
	ctx := context.Background()
	p, err := db.CreatePartner(ctx, domain.PartnerPatch{Name: ptr("P"), Tier: ptr("advanced"), Regions: ptr([]string{"eu"}),
		ContactEmail: ptr("p@p.example.com"), CommissionBPS: ptr(bps)})
	if err != nil {
		t.Fatal(err)
	}
	db.MustExec(`UPDATE partners SET status = 'paused' WHERE id <> $1`, p.ID)
	b := intake.Example()
	b.Website = fmt.Sprintf("https://c%d.example.com", time.Now().UnixNano())
	b.AWSAccountID = nil
	res, err := db.SubmitIntake(ctx, b, b.Website[8:], "", nil)
	if err != nil {
		t.Fatal(err)
	}
	in := struct{ ID string }{res.IntakeID}
	rr, err := db.RouteIntake(ctx, in.ID, "submitted")
	if err != nil || rr.Outcome != "offered" {
		t.Fatalf("route: %+v %v", rr, err)
	}
	if _, err := db.AcceptAssignment(ctx, p.ID, rr.AssignmentID); err != nil {
		t.Fatal(err)
	}
	f := ace.RecordFields{EstimatedAnnualSpendUSD: ptr(int64(100000)), PartnerRole: ptr("We build it."),
		NewAccountPlaceholder: ptr(true), EngagementStartDate: ptr("2026-12-01"), GoLiveDate: ptr("2027-02-01"),
		UseCase: ptr(fmt.Sprintf("%0120d", 7))}
	partner := domain.Principal{Role: domain.RolePartner, PartnerID: p.ID}
	rec, _, err := db.CreateACERecord(ctx, partner, rr.AssignmentID, "portfolio", 100000, f)
	if err != nil {
		t.Fatal(err)
	}
	steps := []ace.TransitionRequest{{To: "submitted"}, {To: "validated"}, {To: "approved", ApprovedUSD: &approvedUSD}, {To: "launched"}, {To: "closed"}}
	for _, s := range steps {
		if _, _, err := db.TransitionACERecord(ctx, partner, rec.ID, s); err != nil {
			t.Fatalf("%s: %v", s.To, err)
		}
	}
	return rec.ID, p.ID
}

// closingEvents selects the outbox's events that closed a record: those
// that set off a commission accrual.
const closingEvents = `FROM outbox WHERE kind = 'ace_record.transitioned' AND payload->>'to' = 'closed'`

// accrualTask is the accrual task that the event closing the record sets
// off, as the relay would enqueue it.
func accrualTask(t *testing.T, db *testDB, recordID string) *asynq.Task {
	t.Helper()
	var ev struct {
		ID      string `db:"event_id"`
		Kind    string `db:"kind"`
		Payload []byte `db:"payload"`
	}
	if err := db.x.Get(&ev, `SELECT event_id, kind, payload `+closingEvents+` AND subject = $1`, recordID); err != nil {
		t.Fatalf("no closing event in the outbox: %v", err)
	}
	effs, err := jobs.Effects(events.Event{ID: ev.ID, Kind: ev.Kind, Subject: recordID, Payload: ev.Payload})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range effs {
		if e.Task.Type() == tasks.TypeAccrueCommission {
			return e.Task
		}
	}
	t.Fatalf("the closing event %s sets off no accrual", ev.Payload)
	return nil
}

func ledger(t *testing.T, db *testDB, recordID string) (n int, cents int64) {
	t.Helper()
	db.Get(t, &n, `SELECT count(*) FROM commission_entries WHERE ace_record_id = $1`, recordID)
	db.Get(t, &cents, `SELECT COALESCE(sum(amount_cents), 0) FROM commission_entries WHERE ace_record_id = $1`, recordID)
	return
}

func reconciled(t *testing.T, db *testDB) {
	t.Helper()
	r, err := db.Reconcile(context.Background())
	if err != nil || !r.Balanced {
		t.Fatalf("ledger and statements do not reconcile: %+v %v", r, err)
	}
}

func TestAccrueOnceWhateverTheDeliveries(t *testing.T) {
	db := openTestDB(t)
	h := &jobs.Handlers{DB: db.DB, Log: quiet}
	rec, _ := closedRecord(t, db, 100000, 1000)
	task := accrualTask(t, db, rec)
	if err := h.AccrueCommission(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	// Delivered again, and five more times at once.
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); h.AccrueCommission(context.Background(), task) }()
	}
	wg.Wait()
	if n, cents := ledger(t, db, rec); n != 1 || cents != 1_000_000 {
		t.Fatalf("ledger has %d entries, %d cents; want 1 entry of 1,000,000 cents", n, cents)
	}
	reconciled(t, db)
}

func TestCloseTwiceConcurrently(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	rec, pid := closedRecord(t, db, 50000, 1000)
	// Reopen the record to launched, then race two closes.
	db.MustExec(`DELETE ` + closingEvents)
	db.MustExec(`UPDATE ace_records SET state = 'launched', closed_at = NULL WHERE id = $1`, rec)
	db.MustExec(`UPDATE assignments SET status = 'accepted', ended_at = NULL, end_reason = NULL WHERE partner_id = $1`, pid)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = db.TransitionACERecord(ctx, domain.Principal{Role: domain.RolePartner, PartnerID: pid}, rec, ace.TransitionRequest{To: "closed"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if domain.ErrorCode(err) != domain.ECodeInvalidTransition {
			t.Fatalf("unexpected error: %v", err)
		}
	}
	var queued int
	db.Get(t, &queued, `SELECT count(*) `+closingEvents)
	if ok != 1 || queued != 1 {
		t.Fatalf("%d closes succeeded and %d accruals queued; want 1 and 1", ok, queued)
	}
}

// TestRetryAfterPartialFailure: an accrual whose transaction fails part-way
// leaves nothing behind, and the retry writes it once.
func TestRetryAfterPartialFailure(t *testing.T) {
	db := openTestDB(t)
	h := &jobs.Handlers{DB: db.DB, Log: quiet}
	rec, pid := closedRecord(t, db, 100000, 1000)
	task := accrualTask(t, db, rec)
	// The statement insert succeeds, then the entry insert fails: a trigger
	// makes the ledger refuse writes for a moment.
	db.MustExec(`CREATE FUNCTION fail_once() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql`)
	db.MustExec(`CREATE TRIGGER fail_once BEFORE INSERT ON commission_entries FOR EACH ROW EXECUTE FUNCTION fail_once()`)
	if err := h.AccrueCommission(context.Background(), task); err == nil {
		t.Fatal("want the first attempt to fail")
	}
	var statements int
	db.Get(t, &statements, `SELECT count(*) FROM statements WHERE partner_id = $1`, pid)
	if n, _ := ledger(t, db, rec); n != 0 || statements != 0 {
		t.Fatalf("a failed attempt left %d entries and %d statements", n, statements)
	}
	db.MustExec(`DROP TRIGGER fail_once ON commission_entries`)
	if err := h.AccrueCommission(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if n, cents := ledger(t, db, rec); n != 1 || cents != 1_000_000 {
		t.Fatalf("after retry: %d entries, %d cents", n, cents)
	}
	reconciled(t, db)
}

func TestMonthBoundary(t *testing.T) {
	db := openTestDB(t)
	h := &jobs.Handlers{DB: db.DB, Log: quiet}
	ctx := context.Background()
	jan31 := time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC)
	db.Clock = func() time.Time { return jan31 }
	onTime, _ := closedRecord(t, db, 100000, 1000)
	late, _ := closedRecord(t, db, 60000, 500)
	if err := h.AccrueCommission(ctx, accrualTask(t, db, onTime)); err != nil {
		t.Fatal(err)
	}
	// The month ends before the second accrual runs.
	db.Clock = func() time.Time { return time.Date(2026, 2, 1, 0, 5, 0, 0, time.UTC) }
	if err := h.CloseStatements(ctx, asynq.NewTask(tasks.TypeCloseStatements, nil)); err != nil {
		t.Fatal(err)
	}
	if _, claimed, err := db.CloseMonth(ctx); err != nil || claimed {
		t.Fatalf("closing January again: claimed %v, %v; want it left alone", claimed, err)
	}
	if err := h.AccrueCommission(ctx, accrualTask(t, db, late)); err != nil {
		t.Fatal(err)
	}
	month := func(rec string) string {
		var m string
		db.Get(t, &m, `SELECT to_char(s.month, 'YYYY-MM') || ':' || (s.closed_at IS NOT NULL) FROM commission_entries e
			JOIN statements s ON s.id = e.statement_id WHERE e.ace_record_id = $1`, rec)
		return m
	}
	if got := month(onTime); got != "2026-01:true" {
		t.Fatalf("on-time accrual on %s, want the closed January statement", got)
	}
	if got := month(late); got != "2026-02:false" {
		t.Fatalf("late accrual on %s, want the open February statement", got)
	}
	_, cents := ledger(t, db, late)
	if cents != 300_000 { // 60,000 USD at 500 bps = 3,000 USD
		t.Fatalf("late accrual %d cents", cents)
	}
	reconciled(t, db)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// privateRedis starts a redis-server of this test's own on a free port, so
// stopping it never disturbs the machine's shared Redis.
func privateRedis(t *testing.T, port int) (stop func()) {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Skipf("redis-server not available: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer c.Close()
	for i := 0; c.Ping(context.Background()).Err() != nil; i++ {
		if i > 100 {
			t.Fatal("private redis did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop = func() {
		if !stopped {
			cmd.Process.Kill()
			cmd.Wait()
			stopped = true
		}
	}
	t.Cleanup(stop)
	return stop
}

// TestRedisDownWhenRecordCloses: the accrual waits in the outbox while
// Redis is down, and is relayed and accrued once after it returns.
func TestRedisDownWhenRecordCloses(t *testing.T) {
	db := openTestDB(t)
	port := freePort(t)
	stop := privateRedis(t, port)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{Concurrency: 2, OutboxPoll: 20 * time.Millisecond})
	stop()
	rec, _ := closedRecord(t, db, 100000, 1000)
	if _, err := w.RelayOnce(context.Background()); err == nil {
		t.Fatal("relay succeeded with Redis down")
	}
	var unsent int
	db.Get(t, &unsent, `SELECT count(*) `+closingEvents+` AND sent_at IS NULL`)
	if unsent != 1 {
		t.Fatalf("%d accruals waiting, want 1", unsent)
	}
	privateRedis(t, port)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, 5*time.Second); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, _ := ledger(t, db, rec); n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the accrual did not arrive after Redis came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if n, cents := ledger(t, db, rec); n != 1 || cents != 1_000_000 {
		t.Fatalf("%d entries, %d cents", n, cents)
	}
	reconciled(t, db)
}

// TestRelayDeduplicatesByTaskID: an event relayed twice (a crash between
// the enqueue and marking it sent) still sets off its effect once.
func TestRelayDeduplicatesByTaskID(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{})
	db.MustExec(`INSERT INTO outbox (event_id, kind, subject, payload) VALUES (gen_random_uuid(), 'partner.updated', 'p1',
		'{"partner_id":"p1","tier":"advanced","status":"active"}')`)
	if n, err := w.RelayOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("relay: %d %v", n, err)
	}
	db.MustExec(`UPDATE outbox SET sent_at = NULL`)
	if n, err := w.RelayOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("second relay: %d %v", n, err)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	info, err := insp.GetQueueInfo(jobs.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 1 {
		t.Fatalf("queue holds %d tasks, want 1", info.Size)
	}
}

// TestLostAccrualIsRecovered: an accrual task Redis lost is found by the
// reconciliation and written by the sweep, once, at the rate of closing.
func TestLostAccrualIsRecovered(t *testing.T) {
	db := openTestDB(t)
	h := &jobs.Handlers{DB: db.DB, Log: quiet}
	ctx := context.Background()
	rec, pid := closedRecord(t, db, 100000, 1000)
	db.MustExec(`DELETE ` + closingEvents)                                     // the task is lost
	db.MustExec(`UPDATE partners SET commission_bps = 500 WHERE id = $1`, pid) // the rate changed since
	closed := time.Now()
	db.Clock = func() time.Time { return closed.Add(10 * time.Minute) }
	r, err := db.Reconcile(ctx)
	if err != nil || r.Balanced || len(r.Unaccrued) != 1 || r.Unaccrued[0] != rec {
		t.Fatalf("reconciliation does not name the unaccrued record: %+v %v", r, err)
	}
	if err := h.SweepAccruals(ctx, asynq.NewTask(tasks.TypeSweepAccruals, nil)); err != nil {
		t.Fatal(err)
	}
	// A second sweep finds nothing to do (and says so).
	if err := h.SweepAccruals(ctx, asynq.NewTask(tasks.TypeSweepAccruals, nil)); err == nil || err.Error() != "skipped" {
		t.Fatalf("second sweep: %v", err)
	}
	if n, cents := ledger(t, db, rec); n != 1 || cents != 1_000_000 {
		t.Fatalf("after the sweep: %d entries, %d cents; want 1 at the closing rate (1,000,000)", n, cents)
	}
	reconciled(t, db)
}

// TestRouteTaskRoutesABatch: a route task naming several intakes offers
// each of them, once, in one run; run again, it finds nothing to do.
func TestRouteTaskRoutesABatch(t *testing.T) {
	db := openTestDB(t)
	h := &jobs.Handlers{DB: db.DB, Log: quiet}
	ctx := context.Background()
	if _, err := db.CreatePartner(ctx, domain.PartnerPatch{Name: ptr("P"), Tier: ptr("advanced"), Regions: ptr([]string{"eu"}),
		ContactEmail: ptr("p@p.example.com"), Capacity: ptr(3)}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 0; i < 5; i++ {
		b := intake.Example()
		b.Website = fmt.Sprintf("https://batch%d-%d.example.com", i, time.Now().UnixNano())
		b.AWSAccountID = nil
		res, err := db.SubmitIntake(ctx, b, b.Website[8:], "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.IntakeID)
	}
	payload, _ := json.Marshal(tasks.RouteIntake{IntakeIDs: ids, Trigger: "submitted"})
	if err := h.RouteIntake(ctx, asynq.NewTask(tasks.TypeRouteIntake, payload)); err != nil {
		t.Fatalf("route the batch: %v", err)
	}
	var offered, unroutable int
	db.Get(t, &offered, `SELECT count(*) FROM intakes WHERE status = 'offered' AND id = ANY($1::uuid[])`, pq.StringArray(ids))
	db.Get(t, &unroutable, `SELECT count(*) FROM intakes WHERE status = 'unroutable' AND id = ANY($1::uuid[])`, pq.StringArray(ids))
	if offered != 3 || unroutable != 2 {
		t.Errorf("%d offered and %d unroutable, want 3 (the capacity) and 2", offered, unroutable)
	}
	// The offered ones are left alone; the unroutable ones are decided
	// again (each attempt is on record) and stay unroutable.
	if err := h.RouteIntake(ctx, asynq.NewTask(tasks.TypeRouteIntake, payload)); err != nil {
		t.Fatalf("route the batch again: %v", err)
	}
	var assignments int
	db.Get(t, &assignments, `SELECT count(*) FROM assignments WHERE intake_id = ANY($1::uuid[])`, pq.StringArray(ids))
	if assignments != 3 {
		t.Errorf("%d assignments after routing twice, want 3", assignments)
	}
}
