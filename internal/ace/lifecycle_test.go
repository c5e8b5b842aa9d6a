package ace_test

import (
	"slices"
	"testing"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// moves is the whole state machine written out by hand: one row per from
// state, one column per to state in the order of the header. F is a legal
// forward move, x a legal side move, . an illegal move.
var moves = []struct {
	from string
	to   string // ide sub val app lau clo rej wit
}{
	{ace.StateIdentified, ". F . . . . . x"},
	{ace.StateSubmitted, ". . F . . . x x"},
	{ace.StateValidated, ". . . F . . x x"},
	{ace.StateApproved, ". . . . F . . ."},
	{ace.StateLaunched, ". . . . . F . ."},
	{ace.StateClosed, ". . . . . . . ."},
	{ace.StateRejected, ". . . . . . . ."},
	{ace.StateWithdrawn, ". . . . . . . ."},
}

var columns = []string{"identified", "submitted", "validated", "approved", "launched", "closed", "rejected", "withdrawn"}

func TestStatesAreTheSeedStates(t *testing.T) {
	if len(ace.States) != len(columns) {
		t.Fatalf("States = %v", ace.States)
	}
	for i, s := range columns {
		if ace.States[i] != s {
			t.Errorf("States[%d] = %q, want %q", i, ace.States[i], s)
		}
	}
}

func TestCheckTransitionAllPairs(t *testing.T) {
	if len(moves) != 8 {
		t.Fatalf("table has %d rows", len(moves))
	}
	for _, row := range moves {
		marks := []rune{}
		for _, r := range row.to {
			if r != ' ' {
				marks = append(marks, r)
			}
		}
		if len(marks) != len(columns) {
			t.Fatalf("row %s has %d marks", row.from, len(marks))
		}
		for i, to := range columns {
			legal, forward := marks[i] != '.', marks[i] == 'F'
			t.Run(row.from+"→"+to, func(t *testing.T) {
				err := ace.CheckTransition(row.from, to)
				want := domain.ECodeInvalidTransition
				if legal {
					want = ""
				}
				if got := code(t, err); got != want {
					t.Errorf("CheckTransition = %q (%v), want %q", got, err, want)
				}
				if got := ace.IsForward(row.from, to); got != forward {
					t.Errorf("IsForward = %v, want %v", got, forward)
				}
			})
		}
	}
}

func TestCheckTransitionUnknownStates(t *testing.T) {
	for _, c := range []struct{ from, to string }{
		{"", ace.StateSubmitted},
		{"draft", ace.StateSubmitted},
		{ace.StateIdentified, ""},
		{ace.StateIdentified, "SUBMITTED"},
		{ace.StateSubmitted, "approved "},
	} {
		if got := code(t, ace.CheckTransition(c.from, c.to)); got != domain.ECodeInvalidTransition {
			t.Errorf("CheckTransition(%q, %q) = %q", c.from, c.to, got)
		}
		if ace.IsForward(c.from, c.to) {
			t.Errorf("IsForward(%q, %q) = true", c.from, c.to)
		}
	}
}

func TestTerminalAndOpen(t *testing.T) {
	for _, c := range []struct {
		state          string
		terminal, open bool
	}{
		{ace.StateIdentified, false, true},
		{ace.StateSubmitted, false, true},
		{ace.StateValidated, false, true},
		{ace.StateApproved, false, true},
		{ace.StateLaunched, false, true},
		{ace.StateClosed, true, false},
		{ace.StateRejected, true, false},
		{ace.StateWithdrawn, true, false},
		{"", false, false},
		{"archived", false, false},
	} {
		t.Run(c.state, func(t *testing.T) {
			if got := ace.IsTerminal(c.state); got != c.terminal {
				t.Errorf("IsTerminal = %v", got)
			}
			if got := ace.IsOpen(c.state); got != c.open {
				t.Errorf("IsOpen = %v", got)
			}
		})
	}
}

// TestRequiresReason: openapi.yaml's TransitionRequest asks for a reason
// to move to rejected or withdrawn, and for no other move.
func TestRequiresReason(t *testing.T) {
	for _, s := range ace.States {
		want := s == ace.StateRejected || s == ace.StateWithdrawn
		if got := ace.RequiresReason(s); got != want {
			t.Errorf("RequiresReason(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckMove(t *testing.T) {
	for _, c := range []struct {
		name                 string
		tier, pool, from, to string
		want                 string
	}{
		{"advanced submits portfolio", "advanced", "portfolio", "identified", "submitted", ""},
		{"select submits founders", "select", "founders", "identified", "submitted", ""},
		{"dropped to select cannot submit portfolio", "select", "portfolio", "identified", "submitted", domain.ECodeTierNotPermitted},
		{"dropped to select cannot launch portfolio", "select", "portfolio", "approved", "launched", domain.ECodeTierNotPermitted},
		{"dropped to select cannot close bedrock", "select", "bedrock_poc", "launched", "closed", domain.ECodeTierNotPermitted},
		{"dropped to registered may still withdraw", "registered", "portfolio", "validated", "withdrawn", ""},
		{"rejection is not gated by tier", "registered", "founders", "submitted", "rejected", ""},
		{"invalid move wins over tier", "registered", "portfolio", "closed", "launched", domain.ECodeInvalidTransition},
		{"invalid move for a good tier", "premier", "portfolio", "identified", "approved", domain.ECodeInvalidTransition},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := code(t, ace.CheckMove(c.tier, c.pool, c.from, c.to)); got != c.want {
				t.Errorf("CheckMove = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNextStates(t *testing.T) {
	for _, from := range ace.States {
		var want []string
		for _, to := range ace.States {
			if ace.CheckTransition(from, to) == nil {
				want = append(want, to)
			}
		}
		if got := ace.NextStates(from); !slices.Equal(got, want) {
			t.Errorf("NextStates(%s) = %v, want %v (CheckTransition's moves)", from, got, want)
		}
	}
	if got := ace.NextStates("nonsense"); got != nil {
		t.Errorf("NextStates of an unknown state = %v", got)
	}
}
