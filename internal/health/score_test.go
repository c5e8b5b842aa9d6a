package health

import (
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWeightsAddUpTo100(t *testing.T) {
	sum := WeightBatchPattern + WeightOutcomeCapture
	for _, f := range Flags {
		w, ok := FlagWeights[f]
		if !ok {
			t.Errorf("no weight for %s", f)
		}
		sum += w
	}
	if sum != 100 || len(FlagWeights) != len(Flags) {
		t.Errorf("weights add up to %d over %d flags, want 100 over %d", sum, len(FlagWeights), len(Flags))
	}
}

// TestWorkedExample is the example of docs/pipeline-health.md: keep the two
// in step.
func TestWorkedExample(t *testing.T) {
	in := ScoreInput{
		OpenRecords: 20,
		FlagCounts: map[string]int{FlagStale: 5, FlagCloseDateExpired: 4, FlagStuckIdentified: 1,
			FlagFollowUpOverdue: 1, FlagOutcomeMissing: 2},
		AcceptedAssignments:  8,
		BatchPattern:         true,
		DecidedRecentRecords: 7,
		PastTargetRecords:    10,
	}
	want := Score{Score: 74, Components: []ScoreComponent{
		{"stale", -5, "5 of 20 open records flagged × 20 points"},
		{"close_date_expired", -5, "4 of 20 open records flagged × 25 points"},
		{"stuck_identified", -0.5, "1 of 20 open records flagged × 10 points"},
		{"follow_up_overdue", -1.88, "1 of 8 accepted assignments flagged × 15 points"},
		{"outcome_missing", -1, "2 of 20 open records flagged × 10 points"},
		{"batch_pattern", -10, "batch submission pattern × 10 points"},
		{"outcome_capture", -3, "3 of 10 records past their outcome deadline not closed out in time × 10 points"},
	}}
	if diff := cmp.Diff(want, ComputeScore(in)); diff != "" {
		t.Errorf("ComputeScore (-want +got):\n%s", diff)
	}
}

func TestComputeScore(t *testing.T) {
	all := func(k int) map[string]int {
		m := map[string]int{}
		for _, f := range Flags {
			m[f] = k
		}
		return m
	}
	tests := []struct {
		name string
		in   ScoreInput
		want int
	}{
		{"nothing open, no history", ScoreInput{}, 100},
		{"clean pipeline", ScoreInput{OpenRecords: 30, FlagCounts: map[string]int{}, AcceptedAssignments: 10,
			DecidedRecentRecords: 12, PastTargetRecords: 12}, 100},
		{"everything wrong", ScoreInput{OpenRecords: 30, FlagCounts: all(30), AcceptedAssignments: 10,
			BatchPattern: true, PastTargetRecords: 12}, 0},
		{"every open record stale", ScoreInput{OpenRecords: 30, FlagCounts: map[string]int{FlagStale: 30}}, 80},
		{"half a point rounds up: 1 of 8 stale is 2.5", ScoreInput{OpenRecords: 8, FlagCounts: map[string]int{FlagStale: 1}}, 98},
		{"just under half a point rounds down", ScoreInput{OpenRecords: 9, FlagCounts: map[string]int{FlagStale: 1}}, 98}, // 2.22
		{"just over half a point rounds up", ScoreInput{OpenRecords: 7, FlagCounts: map[string]int{FlagStale: 1}}, 97},    // 2.86
		{"only the batch pattern", ScoreInput{BatchPattern: true}, 90},
		{"outcome capture 0 of 4", ScoreInput{PastTargetRecords: 4}, 90},
		{"outcome capture 3 of 4", ScoreInput{DecidedRecentRecords: 3, PastTargetRecords: 4}, 98}, // 2.5
		{"follow-up is over accepted assignments", ScoreInput{OpenRecords: 100, AcceptedAssignments: 3,
			FlagCounts: map[string]int{FlagFollowUpOverdue: 3}}, 85},
		{"unknown flag kinds are ignored", ScoreInput{OpenRecords: 1, FlagCounts: map[string]int{"other": 5}}, 100},

		// Inconsistent input never leaves 0..100.
		{"more flags than records", ScoreInput{OpenRecords: 2, FlagCounts: map[string]int{FlagStale: 9}}, 80},
		{"flags with no open record", ScoreInput{FlagCounts: map[string]int{FlagCloseDateExpired: 1}}, 75},
		{"negative counts", ScoreInput{OpenRecords: -3, FlagCounts: all(-2), AcceptedAssignments: -1,
			DecidedRecentRecords: -5, PastTargetRecords: -1}, 100},
		{"decided above past", ScoreInput{DecidedRecentRecords: 9, PastTargetRecords: 3}, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ComputeScore(tc.in)
			if got.Score != tc.want {
				t.Errorf("score = %d, want %d; components %+v", got.Score, tc.want, got.Components)
			}
			checkExplanation(t, got)
		})
	}
}

// checkExplanation checks the invariants of every score: in 0..100, seven
// components in order, none positive, and 100 plus their sum rounds to it.
func checkExplanation(t *testing.T, s Score) {
	t.Helper()
	if s.Score < 0 || s.Score > 100 {
		t.Errorf("score %d out of 0..100", s.Score)
	}
	names := append(append([]string{}, Flags...), "batch_pattern", "outcome_capture")
	if len(s.Components) != len(names) {
		t.Fatalf("%d components, want %d", len(s.Components), len(names))
	}
	sum := 100.0
	for i, c := range s.Components {
		if c.Name != names[i] || c.Points > 0 || c.Detail == "" {
			t.Errorf("component %d = %+v, want name %s, points ≤ 0 and a detail", i, c, names[i])
		}
		sum += c.Points
	}
	if got := int(math.Floor(sum + 0.5 + 1e-9)); got != s.Score {
		t.Errorf("100 + Σ points = %.2f rounds to %d, score is %d", sum, got, s.Score)
	}
}

