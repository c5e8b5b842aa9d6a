package postgres_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// explained decodes what a stored explanation says about the partners it
// filtered out.
func explained(t *testing.T, d postgres.RoutingDecision) routing.Filtered {
	t.Helper()
	var x struct {
		Filtered routing.Filtered `json:"filtered"`
		Router   *struct {
			Filtered routing.Filtered `json:"filtered"`
		} `json:"router"`
	}
	if err := json.Unmarshal(d.Explanation, &x); err != nil {
		t.Fatalf("explanation: %v: %s", err, d.Explanation)
	}
	if x.Router != nil {
		return x.Router.Filtered
	}
	return x.Filtered
}

func TestRouteIntake(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a := e.partner("Alpha")
	e.partner("Paused", withStatus("paused"))
	e.partner("Select", withTier("select"))
	e.partner("Registered", withTier("registered"))
	e.partner("Elsewhere", withRegions("us_east"))
	e.partner("Excluded", func(p *domain.PartnerPatch) { p.ExcludedAxisValues = &map[string][]string{"stage": {"seed"}} })

	intakeID := e.submit()
	res, err := e.db.RouteIntake(e.ctx, intakeID, "submitted")
	must(t, "route", err)

	t.Run("offered to the one candidate", func(t *testing.T) {
		e := e.in(t)
		if res.Outcome != "offered" || res.PartnerID != a.ID || res.AssignmentID == "" || res.DecisionID == "" {
			t.Fatalf("result %+v, want an offer to Alpha", res)
		}
		got, err := e.db.PartnerAssignment(e.ctx, a.ID, res.AssignmentID)
		must(t, "read the offer", err)
		if got.Status != postgres.AssignmentOffered || !got.ExpiresAt.Equal(t0.Add(offerTTL)) || got.IntakeID != intakeID {
			t.Errorf("offer %+v, want offered until %s", got, t0.Add(offerTTL))
		}
		if s := e.intakeStatus(intakeID); s != postgres.IntakeOffered {
			t.Errorf("intake is %s, want offered", s)
		}
	})
	t.Run("the decision is stored with its explanation", func(t *testing.T) {
		e := e.in(t)
		ds, err := e.db.RoutingDecisions(e.ctx, intakeID)
		must(t, "decisions", err)
		if len(ds) != 1 {
			t.Fatalf("%d decisions, want 1", len(ds))
		}
		d := ds[0]
		if d.ID != res.DecisionID || d.Outcome != "offered" || d.Mode != "auto" || d.Trigger != "submitted" ||
			d.ChosenPartnerID == nil || *d.ChosenPartnerID != a.ID || !d.CreatedAt.Equal(t0) {
			t.Errorf("decision %+v", d)
		}
		want := routing.Filtered{Paused: 1, Tier: 2, Region: 1, Excluded: 1}
		if diff := cmp.Diff(want, explained(t, d)); diff != "" {
			t.Errorf("partners filtered out (-want +got):\n%s", diff)
		}
	})
	t.Run("routing again does nothing", func(t *testing.T) {
		e := e.in(t)
		again, err := e.db.RouteIntake(e.ctx, intakeID, "submitted")
		must(t, "route again", err)
		if again.Outcome != "" {
			t.Errorf("second routing: %+v, want nothing done", again)
		}
		if n := e.count(`SELECT count(*) FROM routing_decisions WHERE intake_id = $1`, intakeID); n != 1 {
			t.Errorf("%d decisions, want 1", n)
		}
	})
	t.Run("unknown intake", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.RouteIntake(e.ctx, "00000000-0000-4000-8000-000000000000", "submitted")
		wantCode(t, "route", err, domain.ECodeNotFound)
		_, err = e.db.RoutingDecisions(e.ctx, "00000000-0000-4000-8000-000000000000")
		wantCode(t, "decisions", err, domain.ECodeNotFound)
	})
}

