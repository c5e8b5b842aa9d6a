package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// submitIn files a new customer's intake in region and returns its id.
func (e *env) submitIn(region string) string {
	e.t.Helper()
	b, dom := e.body()
	b.Region = region
	s, err := e.db.SubmitIntake(e.ctx, b, dom, "", nil)
	must(e.t, "submit "+dom, err)
	return s.IntakeID
}

// waitUntil polls the count query q until it is above zero, for at most
// 20 seconds.
func (e *env) waitUntil(what, q string) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for e.count(q) == 0 {
		if time.Now().After(deadline) {
			e.t.Fatalf("after 20s, still not: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// routeOutcomes is every intake's routing, as outcome or chosen partner's
// name, with each partner's open count and rank by last offer.
func (e *env) routeOutcomes() map[string]string {
	e.t.Helper()
	var rows []struct {
		K string `db:"k"`
		V string `db:"v"`
	}
	if err := e.x.Select(&rows, `SELECT d.intake_id::text AS k, d.outcome || COALESCE(' ' || p.name, '') AS v
		FROM routing_decisions d LEFT JOIN partners p ON p.id = d.chosen_partner_id
		UNION ALL
		SELECT 'partner ' || name, open_assignments || ' open, rotation ' ||
			COALESCE(rank() OVER (ORDER BY last_offered_at)::text, '-')
		FROM partners WHERE last_offered_at IS NOT NULL
		UNION ALL
		SELECT 'intake ' || id, status FROM intakes`); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		if _, dup := out[r.K]; dup {
			e.t.Errorf("%s decided twice", r.K)
		}
		out[r.K] = r.V
	}
	return out
}

// TestRouteIntakesMatchesOneByOne: a batch routes every intake as routing
// them one by one in submission order would: each decision sees the
// offers made before it (capacity, and rotation among equals), and a
// partner that fills up mid-batch gets nothing more.
func TestRouteIntakesMatchesOneByOne(t *testing.T) {
	e := newEnv(t)
	// Every partner has the same (empty) record, so rotation alone orders
	// them; capacities run out at different points of the batch.
	caps := []int{2, 1, 3, 1, 2}
	for i, c := range caps {
		e.partner(fmt.Sprintf("Partner %d", i), withCapacity(c), withRegions("eu", "uk"))
	}
	e.partner("US only", withCapacity(2), withRegions("uk"))
	regions := []string{"eu", "uk", "eu", "eu", "uk", "eu", "uk", "eu", "eu", "uk", "eu", "eu", "uk", "eu", "uk", "eu"}
	ids := make([]string, len(regions))
	var tick atomic.Int64
	e.db.Clock = func() time.Time { return t0.Add(time.Duration(tick.Add(1)) * time.Millisecond) }
	for i, r := range regions {
		ids[i] = e.submitIn(r)
	}

	for i, id := range ids {
		res, err := e.db.RouteIntake(e.ctx, id, "submitted")
		must(t, fmt.Sprintf("route intake %d", i), err)
		if res.IntakeID != id {
			t.Errorf("intake %d: result names %s", i, res.IntakeID)
		}
	}
	oneByOne := e.routeOutcomes()

	e.exec(`DELETE FROM outbox WHERE kind <> 'intake.received'`)
	e.exec(`DELETE FROM assignments`)
	e.exec(`DELETE FROM routing_decisions`)
	e.exec(`UPDATE intakes SET status = 'received'`)
	e.exec(`UPDATE partners SET last_offered_at = NULL, open_assignments = 0`)
	if d := e.openCountDrift(); len(d) > 0 {
		t.Fatalf("open counts after the reset: %v", d)
	}

	// In reverse: the batch orders by submission itself.
	rev := make([]string, len(ids))
	for i, id := range ids {
		rev[len(ids)-1-i] = id
	}
	res, err := e.db.RouteIntakes(e.ctx, rev, "submitted")
	must(t, "route the batch", err)
	if len(res) != len(ids) {
		t.Fatalf("%d results for %d intakes", len(res), len(ids))
	}
	batch := e.routeOutcomes()
	if d := cmp.Diff(oneByOne, batch); d != "" {
		t.Errorf("batch differs from one by one (-one by one +batch):\n%s", d)
	}
	offered := 0
	for _, v := range batch {
		if len(v) > 8 && v[:8] == "offered " {
			offered++
		}
	}
	if offered != 11 {
		t.Errorf("%d offers, want 11 (every slot filled)", offered)
	}
	if d := e.openCountDrift(); len(d) > 0 {
		t.Errorf("open counts drifted: %v", d)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE kind = 'assignment.offered'`); n != offered {
		t.Errorf("%d assignment.offered events for %d offers", n, offered)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE kind = 'intake.unroutable'`); n != len(ids)-offered {
		t.Errorf("%d intake.unroutable events for %d unroutable intakes", n, len(ids)-offered)
	}

	// A drain finds nothing to do (the offered intakes have their partner,
	// the unroutable ones still fit nobody), and ids that are not intakes
	// are passed over.
	again, err := e.db.RouteIntakes(e.ctx, append(rev, "00000000-0000-0000-0000-000000000000", "nonsense"), "drain")
	must(t, "route again", err)
	for _, r := range again {
		if r.Outcome != "" {
			t.Errorf("second run routed %s again: %+v", r.IntakeID, r)
		}
	}
	if len(again) != len(ids) {
		t.Errorf("second run: %d results, want %d", len(again), len(ids))
	}
}

// TestRouteIntakesRace: batches that overlap, routed at once, never offer
// an intake twice, never fill a partner past its capacity, never deadlock
// (every batch locks intakes, then partners, in id order), and keep the
// open counts exact.
func TestRouteIntakesRace(t *testing.T) {
	const workers, intakes = 6, 48
	e := newEnv(t)
	capacity := 0
	for i, c := range []int{5, 3, 7, 2, 4, 6} {
		e.partner(fmt.Sprintf("Racer %d", i), withCapacity(c), withRegions("eu", "uk", "apac"))
		capacity += c
	}
	regions := []string{"eu", "uk", "apac"}
	ids := make([]string, intakes)
	for i := range ids {
		ids[i] = e.submitIn(regions[i%3])
	}
	errs := race(workers, func(w int) error {
		r := rand.New(rand.NewPCG(uint64(w), 7))
		mine := append([]string(nil), ids...)
		r.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
		for len(mine) > 0 {
			n := min(len(mine), 1+r.IntN(postgres.MaxRouteBatch))
			if _, err := e.db.RouteIntakes(e.ctx, mine[:n], "submitted"); err != nil {
				return err
			}
			mine = mine[n:]
		}
		return nil
	})
	if d := cmp.Diff(map[string]int{"": workers}, codes(errs)); d != "" {
		t.Errorf("batch errors (-want +got):\n%s\n%v", d, errs)
	}
	if m := e.overAssigned(); len(m) > 0 {
		t.Errorf("intakes with more than one active assignment: %v", m)
	}
	if n := e.count(`SELECT count(*) FROM assignments`); n != capacity {
		t.Errorf("%d offers, want %d (every slot, once)", n, capacity)
	}
	// An unroutable intake is decided again by each batch that holds it
	// (each attempt is on record); an offer is made once.
	if n := e.count(`SELECT count(*) FROM (SELECT intake_id FROM routing_decisions WHERE outcome = 'offered'
		GROUP BY intake_id HAVING count(*) > 1) d`); n > 0 {
		t.Errorf("%d intakes offered more than once", n)
	}
	if n := e.count(`SELECT count(*) FROM intakes WHERE status = 'unroutable'`); n != intakes-capacity {
		t.Errorf("%d unroutable, want %d", n, intakes-capacity)
	}
	if n := e.count(`SELECT count(*) FROM partners WHERE open_assignments > capacity`); n > 0 {
		t.Errorf("%d partners over capacity", n)
	}
	if d := e.openCountDrift(); len(d) > 0 {
		t.Errorf("open counts drifted: %v", d)
	}
}

// TestRouteIntakesPartnerFilledMeanwhile: an offer made outside routing
// (an admin's) that commits while the batch waits for the partner's row
// takes one of its slots; the batch reads the count again and decides
// again: it fills the slot left, never goes over capacity, and does not
// give up on a partner that still has room.
func TestRouteIntakesPartnerFilledMeanwhile(t *testing.T) {
	e := newEnv(t)
	only := e.partner("Only", withCapacity(2))
	other, x1, x2 := e.submit(), e.submit(), e.submit()

	tx, err := e.x.Beginx()
	must(t, "begin", err)
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO assignments (intake_id, partner_id, status, expires_at) VALUES ($1, $2, 'offered', now() + interval '1 day')`,
		other, only.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var res []postgres.RouteResult
	go func() {
		var err error
		res, err = e.db.RouteIntakes(e.ctx, []string{x1, x2}, "submitted")
		done <- err
	}()
	// Commit once the batch waits for the partner's row.
	e.waitUntil("the batch waits for the partner's row",
		`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO assignments%'`)
	must(t, "commit the admin's offer", tx.Commit())
	must(t, "route", <-done)
	got := map[string]int{}
	for _, r := range res {
		got[r.Outcome+" "+r.PartnerID]++
	}
	if d := cmp.Diff(map[string]int{"offered " + only.ID: 1, "unroutable ": 1}, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	if n := e.count(`SELECT count(*) FROM partners WHERE open_assignments > capacity`); n > 0 {
		t.Errorf("%d partners over capacity", n)
	}
	if d := e.openCountDrift(); len(d) > 0 {
		t.Errorf("open counts drifted: %v", d)
	}
}

// TestRouteWaitingFillsTheBatch: a route for one intake that was declined
// takes along the intakes received and not yet routed, oldest first, each
// on record as routed for its submission; RouteIntakes does not.
func TestRouteWaitingFillsTheBatch(t *testing.T) {
	e := newEnv(t)
	e.partner("Roomy", withCapacity(100))
	first := e.submit()
	res, err := e.db.RouteIntakes(e.ctx, []string{first}, "submitted")
	must(t, "route the first", err)
	if len(res) != 1 {
		t.Fatalf("RouteIntakes of one routed %d", len(res))
	}
	waiting := []string{e.submit(), e.submit(), e.submit()}
	res, err = e.db.RouteWaiting(e.ctx, []string{first}, "drain")
	must(t, "route waiting", err)
	got := map[string]string{}
	for _, r := range res {
		got[r.IntakeID] = r.Outcome
	}
	want := map[string]string{first: "", waiting[0]: "offered", waiting[1]: "offered", waiting[2]: "offered"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
	if n := e.count(`SELECT count(*) FROM routing_decisions WHERE trigger = 'submitted' AND intake_id = ANY($1::uuid[])`,
		pq.StringArray(waiting)); n != 3 {
		t.Errorf("%d of the intakes taken along are on record as routed for their submission, want 3", n)
	}
	if n := e.count(`SELECT count(*) FROM intakes WHERE status = 'received'`); n != 0 {
		t.Errorf("%d intakes still received", n)
	}
}

// TestRouteWaitingNeverOffersBeforeTheIntake: a batch that waited for its
// turn and takes along intakes received meanwhile offers them at a time
// after they were received.
func TestRouteWaitingNeverOffersBeforeTheIntake(t *testing.T) {
	e := newEnv(t)
	e.partner("Roomy", withCapacity(100))
	first := e.submit()
	conn, err := e.x.Connx(e.ctx)
	must(t, "connect", err)
	defer conn.Close()
	if _, err := conn.ExecContext(e.ctx, `SELECT pg_advisory_lock(hashtextextended('routing', 0))`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.db.RouteWaiting(e.ctx, []string{first}, "submitted")
		done <- err
	}()
	e.waitUntil("the batch waits for its turn", `SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'`)
	time.Sleep(50 * time.Millisecond)
	later := e.submit()
	if _, err := conn.ExecContext(e.ctx, `SELECT pg_advisory_unlock(hashtextextended('routing', 0))`); err != nil {
		t.Fatal(err)
	}
	must(t, "route", <-done)
	if n := e.count(`SELECT count(*) FROM assignments WHERE intake_id = $1`, later); n != 1 {
		t.Fatalf("the intake received meanwhile has %d offers, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM assignments a JOIN intakes i ON i.id = a.intake_id WHERE a.offered_at < i.created_at`); n > 0 {
		t.Errorf("%d offers made before their intake was received", n)
	}
}
