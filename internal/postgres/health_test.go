package postgres_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/health"
)

// openFlags lists a partner's open flags as "kind subject", the subject
// named through names (an id → a label).
func (e *env) openFlags(partnerID string, names map[string]string) []string {
	e.t.Helper()
	h, err := e.db.PartnerPipelineHealth(e.ctx, partnerID)
	must(e.t, "pipeline health", err)
	out := []string{}
	for _, f := range h.Flags {
		subject := "?"
		switch {
		case f.ACERecordID != nil:
			subject = names[*f.ACERecordID]
		case f.AssignmentID != nil:
			subject = names[*f.AssignmentID]
		}
		out = append(out, f.Kind+" "+subject)
	}
	return out
}

func TestScanHygiene(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0) // Monday 2 March 2026, 09:00
	a := e.partner("Alpha")
	_, quiet := e.engaged(a)
	_, busy := e.engaged(a)
	f := complete()
	f.TargetCloseDate = ptr("2026-03-20")
	r, _, err := createRecord(e, a, busy, ace.PoolFounders, 20000, f)
	must(t, "record", err)
	names := map[string]string{quiet: "quiet", busy: "busy", r.ID: "record"}

	scan := func(t *testing.T, at time.Time, period string) (raised, cleared int, ran bool) {
		t.Helper()
		e.setClock(at)
		raised, cleared, ran, err := e.db.ScanHygiene(e.ctx, period)
		must(t, "scan", err)
		return raised, cleared, ran
	}
	for _, c := range []struct {
		name   string
		at     time.Time
		period string
		want   []string
	}{
		{"nothing on the first day", t0.Add(time.Hour), "2026-03-02", []string{}},
		// Five business days after Monday 09:00 is the next Monday 09:00.
		{"just before the follow-up deadline", t0.Add(7*24*time.Hour - time.Second), "", []string{}},
		{"the follow-up deadline", t0.Add(7 * 24 * time.Hour), "2026-03-09", []string{"follow_up_overdue quiet"}},
		// The target close date is the 20th; it has passed at midnight.
		{"the close date passed", time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC), "2026-03-21",
			[]string{"follow_up_overdue quiet", "close_date_expired record"}},
		// Seven days' grace after the 20th end at midnight on the 28th;
		// thirty days without an update end on 1 April at 09:00.
		{"the outcome is missing and the record stale", time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), "2026-04-01",
			[]string{"follow_up_overdue quiet", "close_date_expired record", "outcome_missing record", "stale record"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := e.in(t)
			_, _, ran := scan(t, c.at, c.period)
			if !ran {
				t.Errorf("the scan of %q did not run", c.period)
			}
			if d := cmp.Diff(c.want, e.openFlags(a.ID, names), sortStrings); d != "" {
				t.Errorf("open flags (-want +got):\n%s", d)
			}
		})
	}
	t.Run("once per period, and idempotent", func(t *testing.T) {
		raised, cleared, ran := scan(t, time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), "2026-04-01")
		if ran || raised != 0 || cleared != 0 {
			t.Errorf("the period scanned again: ran %v, raised %d, cleared %d", ran, raised, cleared)
		}
		raised, cleared, ran = scan(t, time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), "")
		if !ran || raised != 0 || cleared != 0 {
			t.Errorf("an unchanged pipeline scanned again: ran %v, raised %d, cleared %d; want nothing raised or cleared", ran, raised, cleared)
		}
	})
	t.Run("a change clears its flags at once", func(t *testing.T) {
		e := e.in(t)
		e.record(a, quiet, ace.PoolFounders, 10000)
		_, _, err := e.db.PatchACERecord(e.ctx, a.ID, r.ID, ace.RecordFields{TargetCloseDate: ptr("2026-06-30")}, nil)
		must(t, "move the close date", err)
		if d := cmp.Diff([]string{}, e.openFlags(a.ID, names)); d != "" {
			t.Errorf("open flags after the follow-up and the edit (-want +got):\n%s", d)
		}
	})
}

func TestPartnerPipelineHealth(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	a, b := e.partner("Alpha"), e.partner("Beta")
	e.engaged(a)
	later := t0.AddDate(0, 0, 14)
	e.setClock(later)
	_, _, _, err := e.db.ScanHygiene(e.ctx, "")
	must(t, "scan", err)

	h, err := e.db.PartnerPipelineHealth(e.ctx, a.ID)
	must(t, "Alpha", err)
	if len(h.Flags) != 1 || h.Flags[0].Kind != health.FlagFollowUpOverdue || h.Score.Score >= 100 || !h.AsOf.Equal(later) {
		t.Errorf("Alpha: score %d with flags %+v as of %s; want one follow_up_overdue and a lower score", h.Score.Score, h.Flags, h.AsOf)
	}
	h, err = e.db.PartnerPipelineHealth(e.ctx, b.ID)
	must(t, "Beta", err)
	if len(h.Flags) != 0 || h.Score.Score != 100 {
		t.Errorf("Beta, with nothing: score %d, flags %+v; want 100 and none", h.Score.Score, h.Flags)
	}
	_, err = e.db.PartnerPipelineHealth(e.ctx, "00000000-0000-4000-8000-000000000000")
	wantCode(t, "unknown partner", err, domain.ECodeNotFound)
}