func TestRouteIntakeUnroutable(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	intakeID := e.submit()
	res, err := e.db.RouteIntake(e.ctx, intakeID, "submitted")
	must(t, "route", err)
	if res.Outcome != "unroutable" || res.PartnerID != "" {
		t.Fatalf("result %+v, want unroutable", res)
	}
	if s := e.intakeStatus(intakeID); s != postgres.IntakeUnroutable {
		t.Errorf("intake is %s, want unroutable", s)
	}
	t.Run("a drain with still no one records nothing new", func(t *testing.T) {
		e := e.in(t)
		again, err := e.db.RouteIntake(e.ctx, intakeID, "drain")
		must(t, "drain", err)
		if again.Outcome != "" {
			t.Errorf("drain: %+v, want nothing done", again)
		}
		if n := e.count(`SELECT count(*) FROM routing_decisions WHERE intake_id = $1`, intakeID); n != 1 {
			t.Errorf("%d decisions, want 1", n)
		}
	})
	t.Run("a new partner drains it", func(t *testing.T) {
		e := e.in(t)
		a := e.partner("Alpha")
		res, err := e.db.RouteIntake(e.ctx, intakeID, "drain")
		must(t, "drain", err)
		if res.Outcome != "offered" || res.PartnerID != a.ID {
			t.Errorf("drain with a partner: %+v, want an offer to Alpha", res)
		}
	})
}

func TestRouteIntakeReviewMode(t *testing.T) {
	e := newEnv(t)
	a := e.partner("Alpha")
	_, err := e.db.UpdateSettings(e.ctx, adminActor, domain.SettingsPatch{RoutingMode: ptr("review")})
	must(t, "review mode", err)
	intakeID := e.submit()
	res, err := e.db.RouteIntake(e.ctx, intakeID, "submitted")
	must(t, "route", err)
	if res.Outcome != "pending_review" || res.PartnerID != a.ID || res.AssignmentID != "" {
		t.Errorf("result %+v, want Alpha proposed and no offer", res)
	}
	if s := e.intakeStatus(intakeID); s != postgres.IntakePendingReview {
		t.Errorf("intake is %s, want pending_review", s)
	}
	if n := e.count(`SELECT count(*) FROM assignments WHERE intake_id = $1`, intakeID); n != 0 {
		t.Errorf("%d assignments while pending review, want 0", n)
	}
	confirmed, err := adminAssign(e, intakeID, a.ID, "proposal confirmed")
	must(t, "confirm", err)
	if confirmed.Outcome != "offered" || confirmed.PartnerID != a.ID {
		t.Errorf("confirmation %+v, want an offer to Alpha", confirmed)
	}
}

// TestRouteIntakeSkipsAFullPartner: a partner at its capacity is passed
// over for the next one.
func TestRouteIntakeSkipsAFullPartner(t *testing.T) {
	e := newEnv(t)
	full := e.partner("Full", withCapacity(1))
	e.offered(full)
	b := e.partner("Beta")
	res, err := e.db.RouteIntake(e.ctx, e.submit(), "submitted")
	must(t, "route", err)
	if res.PartnerID != b.ID {
		t.Errorf("routed to %s, want Beta (%s)", res.PartnerID, b.ID)
	}
	_, err = e.db.UpdatePartner(e.ctx, b.ID, domain.PartnerPatch{Capacity: ptr(1)})
	must(t, "shrink Beta", err)
	res, err = e.db.RouteIntake(e.ctx, e.submit(), "submitted")
	must(t, "route", err)
	if res.Outcome != "unroutable" {
		t.Errorf("both partners full: %+v, want unroutable", res)
	}
}

