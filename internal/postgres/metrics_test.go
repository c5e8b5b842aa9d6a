package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	at := func(d time.Duration) { e.setClock(t0.Add(d)) }
	day := 24 * time.Hour
	at(-10 * day)
	e.submit() // before the range
	at(0)
	a := e.partner("Alpha", withBPS(1000))

	// Three intakes, offered 10, 30 and 50 seconds after submission.
	var offers []string
	for i, wait := range []time.Duration{10, 30, 50} {
		at(time.Duration(i) * time.Minute)
		id := e.submit()
		at(time.Duration(i)*time.Minute + wait*time.Second)
		res, err := e.db.RouteIntake(e.ctx, id, "submitted")
		if err != nil || res.Outcome != "offered" {
			t.Fatalf("route: %+v, %v", res, err)
		}
		offers = append(offers, res.AssignmentID)
	}
	at(time.Hour)
	_, err := e.db.AcceptAssignment(e.ctx, a.ID, offers[0])
	must(t, "accept", err)
	at(2 * time.Hour)
	_, err = e.db.DeclineAssignment(e.ctx, a.ID, offers[1], "busy")
	must(t, "decline", err)
	at(49 * time.Hour)
	_, err = e.db.ExpireAssignment(e.ctx, offers[2])
	must(t, "expire", err)

	// A founders award, ten days from submission to approval, closed and
	// paid; a build_for_startups record rejected.
	won := e.record(a, offers[0], ace.PoolFounders, 20000)
	lost := e.record(a, offers[0], ace.PoolBuildForStartups, 10000)
	at(day)
	won = e.walk(a, won, ace.StateSubmitted)
	lost = e.walk(a, lost, ace.StateSubmitted)
	at(11 * day)
	won = e.walk(a, won, ace.StateValidated)
	won, _, err = transition(e, a, won.ID, ace.TransitionRequest{To: ace.StateApproved, ApprovedUSD: ptr(int64(18000))})
	must(t, "approve", err)
	_, _, err = transition(e, a, lost.ID, ace.TransitionRequest{To: ace.StateRejected, Reason: "not eligible"})
	must(t, "reject", err)
	at(12 * day)
	won = e.walk(a, won, ace.StateClosed)
	_, err = accrue(e, won)
	must(t, "accrue", err)
	e.setClock(time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC))
	_, _, err = e.db.CloseMonth(e.ctx)
	must(t, "close March", err)
	s := e.statement(a.ID, "2026-03")
	for _, to := range []string{"invoiced", "paid"} {
		_, err := settle(e, s.ID, to, "REF-1")
		must(t, to, err)
	}

	from, to := t0.Add(-day), t0.Add(60*day)
	t.Run("a range with everything", func(t *testing.T) {
		e := e.in(t)
		m, err := e.db.Metrics(e.ctx, from, to)
		must(t, "metrics", err)
		want := postgres.AdminMetrics{From: from, To: to,
			SubmissionToOfferSeconds: postgres.Percentiles{Count: 3, P50: ptr(30.0), P90: ptr(46.0)},
			OfferToAcceptSeconds:     postgres.Percentiles{Count: 1, P50: ptr(3590.0), P90: ptr(3590.0)},
			OffersMade:               3, OffersAccepted: 1, OffersDeclined: 1, OffersExpired: 1, OfferAcceptanceRate: ptr(1.0 / 3.0),
			CloseRateByPool: []postgres.PoolCloseRate{
				{FundingSource: ace.PoolBuildForStartups, Wins: 0, Decided: 1, Rate: ptr(0.0)},
				{FundingSource: ace.PoolFounders, Wins: 1, Decided: 1, Rate: ptr(1.0)},
			},
			SubmissionToApprovalDays: postgres.Percentiles{Count: 1, P50: ptr(10.0), P90: ptr(10.0)},
			CreditsApprovedUSD:       18000, CommissionAccruedCents: 180000, CommissionPaidCents: 180000, IntakesReceived: 3,
			ACE: postgres.ACESyncFigures{Findings: map[string]int{}},
		}
		if d := cmp.Diff(want, m); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("an empty range", func(t *testing.T) {
		e := e.in(t)
		from, to := t0.AddDate(1, 0, 0), t0.AddDate(1, 1, 0)
		m, err := e.db.Metrics(e.ctx, from, to)
		must(t, "metrics", err)
		if d := cmp.Diff(postgres.AdminMetrics{From: from, To: to, CloseRateByPool: []postgres.PoolCloseRate{},
			ACE: postgres.ACESyncFigures{Findings: map[string]int{}}}, m); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}
