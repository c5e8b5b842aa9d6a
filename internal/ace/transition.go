package ace

import (
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// TransitionRequest is a requested move of a record (openapi.yaml,
// TransitionRequest). Pointers are fields the client left out.
type TransitionRequest struct {
	To                    string
	Reason                string
	ApprovedUSD           *int64
	ApprovedFundingSource *string
	TargetCloseDate       *string // YYYY-MM-DD
}

// AwardPool is the pool an approval awards: the one AWS downgraded the
// award to, if the request names one, or else the record's own pool.
func (r TransitionRequest) AwardPool(recordPool string) string {
	if r.ApprovedFundingSource != nil {
		return *r.ApprovedFundingSource
	}
	return recordPool
}

// TransitionRecord is what the transition rules need to know about the
// record being moved and what surrounds it. Storage reads it under lock.
type TransitionRecord struct {
	State         string
	FundingSource string
	RequestedUSD  int64
	Fields        RecordFields
	// Tier is the partner's tier now, not when it filed the record.
	Tier string
	// AssignmentStatus is the status of the record's assignment: whether
	// the partner still holds the engagement.
	AssignmentStatus string
	// OtherApprovedUSD is the sum of the awards on the customer's other
	// records (SumForCeiling). Only an approval reads it.
	OtherApprovedUSD int64
}

// CheckTransitionRequest decides whether rec may make the move req asks
// for, applying the rules in the order a client should hear about them:
//
//  1. the state machine (invalid_transition, 409);
//  2. for a forward move, the engagement: only the partner holding the
//     accepted (or completed) assignment may move the record forward, or
//     a released one closing out its award (CloseOutAfterRelease); only a
//     holder may change the target close date (duplicate_filing, 409);
//  3. for a forward move, the tier's right to the pool (tier_not_permitted,
//     403);
//  4. the request's own fields (validation_failed, 422, naming every bad
//     field): a reason where RequiresReason says so and within the text
//     rule wherever given, approved_usd exactly when approving, a known
//     approved_funding_source, a target_close_date written YYYY-MM-DD;
//  5. submission: every field the pool needs (incomplete_record, 422);
//  6. approval: the award within its pool's range and the request
//     (amount_out_of_range, 422) and under the stacked ceiling
//     (stack_ceiling_exceeded, 422).
//
// It returns nil when the move may go ahead.
func CheckTransitionRequest(rec TransitionRecord, req TransitionRequest) error {
	if err := CheckTransition(rec.State, req.To); err != nil {
		return err
	}
	if IsForward(rec.State, req.To) {
		held := rec.AssignmentStatus == domain.AssignmentAccepted || rec.AssignmentStatus == domain.AssignmentCompleted
		closingOut := rec.AssignmentStatus == domain.AssignmentReleased && CloseOutAfterRelease(rec.State, req.To)
		if !held && !closingOut {
			return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may move records for this customer")
		}
		if !held && req.TargetCloseDate != nil {
			return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may edit records for this customer")
		}
	}
	if err := CheckMove(rec.Tier, rec.FundingSource, rec.State, req.To); err != nil {
		return err
	}
	if err := checkTransitionFields(req); err != nil {
		return err
	}
	switch req.To {
	case StateSubmitted:
		return MissingForSubmission(rec.FundingSource, rec.RequestedUSD, rec.Fields)
	case StateApproved:
		if err := CheckAward(rec.RequestedUSD, req.AwardPool(rec.FundingSource), *req.ApprovedUSD); err != nil {
			return err
		}
		return CheckApprovalCeiling(rec.OtherApprovedUSD, *req.ApprovedUSD)
	}
	return nil
}

// checkTransitionFields applies the rules on the request's own fields,
// naming every bad one at once.
func checkTransitionFields(req TransitionRequest) error {
	var pr domain.FieldCheck
	if RequiresReason(req.To) {
		domain.CheckReason(&pr, "reason", req.Reason)
	} else {
		domain.CheckOptionalReason(&pr, "reason", req.Reason)
	}
	// The award belongs to the approval: given on another move it would be
	// silently dropped, so it is refused instead.
	if req.To != StateApproved && (req.ApprovedUSD != nil || req.ApprovedFundingSource != nil) {
		pr.Add("approved_usd", "is only given when moving to approved")
	}
	if req.To == StateApproved && req.ApprovedUSD == nil {
		pr.Add("approved_usd", "is required to approve a record")
	}
	if req.ApprovedFundingSource != nil && !domain.OneOf(*req.ApprovedFundingSource, domain.FundingSources) {
		pr.Add("approved_funding_source", "must be one of the funding sources")
	}
	if req.TargetCloseDate != nil {
		if _, err := time.Parse("2006-01-02", *req.TargetCloseDate); err != nil {
			pr.Add("target_close_date", "must be a date YYYY-MM-DD")
		}
	}
	return pr.Err(domain.ECodeValidation, "the transition has invalid fields")
}

// TransitionWarnings are the warnings an allowed move carries: on
// submission, the plausibility flag when the request is large against the
// projected spend (PlausibilityWarning). They never refuse the move.
func TransitionWarnings(rec TransitionRecord, req TransitionRequest) []string {
	if req.To != StateSubmitted {
		return nil
	}
	if w := PlausibilityWarning(rec.RequestedUSD, MonthlySpendUSD(rec.Fields)); w != "" {
		return []string{w}
	}
	return nil
}
