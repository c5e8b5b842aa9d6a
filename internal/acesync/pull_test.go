package acesync_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/acesync"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// The state mapping of docs/ace-sync.md, row by row.
func TestDecide(t *testing.T) {
	type lc = pc.LifeCycleSummary
	qualified := pc.StageQualified
	cases := []struct {
		name    string
		current string
		ace     lc
		want    acesync.Decision
	}{
		{"Pending Submission is identified", ace.StateIdentified,
			lc{ReviewStatus: pc.ReviewPendingSubmission, Stage: qualified}, acesync.Decision{Target: ace.StateIdentified}},
		{"Submitted is submitted", ace.StateIdentified,
			lc{ReviewStatus: pc.ReviewSubmitted, Stage: qualified},
			acesync.Decision{Target: ace.StateSubmitted, Moves: []string{ace.StateSubmitted}}},
		{"In review is submitted, already", ace.StateSubmitted,
			lc{ReviewStatus: pc.ReviewInReview, Stage: qualified}, acesync.Decision{Target: ace.StateSubmitted}},
		{"Approved is validated", ace.StateSubmitted,
			lc{ReviewStatus: pc.ReviewApproved, Stage: qualified},
			acesync.Decision{Target: ace.StateValidated, Moves: []string{ace.StateValidated}}},
		{"Approved, missed the submission", ace.StateIdentified,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageTechnicalValidation},
			acesync.Decision{Target: ace.StateValidated, Moves: []string{ace.StateSubmitted, ace.StateValidated}}},
		{"Approved while the award is recorded: nothing backward", ace.StateApproved,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageCommitted}, acesync.Decision{Target: ace.StateValidated}},
		{"Rejected carries AWS's reason", ace.StateSubmitted,
			lc{ReviewStatus: pc.ReviewRejected, ReviewStatusReason: "Duplicate opportunity", ReviewComments: "Filed by another partner."},
			acesync.Decision{Target: ace.StateRejected, Moves: []string{ace.StateRejected}, Reason: "Duplicate opportunity: Filed by another partner."}},
		{"Rejected without a reason", ace.StateValidated,
			lc{ReviewStatus: pc.ReviewRejected},
			acesync.Decision{Target: ace.StateRejected, Moves: []string{ace.StateRejected}, Reason: "Rejected in ACE review"}},
		{"Rejected, missed the submission", ace.StateIdentified,
			lc{ReviewStatus: pc.ReviewRejected, ReviewStatusReason: "Insufficient detail"},
			acesync.Decision{Target: ace.StateRejected, Moves: []string{ace.StateSubmitted, ace.StateRejected}, Reason: "Insufficient detail"}},
		{"Rejected wins over Closed Lost", ace.StateSubmitted,
			lc{ReviewStatus: pc.ReviewRejected, ReviewStatusReason: "Not eligible", Stage: pc.StageClosedLost, ClosedLostReason: "Other"},
			acesync.Decision{Target: ace.StateRejected, Moves: []string{ace.StateRejected}, Reason: "Not eligible"}},
		{"Action Required is a flag, no move", ace.StateSubmitted,
			lc{ReviewStatus: pc.ReviewActionRequired, ReviewStatusReason: "Incomplete", ReviewComments: "Add the customer's postal code."},
			acesync.Decision{ActionRequired: true, Comments: "Incomplete: Add the customer's postal code."}},
		{"Action Required on a record the sync never saw submitted", ace.StateIdentified,
			lc{ReviewStatus: pc.ReviewActionRequired, ReviewComments: "Fix the website."},
			acesync.Decision{ActionRequired: true, Comments: "Fix the website.", Moves: []string{ace.StateSubmitted}}},
		{"Launched after the award is launched", ace.StateApproved,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageLaunched},
			acesync.Decision{Target: ace.StateLaunched, Moves: []string{ace.StateLaunched}}},
		{"Launched before the award waits for it", ace.StateValidated,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageLaunched},
			acesync.Decision{Target: ace.StateLaunched, Finding: acesync.FindingAwaitingAward}},
		{"Launched, from submitted: validated, then the award", ace.StateSubmitted,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageLaunched},
			acesync.Decision{Target: ace.StateLaunched, Moves: []string{ace.StateValidated}, Finding: acesync.FindingAwaitingAward}},
		{"Launched and closed here: nothing to do", ace.StateClosed,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageLaunched}, acesync.Decision{Target: ace.StateLaunched}},
		{"Closed Lost under review is withdrawn", ace.StateSubmitted,
			lc{ReviewStatus: pc.ReviewInReview, Stage: pc.StageClosedLost, ClosedLostReason: "Delay / Cancellation of Project"},
			acesync.Decision{Target: ace.StateWithdrawn, Moves: []string{ace.StateWithdrawn}, Reason: "Closed Lost in ACE: Delay / Cancellation of Project"}},
		{"Closed Lost before submission is withdrawn", ace.StateIdentified,
			lc{ReviewStatus: pc.ReviewPendingSubmission, Stage: pc.StageClosedLost},
			acesync.Decision{Target: ace.StateWithdrawn, Moves: []string{ace.StateWithdrawn}, Reason: "Closed Lost in ACE: Other"}},
		{"Closed Lost after the award: commission at risk", ace.StateLaunched,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageClosedLost, ClosedLostReason: "Price"},
			acesync.Decision{Target: ace.StateWithdrawn, Reason: "Closed Lost in ACE: Price", Finding: acesync.FindingLostAfterAward}},
		{"Closed here, Closed Lost in ACE", ace.StateClosed,
			lc{ReviewStatus: pc.ReviewApproved, Stage: pc.StageClosedLost, ClosedLostReason: "No Opportunity"},
			acesync.Decision{Target: ace.StateWithdrawn, Reason: "Closed Lost in ACE: No Opportunity", Finding: acesync.FindingClosedButLost}},
		{"Withdrawn here, approved in ACE", ace.StateWithdrawn,
			lc{ReviewStatus: pc.ReviewApproved, Stage: qualified},
			acesync.Decision{Target: ace.StateValidated, Finding: acesync.FindingEndedButActive}},
		{"Rejected here and in ACE: settled", ace.StateRejected,
			lc{ReviewStatus: pc.ReviewRejected, ReviewStatusReason: "x"},
			acesync.Decision{Target: ace.StateRejected, Reason: "x"}},
		{"Submitted in ACE while CloudRoute is ahead", ace.StateValidated,
			lc{ReviewStatus: pc.ReviewSubmitted}, acesync.Decision{Target: ace.StateSubmitted}},
		{"An AWS referral's stage alone", ace.StateIdentified,
			lc{Stage: pc.StageProspect}, acesync.Decision{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := acesync.Decide(tc.current, tc.ace)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			from := tc.current
			for _, to := range got.Moves {
				if err := ace.CheckTransition(from, to); err != nil {
					t.Errorf("move %s → %s: %v", from, to, err)
				}
				from = to
			}
		})
	}
}

func TestLocked(t *testing.T) {
	for status, want := range map[string]bool{
		pc.ReviewPendingSubmission: false, pc.ReviewSubmitted: true, pc.ReviewInReview: true,
		pc.ReviewActionRequired: false, pc.ReviewApproved: false, pc.ReviewRejected: true,
	} {
		if got := acesync.Locked(status); got != want {
			t.Errorf("Locked(%q) = %v, want %v", status, got, want)
		}
	}
}
