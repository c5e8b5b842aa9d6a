package api_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// guidanceView is the part of GET /v1/intakes/{id} this file checks.
type guidanceView struct {
	Status  string `json:"status"`
	Partner *struct {
		Name string `json:"name"`
	} `json:"partner"`
	Why *struct {
		PartnerName    string   `json:"partner_name"`
		AssignedBy     string   `json:"assigned_by"`
		Scored         bool     `json:"scored"`
		WindowDays     int      `json:"window_days"`
		CloseRate      *float64 `json:"close_rate"`
		Threshold      *float64 `json:"threshold"`
		AboveThreshold *bool    `json:"above_threshold"`
		Axes           []struct {
			Axis    string  `json:"axis"`
			Value   string  `json:"value"`
			Rate    float64 `json:"rate"`
			Wins    int     `json:"wins"`
			Decided int     `json:"decided"`
		} `json:"axes"`
		Wins                 *int     `json:"wins"`
		DecidedOutcomes      *int     `json:"decided_outcomes"`
		MedianDaysToApproval *float64 `json:"median_days_to_approval"`
		DecidedAt            *string  `json:"decided_at"`
	} `json:"why_this_partner"`
	Plan struct {
		Notice string `json:"notice"`
		Pools  []struct {
			FundingSource string  `json:"funding_source"`
			Requested     bool    `json:"requested"`
			MinUSD        *int64  `json:"min_usd"`
			MaxUSD        *int64  `json:"max_usd"`
			InsteadOf     *string `json:"instead_of"`
			TypicalDays   *struct {
				Min int `json:"min"`
				Max int `json:"max"`
			} `json:"typical_days"`
		} `json:"pools"`
		NotExpected []struct {
			FundingSource string `json:"funding_source"`
		} `json:"not_expected"`
		Total struct {
			SumOfMaximaUSD int64 `json:"sum_of_maxima_usd"`
			CeilingUSD     int64 `json:"ceiling_usd"`
			MaxUSD         int64 `json:"max_usd"`
			Capped         bool  `json:"capped"`
		} `json:"total"`
		Advice []struct {
			Topic string `json:"topic"`
		} `json:"advice"`
	} `json:"credit_plan"`
}

func (e *env) guidance(id, key string) (guidanceView, []byte) {
	e.t.Helper()
	r := e.do("GET", "/v1/intakes/"+id, key, nil).want(e.t, 200)
	var v guidanceView
	r.decode(e.t, &v)
	return v, r.body
}

// chosenCandidate reads, from the admin's view of the stored decisions,
// the candidate entry of partnerID in the last decision.
func (e *env) chosenCandidate(intakeID, partnerID string) map[string]any {
	e.t.Helper()
	r := e.do("GET", "/v1/admin/intakes/"+intakeID+"/routing-decisions", e.adminKey, nil).want(e.t, 200)
	var list struct {
		Items []struct {
			Explanation json.RawMessage `json:"explanation"`
		} `json:"items"`
	}
	r.decode(e.t, &list)
	if len(list.Items) == 0 {
		e.t.Fatalf("no decision: %s", r.body)
	}
	var ex struct {
		Candidates []map[string]any `json:"candidates"`
		Router     *struct {
			Candidates []map[string]any `json:"candidates"`
		} `json:"router"`
	}
	if err := json.Unmarshal(list.Items[len(list.Items)-1].Explanation, &ex); err != nil {
		e.t.Fatal(err)
	}
	cands := ex.Candidates
	if ex.Router != nil {
		cands = ex.Router.Candidates
	}
	for _, c := range cands {
		if c["partner_id"] == partnerID {
			return c
		}
	}
	return nil
}

