package routing

import "github.com/cloudroute/cloudroute/internal/domain"

// WaitsForRouting reports whether routing runs for an intake in this
// status: just received, being re-routed, or waiting in the unroutable
// queue. Any other intake has a partner, a proposal an admin must review,
// or has ended, and routing leaves it alone.
func WaitsForRouting(intakeStatus string) bool {
	switch intakeStatus {
	case domain.IntakeReceived, domain.IntakeRouting, domain.IntakeUnroutable:
		return true
	}
	return false
}

// Assignable is what an admin's choice of partner for an intake is checked
// against. Storage reads it with the intake and partner rows locked.
type Assignable struct {
	PartnerTier   string
	PartnerStatus string // active or paused
	// PreviouslyAssigned is whether this partner had this intake before,
	// in any status.
	PreviouslyAssigned bool
	IntakeStatus       string
	// HasActiveAssignment is whether the intake is offered to, or accepted
	// by, a partner now.
	HasActiveAssignment bool
}

// CheckAssignable decides whether an admin may offer the intake to the
// partner (POST /v1/admin/intakes/{id}/assign). An admin overrides the
// ranking, so a partner below the threshold, or one the filters of rule 1
// would drop for region, capacity or exclusions, may be chosen; what it
// cannot override is the first cut (a routable tier, not paused), the
// rule that an intake never goes back to a partner it had, and the state
// of the intake: waiting for a partner (WaitsForRouting, or a review
// proposal) with none active.
//
// It returns validation_failed naming partner_id for the partner's faults,
// invalid_transition for an intake not waiting, and conflict for an
// intake already offered or engaged, in that order of checks.
func CheckAssignable(a Assignable) error {
	partnerFault := func(message, detail string) error {
		return &domain.Error{Code: domain.ECodeValidation, Message: message,
			Fields: []domain.FieldError{{Field: "partner_id", Message: detail}}}
	}
	if !domain.IsRoutableTier(a.PartnerTier) {
		return partnerFault("only advanced and premier partners can be assigned", "the partner's tier is "+a.PartnerTier)
	}
	if a.PartnerStatus != "active" {
		return partnerFault("the partner is paused", "the partner is paused")
	}
	if !WaitsForRouting(a.IntakeStatus) && a.IntakeStatus != domain.IntakePendingReview {
		return domain.Errorf(domain.ECodeInvalidTransition, "the intake is %s; it is not waiting for a partner", a.IntakeStatus)
	}
	if a.HasActiveAssignment {
		return domain.Errorf(domain.ECodeConflict, "the intake already has an active assignment")
	}
	if a.PreviouslyAssigned {
		return partnerFault("the partner already had this intake", "was already assigned this intake")
	}
	return nil
}
