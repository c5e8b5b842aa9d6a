package postgres_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// outcome is a decided founders record of the example intake's profile,
// decided daysAgo days before t0.
func outcome(result string, daysAgo int) postgres.TrackRecordRow {
	decided := t0.AddDate(0, 0, -daysAgo)
	r := postgres.TrackRecordRow{DecidedAt: decided, SubmittedAt: decided.AddDate(0, 0, -20), Stage: "seed", Region: "eu",
		Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build", FundingSource: "founders",
		Outcome: result, RequestedUSD: 20000}
	if result == "approved" {
		r.ApprovedUSD = 20000
	}
	return r
}

// importRows imports rows into a partner's track record and commits.
func (e *env) importRows(partnerID string, rows ...postgres.TrackRecordRow) (int, error) {
	e.t.Helper()
	imp, err := e.db.BeginTrackRecordImport(e.ctx, partnerID)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if err := imp.Add(e.ctx, r); err != nil {
			imp.Rollback()
			return 0, err
		}
	}
	return imp.Commit(e.ctx)
}

// cells lists a partner's index cells on one axis as value: wins/decided.
func (e *env) cells(partnerID, axis string) map[string][2]int {
	e.t.Helper()
	cs, err := e.db.RoutingIndex(e.ctx, partnerID, axis, 100)
	must(e.t, "index", err)
	out := map[string][2]int{}
	for _, c := range cs {
		out[c.Axis+"="+c.Value] = [2]int{c.Wins, c.Decided}
	}
	return out
}

func TestTrackRecordImport(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a := e.partner("Alpha")
	imported := func(e *env) int {
		e.t.Helper()
		return e.count(`SELECT count(*) FROM outcomes WHERE partner_id = $1 AND source = 'import'`, a.ID)
	}

	t.Run("committed", func(t *testing.T) {
		e := e.in(t)
		n, err := e.importRows(a.ID, outcome("approved", 10), outcome("approved", 20), outcome("rejected", 30))
		if err != nil || n != 3 {
			t.Fatalf("import: %d, %v; want 3", n, err)
		}
		if c := imported(e); c != 3 {
			t.Errorf("%d outcomes stored, want 3", c)
		}
	})
	t.Run("marked failed, nothing written", func(t *testing.T) {
		e := e.in(t)
		imp, err := e.db.BeginTrackRecordImport(e.ctx, a.ID)
		must(t, "begin", err)
		must(t, "add", imp.Add(e.ctx, outcome("approved", 5)))
		imp.MarkFailed()
		must(t, "add after the failure", imp.Add(e.ctx, outcome("approved", 6)))
		_, err = imp.Commit(e.ctx)
		wantCode(t, "commit", err, domain.ECodeValidation)
		if c := imported(e); c != 3 {
			t.Errorf("%d outcomes stored, want the 3 from before", c)
		}
	})
	t.Run("rolled back, nothing written", func(t *testing.T) {
		e := e.in(t)
		imp, err := e.db.BeginTrackRecordImport(e.ctx, a.ID)
		must(t, "begin", err)
		must(t, "add", imp.Add(e.ctx, outcome("approved", 5)))
		imp.Rollback()
		if c := imported(e); c != 3 {
			t.Errorf("%d outcomes stored, want the 3 from before", c)
		}
	})
	t.Run("a row the database refuses, nothing written", func(t *testing.T) {
		e := e.in(t)
		bad := outcome("rejected", 7)
		bad.ApprovedUSD = 5000 // a rejection carries no award
		if _, err := e.importRows(a.ID, outcome("approved", 4), bad); err == nil {
			t.Error("an import with a rejected award was committed")
		}
		if c := imported(e); c != 3 {
			t.Errorf("%d outcomes stored, want the 3 from before", c)
		}
	})
	t.Run("an unknown partner", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.BeginTrackRecordImport(e.ctx, "00000000-0000-4000-8000-000000000000")
		wantCode(t, "begin", err, domain.ECodeNotFound)
	})
}

