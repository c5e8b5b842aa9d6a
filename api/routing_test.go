package api_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/tasks"
)

// intakeStatus reads an intake's status through the founder's view.
func (e *env) intakeStatus(id, token string) string {
	e.t.Helper()
	return e.do("GET", "/v1/intakes/"+id, token, nil).want(e.t, 200).json(e.t)["status"].(string)
}

// offeredTo returns the partner id of the intake's active assignment.
func (e *env) offeredTo(intakeID string) string {
	e.t.Helper()
	var pid string
	if err := e.sql.Get(&pid, `SELECT partner_id FROM assignments WHERE intake_id = $1 AND status IN ('offered','accepted')`, intakeID); err != nil {
		e.t.Fatalf("no active assignment for %s: %v", intakeID, err)
	}
	return pid
}

func (e *env) assignmentOf(intakeID, partnerID string) string {
	e.t.Helper()
	var id string
	if err := e.sql.Get(&id, `SELECT id FROM assignments WHERE intake_id = $1 AND partner_id = $2`, intakeID, partnerID); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// TestRoutingEndToEnd is the "done": partners and records through
// the API, an intake submitted, the real worker routes it within a second
// to the right partner, and the explanation says why with numbers.
func TestRoutingEndToEnd(t *testing.T) {
	e := newEnv(t)
	strong, strongKey := e.createPartner(map[string]any{"name": "Strong Partner"})
	lucky, _ := e.createPartner(map[string]any{"name": "Lucky Partner", "tier": "premier"})
	e.createPartner(map[string]any{"name": "Select Partner", "tier": "select"})
	e.createPartner(map[string]any{"name": "Elsewhere Partner", "regions": []string{"us_east"}})
	e.createPartner(map[string]any{"name": "Paused Partner", "status": "paused"})
	e.importRecord(strong, nil, 50, 45)
	e.importRecord(lucky, nil, 1, 1)
	e.runJobs() // the index update jobs the imports queued
	e.startWorker()

	id, tok := e.submit(nil)
	e.waitFor("intake offered", 3*time.Second, func() bool { return e.intakeStatus(id, tok) == "offered" })
	if got := e.offeredTo(id); got != strong {
		t.Fatalf("offered to %s, want the 45/50 partner %s", got, strong)
	}
	// The partner sees the offer in its inbox.
	r := e.do("GET", "/v1/partner/assignments?status=offered", strongKey, nil).want(t, 200)
	var inbox struct {
		Items []struct {
			ID       string `json:"id"`
			IntakeID string `json:"intake_id"`
		} `json:"items"`
	}
	r.decode(t, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].IntakeID != id {
		t.Fatalf("inbox: %s", r.body)
	}

	r = e.do("GET", "/v1/admin/intakes/"+id+"/routing-decisions", e.adminKey, nil).want(t, 200)
	var ds struct {
		Items []struct {
			Outcome         string          `json:"outcome"`
			ChosenPartnerID string          `json:"chosen_partner_id"`
			Explanation     json.RawMessage `json:"explanation"`
		} `json:"items"`
	}
	r.decode(t, &ds)
	if len(ds.Items) != 1 || ds.Items[0].Outcome != "offered" || ds.Items[0].ChosenPartnerID != strong {
		t.Fatalf("decisions: %s", r.body)
	}
	var ex struct {
		Filtered   map[string]int `json:"filtered"`
		Candidates []struct {
			PartnerID string  `json:"partner_id"`
			Band      string  `json:"band"`
			Score     float64 `json:"score"`
			Cells     []struct {
				Axis    string `json:"axis"`
				Wins    int    `json:"wins"`
				Decided int    `json:"decided"`
			} `json:"cells"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal(ds.Items[0].Explanation, &ex); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int{"paused": 1, "tier": 1, "region": 1, "capacity": 0, "excluded": 0, "previously_assigned": 0}, ex.Filtered); d != "" {
		t.Errorf("filtered counts (-want +got):\n%s", d)
	}
	// 1 win of 1 never outranks 45 of 50.
	if len(ex.Candidates) != 2 || ex.Candidates[0].PartnerID != strong || ex.Candidates[0].Band != "above" || ex.Candidates[1].PartnerID != lucky {
		t.Fatalf("candidates: %s", ds.Items[0].Explanation)
	}
	for _, c := range ex.Candidates[0].Cells {
		if c.Wins != 45 || c.Decided != 50 {
			t.Errorf("cell %s of the strong partner: %d/%d, want 45/50", c.Axis, c.Wins, c.Decided)
		}
	}
}

func TestRoutingTrackRecordImport(t *testing.T) {
	e := newEnv(t)
	pid, pkey := e.createPartner(nil)
	e.importRecord(pid, nil, 10, 7)
	e.runJobs()
	index := func() string {
		return string(e.do("GET", "/v1/admin/routing-index?partner_id="+pid, e.adminKey, nil).want(t, 200).body)
	}
	before, outcomes := index(), e.count("outcomes")
	if !strings.Contains(before, `"wins":7`) || !strings.Contains(before, `"decided":10`) {
		t.Fatalf("index after import: %s", before)
	}
	good := map[string]any{"decided_at": "2026-10-01T00:00:00Z", "submitted_at": "2026-09-01T00:00:00Z", "stage": "seed",
		"region": "eu", "vertical": "fintech", "service_profile": "ai_heavy", "engagement_type": "build",
		"funding_source": "founders", "outcome": "approved", "requested_usd": 20000, "approved_usd": 20000}
	bad := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	t.Run("bad rows are all named and nothing is written", func(t *testing.T) {
		rows := []any{good, bad("stage", "series_z"), good, bad("outcome", "won"), bad("submitted_at", "2026-10-02T00:00:00Z")}
		r := e.do("POST", "/v1/admin/partners/"+pid+"/track-record", e.adminKey, rows)
		r.problem(t, 422, "validation_failed")
		if d := cmp.Diff([]string{"rows[1].stage", "rows[3].outcome", "rows[4].submitted_at"}, r.fields(t)); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
		e.runJobs()
		if e.count("outcomes") != outcomes || index() != before {
			t.Fatal("a rejected import changed the track record or the index")
		}
	})
	t.Run("csv", func(t *testing.T) {
		csv := "decided_at,submitted_at,stage,region,vertical,service_profile,engagement_type,funding_source,outcome,requested_usd,approved_usd\n" +
			"2026-10-01,2026-09-01,seed,eu,b2b_saas,ai_heavy,build,founders,approved,20000,20000\n" +
			"2026-10-02,2026-09-02,seed,eu,b2b_saas,ai_heavy,build,portfolio,rejected,80000,0\n"
		r := e.do("POST", "/v1/admin/partners/"+pid+"/track-record", e.adminKey, csv, "Content-Type", "text/csv").want(t, 201)
		if r.json(t)["imported"].(float64) != 2 {
			t.Fatalf("imported: %s", r.body)
		}
		e.runJobs()
		if !strings.Contains(index(), `"wins":8,"decided":12`) {
			t.Fatalf("index after csv: %s", index())
		}
	})
	t.Run("csv missing a column", func(t *testing.T) {
		r := e.do("POST", "/v1/admin/partners/"+pid+"/track-record", e.adminKey, "decided_at,stage\n2026-10-01,seed\n", "Content-Type", "text/csv")
		r.problem(t, 422, "validation_failed")
	})
	t.Run("not an array", func(t *testing.T) {
		e.do("POST", "/v1/admin/partners/"+pid+"/track-record", e.adminKey, `{"x":1}`).problem(t, 400, "malformed_request")
	})
	t.Run("empty", func(t *testing.T) {
		e.do("POST", "/v1/admin/partners/"+pid+"/track-record", e.adminKey, `[]`).problem(t, 422, "validation_failed")
	})
	t.Run("unknown partner", func(t *testing.T) {
		e.do("POST", "/v1/admin/partners/00000000-0000-0000-0000-000000000000/track-record", e.adminKey, []any{good}).problem(t, 404, "not_found")
	})
	t.Run("roles", func(t *testing.T) {
		e.do("POST", "/v1/admin/partners/"+pid+"/track-record", "", []any{good}).problem(t, 401, "unauthenticated")
		e.do("POST", "/v1/admin/partners/"+pid+"/track-record", pkey, []any{good}).problem(t, 403, "forbidden")
		e.do("GET", "/v1/admin/routing-index", pkey, nil).problem(t, 403, "forbidden")
	})
	t.Run("index filters", func(t *testing.T) {
		e.do("GET", "/v1/admin/routing-index?axis=colour", e.adminKey, nil).problem(t, 422, "validation_failed")
		e.do("GET", "/v1/admin/routing-index?partner_id=00000000-0000-0000-0000-000000000000", e.adminKey, nil).problem(t, 404, "not_found")
		r := e.do("GET", "/v1/admin/routing-index?partner_id="+pid+"&axis=vertical", e.adminKey, nil).want(t, 200)
		if strings.Contains(string(r.body), `"axis":"stage"`) {
			t.Fatalf("axis filter ignored: %s", r.body)
		}
	})
}

func TestRoutingUnroutableQueueDrains(t *testing.T) {
	e := newEnv(t)
	id, tok := e.submit(nil)
	e.runJobs()
	if s := e.intakeStatus(id, tok); s != "unroutable" {
		t.Fatalf("status %s, want unroutable", s)
	}
	r := e.do("GET", "/v1/admin/intakes?status=unroutable", e.adminKey, nil).want(t, 200)
	if !strings.Contains(string(r.body), id) {
		t.Fatalf("admin queue lacks the intake: %s", r.body)
	}
	// A partner unpaused: the queue drains without an admin touching it.
	pid, _ := e.createPartner(map[string]any{"status": "paused"})
	e.runJobs()
	if s := e.intakeStatus(id, tok); s != "unroutable" {
		t.Fatalf("routed to a paused partner: %s", s)
	}
	e.do("PATCH", "/v1/admin/partners/"+pid, e.adminKey, map[string]any{"status": "active"}).want(t, 200)
	e.runJobs()
	if s := e.intakeStatus(id, tok); s != "offered" {
		t.Fatalf("status %s after unpause, want offered", s)
	}
	if e.offeredTo(id) != pid {
		t.Fatal("offered to the wrong partner")
	}
}

// TestRoutingDrainTriggers: each change SPEC §3 routing 5 lists queues a
// drain of the unroutable queue in its own transaction, so an unroutable
// intake is offered without waiting for the periodic sweep.
func TestRoutingDrainTriggers(t *testing.T) {
	e := newEnv(t)
	// Every drain ever queued, sent or not.
	drains := func() int { return e.queued(tasks.TypeDrainUnroutable) }
	id, tok := e.submit(nil)
	e.runJobs()
	if s := e.intakeStatus(id, tok); s != "unroutable" {
		t.Fatalf("status %s, want unroutable", s)
	}

	t.Run("a paused or unroutable partner added queues nothing", func(t *testing.T) {
		before := drains()
		e.createPartner(map[string]any{"status": "paused"})
		e.createPartner(map[string]any{"tier": "select"})
		if d := drains() - before; d != 0 {
			t.Errorf("%d drains queued for partners who cannot take offers", d)
		}
	})
	t.Run("a routable partner added", func(t *testing.T) {
		before := drains()
		pid, _ := e.createPartner(nil)
		if d := drains() - before; d != 1 {
			t.Fatalf("%d drains queued by creating a routable partner, want 1", d)
		}
		e.runJobs()
		if s := e.intakeStatus(id, tok); s != "offered" || e.offeredTo(id) != pid {
			t.Fatalf("status %s after a partner was added, want offered to it", s)
		}
	})
	t.Run("track records changed", func(t *testing.T) {
		pid, _ := e.createPartner(map[string]any{"status": "paused"})
		e.runJobs()
		before := drains()
		e.importRecord(pid, nil, 4, 3)
		// The import queues the index update, whose commit queues the drain.
		e.runJobs()
		if d := drains() - before; d < 1 {
			t.Errorf("no drain after a track-record import")
		}
	})
}

func TestRoutingDeclineExpireReroute(t *testing.T) {
	e := newEnv(t)
	a, aKey := e.createPartner(map[string]any{"name": "A"})
	b, bKey := e.createPartner(map[string]any{"name": "B"})
	e.importRecord(a, nil, 40, 36)
	e.importRecord(b, nil, 40, 30)
	e.runJobs()
	id, tok := e.submit(nil)
	e.runJobs()
	if e.offeredTo(id) != a {
		t.Fatal("first offer should go to A")
	}
	asg := e.assignmentOf(id, a)
	e.do("POST", "/v1/assignments/"+asg+"/decline", aKey, map[string]any{"reason": ""}).problem(t, 422, "validation_failed")
	e.do("POST", "/v1/assignments/"+asg+"/decline", bKey, map[string]any{"reason": "busy"}).problem(t, 404, "not_found")
	e.do("POST", "/v1/assignments/"+asg+"/decline", aKey, map[string]any{"reason": "no capacity this month"}).want(t, 200)
	e.do("POST", "/v1/assignments/"+asg+"/accept", aKey, nil).problem(t, 409, "invalid_transition")
	e.runJobs()
	if e.offeredTo(id) != b {
		t.Fatal("after A declined, the offer should go to B")
	}
	// B lets the offer expire: move the clock past the deadline.
	e.db.Clock = func() time.Time { return time.Now().UTC().Add(49 * time.Hour) }
	e.runJobs()
	if s := e.intakeStatus(id, tok); s != "unroutable" {
		t.Fatalf("status %s after both partners, want unroutable", s)
	}
	var statuses []string
	e.sql.Select(&statuses, `SELECT status FROM assignments WHERE intake_id = $1 ORDER BY offered_at`, id)
	if d := cmp.Diff([]string{"declined", "expired"}, statuses); d != "" {
		t.Fatalf("assignments (-want +got):\n%s", d)
	}
	r := e.do("GET", "/v1/partner/assignments?status=expired", bKey, nil).want(t, 200)
	if !strings.Contains(string(r.body), id) {
		t.Fatalf("B's expired assignment missing: %s", r.body)
	}
	// Responsiveness is tracked apart from the close rate and shown to admins.
	for _, c := range []struct {
		partner string
		want    string
	}{{a, `"offers_received":1,"accepted":0,"declined":1,"expired":0,"pending":0,"decline_or_expiry_rate":1`},
		{b, `"offers_received":1,"accepted":0,"declined":0,"expired":1,"pending":0,"decline_or_expiry_rate":1`}} {
		r := e.do("GET", "/v1/admin/partners/"+c.partner, e.adminKey, nil).want(t, 200)
		if !strings.Contains(string(r.body), c.want) {
			t.Errorf("responsiveness of %s: %s", c.partner, r.body)
		}
	}
}

func TestRoutingReviewModeAndAdminAssign(t *testing.T) {
	e := newEnv(t)
	a, _ := e.createPartner(map[string]any{"name": "A"})
	b, bKey := e.createPartner(map[string]any{"name": "B"})
	sel, _ := e.createPartner(map[string]any{"name": "Select", "tier": "select"})
	e.importRecord(a, nil, 40, 36)
	e.runJobs()
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"routing_mode": "review"}).want(t, 200)
	id, tok := e.submit(nil)
	e.runJobs()
	if s := e.intakeStatus(id, tok); s != "pending_review" {
		t.Fatalf("status %s, want pending_review", s)
	}
	if n := e.count("assignments"); n != 0 {
		t.Fatalf("review mode made %d assignments", n)
	}
	path := "/v1/admin/intakes/" + id + "/assign"
	cases := []struct {
		name, key string
		body      any
		status    int
		code      string
	}{
		{"no key", "", map[string]any{"partner_id": b, "reason": "x"}, 401, "unauthenticated"},
		{"partner key", bKey, map[string]any{"partner_id": b, "reason": "x"}, 403, "forbidden"},
		{"no reason", e.adminKey, map[string]any{"partner_id": b}, 422, "validation_failed"},
		{"select tier", e.adminKey, map[string]any{"partner_id": sel, "reason": "x"}, 422, "validation_failed"},
		{"unknown partner", e.adminKey, map[string]any{"partner_id": "00000000-0000-0000-0000-000000000000", "reason": "x"}, 422, "validation_failed"},
		{"bad json", e.adminKey, "{", 400, "malformed_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", path, c.key, c.body).problem(t, c.status, c.code)
			if n := e.count("assignments"); n != 0 {
				t.Fatal("a refused assign wrote an assignment")
			}
		})
	}
	e.do("POST", "/v1/admin/intakes/00000000-0000-0000-0000-000000000000/assign", e.adminKey,
		map[string]any{"partner_id": b, "reason": "x"}).problem(t, 404, "not_found")
	// The admin overrides the proposal with a below-threshold partner.
	e.do("POST", path, e.adminKey, map[string]any{"partner_id": b, "reason": "knows the founders"}).want(t, 200)
	if e.offeredTo(id) != b {
		t.Fatal("not offered to the admin's choice")
	}
	e.do("POST", path, e.adminKey, map[string]any{"partner_id": a, "reason": "again"}).problem(t, 409, "invalid_transition")
	r := e.do("GET", "/v1/admin/intakes/"+id+"/routing-decisions", e.adminKey, nil).want(t, 200)
	if !strings.Contains(string(r.body), `"outcome":"pending_review"`) || !strings.Contains(string(r.body), `"reason":"knows the founders"`) {
		t.Fatalf("decisions: %s", r.body)
	}
}

func TestRoutingPreviewWritesNothing(t *testing.T) {
	e := newEnv(t)
	a, aKey := e.createPartner(nil)
	e.importRecord(a, nil, 20, 18)
	e.runJobs()
	before := e.count("routing_decisions") + e.count("assignments") + e.count("outbox")
	profile := map[string]any{"stage": "seed", "region": "eu", "vertical": "b2b_saas", "service_profile": "ai_heavy",
		"engagement_type": "build", "requested_funding_sources": []string{"founders"}}
	r := e.do("POST", "/v1/admin/routing/preview", e.adminKey, profile).want(t, 200)
	var d struct {
		ChosenPartnerID string `json:"chosen_partner_id"`
	}
	r.decode(t, &d)
	if d.ChosenPartnerID != a {
		t.Fatalf("preview chose %q: %s", d.ChosenPartnerID, r.body)
	}
	if after := e.count("routing_decisions") + e.count("assignments") + e.count("outbox"); after != before {
		t.Fatal("preview wrote something")
	}
	bad := map[string]any{"stage": "growth", "region": "mars"}
	r = e.do("POST", "/v1/admin/routing/preview", e.adminKey, bad)
	r.problem(t, 422, "validation_failed")
	if d := cmp.Diff([]string{"stage", "region", "vertical", "service_profile", "engagement_type"}, r.fields(t)); d != "" {
		t.Errorf("fields (-want +got):\n%s", d)
	}
	e.do("POST", "/v1/admin/routing/preview", aKey, profile).problem(t, 403, "forbidden")
	e.do("POST", "/v1/admin/routing/preview", "", profile).problem(t, 401, "unauthenticated")
}

// TestRoutingCapacityRace: intakes routed at once never take more than a
// partner's capacity; the ones that do not fit go to the next partner or
// wait as unroutable.
func TestRoutingCapacityRace(t *testing.T) {
	e := newEnv(t)
	a, _ := e.createPartner(map[string]any{"name": "A", "capacity": 2})
	b, _ := e.createPartner(map[string]any{"name": "B", "capacity": 3})
	e.importRecord(a, nil, 40, 36)
	e.runJobs()
	var ids []string
	for i := 0; i < 8; i++ {
		id, _ := e.submit(nil)
		ids = append(ids, id)
	}
	e.sql.MustExec(`DELETE FROM outbox`) // route them here, all at once
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = e.db.RouteIntake(t.Context(), id, "submitted") }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	count := func(pid string) (open, counter int) {
		e.sql.Get(&open, `SELECT count(*) FROM assignments WHERE partner_id = $1 AND status IN ('offered','accepted')`, pid)
		e.sql.Get(&counter, `SELECT open_assignments FROM partners WHERE id = $1`, pid)
		return
	}
	for _, p := range []struct {
		id  string
		cap int
	}{{a, 2}, {b, 3}} {
		open, counter := count(p.id)
		if open != p.cap || counter != open {
			t.Fatalf("partner with capacity %d holds %d open offers (counter %d)", p.cap, open, counter)
		}
	}
	var unroutable int
	e.sql.Get(&unroutable, `SELECT count(*) FROM intakes WHERE status = 'unroutable'`)
	if unroutable != 3 {
		t.Fatalf("%d unroutable, want 3", unroutable)
	}
}

// TestRoutingCacheFollowsChanges: routing keeps partners and cells in
// memory; every change to them, through the API or straight in SQL, is seen
// by the next decision.
func TestRoutingCacheFollowsChanges(t *testing.T) {
	e := newEnv(t)
	a, _ := e.createPartner(map[string]any{"name": "A"})
	b, _ := e.createPartner(map[string]any{"name": "B"})
	e.importRecord(a, nil, 40, 36)
	e.importRecord(b, nil, 40, 20)
	e.runJobs()
	profile := map[string]any{"stage": "seed", "region": "eu", "vertical": "b2b_saas", "service_profile": "ai_heavy",
		"engagement_type": "build"}
	chosen := func() (string, map[string]int) {
		var d struct {
			ChosenPartnerID *string        `json:"chosen_partner_id"`
			Filtered        map[string]int `json:"filtered"`
		}
		e.do("POST", "/v1/admin/routing/preview", e.adminKey, profile).want(t, 200).decode(t, &d)
		if d.ChosenPartnerID == nil {
			return "", d.Filtered
		}
		return *d.ChosenPartnerID, d.Filtered
	}
	if c, _ := chosen(); c != a {
		t.Fatalf("chose %s, want A", c)
	}
	// Paused through the API.
	e.do("PATCH", "/v1/admin/partners/"+a, e.adminKey, map[string]any{"status": "paused"}).want(t, 200)
	if c, f := chosen(); c != b || f["paused"] != 1 {
		t.Fatalf("after pausing A: chose %s, filtered %v", c, f)
	}
	// Changed straight in the database.
	e.sql.MustExec(`UPDATE partners SET status = 'active', regions = '{us_east}' WHERE id = $1`, a)
	if c, f := chosen(); c != b || f["region"] != 1 {
		t.Fatalf("after moving A out of the region: chose %s, filtered %v", c, f)
	}
	e.sql.MustExec(`UPDATE partners SET regions = '{eu}' WHERE id = $1`, a)
	// New outcomes make B the stronger partner once the index is updated.
	e.importRecord(b, nil, 200, 200)
	e.runJobs()
	if c, _ := chosen(); c != b {
		t.Fatalf("after B's new record: chose %s, want B", c)
	}
}

// TestRoutingAdminQueueAndRelease covers the admin intake queue, the
// decisions list and the admin release: success, bad input, roles, unknown ids.
func TestRoutingAdminQueueAndRelease(t *testing.T) {
	e := newEnv(t)
	a, aKey := e.createPartner(map[string]any{"name": "A"})
	e.createPartner(map[string]any{"name": "B"})
	e.importRecord(a, nil, 40, 36)
	e.runJobs()
	id, tok := e.submit(nil)
	e.runJobs()
	unknown := "00000000-0000-0000-0000-000000000000"

	e.do("GET", "/v1/admin/intakes?status=lost", e.adminKey, nil).problem(t, 422, "validation_failed")
	e.do("GET", "/v1/admin/intakes?limit=0", e.adminKey, nil).problem(t, 422, "validation_failed")
	e.do("GET", "/v1/admin/intakes", aKey, nil).problem(t, 403, "forbidden")
	e.do("GET", "/v1/admin/intakes", tok, nil).problem(t, 403, "forbidden")
	e.do("GET", "/v1/admin/intakes", "", nil).problem(t, 401, "unauthenticated")
	if r := e.do("GET", "/v1/admin/intakes?status=offered", e.adminKey, nil).want(t, 200); !strings.Contains(string(r.body), id) {
		t.Fatalf("queue lacks the offered intake: %s", r.body)
	}
	e.do("GET", "/v1/admin/intakes/"+unknown+"/routing-decisions", e.adminKey, nil).problem(t, 404, "not_found")
	e.do("GET", "/v1/admin/intakes/"+id+"/routing-decisions", aKey, nil).problem(t, 403, "forbidden")

	release := "/v1/admin/intakes/" + id + "/release"
	// Only an accepted assignment can be released.
	e.do("POST", release, e.adminKey, map[string]any{"reason": "curator"}).problem(t, 409, "invalid_transition")
	e.do("POST", "/v1/assignments/"+e.assignmentOf(id, a)+"/accept", aKey, nil).want(t, 200)
	before := e.count("SELECT count(*) FROM assignments WHERE status = 'released'")
	for _, c := range []struct {
		name, key string
		body      any
		status    int
		code      string
	}{
		{"no reason", e.adminKey, map[string]any{}, 422, "validation_failed"},
		{"not json", e.adminKey, "{", 400, "malformed_request"},
		{"partner key", aKey, map[string]any{"reason": "x"}, 403, "forbidden"},
		{"founder token", tok, map[string]any{"reason": "x"}, 403, "forbidden"},
		{"no key", "", map[string]any{"reason": "x"}, 401, "unauthenticated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", release, c.key, c.body).problem(t, c.status, c.code)
			if e.count("SELECT count(*) FROM assignments WHERE status = 'released'") != before {
				t.Fatal("a refused release released the assignment")
			}
		})
	}
	e.do("POST", "/v1/admin/intakes/"+unknown+"/release", e.adminKey, map[string]any{"reason": "x"}).problem(t, 404, "not_found")
	r := e.do("POST", release, e.adminKey, map[string]any{"reason": "partner unresponsive"}).want(t, 200)
	if r.json(t)["status"] != "routing" {
		t.Fatalf("after release: %s", r.body)
	}
	e.runJobs()
	if e.offeredTo(id) == a {
		t.Fatal("re-routed to the released partner")
	}
}
