package health

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cadenceNow is a Wednesday. Its window (12 weeks) starts Monday 9 March;
// the look-back (8 weeks more) starts Monday 12 January.
var (
	cadenceNow         = time.Date(2026, 5, 27, 12, 0, 0, 0, time.UTC)
	cadenceWindowStart = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
)

// subs returns counts[i] submissions in the week starting i weeks after
// from, on its Tuesday from 10:00, a minute apart.
func subs(from time.Time, counts ...int) []time.Time {
	var out []time.Time
	for i, k := range counts {
		for j := range k {
			out = append(out, from.Add(time.Duration(i)*7*day+day+10*time.Hour+time.Duration(j)*time.Minute))
		}
	}
	return out
}

// window is subs over the cadence window.
func window(counts ...int) []time.Time { return subs(cadenceWindowStart, counts...) }

func repeat(k, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = k
	}
	return out
}

func cat(xs ...[]int) []int {
	var out []int
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

func TestWeekStart(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2026-03-02T00:00:00Z", "2026-03-02"}, // Monday midnight
		{"2026-03-04T15:00:00Z", "2026-03-02"},
		{"2026-03-08T23:59:59Z", "2026-03-02"}, // Sunday belongs to the week before
		{"2026-03-09T00:00:00Z", "2026-03-09"},
		{"2026-03-08T20:00:00-05:00", "2026-03-09"}, // Monday 01:00 UTC
		{"2026-01-01T12:00:00Z", "2025-12-29"},      // ISO week 1 of 2026
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := WeekStart(ts(t, tc.in))
			if got.Format(time.DateOnly) != tc.want || got.Weekday() != time.Monday || got.Location() != time.UTC ||
				got != time.Date(got.Year(), got.Month(), got.Day(), 0, 0, 0, 0, time.UTC) {
				t.Errorf("WeekStart(%s) = %v, want %s 00:00 UTC", tc.in, got, tc.want)
			}
		})
	}
}

func TestBuildCadenceWeeks(t *testing.T) {
	in := append(window(2, 0, 1, 0, 0, 3, 0, 0, 0, 0, 1, 4),
		cadenceNow.Add(time.Second),              // after now: ignored
		cadenceNow,                               // now itself: counted
		cadenceWindowStart.Add(-time.Second),     // the look-back: not shown
		cadenceWindowStart.Add(-400*day),         // before the look-back: ignored
		cadenceWindowStart.Add(-time.Nanosecond)) // the look-back again
	got := BuildCadence(in, cadenceNow, DefaultSettings())
	want := Cadence{Weeks: []WeekCount{
		{"2026-03-09", 2}, {"2026-03-16", 0}, {"2026-03-23", 1}, {"2026-03-30", 0}, {"2026-04-06", 0}, {"2026-04-13", 3},
		{"2026-04-20", 0}, {"2026-04-27", 0}, {"2026-05-04", 0}, {"2026-05-11", 0}, {"2026-05-18", 1}, {"2026-05-25", 5},
	}, Total: 12}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BuildCadence (-want +got):\n%s", diff)
	}

	// Nothing at all: every week present, with zero.
	empty := BuildCadence(nil, cadenceNow, DefaultSettings())
	if len(empty.Weeks) != 12 || empty.Total != 0 || empty.BatchPattern || empty.Reason != "" {
		t.Errorf("BuildCadence(nil) = %+v", empty)
	}
	// A shorter window follows the setting.
	s := DefaultSettings()
	s.CadenceWeeks = 4
	short := BuildCadence(window(cat(repeat(1, 11), []int{2})...), cadenceNow, s)
	if diff := cmp.Diff([]WeekCount{{"2026-05-04", 1}, {"2026-05-11", 1}, {"2026-05-18", 1}, {"2026-05-25", 2}}, short.Weeks); diff != "" {
		t.Errorf("4-week cadence (-want +got):\n%s", diff)
	}
}