func TestAdminAssign(t *testing.T) {
	e := newEnv(t)
	a := e.partner("Alpha")
	sel := e.partner("Select", withTier("select"))
	paused := e.partner("Paused", withStatus("paused"))

	t.Run("refusals", func(t *testing.T) {
		e := e.in(t)
		waiting := e.submit()
		declined, asg := e.offered(a)
		_, err := e.db.DeclineAssignment(e.ctx, a.ID, asg, "busy")
		must(t, "decline", err)
		offered, _ := e.offered(a)
		withdrawn := e.submit()
		_, err = e.db.WithdrawIntake(e.ctx, withdrawn, "")
		must(t, "withdraw", err)
		for _, c := range []struct {
			name, intake, partner, code string
			fields                      []string
		}{
			{"unknown intake", "00000000-0000-4000-8000-000000000000", a.ID, domain.ECodeNotFound, nil},
			{"unknown partner", waiting, "00000000-0000-4000-8000-000000000000", domain.ECodeValidation, []string{"partner_id"}},
			{"a tier that is not routable", waiting, sel.ID, domain.ECodeValidation, []string{"partner_id"}},
			{"a paused partner", waiting, paused.ID, domain.ECodeValidation, []string{"partner_id"}},
			{"the partner that declined", declined, a.ID, domain.ECodeValidation, []string{"partner_id"}},
			{"an intake already offered", offered, a.ID, domain.ECodeInvalidTransition, nil},
			{"a withdrawn intake", withdrawn, a.ID, domain.ECodeInvalidTransition, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := adminAssign(e, c.intake, c.partner, "because")
				wantCode(t, "assign", err, c.code)
				if d := cmp.Diff(c.fields, fields(err)); d != "" {
					t.Errorf("fields (-want +got):\n%s", d)
				}
			})
		}
		if n := e.count(`SELECT count(*) FROM assignments WHERE intake_id IN ($1, $2)`, waiting, withdrawn); n != 0 {
			t.Errorf("refused assignments wrote %d offers", n)
		}
	})
	t.Run("an active assignment is a conflict", func(t *testing.T) {
		e := e.in(t)
		intakeID, _ := e.offered(a)
		// The status says the intake waits, but an offer is out.
		e.exec(`UPDATE intakes SET status = 'routing' WHERE id = $1`, intakeID)
		b := e.partner("Beta")
		_, err := adminAssign(e, intakeID, b.ID, "because")
		wantCode(t, "assign", err, domain.ECodeConflict)
	})
	t.Run("assigned, with its reason", func(t *testing.T) {
		e := e.in(t)
		intakeID := e.submit()
		res, err := adminAssign(e, intakeID, a.ID, "knows the founders")
		must(t, "assign", err)
		if res.Outcome != "offered" || res.PartnerID != a.ID {
			t.Errorf("result %+v", res)
		}
		ds, err := e.db.RoutingDecisions(e.ctx, intakeID)
		must(t, "decisions", err)
		if len(ds) != 1 || ds[0].Mode != "admin" || ds[0].Outcome != "assigned" || ds[0].Reason == nil || *ds[0].Reason != "knows the founders" {
			t.Errorf("decisions %+v, want one admin assignment with its reason", ds)
		}
	})
}

func TestPreviewRouting(t *testing.T) {
	e := newEnv(t)
	a, b := e.partner("Alpha"), e.partner("Beta")
	e.partner("Elsewhere", withRegions("apac"))
	in, _ := e.body()
	profile := routing.Intake{Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
		EngagementType: in.EngagementType, RequestedFundingSources: in.RequestedFundingSources}
	before := e.count(`SELECT (SELECT count(*) FROM routing_decisions) + (SELECT count(*) FROM assignments) + (SELECT count(*) FROM outbox)`)
	d, err := e.db.PreviewRouting(e.ctx, profile)
	must(t, "preview", err)
	var ids []string
	for _, c := range d.Candidates {
		ids = append(ids, c.PartnerID)
	}
	if d := cmp.Diff([]string{a.ID, b.ID}, ids, sortStrings); d != "" {
		t.Errorf("candidates (-want +got):\n%s", d)
	}
	if d.ChosenPartnerID == nil || *d.ChosenPartnerID != ids[0] || d.CandidatesTotal != 2 || d.Filtered.Region != 1 {
		t.Errorf("decision chose %v of %d candidates, filtered %+v", d.ChosenPartnerID, d.CandidatesTotal, d.Filtered)
	}
	if after := e.count(`SELECT (SELECT count(*) FROM routing_decisions) + (SELECT count(*) FROM assignments) + (SELECT count(*) FROM outbox)`); after != before {
		t.Errorf("a preview wrote %d rows", after-before)
	}
}

func TestUnroutableIntakes(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	stuck := e.submit() // its routing never ran
	e.setClock(t0.Add(time.Minute))
	unroutable := e.submit()
	_, err := e.db.RouteIntake(e.ctx, unroutable, "submitted")
	must(t, "route", err)
	e.submit() // received just now: its routing may still be under way
	e.setClock(t0.Add(90 * time.Second))

	ids, err := e.db.UnroutableIntakes(e.ctx, 10)
	must(t, "list", err)
	if d := cmp.Diff([]string{stuck, unroutable}, ids); d != "" {
		t.Errorf("waiting intakes, oldest first (-want +got):\n%s", d)
	}
	ids, err = e.db.UnroutableIntakes(e.ctx, 1)
	must(t, "list", err)
	if d := cmp.Diff([]string{stuck}, ids); d != "" {
		t.Errorf("limited (-want +got):\n%s", d)
	}
}

