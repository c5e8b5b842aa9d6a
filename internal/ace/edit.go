package ace

import (
	"slices"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// MergeFields applies patch to base and returns the result; neither input is
// modified, though the result shares pointers and slices with them, so treat
// all three as read-only. A field given in patch (a non-nil pointer or slice)
// replaces the one in base. The nested objects technical_contact,
// business_contact, last_round and poc_plan merge field by field, so a
// partner can fill a contact's email after its name; the lists
// projected_monthly_spend and poc_plan.budget_items are replaced whole. A
// patch cannot remove a field (JSON null reads as "not given"); sending a
// blank string makes a text field count as not given again.
func MergeFields(base, patch RecordFields) RecordFields {
	out := base
	over(&out.CompanyName, patch.CompanyName)
	over(&out.Website, patch.Website)
	over(&out.UseCase, patch.UseCase)
	if patch.ProjectedMonthlySpend != nil {
		out.ProjectedMonthlySpend = patch.ProjectedMonthlySpend
	}
	over(&out.EngagementType, patch.EngagementType)
	over(&out.EstimatedAnnualSpendUSD, patch.EstimatedAnnualSpendUSD)
	over(&out.PartnerRole, patch.PartnerRole)
	over(&out.AWSAccountID, patch.AWSAccountID)
	over(&out.NewAccountPlaceholder, patch.NewAccountPlaceholder)
	over(&out.FundingStage, patch.FundingStage)
	over(&out.EngagementStartDate, patch.EngagementStartDate)
	over(&out.GoLiveDate, patch.GoLiveDate)
	over(&out.Vertical, patch.Vertical)
	over(&out.CompetingCloud, patch.CompetingCloud)
	out.TechnicalContact = mergeContact(base.TechnicalContact, patch.TechnicalContact)
	out.BusinessContact = mergeContact(base.BusinessContact, patch.BusinessContact)
	if p := patch.LastRound; p != nil {
		r := Round{}
		if base.LastRound != nil {
			r = *base.LastRound
		}
		over(&r.Round, p.Round)
		over(&r.AmountUSD, p.AmountUSD)
		over(&r.LeadInvestor, p.LeadInvestor)
		over(&r.ClosedOn, p.ClosedOn)
		out.LastRound = &r
	}
	if p := patch.POCPlan; p != nil {
		plan := POCPlan{}
		if base.POCPlan != nil {
			plan = *base.POCPlan
		}
		over(&plan.ModelChoice, p.ModelChoice)
		over(&plan.EvaluationMethod, p.EvaluationMethod)
		if p.BudgetItems != nil {
			plan.BudgetItems = p.BudgetItems
		}
		out.POCPlan = &plan
	}
	over(&out.TargetCloseDate, patch.TargetCloseDate)
	return out
}

func over[T any](dst **T, src *T) {
	if src != nil {
		*dst = src
	}
}

func mergeContact(base, patch *Contact) *Contact {
	if patch == nil {
		return base
	}
	c := Contact{}
	if base != nil {
		c = *base
	}
	over(&c.Name, patch.Name)
	over(&c.Email, patch.Email)
	return &c
}

// FieldNames are the JSON names of the top-level fields of RecordFields, in
// declaration order.
var FieldNames = []string{
	"company_name", "website", "use_case", "projected_monthly_spend",
	"engagement_type", "estimated_annual_spend_usd", "partner_role",
	"aws_account_id", "new_account_placeholder", "funding_stage",
	"engagement_start_date", "go_live_date", "vertical", "competing_cloud",
	"technical_contact", "business_contact", "last_round", "poc_plan",
	"target_close_date",
}

// SetFields returns the JSON names of the top-level fields given in f (a
// non-nil pointer or slice), in declaration order.
func (f RecordFields) SetFields() []string {
	set := []bool{
		f.CompanyName != nil, f.Website != nil, f.UseCase != nil, f.ProjectedMonthlySpend != nil,
		f.EngagementType != nil, f.EstimatedAnnualSpendUSD != nil, f.PartnerRole != nil,
		f.AWSAccountID != nil, f.NewAccountPlaceholder != nil, f.FundingStage != nil,
		f.EngagementStartDate != nil, f.GoLiveDate != nil, f.Vertical != nil, f.CompetingCloud != nil,
		f.TechnicalContact != nil, f.BusinessContact != nil, f.LastRound != nil, f.POCPlan != nil,
		f.TargetCloseDate != nil,
	}
	var names []string
	for i, ok := range set {
		if ok {
			names = append(names, FieldNames[i])
		}
	}
	return names
}

// EditableAfterSubmission maps each state after identified to the JSON
// names of the fields a partner may still change in it (while identified,
// every field is editable; in closed, rejected and withdrawn nothing is).
// Everything the AWS reviewer judges (the use case, the spend, the amounts'
// justification, the account, the round, the POC plan) freezes when the
// record is submitted, so that what CloudRoute stores is what AWS reviewed.
// What stays open is what changes in the life of a real engagement without
// changing the request:
//   - submitted, validated: the contacts (the reviewer's clarifying questions
//     go to them, and people leave), partner_role (reviewers ask partners to
//     sharpen it) and target_close_date;
//   - approved, launched: only target_close_date, against which the
//     pipeline-hygiene flags close_date_expired and outcome_missing are
//     measured, and which a partner must be able to move honestly.
//
// Read it through EditableFields; do not modify it.
var EditableAfterSubmission = map[string][]string{
	StateSubmitted: {"partner_role", "technical_contact", "business_contact", "target_close_date"},
	StateValidated: {"partner_role", "technical_contact", "business_contact", "target_close_date"},
	StateApproved:  {"target_close_date"},
	StateLaunched:  {"target_close_date"},
}

// EditableFields returns the JSON names of the fields a partner may change
// on a record in state: all of FieldNames while identified, the list in
// EditableAfterSubmission afterwards, and none in a terminal or unknown
// state.
func EditableFields(state string) []string {
	if state == StateIdentified {
		return slices.Clone(FieldNames)
	}
	return slices.Clone(EditableAfterSubmission[state])
}

// CheckEdit decides whether patch may be applied to a record in state. A
// terminal (or unknown) state refuses any edit with invalid_transition (409),
// since the record's life is over. Otherwise every given field that is
// locked in state is named in one validation_failed error (422). CheckEdit
// does not check the values themselves: run ValidateFields on the merged
// result.
func CheckEdit(state string, patch RecordFields) error {
	if !IsOpen(state) {
		return domain.Errorf(domain.ECodeInvalidTransition, "a %s record cannot be edited", state)
	}
	editable := EditableFields(state)
	var pr domain.FieldCheck
	for _, name := range patch.SetFields() {
		if !slices.Contains(editable, name) {
			pr.Add(name, "cannot be changed once the record is %s", state)
		}
	}
	return pr.Err(domain.ECodeValidation, "the patch changes fields that are locked in state "+state)
}