// TestScoreMonotone checks on random partners that one more flag, a batch
// pattern, or one fewer record closed out in time never raises the score.
func TestScoreMonotone(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for range 5000 {
		open, acc := rng.Intn(25), rng.Intn(10)
		in := ScoreInput{OpenRecords: open, AcceptedAssignments: acc, FlagCounts: map[string]int{},
			BatchPattern: rng.Intn(4) == 0, PastTargetRecords: rng.Intn(12)}
		in.DecidedRecentRecords = rng.Intn(in.PastTargetRecords + 1)
		for _, f := range Flags {
			in.FlagCounts[f] = rng.Intn(open + 2)
		}
		base := ComputeScore(in)
		checkExplanation(t, base)

		for _, f := range Flags {
			more := in
			more.FlagCounts = map[string]int{}
			for k, v := range in.FlagCounts {
				more.FlagCounts[k] = v
			}
			more.FlagCounts[f]++
			if got := ComputeScore(more); got.Score > base.Score {
				t.Fatalf("one more %s raised the score from %d to %d: %+v", f, base.Score, got.Score, in)
			}
		}
		batch := in
		batch.BatchPattern = true
		if got := ComputeScore(batch); got.Score > base.Score {
			t.Fatalf("a batch pattern raised the score from %d to %d: %+v", base.Score, got.Score, in)
		}
		if in.DecidedRecentRecords > 0 {
			fewer := in
			fewer.DecidedRecentRecords--
			if got := ComputeScore(fewer); got.Score > base.Score {
				t.Fatalf("one fewer decided raised the score from %d to %d: %+v", base.Score, got.Score, in)
			}
		}
	}
}

func TestCountOutcomeCapture(t *testing.T) {
	now := ts(t, "2026-05-27T12:00:00Z") // window from Monday 9 March
	d := func(s string) *time.Time { v := ts(t, s+"T00:00:00Z"); return &v }
	at := func(s string) *time.Time { return ptr(ts(t, s)) }
	tests := []struct {
		name              string
		r                 OutcomeRecord
		decided, pastTarg int
	}{
		{"no target date", OutcomeRecord{}, 0, 0},
		{"deadline passed, still open", OutcomeRecord{TargetCloseDate: d("2026-05-19")}, 0, 1},
		{"closed the last second of the grace", OutcomeRecord{TargetCloseDate: d("2026-05-19"), ClosedOutAt: at("2026-05-26T23:59:59Z")}, 1, 1},
		{"closed at the deadline is late", OutcomeRecord{TargetCloseDate: d("2026-05-19"), ClosedOutAt: at("2026-05-27T00:00:00Z")}, 0, 1},
		{"closed before the target date", OutcomeRecord{TargetCloseDate: d("2026-05-19"), ClosedOutAt: at("2026-04-01T09:00:00Z")}, 1, 1},
		{"still in its grace: not judged yet", OutcomeRecord{TargetCloseDate: d("2026-05-20")}, 0, 0},
		{"deadline on the window's first instant", OutcomeRecord{TargetCloseDate: d("2026-03-01")}, 0, 1},
		{"deadline before the window", OutcomeRecord{TargetCloseDate: d("2026-02-28")}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dec, past := CountOutcomeCapture([]OutcomeRecord{tc.r}, now, DefaultSettings())
			if dec != tc.decided || past != tc.pastTarg {
				t.Errorf("CountOutcomeCapture = %d decided of %d, want %d of %d", dec, past, tc.decided, tc.pastTarg)
			}
		})
	}
	var all []OutcomeRecord
	for _, tc := range tests {
		all = append(all, tc.r)
	}
	if dec, past := CountOutcomeCapture(all, now, DefaultSettings()); dec != 2 || past != 5 {
		t.Errorf("all together: %d of %d, want 2 of 5", dec, past)
	}
}

// TestOutcomeCaptureMatchesFlag checks that a record counts as decided
// exactly when it was closed out before outcome_missing first held for it.
func TestOutcomeCaptureMatchesFlag(t *testing.T) {
	now := ts(t, "2026-05-27T12:00:00Z")
	target := ts(t, "2026-05-19T00:00:00Z")
	for h := -48; h <= 48; h++ {
		closedAt := OutcomeDeadline(target, DefaultSettings()).Add(time.Duration(h) * time.Hour / 2)
		r := Record{ID: "r", State: "launched", CreatedAt: target.Add(-90 * day), UpdatedAt: closedAt.Add(-time.Hour),
			EnteredStateAt: target.Add(-20 * day), TargetCloseDate: &target}
		// Did the flag already hold when it was closed out?
		flagged := false
		for _, f := range RecordFlags(r, closedAt, DefaultSettings()) {
			flagged = flagged || f == FlagOutcomeMissing
		}
		dec, _ := CountOutcomeCapture([]OutcomeRecord{{TargetCloseDate: &target, ClosedOutAt: &closedAt}}, now, DefaultSettings())
		if (dec == 1) == flagged {
			t.Errorf("closed at %v: decided %d, flagged before closing %v", closedAt, dec, flagged)
		}
	}
}