// TestIntakeCreditPlan: the plan is there from the start, from the
// profile alone, and the same for founder and admin.
func TestIntakeCreditPlan(t *testing.T) {
	e := newEnv(t)
	// intake.Example: seed round led by Example Ventures, ai_heavy, build;
	// founders and bedrock_poc requested.
	id, token := e.submit(map[string]any{"requested_funding_sources": []string{"founders", "bedrock_poc", "map"}})
	v, _ := e.guidance(id, token)
	if v.Why != nil {
		t.Fatalf("why_this_partner before any partner: %+v", v.Why)
	}
	type pool struct {
		Source    string
		Requested bool
		Min, Max  int64
		Instead   string
		Days      [2]int
	}
	var got []pool
	for _, p := range v.Plan.Pools {
		x := pool{Source: p.FundingSource, Requested: p.Requested}
		if p.MinUSD != nil {
			x.Min, x.Max = *p.MinUSD, *p.MaxUSD
		}
		if p.InsteadOf != nil {
			x.Instead = *p.InsteadOf
		}
		if p.TypicalDays != nil {
			x.Days = [2]int{p.TypicalDays.Min, p.TypicalDays.Max}
		}
		got = append(got, x)
	}
	want := []pool{
		{"founders", true, 5_000, 25_000, "portfolio", [2]int{5, 8}},
		{"portfolio", false, 50_000, 100_000, "", [2]int{11, 18}},
		{"bedrock_poc", true, 10_000, 50_000, "", [2]int{14, 28}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pools (-want +got):\n%s", d)
	}
	if len(v.Plan.NotExpected) != 1 || v.Plan.NotExpected[0].FundingSource != "map" {
		t.Errorf("not_expected %+v, want map (a build, not a migration)", v.Plan.NotExpected)
	}
	if v.Plan.Total.CeilingUSD != 150_000 || v.Plan.Total.SumOfMaximaUSD != 150_000 || v.Plan.Total.MaxUSD != 150_000 || v.Plan.Total.Capped {
		t.Errorf("total %+v", v.Plan.Total)
	}
	if v.Plan.Notice == "" || len(v.Plan.Advice) == 0 {
		t.Errorf("plan without notice or advice: %+v", v.Plan)
	}
	admin, _ := e.guidance(id, e.adminKey)
	if d := cmp.Diff(v.Plan, admin.Plan); d != "" {
		t.Errorf("the admin sees another plan (-founder +admin):\n%s", d)
	}
}

// TestIntakeWhyThisPartner: once the partner accepts, its own figures as
// the decision scored them; never the other candidate's.
func TestIntakeWhyThisPartner(t *testing.T) {
	e := newEnv(t)
	strong, strongKey := e.createPartner(map[string]any{"name": "Strong Cloud Partners"})
	weak, _ := e.createPartner(map[string]any{"name": "Weak Cloud Partners"})
	e.importRecord(strong, nil, 40, 36)
	e.importRecord(weak, nil, 40, 12)
	e.runJobs()
	id, token := e.submit(nil)
	e.runJobs()
	if e.offeredTo(id) != strong {
		t.Fatal("the strong partner was not chosen")
	}
	if v, _ := e.guidance(id, token); v.Why != nil || v.Status != "offered" {
		t.Fatalf("before acceptance: status %s, why %+v", v.Status, v.Why)
	}
	e.do("POST", "/v1/assignments/"+e.assignmentOf(id, strong)+"/accept", strongKey, nil).want(t, 200)

	v, body := e.guidance(id, token)
	w := v.Why
	if w == nil {
		t.Fatalf("no why_this_partner once accepted: %s", body)
	}
	if w.PartnerName != "Strong Cloud Partners" || w.AssignedBy != "router" || !w.Scored || w.WindowDays != 365 {
		t.Errorf("why %+v", w)
	}
	c := e.chosenCandidate(id, strong)
	if c == nil {
		t.Fatal("the chosen partner is not in its decision")
	}
	if w.CloseRate == nil || math.Abs(*w.CloseRate-c["score"].(float64)) > 1e-12 {
		t.Errorf("close_rate %v, want the decision's score %v", w.CloseRate, c["score"])
	}
	if w.AboveThreshold == nil || !*w.AboveThreshold || w.Threshold == nil || *w.Threshold != 0.7 {
		t.Errorf("band: above %v threshold %v", w.AboveThreshold, w.Threshold)
	}
	if w.DecidedOutcomes == nil || *w.DecidedOutcomes != 40 || w.Wins == nil || *w.Wins != 36 || w.DecidedAt == nil {
		t.Errorf("record: wins %v of %v, decided at %v", w.Wins, w.DecidedOutcomes, w.DecidedAt)
	}
	cells := c["cells"].([]any)
	wantAxes := []string{"stage=seed", "region=eu", "vertical=b2b_saas", "service_profile=ai_heavy", "engagement_type=build"}
	if len(w.Axes) != len(wantAxes) {
		t.Fatalf("axes %+v", w.Axes)
	}
	for i, a := range w.Axes {
		cell := cells[i].(map[string]any)
		if a.Axis+"="+a.Value != wantAxes[i] || a.Decided != 40 || a.Wins != 36 || a.Rate != cell["shrunk_rate"].(float64) {
			t.Errorf("axis %d: %+v, decision cell %v", i, a, cell)
		}
	}
	for _, leak := range []string{"Weak Cloud Partners", weak} {
		if bytes.Contains(body, []byte(leak)) {
			t.Errorf("the founder's view names the other candidate (%q): %s", leak, body)
		}
	}
	admin, _ := e.guidance(id, e.adminKey)
	if d := cmp.Diff(v.Why, admin.Why); d != "" {
		t.Errorf("the admin sees another why (-founder +admin):\n%s", d)
	}
}

// TestIntakeWhyAdminAssigned: a partner the router had scored shows its
// own figures; one it had not shows none, and says an admin chose it.
func TestIntakeWhyAdminAssigned(t *testing.T) {
	t.Run("a scored candidate", func(t *testing.T) {
		e := newEnv(t)
		first, _ := e.createPartner(map[string]any{"name": "First Choice"})
		second, secondKey := e.createPartner(map[string]any{"name": "Second Choice"})
		e.importRecord(first, nil, 40, 36)
		e.importRecord(second, nil, 20, 10)
		e.runJobs()
		e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"routing_mode": "review"}).want(t, 200)
		id, token := e.submit(nil)
		e.runJobs()
		e.do("POST", "/v1/admin/intakes/"+id+"/assign", e.adminKey, map[string]any{"partner_id": second, "reason": "asked for them"}).want(t, 200)
		e.do("POST", "/v1/assignments/"+e.assignmentOf(id, second)+"/accept", secondKey, nil).want(t, 200)
		v, body := e.guidance(id, token)
		if v.Why == nil || v.Why.PartnerName != "Second Choice" || v.Why.AssignedBy != "admin" || !v.Why.Scored {
			t.Fatalf("why %s", body)
		}
		c := e.chosenCandidate(id, second)
		if v.Why.CloseRate == nil || *v.Why.CloseRate != c["score"].(float64) || *v.Why.DecidedOutcomes != 20 {
			t.Errorf("why %+v, candidate %v", v.Why, c)
		}
		for _, leak := range []string{"First Choice", first} {
			if bytes.Contains(body, []byte(leak)) {
				t.Errorf("the founder's view names the router's choice (%q): %s", leak, body)
			}
		}
	})
	t.Run("a partner the router had not scored", func(t *testing.T) {
		e := newEnv(t)
		// The intake is in eu; this partner serves us_east only, so the
		// router filters it out and the intake is unroutable.
		p, pKey := e.createPartner(map[string]any{"name": "Far Away Partners", "regions": []string{"us_east"}})
		id, token := e.submit(nil)
		e.runJobs()
		if s := e.intakeStatus(id, token); s != "unroutable" {
			t.Fatalf("status %s, want unroutable", s)
		}
		e.do("POST", "/v1/admin/intakes/"+id+"/assign", e.adminKey, map[string]any{"partner_id": p, "reason": "covers eu by exception"}).want(t, 200)
		e.do("POST", "/v1/assignments/"+e.assignmentOf(id, p)+"/accept", pKey, nil).want(t, 200)
		v, body := e.guidance(id, token)
		w := v.Why
		if w == nil || w.PartnerName != "Far Away Partners" || w.AssignedBy != "admin" || w.Scored {
			t.Fatalf("why %s", body)
		}
		if w.CloseRate != nil || w.Threshold != nil || w.AboveThreshold != nil || w.Wins != nil || w.DecidedOutcomes != nil ||
			w.MedianDaysToApproval != nil || len(w.Axes) != 0 || w.DecidedAt == nil {
			t.Errorf("an unscored partner with figures: %s", body)
		}
	})
}
