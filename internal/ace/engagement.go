package ace

// What a record means for the engagement around it: when the customer may
// move on to another partner, and what a partner keeps after its
// engagement was released (docs/operations.md, "Records when an
// engagement ends").

// UnderReview reports whether AWS is reviewing a record in this state. No
// one may move the customer on then: a second partner's filing would make
// AWS reject both (SPEC §3 duplicate-filing protection).
func UnderReview(state string) bool {
	return state == StateSubmitted || state == StateValidated
}

// HoldsFounder reports whether a record in this state keeps the founder
// from re-routing or withdrawing: it is under review, or its award is live
// (approved or launched) and waits for its partner to close it, which is
// what earns the commission. An admin may still release such an
// engagement (see CloseOutAfterRelease).
func HoldsFounder(state string) bool {
	return UnderReview(state) || state == StateApproved || state == StateLaunched
}

// CloseOutAfterRelease reports whether from → to is a move that a partner
// may still make after its engagement was released: launching and closing
// an award it won while it held the engagement. Without it an approved
// record would be stranded: never closed, never accruing commission, and
// blocking its pool for the next partner.
func CloseOutAfterRelease(from, to string) bool {
	return (from == StateApproved && to == StateLaunched) || (from == StateLaunched && to == StateClosed)
}

// WithoutCustomer returns f without what identifies the customer or whom
// to contact, for a partner that may not see them (domain.PartnerSeesCustomer).
func WithoutCustomer(f RecordFields) RecordFields {
	f.CompanyName, f.Website, f.AWSAccountID = nil, nil, nil
	f.TechnicalContact, f.BusinessContact = nil, nil
	if f.LastRound != nil {
		r := *f.LastRound
		r.LeadInvestor = nil
		f.LastRound = &r
	}
	return f
}
