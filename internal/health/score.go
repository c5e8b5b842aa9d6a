package health

import (
	"fmt"
	"time"
)

// The most points each part of the score can take away. They add up to 100,
// so a partner failing everything scores exactly 0. Each weight reflects how
// loudly seed 000 names the fault; docs/pipeline-health.md gives the quotes.
const (
	WeightStale            = 20
	WeightCloseDateExpired = 25 // "the #1 sign of pipeline neglect"
	WeightStuckIdentified  = 10
	WeightFollowUpOverdue  = 15
	WeightOutcomeMissing   = 10 // on top of close_date_expired, which it implies
	WeightBatchPattern     = 10
	WeightOutcomeCapture   = 10
)

// FlagWeights are the flag weights by flag kind.
var FlagWeights = map[string]int{
	FlagStale:            WeightStale,
	FlagCloseDateExpired: WeightCloseDateExpired,
	FlagStuckIdentified:  WeightStuckIdentified,
	FlagFollowUpOverdue:  WeightFollowUpOverdue,
	FlagOutcomeMissing:   WeightOutcomeMissing,
}

// Names of the score components that are not flags.
const (
	ComponentBatchPattern   = "batch_pattern"
	ComponentOutcomeCapture = "outcome_capture"
)

// ScoreInput is what the score is computed from, for one partner at one
// time.
type ScoreInput struct {
	OpenRecords int
	// FlagCounts are the partner's flags by kind: follow_up_overdue over its
	// accepted assignments, the others over its open records.
	FlagCounts          map[string]int
	AcceptedAssignments int // currently accepted assignments
	BatchPattern        bool
	// Outcome capture, as counted by CountOutcomeCapture: of the records
	// whose outcome deadline (OutcomeDeadline) fell in the cadence window and
	// has passed (PastTargetRecords), how many had been closed out, that is
	// moved to closed, rejected or withdrawn, before it
	// (DecidedRecentRecords).
	DecidedRecentRecords int
	PastTargetRecords    int
}

// Score is a partner's health, 0 to 100, with its explanation.
type Score struct {
	Score int `json:"score"` // 0..100
	// Components are every deduction, in a fixed order (the five flags, then
	// batch_pattern and outcome_capture), zero ones included, so that
	// 100 + the sum of their points, rounded, is the score.
	Components []ScoreComponent `json:"components"`
}

// ScoreComponent is one deduction: Points is zero or negative, with two
// decimals.
type ScoreComponent struct {
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	Detail string  `json:"detail"`
}

// ComputeScore returns the partner's health score:
//
//	score = round(100 − Σ flags  weight_k × min(1, flagged_k / base_k)
//	                  − 10 × [batch pattern]
//	                  − 10 × (past − decided) / past)
//
// where base_k is the number of accepted assignments for follow_up_overdue
// and of open records for the other flags. A share with nothing to share
// over is 0 (or 1 if flags are reported anyway), and outcome capture with no
// past target costs nothing, so a partner with nothing open and no history
// scores 100. Every deduction is rounded half up to a hundredth of a point,
// and the total half up to a whole point. Negative counts are read as 0 and
// decided above past as past, so the score stays in 0..100 and more flags
// never raise it.
func ComputeScore(in ScoreInput) Score {
	comps := make([]ScoreComponent, 0, len(Flags)+2)
	var hundredths int64 // points deducted, in hundredths
	add := func(name string, h int64, detail string) {
		hundredths += h
		comps = append(comps, ScoreComponent{Name: name, Points: -float64(h) / 100, Detail: detail})
	}

	open, accepted := max(in.OpenRecords, 0), max(in.AcceptedAssignments, 0)
	for _, f := range Flags {
		base, over := open, "open records"
		if f == FlagFollowUpOverdue {
			base, over = accepted, "accepted assignments"
		}
		k := max(in.FlagCounts[f], 0)
		w := FlagWeights[f]
		num, den := min(k, base), base
		if base == 0 && k > 0 {
			num, den = 1, 1 // flags with nothing to flag: inconsistent input, counted in full
		}
		if num == 0 {
			add(f, 0, fmt.Sprintf("0 of %d %s flagged", base, over))
			continue
		}
		add(f, share(w, num, den), fmt.Sprintf("%d of %d %s flagged × %d points", k, base, over, w))
	}

	if in.BatchPattern {
		add(ComponentBatchPattern, WeightBatchPattern*100, fmt.Sprintf("batch submission pattern × %d points", WeightBatchPattern))
	} else {
		add(ComponentBatchPattern, 0, "steady submission cadence")
	}

	past := max(in.PastTargetRecords, 0)
	decided := min(max(in.DecidedRecentRecords, 0), past)
	if past == 0 {
		add(ComponentOutcomeCapture, 0, "no record past its outcome deadline in the window")
	} else {
		add(ComponentOutcomeCapture, share(WeightOutcomeCapture, past-decided, past),
			fmt.Sprintf("%d of %d records past their outcome deadline not closed out in time × %d points", past-decided, past, WeightOutcomeCapture))
	}

	// 100 points are 10,000 hundredths; round half up to a whole point.
	score := (10000 - hundredths + 50) / 100
	return Score{Score: int(min(max(score, 0), 100)), Components: comps}
}

// share returns w × num / den points in hundredths, rounded half up, in
// integers so that the explanation adds up exactly.
func share(w, num, den int) int64 {
	return (200*int64(w)*int64(num) + int64(den)) / (2 * int64(den))
}

// OutcomeRecord is one of a partner's records, in any state, as the outcome
// capture count sees it.
type OutcomeRecord struct {
	TargetCloseDate *time.Time // nil if none: the record is not counted
	// ClosedOutAt is when the record moved to closed, rejected or
	// withdrawn; nil while it is open.
	ClosedOutAt *time.Time
}

// CountOutcomeCapture returns ScoreInput's outcome capture counts at now.
// A record is past target when its OutcomeDeadline lies in the cadence
// window and is not after now; it is decided when it was closed out before
// that deadline, that is, when it never qualified for outcome_missing. A
// record closed out late stays undecided for as long as its deadline is in
// the window. The seed asks for "win/loss capture within 1 week of close".
func CountOutcomeCapture(rs []OutcomeRecord, now time.Time, s Settings) (decided, pastTarget int) {
	from := CadenceWindowStart(now, s)
	for _, r := range rs {
		if r.TargetCloseDate == nil {
			continue
		}
		dl := OutcomeDeadline(*r.TargetCloseDate, s)
		if dl.Before(from) || dl.After(now) {
			continue
		}
		pastTarget++
		if r.ClosedOutAt != nil && r.ClosedOutAt.Before(dl) {
			decided++
		}
	}
	return decided, pastTarget
}
