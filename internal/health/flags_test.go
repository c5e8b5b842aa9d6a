package health

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ts parses an RFC 3339 time, failing the test on a typo.
func ts(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad time %q: %v", s, err)
	}
	return v
}

func ptr[T any](v T) *T { return &v }

func TestFlagsOrder(t *testing.T) {
	want := []string{"stale", "close_date_expired", "stuck_identified", "follow_up_overdue", "outcome_missing"}
	if diff := cmp.Diff(want, Flags); diff != "" {
		t.Errorf("Flags (-want +got):\n%s", diff)
	}
	want2 := Settings{StaleDays: 30, StuckIdentifiedDays: 60, FollowUpBusinessDays: 5, OutcomeGraceDays: 7,
		CadenceWeeks: 12, BatchQuietWeeks: 8, BatchWeekMin: 20}
	if diff := cmp.Diff(want2, DefaultSettings()); diff != "" {
		t.Errorf("DefaultSettings (-want +got):\n%s", diff)
	}
}

func TestRecordFlags(t *testing.T) {
	now := ts(t, "2026-05-27T12:00:00Z") // a Wednesday
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	// clean is a submitted record touched yesterday, without a close date.
	clean := Record{ID: "r1", State: "submitted", CreatedAt: ago(40 * day), UpdatedAt: ago(day), EnteredStateAt: ago(10 * day)}
	with := func(f func(*Record)) Record { r := clean; f(&r); return r }
	def := DefaultSettings()

	tests := []struct {
		name string
		r    Record
		now  time.Time
		s    Settings
		want []string
	}{
		{"clean", clean, now, def, []string{}},

		// stale: now − last update ≥ 30 × 24h.
		{"stale: 29 days, the day before", with(func(r *Record) { r.UpdatedAt, r.EnteredStateAt = ago(29*day), ago(50*day) }), now, def, []string{}},
		{"stale: 30 days less a second", with(func(r *Record) { r.UpdatedAt, r.EnteredStateAt = ago(30*day-time.Second), ago(50*day) }), now, def, []string{}},
		{"stale: exactly 30 days", with(func(r *Record) { r.UpdatedAt, r.EnteredStateAt = ago(30*day), ago(50*day) }), now, def, []string{"stale"}},
		{"stale: 200 days", with(func(r *Record) { r.UpdatedAt, r.EnteredStateAt = ago(200*day), ago(200*day) }), now, def, []string{"stale"}},
		{"stale: a recent state move counts as an update", with(func(r *Record) { r.UpdatedAt, r.EnteredStateAt = ago(40*day), ago(2*day) }), now, def, []string{}},
		{"stale: never updated, created 30 days ago", with(func(r *Record) {
			r.CreatedAt, r.UpdatedAt, r.EnteredStateAt = ago(30*day), time.Time{}, time.Time{}
		}), now, def, []string{"stale"}},
		{"stale: setting of 10 days", with(func(r *Record) { r.UpdatedAt, r.EnteredStateAt = ago(10*day), ago(10*day) }), now,
			Settings{StaleDays: 10, StuckIdentifiedDays: 60, OutcomeGraceDays: 7}, []string{"stale"}},

		// close_date_expired: the target close date is over (UTC).
		{"close date: today, last second", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-27T00:00:00Z")) }),
			ts(t, "2026-05-27T23:59:59Z"), def, []string{}},
		{"close date: the day after, midnight", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-27T00:00:00Z")) }),
			ts(t, "2026-05-28T00:00:00Z"), def, []string{"close_date_expired"}},
		{"close date: tomorrow", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-28T00:00:00Z")) }), now, def, []string{}},
		{"close date: its time of day is ignored", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-26T23:30:00Z")) }),
			ts(t, "2026-05-27T00:00:00Z"), def, []string{"close_date_expired"}},
		{"close date: taken as its UTC date", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-26T22:00:00-05:00")) }), // 27 May UTC
			ts(t, "2026-05-27T23:00:00Z"), def, []string{}},

		// outcome_missing: still open at the end of the 7th day after the close date.
		{"outcome: 7th day after, last second", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-19T00:00:00Z")) }),
			ts(t, "2026-05-26T23:59:59Z"), def, []string{"close_date_expired"}},
		{"outcome: 8th day after, midnight", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-19T00:00:00Z")) }),
			ts(t, "2026-05-27T00:00:00Z"), def, []string{"close_date_expired", "outcome_missing"}},
		{"outcome: grace 0 comes with the expiry", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-26T00:00:00Z")) }),
			ts(t, "2026-05-27T00:00:00Z"), Settings{StaleDays: 30, StuckIdentifiedDays: 60, OutcomeGraceDays: 0},
			[]string{"close_date_expired", "outcome_missing"}},
		{"outcome: grace 0, close date today", with(func(r *Record) { r.TargetCloseDate = ptr(ts(t, "2026-05-27T00:00:00Z")) }),
			now, Settings{StaleDays: 30, StuckIdentifiedDays: 60, OutcomeGraceDays: 0}, []string{}},

		// stuck_identified: in identified for more than 60 × 24h.
		{"stuck: 59 days, the day before", with(func(r *Record) {
			r.State, r.CreatedAt, r.EnteredStateAt, r.UpdatedAt = "identified", ago(59*day), ago(59*day), ago(day)
		}), now, def, []string{}},
		{"stuck: exactly 60 days", with(func(r *Record) {
			r.State, r.CreatedAt, r.EnteredStateAt, r.UpdatedAt = "identified", ago(60*day), ago(60*day), ago(day)
		}), now, def, []string{}},
		{"stuck: 60 days and a second", with(func(r *Record) {
			r.State, r.CreatedAt, r.EnteredStateAt, r.UpdatedAt = "identified", ago(60*day+time.Second), ago(60*day+time.Second), ago(day)
		}), now, def, []string{"stuck_identified"}},
		{"stuck: 61 days, the day after", with(func(r *Record) {
			r.State, r.CreatedAt, r.EnteredStateAt, r.UpdatedAt = "identified", ago(61*day), ago(61*day), ago(day)
		}), now, def, []string{"stuck_identified"}},
		{"stuck: no EnteredStateAt, counted from creation", with(func(r *Record) {
			r.State, r.CreatedAt, r.EnteredStateAt, r.UpdatedAt = "identified", ago(61*day), time.Time{}, ago(day)
		}), now, def, []string{"stuck_identified"}},
		{"stuck: only in identified", with(func(r *Record) {
			r.State, r.CreatedAt, r.EnteredStateAt, r.UpdatedAt = "validated", ago(90*day), ago(90*day), ago(day)
		}), now, def, []string{}},

		{"all four record flags, in order", Record{ID: "r2", State: "identified", CreatedAt: ago(120 * day), UpdatedAt: ago(100 * day),
			EnteredStateAt: ago(120 * day), TargetCloseDate: ptr(ts(t, "2026-01-31T00:00:00Z"))}, now, def,
			[]string{"stale", "close_date_expired", "stuck_identified", "outcome_missing"}},
		{"terminal state: no flags", Record{ID: "r3", State: "closed", CreatedAt: ago(120 * day), UpdatedAt: ago(100 * day),
			EnteredStateAt: ago(100 * day), TargetCloseDate: ptr(ts(t, "2026-01-31T00:00:00Z"))}, now, def, []string{}},
		{"withdrawn: no flags", Record{ID: "r4", State: "withdrawn", CreatedAt: ago(120 * day), UpdatedAt: ago(100 * day),
			EnteredStateAt: ago(100 * day)}, now, def, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RecordFlags(tc.r, tc.now, tc.s)
			if got == nil {
				t.Fatal("RecordFlags returned nil, want a non-nil slice")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("RecordFlags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOutcomeDeadline(t *testing.T) {
	// The doc comment's example: due Monday 2 March, flagged from Tuesday 10 March.
	got := OutcomeDeadline(ts(t, "2026-03-02T00:00:00Z"), DefaultSettings())
	if want := ts(t, "2026-03-10T00:00:00Z"); !got.Equal(want) {
		t.Errorf("OutcomeDeadline = %v, want %v", got, want)
	}
	if got, want := CloseDateExpiresAt(ts(t, "2026-03-02T13:00:00Z")), ts(t, "2026-03-03T00:00:00Z"); !got.Equal(want) {
		t.Errorf("CloseDateExpiresAt = %v, want %v", got, want)
	}
}

func TestAssignmentFlags(t *testing.T) {
	def := DefaultSettings()
	fri := ts(t, "2026-03-06T10:00:00Z")
	mon := ts(t, "2026-03-02T09:00:00Z")
	sat := ts(t, "2026-03-07T15:00:00Z")
	none := Assignment{ID: "a1", AcceptedAt: fri}
	overdue := []string{"follow_up_overdue"}

	tests := []struct {
		name string
		a    Assignment
		now  string
		want []string
	}{
		{"Friday: the Thursday after, the day before", none, "2026-03-12T10:00:00Z", []string{}},
		{"Friday: next Friday a second before", none, "2026-03-13T09:59:59Z", []string{}},
		{"Friday: next Friday, same time", none, "2026-03-13T10:00:00Z", overdue},
		{"Friday: a month later", none, "2026-04-06T10:00:00Z", overdue},
		{"Monday: the Friday after is within", Assignment{ID: "a2", AcceptedAt: mon}, "2026-03-06T23:59:59Z", []string{}},
		{"Monday: next Monday a second before", Assignment{ID: "a2", AcceptedAt: mon}, "2026-03-09T08:59:59Z", []string{}},
		{"Monday: next Monday, same time", Assignment{ID: "a2", AcceptedAt: mon}, "2026-03-09T09:00:00Z", overdue},
		{"Saturday: the whole fifth business day", Assignment{ID: "a3", AcceptedAt: sat}, "2026-03-15T23:59:59Z", []string{}},
		{"Saturday: Monday after next, midnight", Assignment{ID: "a3", AcceptedAt: sat}, "2026-03-16T00:00:00Z", overdue},
		{"a record was filed", Assignment{ID: "a4", AcceptedAt: fri, RecordCount: 1, LastActivityAt: ptr(fri.Add(time.Hour))},
			"2026-04-06T10:00:00Z", []string{}},
		{"a record filed late clears the flag", Assignment{ID: "a5", AcceptedAt: fri, RecordCount: 1, LastActivityAt: ptr(fri.Add(20 * day))},
			"2026-04-06T10:00:00Z", []string{}},
		{"a record was filed, activity time not given", Assignment{ID: "a8", AcceptedAt: fri, RecordCount: 2},
			"2026-04-06T10:00:00Z", []string{}},
		{"activity since acceptance, record count not given", Assignment{ID: "a6", AcceptedAt: fri, LastActivityAt: ptr(fri.Add(day))},
			"2026-04-06T10:00:00Z", []string{}},
		{"activity only before acceptance", Assignment{ID: "a7", AcceptedAt: fri, LastActivityAt: ptr(fri.Add(-day))},
			"2026-03-13T10:00:00Z", overdue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AssignmentFlags(tc.a, ts(t, tc.now), def)
			if got == nil {
				t.Fatal("AssignmentFlags returned nil, want a non-nil slice")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("AssignmentFlags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddBusinessDays(t *testing.T) {
	tests := []struct {
		name, from string
		n          int
		want       string
	}{
		{"Monday + 1", "2026-03-02T09:00:00Z", 1, "2026-03-03T09:00:00Z"},
		{"Thursday + 1", "2026-03-05T09:00:00Z", 1, "2026-03-06T09:00:00Z"},
		{"Friday + 1 skips the weekend", "2026-03-06T10:00:00Z", 1, "2026-03-09T10:00:00Z"},
		{"Thursday + 2", "2026-03-05T09:00:00Z", 2, "2026-03-09T09:00:00Z"},
		{"Friday + 5 is the next Friday", "2026-03-06T10:00:00Z", 5, "2026-03-13T10:00:00Z"},
		{"Wednesday + 5", "2026-03-04T17:30:00Z", 5, "2026-03-11T17:30:00Z"},
		{"Wednesday + 7", "2026-03-04T17:30:00Z", 7, "2026-03-13T17:30:00Z"},
		{"Wednesday + 8", "2026-03-04T17:30:00Z", 8, "2026-03-16T17:30:00Z"},
		{"Friday + 60", "2026-03-06T10:00:00Z", 60, "2026-05-29T10:00:00Z"},
		{"Saturday + 1 is the end of Monday", "2026-03-07T15:00:00Z", 1, "2026-03-10T00:00:00Z"},
		{"Saturday + 5", "2026-03-07T15:00:00Z", 5, "2026-03-16T00:00:00Z"},
		{"Sunday + 5", "2026-03-08T23:59:59Z", 5, "2026-03-16T00:00:00Z"},
		{"Friday evening in New York is Saturday in UTC", "2026-03-06T22:00:00-05:00", 1, "2026-03-10T00:00:00Z"},
		{"zero", "2026-03-07T15:00:00Z", 0, "2026-03-07T15:00:00Z"},
		{"negative", "2026-03-04T15:00:00Z", -3, "2026-03-04T15:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AddBusinessDays(ts(t, tc.from), tc.n)
			if want := ts(t, tc.want); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("AddBusinessDays(%s, %d) = %v, want %v (UTC)", tc.from, tc.n, got, want)
			}
		})
	}
}

// weekdayTime is the Monday-to-Friday (UTC) time in [a, b), by brute force,
// one minute at a time.
func weekdayTime(a, b time.Time) time.Duration {
	var d time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		if wd := t.UTC().Weekday(); wd != time.Saturday && wd != time.Sunday {
			d += time.Minute
		}
	}
	return d
}

// TestAddBusinessDaysGivesWholeDays checks the rule the doc states, from
// every hour of a fortnight: the deadline falls on a weekday, after exactly
// n × 24 hours of weekday time.
func TestAddBusinessDaysGivesWholeDays(t *testing.T) {
	start := ts(t, "2026-03-02T00:00:00Z")
	for h := 0; h < 14*24; h += 1 {
		from := start.Add(time.Duration(h)*time.Hour + 30*time.Minute)
		for _, n := range []int{1, 3, 5, 6} {
			got := AddBusinessDays(from, n)
			if wd := got.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Fatalf("AddBusinessDays(%v, %d) = %v, a %v", from, n, got, wd)
			}
			if w := weekdayTime(from, got); w != time.Duration(n)*day {
				t.Fatalf("AddBusinessDays(%v, %d) = %v: %v of weekday time, want %v", from, n, got, w, time.Duration(n)*day)
			}
		}
	}
}
