// Package ace holds the rules of ACE opportunity records: which partner tier
// may file which funding pool, the amount ranges, the stacked ceiling, the
// fields a record needs before submission, what may still be edited, and the
// record state machine (SPEC §3). It does no I/O: the storage and HTTP layers
// call these functions and turn the *domain.Error they return into responses.
package ace

import "github.com/cloudroute/cloudroute/internal/domain"

// Record states, from seed 002. The strings are the ones stored in the
// database and shown in JSON.
const (
	StateIdentified = "identified" // drafted by the partner, not yet sent to AWS
	StateSubmitted  = "submitted"
	StateValidated  = "validated"
	StateApproved   = "approved"
	StateLaunched   = "launched"
	StateClosed     = "closed"
	StateRejected   = "rejected"
	StateWithdrawn  = "withdrawn"
)

// States lists every record state: the main line in order, then the two
// side exits.
var States = []string{
	StateIdentified, StateSubmitted, StateValidated, StateApproved,
	StateLaunched, StateClosed, StateRejected, StateWithdrawn,
}

// mainLine is the forward path of a record; IsForward moves one step along it.
var mainLine = []string{
	StateIdentified, StateSubmitted, StateValidated, StateApproved, StateLaunched, StateClosed,
}

// transitions is the whole state machine. A move not listed here is
// invalid, including a move from a state to itself: a repeated request must
// not be mistaken for progress.
var transitions = map[string][]string{
	StateIdentified: {StateSubmitted, StateWithdrawn},
	StateSubmitted:  {StateValidated, StateRejected, StateWithdrawn},
	StateValidated:  {StateApproved, StateRejected, StateWithdrawn},
	StateApproved:   {StateLaunched},
	StateLaunched:   {StateClosed},
	// closed, rejected and withdrawn are terminal: no entry.
}

// TerminalStates are the states a record never leaves. Storage passes the
// list to its queries (state <> ALL($n)) rather than spelling the states out
// in SQL, so that the queries follow this package.
var TerminalStates = []string{StateClosed, StateRejected, StateWithdrawn}

// IsTerminal reports whether a record in state can never move again. The
// storage layer treats the other states as "open" for the rule "at most one
// open record per customer and funding source".
func IsTerminal(state string) bool {
	return domain.OneOf(state, TerminalStates)
}

// IsOpen reports whether state is a known state that is not terminal.
func IsOpen(state string) bool {
	return domain.OneOf(state, States) && !IsTerminal(state)
}

// CheckTransition returns nil when a record may move from one state to the
// other, and otherwise a *domain.Error with code invalid_transition (HTTP
// 409). Unknown states are invalid too.
func CheckTransition(from, to string) error {
	if domain.OneOf(to, transitions[from]) {
		return nil
	}
	if IsTerminal(from) {
		return domain.Errorf(domain.ECodeInvalidTransition, "a %s record cannot move any more", from)
	}
	return domain.Errorf(domain.ECodeInvalidTransition, "a record cannot move from %s to %s", from, to)
}

// NextStates lists the states a record in state may move to, in the order
// of States: what a client may offer as the next move. A terminal or
// unknown state has none.
func NextStates(state string) []string {
	var out []string
	for _, to := range States {
		if domain.OneOf(to, transitions[state]) {
			out = append(out, to)
		}
	}
	return out
}

// IsForward reports whether from → to is one step along the main line
// identified → submitted → validated → approved → launched → closed. Only
// forward moves are gated by the partner's tier: a partner whose tier has
// dropped may still withdraw, and AWS may still reject, its records.
func IsForward(from, to string) bool {
	for i := 0; i+1 < len(mainLine); i++ {
		if mainLine[i] == from {
			return mainLine[i+1] == to
		}
	}
	return false
}

// RequiresReason reports whether moving a record into state to must carry
// a reason: a rejection (SPEC §3) and a withdrawal (openapi.yaml,
// TransitionRequest), the two moves that end a record without an award, so
// that whoever reads the history later knows why.
func RequiresReason(to string) bool { return to == StateRejected || to == StateWithdrawn }

// Decided outcomes of a record, as the routing index counts them (SPEC §3
// Routing 2) and as the outcomes table stores them.
const (
	OutcomeApproved  = "approved"
	OutcomeRejected  = "rejected"
	OutcomeWithdrawn = "withdrawn"
)

// OutcomeOf returns the decided outcome that the move from → to records for
// routing, or "" when the move decides nothing: approval is a win;
// rejection, or withdrawal after submission, a loss. A draft withdrawn
// before AWS saw it says nothing about the partner's close rate. A move the
// state machine refuses records nothing.
func OutcomeOf(from, to string, wasSubmitted bool) string {
	if CheckTransition(from, to) != nil {
		return ""
	}
	switch {
	case to == StateApproved:
		return OutcomeApproved
	case to == StateRejected:
		return OutcomeRejected
	case to == StateWithdrawn && wasSubmitted:
		return OutcomeWithdrawn
	}
	return ""
}

// CheckMove applies both rules that govern a partner moving its record in
// the given pool: the state machine first (invalid_transition, 409), then,
// for forward moves only, the tier table (tier_not_permitted, 403), so that a
// partner whose tier has dropped cannot push forward a pool it may no longer
// file.
func CheckMove(tier, pool, from, to string) error {
	if err := CheckTransition(from, to); err != nil {
		return err
	}
	if IsForward(from, to) {
		return CheckTier(tier, pool)
	}
	return nil
}
