package drills_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// TestDrillRedisDownDuringBurst: with Redis down, a burst of intakes is
// still accepted (the rate limiter fails open, and says so in the log and
// in a metric); once Redis is back every intake is routed, none twice.
func TestDrillRedisDownDuringBurst(t *testing.T) {
	start := time.Now()
	port := freePort(t)
	rs := startRedis(t, port)
	s := newStack(t, testenv.URL(t), rs.url())
	s.serve()
	s.createPartner(1000)
	// The partner's own jobs are relayed before Redis goes, so the drill
	// counts only what the burst queues.
	waitFor(t, "the outbox to drain before the outage", 10*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`) == 0
	})

	rs.stop()
	const n = 40
	got := s.submitBurst(n, 8)

	// The limiter failed open, and said so.
	if !strings.Contains(s.api.out.String(), "rate limiter unavailable; failing open") {
		t.Error(`the log does not say "rate limiter unavailable; failing open" while Redis is down`)
	}
	if v, ok := s.metric("cloudroute_rate_limiter_fail_open_total"); !ok || v < n {
		t.Errorf("cloudroute_rate_limiter_fail_open_total = %v (found %v), want at least %d", v, ok, n)
	}
	r := s.must("GET", "/readyz", "", nil)
	if r.status != 503 || !strings.Contains(string(r.body), `"redis":"unavailable"`) {
		t.Errorf("/readyz with Redis down: %d %s, want 503 naming redis", r.status, r.body)
	}
	// Nothing was routed, and nothing was lost: the events that route the
	// intakes wait in the outbox.
	if c := s.count(`SELECT count(*) FROM intakes WHERE status = 'received'`); c != n {
		t.Errorf("%d intakes received while Redis is down, want %d", c, n)
	}
	if c := s.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND kind = $1`, events.KindIntakeReceived); c != n {
		t.Errorf("%d intake.received events wait in the outbox, want %d", c, n)
	}
	down := time.Now()

	startRedis(t, port) // the same address, empty
	waitFor(t, "every intake to be offered after Redis returned", 15*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM intakes WHERE status = 'offered'`) == n
	})
	t.Logf("all %d intakes offered %s after Redis returned", n, time.Since(down).Round(time.Millisecond))
	// The founder sees it too.
	for _, in := range got[:5] {
		v := s.must("GET", "/v1/intakes/"+in.ID, in.AccessToken, nil).want(t, 200).json(t)
		if v["status"] != "offered" {
			t.Errorf("intake %s: founder sees status %v, want offered", in.ID, v["status"])
		}
	}
	// Exactly one assignment (and one routing decision) per intake.
	if c := s.count(`SELECT count(*) FROM (SELECT intake_id FROM assignments GROUP BY intake_id HAVING count(*) <> 1) x`); c != 0 {
		t.Errorf("%d intakes do not have exactly one assignment", c)
	}
	if c := s.count(`SELECT count(*) FROM assignments`); c != n {
		t.Errorf("%d assignments, want %d", c, n)
	}
	if c := s.count(`SELECT count(*) FROM (SELECT intake_id FROM routing_decisions GROUP BY intake_id HAVING count(*) <> 1) x`); c != 0 {
		t.Errorf("%d intakes were decided more than once", c)
	}
	waitFor(t, "/readyz to answer 200 after Redis returned", 10*time.Second, func() bool {
		r, err := s.do("GET", "/readyz", "", nil)
		return err == nil && r.status == 200
	})
	checkInvariants(t, s.db, s.dbURL)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}

// TestDrillPostgresRestart: Postgres (a private cluster) is stopped and
// started again under load. While it is down /readyz is 503 and requests
// fail with a clean 503 problem; clients that retry with their
// Idempotency-Key end with exactly one intake each.
func TestDrillPostgresRestart(t *testing.T) {
	start := time.Now()
	pg := newPGCluster(t)
	pg.start()
	rs := startRedis(t, freePort(t))
	s := newStack(t, pg.url(), rs.url())
	if out := s.run(60*time.Second, "migrate"); !strings.Contains(out, "migrations applied:") {
		t.Fatalf("migrate said: %s", out)
	}
	s.serve()
	s.createPartner(1000)
	before := s.submitBurst(1, 1)[0]

	const clients, perClient = 6, 10
	type result struct {
		key, id string
		tries   int
		ok      bool
		last    string
	}
	results := make([][]result, clients)
	var (
		mu         sync.Mutex
		unavail    []resp // 5xx answers seen during the outage
		transport  int
		successes  atomic.Int64
		clientsEnd = time.Now().Add(60 * time.Second)
	)
	// Odd clients keep going throughout; even ones, after three intakes,
	// wait for the outage, so that some keys are surely first tried while
	// Postgres is down.
	outage := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		results[c] = make([]result, perClient)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perClient; i++ {
				if i == 3 && c%2 == 0 {
					select {
					case <-outage:
					case <-time.After(30 * time.Second):
					}
				}
				res := &results[c][i]
				res.key = fmt.Sprintf("drill-%d-%d-%s", c, i, randHex(4))
				body := intakeBody()
				for time.Now().Before(clientsEnd) {
					res.tries++
					r, err := s.do("POST", "/v1/intakes", "", body, "Idempotency-Key", res.key)
					if err != nil {
						mu.Lock()
						transport++
						mu.Unlock()
						res.last = err.Error()
						time.Sleep(100 * time.Millisecond)
						continue
					}
					if r.status >= 500 {
						mu.Lock()
						unavail = append(unavail, r)
						mu.Unlock()
						res.last = fmt.Sprintf("%d %s", r.status, r.body)
						time.Sleep(100 * time.Millisecond)
						continue
					}
					res.last = fmt.Sprintf("%d %s", r.status, r.body)
					var sub submitted
					if r.status == 201 && json.Unmarshal(r.body, &sub) == nil && sub.ID != "" {
						res.id, res.ok = sub.ID, true
						successes.Add(1)
					}
					break
				}
				time.Sleep(80 * time.Millisecond)
			}
		}()
	}

	// Mid-way, Postgres stops.
	waitFor(t, "a quarter of the intakes before the outage", 20*time.Second, func() bool { return successes.Load() >= clients*perClient/4 })
	pg.stop()
	down := time.Now()
	close(outage)
	waitFor(t, "/readyz to answer 503 with Postgres down", 10*time.Second, func() bool {
		r, err := s.do("GET", "/readyz", "", nil)
		return err == nil && r.status == 503 && strings.Contains(string(r.body), `"postgres":"unavailable"`)
	})
	waitFor(t, "a client to see a 503 while Postgres is down", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(unavail) > 0
	})
	// Authenticated reads fail the same clean way; a credential is never
	// called unknown because Postgres could not be asked.
	for _, probe := range []struct{ name, path, key string }{
		{"admin", "/v1/admin/partners", s.adminKey},
		{"founder", "/v1/intakes/" + before.ID, before.AccessToken},
	} {
		r, err := s.do("GET", probe.path, probe.key, nil)
		switch {
		case err != nil:
			t.Errorf("%s read with Postgres down: %v", probe.name, err)
		case r.status != 503:
			t.Errorf("%s read with Postgres down: %d %s, want a 503 problem", probe.name, r.status, r.body)
		default:
			mu.Lock()
			unavail = append(unavail, r)
			mu.Unlock()
		}
	}
	time.Sleep(1500 * time.Millisecond) // keep it down while clients retry
	pg.start()
	t.Logf("Postgres was down for %s", time.Since(down).Round(time.Millisecond))
	waitFor(t, "/readyz to answer 200 after Postgres returned", 20*time.Second, func() bool {
		r, err := s.do("GET", "/readyz", "", nil)
		return err == nil && r.status == 200
	})
	wg.Wait()
	if s.api.exited() {
		t.Fatal("the API process died during the Postgres restart")
	}

	// Every failure was a clean 503 problem.
	mu.Lock()
	t.Logf("clients saw %d 5xx answers and %d transport errors", len(unavail), transport)
	for _, r := range unavail {
		if r.status != 503 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("a request failed with %d %q, want a 503 problem: %s", r.status, r.header.Get("Content-Type"), r.body)
			continue
		}
		var p map[string]any
		if json.Unmarshal(r.body, &p) != nil || p["code"] != "unavailable" || r.header.Get("Retry-After") == "" {
			t.Errorf("503 is not an unavailable problem with Retry-After: %s", r.body)
		}
		low := strings.ToLower(string(r.body))
		for _, leak := range []string{"pq:", "sql", "goroutine", "panic", "dial tcp", "127.0.0.1", "connection refused"} {
			if strings.Contains(low, leak) {
				t.Errorf("a 503 body leaks %q: %s", leak, r.body)
			}
		}
	}
	mu.Unlock()
	if strings.Contains(s.api.out.String(), "goroutine ") || strings.Contains(s.api.out.String(), `"panic"`) {
		t.Error("the API logged a panic or a stack trace during the restart")
	}

	// Exactly one intake per key, and it is the one the client was told.
	ids := map[string]string{}
	for c := range results {
		for _, r := range results[c] {
			if !r.ok {
				t.Errorf("key %s never got a 201 (%d tries; last: %s)", r.key, r.tries, r.last)
				continue
			}
			ids[r.key] = r.id
		}
	}
	var rows []struct {
		KeyHash  []byte  `db:"key_hash"`
		IntakeID *string `db:"intake_id"`
	}
	if err := s.db.Select(&rows, `SELECT key_hash, intake_id::text FROM idempotency_keys`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != clients*perClient {
		t.Errorf("%d idempotency keys stored, want %d", len(rows), clients*perClient)
	}
	byHash := map[string]string{}
	for k := range ids {
		byHash[string(postgres.IdempotencyKeyHash(k))] = k
	}
	for _, r := range rows {
		k := byHash[string(r.KeyHash)]
		if r.IntakeID == nil || k == "" || ids[k] != *r.IntakeID {
			t.Errorf("key %q: stored intake %v, client was told %q", k, r.IntakeID, ids[k])
		}
	}
	if c := s.count(`SELECT count(*) FROM intakes`) - 1; c != clients*perClient {
		t.Errorf("%d intakes, want exactly one per key (%d)", c, clients*perClient)
	}
	// Nothing was lost: every intake is offered, or its route task, which
	// failed while Postgres was down, waits in asynq's retry set. asynq's
	// default backoff puts the first retry 15-45 s out; the drill runs the
	// retries now rather than sleeping through that.
	rdb := redis.NewClient(&redis.Options{Addr: rs.addr()})
	t.Cleanup(func() { rdb.Close() })
	insp := asynq.NewInspectorFromRedisClient(rdb)
	var retrying map[string]string
	waitFor(t, "every intake to be offered or waiting for a retry", 20*time.Second, func() bool {
		retrying = retryTasks(insp, "critical", tasks.TypeRouteIntake)
		var waiting []string
		if err := s.db.Select(&waiting, `SELECT id::text FROM intakes WHERE status <> 'offered'`); err != nil {
			return false
		}
		return hasAll(retrying, waiting) && s.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`) == 0
	})
	t.Logf("%d route tasks failed while Postgres was down and wait for an asynq retry", len(retrying))
	redeliver(t, insp, "every intake to be offered", 20*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM intakes WHERE status = 'offered'`) == clients*perClient+1
	}, "critical")
	checkInvariants(t, s.db, s.dbURL)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}

// ---------------------------------------------------------------------------
// Worker killed

// taskSubject is the intake or record a route or accrual task is about.
func taskSubject(t *asynq.TaskInfo) string {
	return taskSubjects(t)[0]
}

// taskSubjects is every subject of a task: the intakes of a route task
// that routes several.
func taskSubjects(t *asynq.TaskInfo) []string {
	var p struct {
		IntakeID    string   `json:"intake_id"`
		IntakeIDs   []string `json:"intake_ids"`
		ACERecordID string   `json:"ace_record_id"`
	}
	json.Unmarshal(t.Payload, &p)
	if len(p.IntakeIDs) > 0 {
		return append(p.IntakeIDs, p.IntakeID)
	}
	if p.IntakeID != "" {
		return []string{p.IntakeID}
	}
	return []string{p.ACERecordID}
}

// activeTasks maps the subject (intake or record id) of each active task of
// type typ in queue to its task id.
func activeTasks(t *testing.T, insp *asynq.Inspector, queue, typ string) map[string]string {
	t.Helper()
	out := map[string]string{}
	list, err := insp.ListActiveTasks(queue, asynq.PageSize(1000))
	if err != nil {
		return out
	}
	for _, ti := range list {
		if ti.Type == typ {
			for _, subject := range taskSubjects(ti) {
				out[subject] = ti.ID
			}
		}
	}
	return out
}

// fastForwardLeases moves the lease of every active task 2 minutes into the
// past, as if the killed worker had been gone that long. asynq gives an
// active task a 30 s lease and its recoverer takes back only tasks whose
// lease expired 30 s ago, every minute, then retries them after 15-45 s;
// the drill compresses that wait instead of sleeping through it.
func fastForwardLeases(t *testing.T, rdb *redis.Client, queues ...string) {
	t.Helper()
	ctx := context.Background()
	past := float64(time.Now().Add(-2 * time.Minute).Unix())
	for _, q := range queues {
		key := "asynq:{" + q + "}:lease"
		ids, err := rdb.ZRange(ctx, key, 0, -1).Result()
		if err != nil {
			t.Fatalf("read leases: %v", err)
		}
		for _, id := range ids {
			rdb.ZAddXX(ctx, key, redis.Z{Score: past, Member: id})
		}
	}
}

// redeliver runs every retry task of the queues at once (the retry delay is
// the other wait the drill compresses) until done holds.
func redeliver(t *testing.T, insp *asynq.Inspector, what string, timeout time.Duration, done func() bool, queues ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		for _, q := range queues {
			insp.RunAllRetryTasks(q)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// assertRedelivered checks that each task was delivered again after its
// worker died (asynq recorded the lease expiry) and completed.
func assertRedelivered(t *testing.T, insp *asynq.Inspector, queue string, ids map[string]string) {
	t.Helper()
	for subject, id := range ids {
		ti, err := insp.GetTaskInfo(queue, id)
		if err != nil {
			t.Errorf("task %s (%s): %v", id, subject, err)
			continue
		}
		if ti.State != asynq.TaskStateCompleted || ti.Retried < 1 || !strings.Contains(ti.LastErr, "lease expired") {
			t.Errorf("task %s (%s): state %v, retried %d, last error %q; want completed after a lease-expired redelivery",
				id, subject, ti.State, ti.Retried, ti.LastErr)
		}
	}
}

// retryTasks maps the subject of each task of type typ waiting for a retry
// in queue to its task id.
func retryTasks(insp *asynq.Inspector, queue, typ string) map[string]string {
	out := map[string]string{}
	list, err := insp.ListRetryTasks(queue, asynq.PageSize(1000))
	if err != nil {
		return out
	}
	for _, ti := range list {
		if ti.Type == typ {
			out[taskSubject(ti)] = ti.ID
		}
	}
	return out
}

// lockRows opens a transaction that holds FOR UPDATE locks on rows of
// table, so a handler that needs one of them waits, in flight, until the
// returned release is called.
func lockRows(t *testing.T, s *stack, table string, ids []string) (release func()) {
	t.Helper()
	tx, err := s.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := tx.Select(&got, `SELECT id::text FROM `+table+` WHERE id = ANY($1) FOR UPDATE`, pq.Array(ids)); err != nil || len(got) != len(ids) {
		tx.Rollback()
		t.Fatalf("lock %s rows: %d of %d, %v", table, len(got), len(ids), err)
	}
	once := sync.Once{}
	release = func() { once.Do(func() { tx.Rollback() }) }
	t.Cleanup(release)
	return release
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func hasAll(m map[string]string, ids []string) bool {
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			return false
		}
	}
	return true
}

// TestDrillWorkerKilled: a worker is SIGKILLed in the middle of routing,
// and again in the middle of commission accrual. Each interrupted task is
// delivered again to a new worker and its result is applied once, whether
// the dead worker had committed it (but not acknowledged it) or not.
//
// The drill makes "the middle" deterministic: the test holds row locks that
// the handlers need, so chosen tasks are in flight when the worker dies.
// For set A the locks are released while a fault proxy freezes the
// worker's Redis traffic, so those handlers commit but cannot acknowledge;
// set B's locks are held until after the kill, so those never commit.
func TestDrillWorkerKilled(t *testing.T) {
	start := time.Now()
	rs := startRedis(t, freePort(t))
	proxy := startProxy(t, rs.addr())
	// Everything reaches Redis through the proxy; the drill's own
	// inspection goes direct.
	// Each handler held on a lock holds a pooled connection too, so the
	// pool is larger than the handlers the drill holds.
	s := newStack(t, testenv.URL(t), proxy.url(), "WORKER_CONCURRENCY=16", "DB_MAX_CONNS=20")
	rdb := redis.NewClient(&redis.Options{Addr: rs.addr()})
	t.Cleanup(func() { rdb.Close() })
	insp := asynq.NewInspectorFromRedisClient(rdb)
	s.serve("--no-worker")
	partnerID, partnerKey := s.createPartner(1000)

	// --- Routing -----------------------------------------------------
	// Routing goes in batches: the burst, waiting in the outbox, becomes one
	// route task when the worker starts. The drill holds one intake of it,
	// which keeps the task's transaction in flight. Round B: the worker is
	// killed before that transaction commits. Round A: it commits while the
	// worker cannot reach Redis, so it is never acknowledged; then the
	// worker is killed. Either way the task is delivered again to a new
	// worker and every intake ends offered once.
	const n = 30
	round := func(name string, commitFirst bool, worker, next string) (*proc, []submitted) {
		got := s.submitBurst(n, 8)
		ids := make([]string, len(got))
		for i, in := range got {
			ids[i] = in.ID
		}
		held := ids[:1]
		release := lockRows(t, s, "intakes", held)
		w := s.worker(worker)
		var inflight map[string]string
		waitFor(t, "round "+name+": the burst's route task in flight", 20*time.Second, func() bool {
			inflight = activeTasks(t, insp, "critical", tasks.TypeRouteIntake)
			return hasAll(inflight, held)
		})
		if c := s.count(`SELECT count(*) FROM assignments WHERE intake_id = ANY($1)`, pq.Array(ids)); c != 0 {
			t.Fatalf("round %s: %d offers while the task is held, want 0", name, c)
		}
		if commitFirst {
			proxy.freeze()
			release()
			waitFor(t, "round "+name+": the batch to commit while its worker cannot reach Redis", 10*time.Second, func() bool {
				return s.count(`SELECT count(*) FROM intakes WHERE id = ANY($1) AND status = 'offered'`, pq.Array(ids)) == n
			})
			w.kill()
			proxy.thawDropping()
		} else {
			w.kill()
			release()
			if c := s.count(`SELECT count(*) FROM assignments WHERE intake_id = ANY($1)`, pq.Array(ids)); c != 0 {
				t.Fatalf("round %s: %d offers before redelivery, want 0", name, c)
			}
		}
		killedAt := time.Now()
		// The dead worker's task is still active in Redis.
		still := activeTasks(t, insp, "critical", tasks.TypeRouteIntake)
		if !hasAll(still, held) {
			t.Fatalf("round %s: after the kill, active route tasks %v; want the one holding %v", name, keys(still), held)
		}
		t.Logf("round %s: %s killed with a route task of %d intakes in flight (committed: %v)", name, worker, n, commitFirst)
		fastForwardLeases(t, rdb, "critical", "default", "low")
		w2 := s.worker(next)
		redeliver(t, insp, "round "+name+": every intake to be offered after redelivery", 20*time.Second, func() bool {
			ti, err := insp.GetTaskInfo("critical", still[held[0]])
			return s.count(`SELECT count(*) FROM intakes WHERE id = ANY($1) AND status = 'offered'`, pq.Array(ids)) == n &&
				len(activeTasks(t, insp, "critical", tasks.TypeRouteIntake)) == 0 && err == nil && ti.State == asynq.TaskStateCompleted
		}, "critical")
		t.Logf("round %s: the interrupted route task was applied %s after the kill (lease wait compressed)", name,
			time.Since(killedAt).Round(time.Millisecond))
		assertRedelivered(t, insp, "critical", map[string]string{held[0]: still[held[0]]})
		return w2, got
	}
	wB, _ := round("B", false, "worker 1", "worker 2")
	wB.signal(syscall.SIGTERM)
	if code, ok := wB.wait(15 * time.Second); !ok || code != 0 {
		t.Fatalf("worker 2 after SIGTERM: exit %d (exited %v)", code, ok)
	}
	w2, _ := round("A", true, "worker 1a", "worker 2a")
	if c := s.count(`SELECT count(*) FROM (SELECT intake_id FROM assignments GROUP BY intake_id HAVING count(*) <> 1) x`); c != 0 {
		t.Errorf("%d intakes do not have exactly one assignment", c)
	}
	if c := s.count(`SELECT count(*) FROM (SELECT intake_id FROM routing_decisions GROUP BY intake_id HAVING count(*) <> 1) x`); c != 0 {
		t.Errorf("%d intakes were decided more than once (a redelivered task routed again)", c)
	}

	// A worker stopped with SIGTERM exits 0 within its grace.
	w2.signal(syscall.SIGTERM)
	if code, ok := w2.wait(15 * time.Second); !ok || code != 0 {
		t.Fatalf("worker 2 after SIGTERM: exit %d (exited %v)", code, ok)
	}

	// --- Accrual -----------------------------------------------------
	// With no worker running, close ten records; their accruals wait in the
	// outbox.
	const records = 10
	var assignments []string
	if err := s.db.Select(&assignments, `SELECT id::text FROM assignments WHERE partner_id = $1 AND status = 'offered'
		ORDER BY offered_at, id LIMIT $2`, partnerID, records); err != nil || len(assignments) != records {
		t.Fatalf("assignments to accept: %d, %v", len(assignments), err)
	}
	recordIDs := make([]string, records)
	for i, a := range assignments {
		s.must("POST", "/v1/assignments/"+a+"/accept", partnerKey, nil).want(t, 200)
		body := map[string]any{"funding_source": "founders", "requested_usd": 20000,
			"estimated_annual_spend_usd": 120000, "partner_role": "We design and run the migration and hold the support contract.",
			"engagement_start_date": "2026-12-01", "go_live_date": "2027-03-01", "new_account_placeholder": true,
			"use_case": strings.Repeat("Telemetry ingestion and an assistant over robot logs for maintenance crews. ", 3)}
		recordIDs[i] = s.must("POST", "/v1/assignments/"+a+"/ace-records", partnerKey, body).want(t, 201).json(t)["id"].(string)
		for _, step := range []map[string]any{{"to": "submitted"}, {"to": "validated"}, {"to": "approved", "approved_usd": 20000},
			{"to": "launched"}, {"to": "closed"}} {
			s.must("POST", "/v1/ace-records/"+recordIDs[i]+"/transitions", partnerKey, step).want(t, 200)
		}
	}
	if c := s.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND kind = $1 AND payload->>'to' = 'closed'`,
		events.KindRecordTransitioned); c != records {
		t.Fatalf("%d closing events (and their accruals) wait in the outbox, want %d", c, records)
	}
	accA, accB := recordIDs[:3], recordIDs[3:6]
	releaseA := lockRows(t, s, "ace_records", accA)
	releaseB := lockRows(t, s, "ace_records", accB)
	entries := func() int { return s.count(`SELECT count(*) FROM commission_entries`) }

	w3 := s.worker("worker 3")
	var inflight map[string]string
	waitFor(t, "the unlocked accruals to be written and the locked ones in flight", 20*time.Second, func() bool {
		inflight = activeTasks(t, insp, "default", tasks.TypeAccrueCommission)
		return hasAll(inflight, accA) && hasAll(inflight, accB) && entries() == records-len(accA)-len(accB)
	})
	proxy.freeze()
	releaseA()
	waitFor(t, "accrual set A to commit while its worker cannot reach Redis", 10*time.Second, func() bool {
		return entries() == records-len(accB)
	})
	w3.kill()
	proxy.thawDropping()
	releaseB()
	inflight = activeTasks(t, insp, "default", tasks.TypeAccrueCommission)
	if !hasAll(inflight, accA) || !hasAll(inflight, accB) {
		t.Fatalf("after the kill, active accruals %v; want %v and %v", keys(inflight), accA, accB)
	}
	t.Logf("worker 3 killed with %d accruals in flight (%d written but not acknowledged, %d not written)",
		len(inflight), len(accA), len(accB))

	fastForwardLeases(t, rdb, "critical", "default", "low")
	s.worker("worker 4")
	redeliver(t, insp, "every record to be accrued after redelivery", 20*time.Second, func() bool {
		return entries() == records && len(activeTasks(t, insp, "default", tasks.TypeAccrueCommission)) == 0
	}, "default", "critical")
	assertRedelivered(t, insp, "default", inflight)
	// Give any stray duplicate a moment to land, then count.
	time.Sleep(200 * time.Millisecond)
	var perRecord []struct {
		Record string `db:"ace_record_id"`
		N      int    `db:"n"`
		Cents  int64  `db:"cents"`
	}
	if err := s.db.Select(&perRecord, `SELECT ace_record_id::text, count(*) AS n, sum(amount_cents) AS cents
		FROM commission_entries GROUP BY ace_record_id`); err != nil {
		t.Fatal(err)
	}
	if len(perRecord) != records {
		t.Errorf("%d records have ledger entries, want %d", len(perRecord), records)
	}
	var bps int
	if err := s.db.Get(&bps, `SELECT commission_bps FROM partners WHERE id = $1`, partnerID); err != nil {
		t.Fatal(err)
	}
	for _, r := range perRecord {
		if want := int64(20000) * 100 * int64(bps) / 10000; r.N != 1 || r.Cents != want {
			t.Errorf("record %s: %d entries, %d cents; want 1 entry of %d cents", r.Record, r.N, r.Cents, want)
		}
	}
	out := s.run(30*time.Second, "reconcile")
	if !strings.Contains(out, "balanced") {
		t.Errorf("cloudroute reconcile: %s", out)
	}
	checkInvariants(t, s.db, s.dbURL)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}