// TestRouteIntakeRaceCapacity routes many intakes at once to partners with
// little room: no partner ever holds more open assignments than its
// capacity, and every intake it could not take is left unroutable.
func TestRouteIntakeRaceCapacity(t *testing.T) {
	const rounds, intakes = 3, 10
	e := newEnv(t)
	for round := 0; round < rounds; round++ {
		e.exec(`UPDATE partners SET status = 'paused'`)
		a := e.partner(fmt.Sprintf("Alpha %d", round), withCapacity(3))
		b := e.partner(fmt.Sprintf("Beta %d", round), withCapacity(2))
		ids := make([]string, intakes)
		for i := range ids {
			ids[i] = e.submit()
		}
		type result struct {
			res postgres.RouteResult
			err error
		}
		res := race(intakes, func(i int) result {
			r, err := e.db.RouteIntake(e.ctx, ids[i], "submitted")
			return result{r, err}
		})
		got := map[string]int{}
		for _, r := range res {
			switch {
			case r.err != nil:
				t.Errorf("round %d: route: %v", round, r.err)
			case r.res.Outcome == "offered":
				got[r.res.PartnerID]++
			default:
				got[r.res.Outcome]++
			}
		}
		want := map[string]int{a.ID: 3, b.ID: 2, "unroutable": intakes - 5}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("round %d: outcomes (-want +got):\n%s", round, d)
		}
		for _, p := range []domain.Partner{a, b} {
			if n := e.count(`SELECT count(*) FROM assignments WHERE partner_id = $1 AND status IN ('offered','accepted')`, p.ID); n > p.Capacity {
				t.Errorf("round %d: %s holds %d open assignments, capacity %d", round, p.Name, n, p.Capacity)
			}
		}
	}
	if d := e.openCountDrift(); len(d) > 0 {
		t.Errorf("open assignment counts drifted: %v", d)
	}
}

// TestStoredDecisionKeepsTheTopCandidates: with more candidates than a
// stored explanation keeps, a routing's and an admin assignment's stored
// decisions are the preview's trimmed to routing.StoredCandidates, with the
// count of every candidate.
func TestStoredDecisionKeepsTheTopCandidates(t *testing.T) {
	e := newEnv(t)
	const total = routing.StoredCandidates + 5
	for i := range total {
		e.partner(fmt.Sprintf("Partner %02d", i))
	}
	e.partner("Elsewhere", withRegions("apac"))
	in, _ := e.body()
	profile := routing.Intake{Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
		EngagementType: in.EngagementType, RequestedFundingSources: in.RequestedFundingSources}
	// check compares the one decision stored for intakeID with the
	// preview, trimmed, as it reads once stored.
	check := func(t *testing.T, preview routing.Decision, intakeID string) {
		t.Helper()
		b, err := json.Marshal(preview.Trimmed(routing.StoredCandidates))
		must(t, "marshal", err)
		w, err := routing.ParseExplanation(b)
		must(t, "parse the preview", err)
		ds, err := e.db.RoutingDecisions(e.ctx, intakeID)
		must(t, "decisions", err)
		if len(ds) != 1 {
			t.Fatalf("%d decisions, want 1", len(ds))
		}
		g, err := routing.ParseExplanation(ds[0].Explanation)
		must(t, "parse the stored decision", err)
		want, got := w.Decision, g.Decision
		if len(got.Candidates) != routing.StoredCandidates || got.CandidatesTotal != total || got.CandidatesOmitted != total-routing.StoredCandidates {
			t.Errorf("stored %d of %d candidates, %d omitted; want %d of %d", len(got.Candidates), got.CandidatesTotal,
				got.CandidatesOmitted, routing.StoredCandidates, total)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("stored decision (-preview trimmed +stored):\n%s", d)
		}
	}

	preview, err := e.db.PreviewRouting(e.ctx, profile)
	must(t, "preview", err)
	if len(preview.Candidates) != total || preview.CandidatesTotal != total || preview.CandidatesOmitted != 0 {
		t.Fatalf("preview shows %d of %d candidates, %d omitted; want all %d", len(preview.Candidates), preview.CandidatesTotal,
			preview.CandidatesOmitted, total)
	}
	routed := e.submit()
	res, err := e.db.RouteIntake(e.ctx, routed, "submitted")
	must(t, "route", err)
	if res.Outcome != "offered" || res.PartnerID != *preview.ChosenPartnerID {
		t.Fatalf("result %+v, want an offer to the preview's choice %s", res, *preview.ChosenPartnerID)
	}
	t.Run("routed", func(t *testing.T) { check(t, preview, routed) })

	preview, err = e.db.PreviewRouting(e.ctx, profile)
	must(t, "preview", err)
	assigned := e.submit()
	_, err = adminAssign(e, assigned, preview.Candidates[total-1].PartnerID, "the last")
	must(t, "assign", err)
	t.Run("admin assigned", func(t *testing.T) { check(t, preview, assigned) })
}