func TestBuildCadenceBatch(t *testing.T) {
	const seedRule, concentration = "after", "holds"
	tests := []struct {
		name string
		in   []time.Time
		want bool
		// reason is a fragment of the reason when want is true.
		reason string
	}{
		// Steady patterns, small and large.
		{"steady: 2 a week", window(repeat(2, 12)...), false, ""},
		{"steady: a handful every other week", window(3, 0, 4, 0, 3, 0, 5, 0, 3, 0, 4, 0), false, ""},
		{"steady: 25 a week, every week", append(subs(cadenceWindowStart.Add(-8*7*day), repeat(25, 8)...), window(repeat(25, 12)...)...), false, ""},
		{"steady: a busy week among busy weeks", window(5, 6, 5, 4, 6, 5, 25, 5, 6, 5, 4, 6), false, ""},
		{"small: 3 in one quiet quarter", window(cat(repeat(0, 11), []int{3})...), false, ""},

		// The seed: "nothing for two months, then 20 submissions in one week".
		{"seed: 2 months quiet, then 20", window(2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 20), true,
			"20 submissions in the week of 2026-05-25 after 8 weeks with none"},
		{"seed: 8 quiet weeks, 20, against a busy start", window(10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 20), true, seedRule},
		{"seed: 7 quiet weeks is not two months", window(10, 10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 20), false, ""},
		{"seed: 19 is not 20", window(10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 19), false, ""},
		{"seed: the batch need not be the last week", window(10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 30, 2), true,
			"30 submissions in the week of 2026-05-18 after 8 weeks with none"},
		{"seed: the most recent batch is reported", window(20, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0), true,
			"25 submissions in the week of 2026-05-11 after 8 weeks with none"},

		// The quiet spell may lie before the window, in the look-back.
		{"look-back: batch in the first week after silence", window(cat([]int{20}, repeat(3, 11))...), true,
			"20 submissions in the week of 2026-03-09 after 8 weeks with none"},
		{"look-back: one submission 8 weeks before breaks the spell",
			append(window(cat([]int{20}, repeat(3, 11))...), subs(cadenceWindowStart.Add(-8*7*day), 1)...), false, ""},
		{"look-back: older than the look-back is ignored",
			append(window(cat([]int{20}, repeat(3, 11))...), subs(cadenceWindowStart.Add(-9*7*day), 1)...), true, seedRule},
		{"look-back: future submissions are ignored",
			append(window(10, 10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0), subs(cadenceNow, 0, 20)...), false, ""},

		// Concentration: one week holds most of the window, at least 10.
		{"concentration: 10 alone in the quarter", window(cat(repeat(0, 11), []int{10})...), true,
			"the week of 2026-05-25 holds 10 of the 10 submissions in 12 weeks"},
		{"concentration: 9 alone is not", window(cat(repeat(0, 11), []int{9})...), false, ""},
		{"concentration: 12 of 23", window(cat(repeat(1, 11), []int{12})...), true, concentration},
		{"concentration: exactly half is not most", window(1, 1, 1, 1, 1, 10, 1, 1, 1, 1, 1, 0), false, ""},
		{"concentration: more than half", window(1, 1, 1, 1, 1, 10, 1, 1, 1, 1, 0, 0), true,
			"the week of 2026-04-13 holds 10 of the 19 submissions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := BuildCadence(tc.in, cadenceNow, DefaultSettings())
			if got.BatchPattern != tc.want {
				t.Fatalf("batch_pattern = %v, want %v (reason %q, weeks %v)", got.BatchPattern, tc.want, got.Reason, got.Weeks)
			}
			if tc.want && !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("reason %q, want it to contain %q", got.Reason, tc.reason)
			}
			if !tc.want && got.Reason != "" {
				t.Errorf("reason %q on a steady cadence", got.Reason)
			}
		})
	}
}

func TestBuildCadenceSettings(t *testing.T) {
	// An admin who lowers the batch size and the quiet spell sees smaller
	// batches; the concentration rule follows BatchWeekMin.
	s := DefaultSettings()
	s.BatchQuietWeeks, s.BatchWeekMin = 4, 8
	in := window(5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 8, 5)
	if got := BuildCadence(in, cadenceNow, s); !got.BatchPattern || !strings.Contains(got.Reason, "8 submissions in the week of 2026-05-18 after 4 weeks") {
		t.Errorf("lowered settings: %+v", got)
	}
	if got := BuildCadence(in, cadenceNow, DefaultSettings()); got.BatchPattern {
		t.Errorf("default settings flag %+v", got)
	}
	s = DefaultSettings()
	s.BatchWeekMin = 40 // concentration needs 20
	if got := BuildCadence(window(cat(repeat(0, 11), []int{19})...), cadenceNow, s); got.BatchPattern {
		t.Errorf("19 alone with BatchWeekMin 40: %+v", got)
	}
}