func TestRebuildIndex(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a, b := e.partner("Alpha"), e.partner("Beta")
	_, err := e.importRows(a.ID, outcome("approved", 10), outcome("approved", 20), outcome("rejected", 30),
		outcome("approved", 400)) // outside the 365-day window
	must(t, "import Alpha", err)
	_, err = e.importRows(b.ID, outcome("rejected", 10))
	must(t, "import Beta", err)

	t.Run("one partner", func(t *testing.T) {
		e := e.in(t)
		must(t, "update Alpha", e.db.UpdatePartnerIndex(e.ctx, a.ID))
		if d := cmp.Diff(map[string][2]int{"stage=seed": {2, 3}}, e.cells(a.ID, "stage")); d != "" {
			t.Errorf("Alpha's stage cells (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[string][2]int{}, e.cells(b.ID, "")); d != "" {
			t.Errorf("Beta's cells before its update (-want +got):\n%s", d)
		}
		wantCode(t, "a malformed partner id", e.db.UpdatePartnerIndex(e.ctx, "x"), domain.ECodeNotFound)
	})
	t.Run("everyone", func(t *testing.T) {
		e := e.in(t)
		must(t, "rebuild", e.db.RebuildIndex(e.ctx))
		want := map[string][2]int{"stage=seed": {0, 1}, "region=eu": {0, 1}, "vertical=b2b_saas": {0, 1},
			"service_profile=ai_heavy": {0, 1}, "engagement_type=build": {0, 1}}
		if d := cmp.Diff(want, e.cells(b.ID, "")); d != "" {
			t.Errorf("Beta's cells (-want +got):\n%s", d)
		}
		cs, err := e.db.RoutingIndex(e.ctx, a.ID, "region", 10)
		must(t, "index", err)
		if len(cs) != 1 || cs[0].Rate == nil || *cs[0].Rate != 2.0/3.0 {
			t.Errorf("Alpha's region cells %+v, want one with rate 2/3", cs)
		}
		cs, err = e.db.RoutingIndex(e.ctx, "x", "", 10)
		if err != nil || len(cs) != 0 {
			t.Errorf("cells of a malformed partner id: %v, %v; want none", cs, err)
		}
	})
	t.Run("a shorter window drops older outcomes", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.UpdateSettings(e.ctx, adminActor, domain.SettingsPatch{Ints: map[string]int{"window_days": 15}})
		must(t, "settings", err)
		must(t, "rebuild", e.db.RebuildIndex(e.ctx))
		if d := cmp.Diff(map[string][2]int{"stage=seed": {1, 1}}, e.cells(a.ID, "stage")); d != "" {
			t.Errorf("Alpha's stage cells over 15 days (-want +got):\n%s", d)
		}
	})
	t.Run("routing reads it", func(t *testing.T) {
		e := e.in(t)
		in, _ := e.body()
		d, err := e.db.PreviewRouting(e.ctx, routing.Intake{Stage: in.Stage, Region: in.Region, Vertical: in.Vertical,
			ServiceProfile: in.ServiceProfile, EngagementType: in.EngagementType, RequestedFundingSources: in.RequestedFundingSources})
		must(t, "preview", err)
		if d.ChosenPartnerID == nil || *d.ChosenPartnerID != a.ID {
			t.Errorf("preview chose %v, want Alpha (a win against Beta's loss)", d.ChosenPartnerID)
		}
	})
}

// TestRebuildIndexRaceOncePerPeriod: nightly rebuilds started at once by
// several schedulers rebuild once.
func TestRebuildIndexRaceOncePerPeriod(t *testing.T) {
	const n = 6
	e := newEnv(t)
	e.setClock(t0)
	a := e.partner("Alpha")
	_, err := e.importRows(a.ID, outcome("approved", 10))
	must(t, "import", err)
	type result struct {
		ran bool
		err error
	}
	res := race(n, func(int) result {
		ran, err := e.db.RebuildIndexForPeriod(e.ctx, "2026-03-02")
		return result{ran, err}
	})
	runs := 0
	for _, r := range res {
		if r.err != nil {
			t.Errorf("rebuild: %v", r.err)
		}
		if r.ran {
			runs++
		}
	}
	if runs != 1 {
		t.Errorf("%d rebuilds ran for one night, want 1", runs)
	}
	if d := cmp.Diff(map[string][2]int{"stage=seed": {1, 1}}, e.cells(a.ID, "stage")); d != "" {
		t.Errorf("Alpha's cells (-want +got):\n%s", d)
	}
}
