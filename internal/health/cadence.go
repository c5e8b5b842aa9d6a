package health

import (
	"fmt"
	"time"
)

// Cadence is a partner's submissions per ISO week over the trailing weeks,
// with the verdict on the seed's batch pattern.
type Cadence struct {
	// Weeks are oldest first: CadenceWeeks entries, the last one the week
	// containing now.
	Weeks        []WeekCount `json:"weeks"`
	Total        int         `json:"total"` // submissions in Weeks
	BatchPattern bool        `json:"batch_pattern"`
	// Reason says which week looks like a batch and why; empty when none.
	Reason string `json:"reason,omitempty"`
}

// WeekCount is the number of submissions in the ISO week starting on
// WeekStart, a Monday written YYYY-MM-DD.
type WeekCount struct {
	WeekStart   string `json:"week_start"`
	Submissions int    `json:"submissions"`
}

// WeekStart returns the Monday 00:00 UTC that starts the ISO week of t.
func WeekStart(t time.Time) time.Time {
	d := closeDate(t)
	return d.Add(-time.Duration((int(d.Weekday())+6)%7) * day)
}

// CadenceWindowStart returns the first instant of the cadence window at now:
// the Monday CadenceWeeks−1 weeks before the Monday of now's week.
func CadenceWindowStart(now time.Time, s Settings) time.Time {
	return WeekStart(now).Add(-time.Duration(cadenceWeeks(s)-1) * 7 * day)
}

// CadenceLookbackStart returns the earliest submission time BuildCadence
// uses: BatchQuietWeeks weeks before the window, so that a batch early in the
// window can still be seen to follow a quiet spell. Callers pass at least the
// submissions since this instant.
func CadenceLookbackStart(now time.Time, s Settings) time.Time {
	return CadenceWindowStart(now, s).Add(-time.Duration(max(s.BatchQuietWeeks, 0)) * 7 * day)
}

func cadenceWeeks(s Settings) int { return max(s.CadenceWeeks, 1) }

// BuildCadence buckets the submission times into the CadenceWeeks ISO weeks
// (Monday to Sunday, UTC) ending with the week containing now, and flags the
// batch pattern. Times after now are ignored, and so are times before
// CadenceLookbackStart; weeks with no time given count as weeks with no
// submission.
//
// A week in the window is a batch when either rule holds:
//
//   - the seed's rule: it has at least BatchWeekMin submissions and the
//     BatchQuietWeeks weeks just before it had none (those weeks may lie
//     before the window, in the look-back);
//   - concentration: it holds more than half of the window's submissions and
//     at least half of BatchWeekMin (rounded up), the same dump on a smaller
//     partner's scale.
//
// The most recent batch week is reported, the seed's rule first.
func BuildCadence(submittedAt []time.Time, now time.Time, s Settings) Cadence {
	n := cadenceWeeks(s)
	quiet := max(s.BatchQuietWeeks, 0)
	windowStart := CadenceWindowStart(now, s)
	lookStart := CadenceLookbackStart(now, s)

	// counts[0:quiet] is the look-back, counts[quiet:] the window.
	counts := make([]int, quiet+n)
	for _, t := range submittedAt {
		if t.After(now) || t.Before(lookStart) {
			continue
		}
		counts[int(t.Sub(lookStart)/(7*day))]++
	}

	c := Cadence{Weeks: make([]WeekCount, n)}
	for i := range n {
		k := counts[quiet+i]
		c.Weeks[i] = WeekCount{WeekStart: windowStart.Add(time.Duration(i) * 7 * day).Format(time.DateOnly), Submissions: k}
		c.Total += k
	}

	weekMin := max(s.BatchWeekMin, 1) // a week with no submission is never a batch
	for i := n - 1; i >= 0 && !c.BatchPattern; i-- {
		k := counts[quiet+i]
		if k < weekMin {
			continue
		}
		run := 0 // weeks with none just before week i
		for j := quiet + i - 1; j >= 0 && counts[j] == 0; j-- {
			run++
		}
		if run >= quiet {
			c.BatchPattern = true
			c.Reason = fmt.Sprintf("%d submissions in the week of %s after %d weeks with none (at least %d after at least %d)",
				k, c.Weeks[i].WeekStart, run, weekMin, quiet)
		}
	}
	concMin := (weekMin + 1) / 2
	for i := n - 1; i >= 0 && !c.BatchPattern; i-- {
		if k := counts[quiet+i]; k >= concMin && 2*k > c.Total {
			c.BatchPattern = true
			c.Reason = fmt.Sprintf("the week of %s holds %d of the %d submissions in %d weeks (more than half, and at least %d)",
				c.Weeks[i].WeekStart, k, c.Total, n, concMin)
		}
	}
	return c
}
