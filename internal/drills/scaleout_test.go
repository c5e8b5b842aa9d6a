package drills_test

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// TestDrillScaleOut: two API processes (serve --no-worker) and two workers
// on one database and one Redis.
//
//   - A burst split across both APIs is routed once per intake: one
//     decision, one assignment, one active offer each, while the partners'
//     capacities add up to exactly the burst, so that the last slots are
//     fought over, and no partner ends over its capacity.
//   - A periodic task enqueued several times for one period, as several
//     schedulers would, does its period's work once (the Postgres claim).
//   - A backlog is drained by one worker, then another by two; the rates
//     are reported (t.Logf and a "drill scale-out:" line on stdout), not
//     asserted.
func TestDrillScaleOut(t *testing.T) {
	start := time.Now()
	rs := startRedis(t, freePort(t))
	// Four processes share the database: smaller API pools keep the drill
	// well inside max_connections on a shared server.
	s := newStack(t, testenv.URL(t), rs.url(), "DB_MAX_CONNS=4")
	s2 := s.sibling()
	s.serve("--no-worker")
	s2.serve("--no-worker")
	apis := []*stack{s, s2}
	rdb := redis.NewClient(&redis.Options{Addr: rs.addr()})
	t.Cleanup(func() { rdb.Close() })
	insp := asynq.NewInspectorFromRedisClient(rdb)
	t.Logf("two APIs up %s after the start (the binary is built once per run)", time.Since(start).Round(time.Millisecond))

	// --- The burst -----------------------------------------------------
	const burst = 300
	capacities := []int{5, 5, 10, 10, 20, 20, 40, 40, 50, 100}
	if sum(capacities) != burst {
		t.Fatalf("the capacities add up to %d, want the burst, %d", sum(capacities), burst)
	}
	var contended []string
	for i, c := range capacities {
		id, _ := apis[i%len(apis)].createPartner(c)
		contended = append(contended, id)
	}
	workers := s.workers([]string{"worker 1", "worker 2"})

	// The schedulers' own ticks are too rare for a drill (the most frequent
	// come a minute after start), so the drill enqueues the nightly index
	// rebuild for today eight times at once, as schedulers do whose ticks
	// asynq's Unique lock did not merge: the lock lasts 50 s and is
	// released when a copy completes, far less than a period. Only the
	// period claim in Postgres keeps the work to one run. Each run that
	// does the work writes one routing_index.changed event for the whole
	// index and counts as "ok" in its worker's metrics, so a broken claim
	// shows as more events and more runs.
	const copies = 8
	enq := asynq.NewClientFromRedisClient(rdb)
	periodsFrom := time.Now().UTC()
	for i := 0; i < copies; i++ {
		if _, err := enq.Enqueue(asynq.NewTask(tasks.TypeRebuildIndex, []byte(`{}`)), asynq.Queue("low")); err != nil {
			t.Fatalf("enqueue the periodic rebuild: %v", err)
		}
	}

	burstAt := time.Now()
	got := submitBurstVia(t, apis, burst, 16)
	waitFor(t, "every intake of the burst to be routed", 60*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM intakes WHERE status IN ('received','routing')`) == 0
	})
	t.Logf("burst of %d intakes through 2 APIs routed by 2 workers %s after it began", burst, time.Since(burstAt).Round(time.Millisecond))
	ids := make([]string, len(got))
	for i, in := range got {
		ids[i] = in.ID
	}
	assertRoutedOnce(t, s, ids)
	// Capacity was contended: every slot is taken, and routings found
	// partners full.
	for i, id := range contended {
		if c := s.count(`SELECT count(*) FROM assignments WHERE partner_id = $1 AND status IN ('offered','accepted')`, id); c != capacities[i] {
			t.Errorf("partner %s (capacity %d) holds %d offers, want exactly its capacity", id, capacities[i], c)
		}
	}
	t.Logf("%d of %d routings saw at least one partner full", s.count(`SELECT count(*) FROM routing_decisions
		WHERE (explanation->'filtered'->>'capacity')::int > 0`), burst)
	// Both workers took part. Routing goes in batches that take along
	// every intake waiting, so one worker may route the whole burst while
	// the other's route tasks find theirs done; both did the burst's other
	// work (the receipts, the offers' mails).
	for _, w := range workers {
		m := s.scrape(w.metrics)
		jobs := 0.0
		for k, v := range m {
			if strings.HasPrefix(k, "cloudroute_jobs_processed_total{") {
				jobs += v
			}
		}
		t.Logf("%s ran %.0f route tasks that routed, %.0f that found their intakes routed, %.0f jobs in all", w.name,
			m[series("cloudroute_jobs_processed_total", "outcome", "ok", "type", tasks.TypeRouteIntake)],
			m[series("cloudroute_jobs_processed_total", "outcome", "skipped", "type", tasks.TypeRouteIntake)], jobs)
		if jobs == 0 {
			t.Errorf("%s ran no job during the burst: the drill did not run two workers at once", w.name)
		}
	}

	// --- Periodic work, two schedulers ------------------------------------
	// Each worker runs a scheduler; the APIs (--no-worker) run none.
	waitFor(t, "both workers' schedulers to register their entries", 20*time.Second, func() bool {
		entries, err := insp.SchedulerEntries()
		if err != nil {
			return false
		}
		byType := map[string]int{}
		for _, e := range entries {
			byType[e.Task.Type()]++
		}
		for _, typ := range []string{tasks.TypeSweepOffers, tasks.TypeRebuildIndex, tasks.TypeAdminDigest, tasks.TypeACEPoll} {
			if byType[typ] != len(workers) {
				return false
			}
		}
		return true
	})
	rebuilds := func(outcome string) float64 {
		var n float64
		for _, w := range workers {
			n += s.scrape(w.metrics)[series("cloudroute_jobs_processed_total", "outcome", outcome, "type", tasks.TypeRebuildIndex)]
		}
		return n
	}
	waitFor(t, "every copy of the periodic rebuild to be processed", 30*time.Second, func() bool {
		return rebuilds("ok")+rebuilds("skipped") >= copies
	})
	var dup []string
	if err := s.db.Select(&dup, `SELECT job || ' ' || period FROM periodic_runs GROUP BY job, period HAVING count(*) > 1`); err != nil {
		t.Fatal(err)
	}
	if len(dup) > 0 {
		t.Errorf("periods claimed more than once: %v", dup)
	}
	var periods []string
	if err := s.db.Select(&periods, `SELECT period FROM periodic_runs WHERE job = 'index:rebuild' ORDER BY period`); err != nil {
		t.Fatal(err)
	}
	// Normally one date; two if the drill ran across midnight UTC.
	wantPeriods := map[string]bool{periodsFrom.Format("2006-01-02"): true, time.Now().UTC().Format("2006-01-02"): true}
	if len(periods) == 0 || len(periods) > len(wantPeriods) {
		t.Errorf("index:rebuild claimed periods %v, want one of %v", periods, keysOf(wantPeriods))
	}
	ran, skipped := rebuilds("ok"), rebuilds("skipped")
	rebuilt := s.count(`SELECT count(*) FROM outbox WHERE kind = $1 AND subject = 'all'`, events.KindRoutingIndexChanged)
	t.Logf("periodic rebuild: %d copies, %.0f ran, %.0f skipped, %d whole-index events, periods %v", copies, ran, skipped, rebuilt, periods)
	if int(ran) != len(periods) || rebuilt != len(periods) {
		t.Errorf("the periodic rebuild did its work %.0f times and wrote %d whole-index events for %d claimed periods; want once per period",
			ran, rebuilt, len(periods))
	}

	t.Logf("burst and periodic checks done %s after the start", time.Since(start).Round(time.Millisecond))

	// --- Drain rate: one worker, then two -------------------------------
	// Room for both backlogs, made while the workers run so that the
	// partners' own events are handled before the clock starts.
	for i := 0; i < 4; i++ {
		apis[i%len(apis)].createPartner(1000)
	}
	waitIdle(t, s, insp)
	stopWorkers(t, workers)

	const backlog = 300
	drain := func(n int) (wall, span time.Duration) {
		t.Helper()
		got := submitBurstVia(t, apis, backlog, 16)
		ids := make([]string, len(got))
		for i, in := range got {
			ids[i] = in.ID
		}
		// Without a worker nothing is routed, or even relayed.
		if c := s.count(`SELECT count(*) FROM intakes WHERE id = ANY($1) AND status = 'received'`, pq.Array(ids)); c != backlog {
			t.Fatalf("%d of the %d backlog intakes wait in received with no worker running", c, backlog)
		}
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("drain worker %d of %d", i+1, n)
		}
		t0 := time.Now()
		ws := s.workers(names)
		waitFor(t, fmt.Sprintf("the backlog to drain with %d worker(s)", n), 60*time.Second, func() bool {
			return s.count(`SELECT count(*) FROM intakes WHERE id = ANY($1) AND status NOT IN ('received','routing')`, pq.Array(ids)) == backlog
		})
		wall = time.Since(t0)
		var us float64
		if err := s.db.Get(&us, `SELECT extract(epoch FROM max(offered_at) - min(offered_at)) * 1e6 FROM assignments
			WHERE intake_id = ANY($1)`, pq.Array(ids)); err != nil {
			t.Fatal(err)
		}
		assertRoutedOnce(t, s, ids)
		waitIdle(t, s, insp)
		stopWorkers(t, ws)
		return wall, time.Duration(us) * time.Microsecond
	}
	wall1, span1 := drain(1)
	wall2, span2 := drain(2)
	rate := func(d time.Duration) float64 { return backlog / d.Seconds() }
	t.Logf("backlog of %d: 1 worker drained it in %s (%.0f/s; first to last offer %s, %.0f/s)", backlog,
		wall1.Round(time.Millisecond), rate(wall1), span1.Round(time.Millisecond), rate(span1))
	t.Logf("backlog of %d: 2 workers drained it in %s (%.0f/s; first to last offer %s, %.0f/s)", backlog,
		wall2.Round(time.Millisecond), rate(wall2), span2.Round(time.Millisecond), rate(span2))
	line := fmt.Sprintf("drill scale-out: drain 1 worker %.0f/s, 2 workers %.0f/s, ratio %.2f (backlog %d each, %d CPUs)",
		rate(wall1), rate(wall2), rate(wall2)/rate(wall1), backlog, runtime.NumCPU())
	t.Log(line)
	fmt.Println(line)

	// --- Everything, once more ------------------------------------------
	if c := s.count(`SELECT count(*) FROM intakes`); c != burst+2*backlog {
		t.Errorf("%d intakes stored, want %d", c, burst+2*backlog)
	}
	var all []string
	if err := s.db.Select(&all, `SELECT id::text FROM intakes`); err != nil {
		t.Fatal(err)
	}
	assertRoutedOnce(t, s, all)
	checkInvariants(t, s.db, s.dbURL)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}

// assertRoutedOnce checks that each of the intakes was offered, routed by
// exactly one decision (an offer) into exactly one assignment, with one
// active offer, and that no partner holds more open assignments than its
// capacity, whether counted by the trigger on its row or from the
// assignments themselves.
func assertRoutedOnce(t *testing.T, s *stack, ids []string) {
	t.Helper()
	n := len(ids)
	var byStatus []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.Select(&byStatus, `SELECT status, count(*) AS n FROM intakes WHERE id = ANY($1) GROUP BY status ORDER BY status`,
		pq.Array(ids)); err != nil {
		t.Fatal(err)
	}
	if len(byStatus) != 1 || byStatus[0].Status != "offered" || byStatus[0].N != n {
		t.Errorf("the %d intakes by status: %+v; want every one offered", n, byStatus)
	}
	bad := func(what, q string) {
		t.Helper()
		var rows []string
		if err := s.db.Select(&rows, q, pq.Array(ids)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(rows) > 0 {
			if len(rows) > 10 {
				rows = append(rows[:10], fmt.Sprintf("… %d in all", len(rows)))
			}
			t.Errorf("%s: %v", what, rows)
		}
	}
	bad("intakes with more than one active assignment", `SELECT intake_id::text FROM assignments
		WHERE intake_id = ANY($1) AND status IN ('offered','accepted') GROUP BY intake_id HAVING count(*) > 1`)
	bad("intakes without exactly one assignment", `SELECT i.id::text || ': ' || count(a.id) FROM intakes i
		LEFT JOIN assignments a ON a.intake_id = i.id WHERE i.id = ANY($1) GROUP BY i.id HAVING count(a.id) <> 1`)
	bad("intakes routed other than once, by one offer", `SELECT i.id::text || ': ' || count(d.id) || ' decisions, '
			|| count(d.id) FILTER (WHERE d.outcome = 'offered') || ' offered'
		FROM intakes i LEFT JOIN routing_decisions d ON d.intake_id = i.id WHERE i.id = ANY($1) GROUP BY i.id
		HAVING count(d.id) <> 1 OR count(d.id) FILTER (WHERE d.outcome = 'offered') <> 1`)
	var over []string
	if err := s.db.Select(&over, `SELECT p.id::text || ': capacity ' || p.capacity || ', open_assignments ' || p.open_assignments
			|| ', open offers ' || count(a.id)
		FROM partners p LEFT JOIN assignments a ON a.partner_id = p.id AND a.status IN ('offered','accepted')
		GROUP BY p.id HAVING p.open_assignments > p.capacity OR count(a.id) > p.capacity OR count(a.id) <> p.open_assignments`); err != nil {
		t.Fatal(err)
	}
	if len(over) > 0 {
		t.Errorf("partners over capacity, or whose open count disagrees with their assignments: %v", over)
	}
}

// waitIdle waits until the outbox is relayed and no task waits or runs in
// any queue (an offer's expiry and reminder stay scheduled, hours out), so
// that a drain starts with nothing left over from before.
func waitIdle(t *testing.T, s *stack, insp *asynq.Inspector) {
	t.Helper()
	waitFor(t, "the outbox and the queues to drain", 30*time.Second, func() bool {
		if s.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`) != 0 {
			return false
		}
		for _, q := range []string{"critical", "default", "low"} {
			qi, err := insp.GetQueueInfo(q)
			if errors.Is(err, asynq.ErrQueueNotFound) {
				continue
			}
			if err != nil || qi.Pending+qi.Active > 0 {
				return false
			}
		}
		return true
	})
}

// stopWorkers sends each worker SIGTERM and expects it to exit 0 within
// its grace.
func stopWorkers(t *testing.T, ws []*proc) {
	t.Helper()
	for _, w := range ws {
		w.signal(syscall.SIGTERM)
	}
	for _, w := range ws {
		if code, ok := w.wait(15 * time.Second); !ok || code != 0 {
			t.Fatalf("%s after SIGTERM: exit %d (exited %v)", w.name, code, ok)
		}
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