func TestWriteSnapshots(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0) // March 2026
	a, b := e.partner("Alpha"), e.partner("Beta")
	_, asg := e.engaged(a)
	e.walk(a, e.record(a, asg, ace.PoolFounders, 20000), ace.StateSubmitted)
	e.record(a, asg, ace.PoolBuildForStartups, 10000)
	_, declined := e.offered(a)
	_, err := e.db.DeclineAssignment(e.ctx, a.ID, declined, "busy")
	must(t, "decline", err)

	e.setClock(time.Date(2026, 4, 1, 0, 10, 0, 0, time.UTC))
	n, ran, err := e.db.WriteSnapshots(e.ctx)
	if err != nil || !ran || n != 2 {
		t.Fatalf("write March: %d, %v, %v; want 2 snapshots", n, ran, err)
	}
	t.Run("once per month", func(t *testing.T) {
		e := e.in(t)
		n, ran, err := e.db.WriteSnapshots(e.ctx)
		if err != nil || ran || n != 0 {
			t.Errorf("write March again: %d, %v, %v; want nothing", n, ran, err)
		}
	})
	t.Run("Alpha's March", func(t *testing.T) {
		e := e.in(t)
		ss, err := e.db.Snapshots(e.ctx, a.ID, "2026-03")
		must(t, "snapshots", err)
		if len(ss) != 1 {
			t.Fatalf("%d snapshots, want 1", len(ss))
		}
		var got health.MonthSnapshot
		must(t, "decode", json.Unmarshal(ss[0].Data, &got))
		type figures struct {
			Month                            string
			Active, NewSubmissions           int
			Offers, Accepted                 int
			Identified, Submitted, Withdrawn int
		}
		want := figures{"2026-03", 2, 1, 2, 1, 1, 1, 0}
		have := figures{got.Month, got.ActiveRecords, got.NewSubmissions, got.OffersReceived, got.OffersAccepted,
			got.StateDistribution[ace.StateIdentified], got.StateDistribution[ace.StateSubmitted], got.StateDistribution[ace.StateWithdrawn]}
		if d := cmp.Diff(want, have); d != "" {
			t.Errorf("snapshot (-want +got):\n%s", d)
		}
	})
	t.Run("listed and filtered", func(t *testing.T) {
		e := e.in(t)
		for _, c := range []struct {
			name, partner, month string
			want                 int
		}{
			{"all", "", "", 2},
			{"a partner", b.ID, "", 1},
			{"a month without snapshots", "", "2026-02", 0},
			{"a malformed partner id", "x", "", 0},
		} {
			ss, err := e.db.Snapshots(e.ctx, c.partner, c.month)
			must(t, c.name, err)
			if len(ss) != c.want {
				t.Errorf("%s: %d snapshots, want %d", c.name, len(ss), c.want)
			}
		}
		_, err := e.db.Snapshots(e.ctx, "", "March")
		wantCode(t, "a bad month", err, domain.ECodeValidation)
	})
}

// TestPeriodicRaceOncePerPeriod: schedulers running the daily scan or the
// monthly snapshots at once do the period's work once.
func TestPeriodicRaceOncePerPeriod(t *testing.T) {
	const n = 6
	e := newEnv(t)
	e.setClock(t0)
	a := e.partner("Alpha")
	e.partner("Beta")
	e.engaged(a)
	e.setClock(t0.AddDate(0, 1, 0))

	type result struct {
		ran bool
		n   int // flags raised, or snapshots written
		err error
	}
	t.Run("the hygiene scan", func(t *testing.T) {
		e := e.in(t)
		res := race(n, func(int) result {
			raised, _, ran, err := e.db.ScanHygiene(e.ctx, "2026-04-02")
			return result{ran, raised, err}
		})
		runs, raised := 0, 0
		for _, r := range res {
			if r.err != nil {
				t.Errorf("scan: %v", r.err)
			}
			if r.ran {
				runs++
			}
			raised += r.n
		}
		if runs != 1 || raised != 1 {
			t.Errorf("%d scans ran raising %d flags, want 1 raising 1", runs, raised)
		}
	})
	t.Run("the monthly snapshots", func(t *testing.T) {
		e := e.in(t)
		res := race(n, func(int) result {
			written, ran, err := e.db.WriteSnapshots(e.ctx)
			return result{ran, written, err}
		})
		runs, written := 0, 0
		for _, r := range res {
			if r.err != nil {
				t.Errorf("snapshots: %v", r.err)
			}
			if r.ran {
				runs++
			}
			written += r.n
		}
		if runs != 1 || written != 2 {
			t.Errorf("%d runs wrote %d snapshots, want 1 writing 2", runs, written)
		}
		if c := e.count(`SELECT count(*) FROM partner_snapshots`); c != 2 {
			t.Errorf("%d snapshots stored, want 2", c)
		}
	})
}