// TestDrillSigtermUnderLoad: SIGTERM while clients keep submitting. Requests
// already in flight complete (three of them are held in flight on purpose,
// by a row lock, across the signal), every response a client got is whole,
// no intake exists that its client was not told about, and the process
// exits 0 within SHUTDOWN_GRACE.
func TestDrillSigtermUnderLoad(t *testing.T) {
	start := time.Now()
	rs := startRedis(t, freePort(t))
	s := newStack(t, testenv.URL(t), rs.url(), "SHUTDOWN_GRACE=10s")
	s.serve()
	s.createPartner(1000)

	// Held requests: the test inserts their Idempotency-Keys in a
	// transaction it keeps open, so the server's insert of the same key
	// waits for it.
	held := []string{"held-" + randHex(4), "held-" + randHex(4), "held-" + randHex(4)}
	tx, err := s.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, k := range held {
		if _, err := tx.Exec(`INSERT INTO idempotency_keys (key_hash, request_hash) VALUES ($1, $2)`,
			postgres.IdempotencyKeyHash(k), make([]byte, 32)); err != nil {
			t.Fatal(err)
		}
	}

	type outcome struct {
		status int
		id     string
		err    error
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
	)
	record := func(r resp, err error) {
		o := outcome{status: r.status, err: err}
		if err == nil && r.status == 201 {
			var sub submitted
			if json.Unmarshal(r.body, &sub) != nil || sub.ID == "" {
				o.err = fmt.Errorf("a 201 with an incomplete body: %q", r.body)
			} else {
				o.id = sub.ID
			}
		}
		mu.Lock()
		outcomes = append(outcomes, o)
		mu.Unlock()
	}
	heldDone := make(chan outcome, len(held))
	for _, k := range held {
		go func() {
			r, err := s.do("POST", "/v1/intakes", "", intakeBody(), "Idempotency-Key", k)
			record(r, err)
			o := outcome{status: r.status, err: err}
			heldDone <- o
		}()
	}

	loadEnd := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	for c := 0; c < 20; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 400 && time.Now().Before(loadEnd); i++ {
				r, err := s.do("POST", "/v1/intakes", "", intakeBody())
				record(r, err)
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	// The held requests are inside the server, each waiting on its key.
	waitFor(t, "the held requests to wait on their keys in Postgres", 10*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO idempotency_keys%'`) == len(held)
	})
	time.Sleep(500 * time.Millisecond) // mid-load
	if len(heldDone) != 0 {
		t.Fatal("a held request finished before its lock was released")
	}
	s.api.signal(syscall.SIGTERM)
	sigAt := time.Now()
	time.Sleep(700 * time.Millisecond)
	if s.api.exited() {
		t.Fatal("the API exited with requests still in flight")
	}
	tx.Rollback() // the held requests may proceed now
	for range held {
		select {
		case o := <-heldDone:
			if o.err != nil || o.status != 201 {
				t.Errorf("a request in flight at SIGTERM ended with %d %v, want 201", o.status, o.err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a request in flight at SIGTERM did not complete")
		}
	}
	wg.Wait()
	code, ok := s.api.wait(10*time.Second + 5*time.Second - time.Since(sigAt))
	if !ok {
		t.Fatalf("the API did not exit within SHUTDOWN_GRACE (10s) + 5s of SIGTERM")
	}
	if code != 0 {
		t.Errorf("the API exited %d after SIGTERM, want 0", code)
	}
	t.Logf("the API exited %s after SIGTERM", time.Since(sigAt).Round(time.Millisecond))

	told := map[string]bool{}
	var ok201, other, transport, refused int
	for _, o := range outcomes {
		switch {
		case o.err != nil && strings.Contains(o.err.Error(), "incomplete body"):
			t.Error(o.err)
		case o.err != nil:
			transport++
			if errors.Is(o.err, syscall.ECONNREFUSED) {
				refused++
			} else if transport-refused <= 3 {
				t.Logf("transport error other than refused: %v", o.err)
			}
		case o.status == 201:
			ok201++
			told[o.id] = true
		default:
			other++
		}
	}
	// A request written on a keep-alive connection as the server closes it
	// fails without having been read; the count below proves that no
	// request the server accepted lost its answer.
	t.Logf("%d requests: %d accepted, %d other statuses, %d transport errors (%d refused after the listener closed)",
		len(outcomes), ok201, other, transport, refused)
	if other > 0 {
		t.Errorf("%d requests got a status other than 201", other)
	}
	var ids []string
	if err := s.db.Select(&ids, `SELECT id::text FROM intakes`); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !told[id] {
			t.Errorf("intake %s was created but its client never got the answer", id)
		}
	}
	if len(ids) != ok201 {
		t.Errorf("%d intakes stored, %d 201 answers received", len(ids), ok201)
	}
	if !strings.Contains(s.api.out.String(), `"msg":"stopped"`) {
		t.Error(`the API did not log "stopped"`)
	}
	checkInvariants(t, s.db, s.dbURL)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}
