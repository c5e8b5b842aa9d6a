package acesync

import (
	"strings"

	"github.com/cloudroute/cloudroute/internal/ace"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// Decision is what ACE's answer means for a linked record.
type Decision struct {
	// Target is the state ACE's answer stands for; "" when it stands for
	// none (Action Required).
	Target string
	// Moves are the transitions to make, in order, from the record's
	// state toward Target. Each is one ace.CheckTransition allows. They
	// stop short of approved: the award (approved_usd) is the partner's or
	// an admin's to give, since ACE does not carry it.
	Moves []string
	// Reason goes with a move into rejected or withdrawn: AWS's review
	// reason and comments, or the ClosedLostReason.
	Reason string
	// ActionRequired flags that AWS sent the opportunity back; Comments
	// holds what it asks for.
	ActionRequired bool
	Comments       string
	// Finding is set when ACE's answer cannot be applied to the record:
	// one of the Finding* codes, for the reconciliation.
	Finding string
}

// Reconciliation findings: ACE and CloudRoute disagree in a way no move
// can settle.
const (
	// ACE shows the opportunity launched (or approved) while CloudRoute
	// waits for the award: the partner or an admin must record
	// approved_usd before the record can launch, then close.
	FindingAwaitingAward = "ace_launched_awaiting_award"
	// ACE shows the opportunity lost or rejected after CloudRoute recorded
	// the award: commission at risk.
	FindingLostAfterAward = "ace_lost_after_award"
	// CloudRoute closed the record (commission accrued) and ACE shows it
	// Closed Lost.
	FindingClosedButLost = "closed_here_lost_in_ace"
	// CloudRoute ended the record (rejected or withdrawn) and ACE shows it
	// alive or approved.
	FindingEndedButActive = "ended_here_active_in_ace"
)

// Decide maps ACE's review status and stage onto a record in state
// current. The rules, first match wins:
//
//	ReviewStatus Rejected                → rejected, with AWS's reason
//	Stage Closed Lost                    → withdrawn, with the ClosedLostReason
//	Stage Launched                       → launched
//	ReviewStatus Action Required         → no move; a flag with AWS's comments
//	ReviewStatus Submitted or In review  → submitted
//	ReviewStatus Approved                → validated
//	ReviewStatus Pending Submission      → identified
//
// Closed Lost is withdrawn, not rejected, because AWS's reviewers reject
// through the review status; Closed Lost says the customer or the partner
// let the opportunity go. Both count as losses for routing.
//
// A record never moves backward, and never from a terminal state. A record
// already approved or launched cannot be rejected or withdrawn, and an
// approved record cannot move without approved_usd: those disagreements
// are findings.
func Decide(current string, lc pc.LifeCycleSummary) Decision {
	var d Decision
	switch {
	case lc.ReviewStatus == pc.ReviewRejected:
		d.Target, d.Reason = ace.StateRejected, reviewReason(lc)
	case lc.Stage == pc.StageClosedLost:
		d.Target, d.Reason = ace.StateWithdrawn, "Closed Lost in ACE: "+orOther(lc.ClosedLostReason)
	case lc.Stage == pc.StageLaunched:
		d.Target = ace.StateLaunched
	case lc.ReviewStatus == pc.ReviewActionRequired:
		d.ActionRequired, d.Comments = true, reviewReason(lc)
		// AWS reviewed it, so it was submitted: a record the sync
		// submitted but never saw Submitted catches up.
		if current == ace.StateIdentified {
			d.Moves = []string{ace.StateSubmitted}
		}
		return d
	case lc.ReviewStatus == pc.ReviewSubmitted || lc.ReviewStatus == pc.ReviewInReview:
		d.Target = ace.StateSubmitted
	case lc.ReviewStatus == pc.ReviewApproved:
		d.Target = ace.StateValidated
	case lc.ReviewStatus == pc.ReviewPendingSubmission:
		d.Target = ace.StateIdentified
	default:
		return d
	}
	d.Moves, d.Finding = plan(current, d.Target)
	return d
}

func reviewReason(lc pc.LifeCycleSummary) string {
	var parts []string
	for _, s := range []string{lc.ReviewStatusReason, lc.ReviewComments} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "Rejected in ACE review"
	}
	return strings.Join(parts, ": ")
}

func orOther(s string) string {
	if s == "" {
		return "Other"
	}
	return s
}

// mainLine is the record's forward path (ace's lifecycle).
var mainLine = []string{
	ace.StateIdentified, ace.StateSubmitted, ace.StateValidated,
	ace.StateApproved, ace.StateLaunched, ace.StateClosed,
}

func position(state string) int {
	for i, s := range mainLine {
		if s == state {
			return i
		}
	}
	return -1
}

// plan returns the moves from current to target, or a finding.
func plan(current, target string) ([]string, string) {
	if current == target {
		return nil, ""
	}
	if ace.IsTerminal(current) {
		switch {
		case current == ace.StateClosed && target == ace.StateWithdrawn:
			return nil, FindingClosedButLost
		case current == ace.StateClosed && target == ace.StateRejected:
			return nil, FindingClosedButLost
		case current != ace.StateClosed && position(target) >= position(ace.StateValidated):
			return nil, FindingEndedButActive
		}
		return nil, ""
	}
	var moves []string
	from := current
	step := func(to string) bool {
		if ace.CheckTransition(from, to) != nil {
			return false
		}
		moves, from = append(moves, to), to
		return true
	}
	switch target {
	case ace.StateRejected, ace.StateWithdrawn:
		// A rejection presupposes a submission.
		if target == ace.StateRejected && from == ace.StateIdentified {
			step(ace.StateSubmitted)
		}
		if !step(target) {
			return nil, FindingLostAfterAward
		}
		return moves, ""
	}
	goal := position(target)
	if goal <= position(from) {
		// ACE is behind CloudRoute: a push not yet made, or an event older
		// than what was already applied. Nothing moves backward.
		return nil, ""
	}
	for position(from) < goal {
		next := mainLine[position(from)+1]
		if next == ace.StateApproved {
			return moves, FindingAwaitingAward
		}
		if !step(next) {
			return moves, ""
		}
	}
	return moves, ""
}

// Locked reports whether ACE refuses partner edits to an opportunity in
// this review status: while AWS reviews it (Submitted, In review) and for
// good once Rejected. The sync holds pushes back meanwhile.
func Locked(reviewStatus string) bool {
	switch reviewStatus {
	case pc.ReviewSubmitted, pc.ReviewInReview, pc.ReviewRejected:
		return true
	}
	return false
}
