package form

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// The ACE record editor's form. Its controls are named by the JSON paths of
// ace.RecordFields ("technical_contact.email",
// "projected_monthly_spend[1].usd"), the very paths the rules name in their
// errors, so a message lands next to its control without a mapping. The
// form sends only the fields the record's state lets the partner edit
// (ace.EditableFields), as a patch; the rules check the values.

// Record form control names beside the record's fields.
const (
	RequestedUSD = "requested_usd"
	// recordSpendLines and recordBudgetLines are the empty lines offered
	// below those already filled in.
	recordSpendLines  = 2
	recordBudgetLines = 2
)

// SpendPath and BudgetPath name the controls of line i of the projected
// spend and of the POC budget: SpendPath(1, "usd") is
// "projected_monthly_spend[1].usd".
func SpendPath(i int, leaf string) string {
	return fmt.Sprintf("projected_monthly_spend[%d].%s", i, leaf)
}

// BudgetPath names the controls of line i of the POC budget.
func BudgetPath(i int, leaf string) string {
	return fmt.Sprintf("poc_plan.budget_items[%d].%s", i, leaf)
}

// RecordValues are the controls' values for a record's fields, to fill the
// form with, and how many spend and budget lines it shows.
func RecordValues(f ace.RecordFields, requestedUSD int64) (v url.Values, spendLines, budgetLines int) {
	v = url.Values{}
	s := func(name string, p *string) {
		if p != nil {
			v.Set(name, *p)
		}
	}
	n := func(name string, p *int64) {
		if p != nil {
			v.Set(name, strconv.FormatInt(*p, 10))
		}
	}
	v.Set(RequestedUSD, strconv.FormatInt(requestedUSD, 10))
	s("company_name", f.CompanyName)
	s("website", f.Website)
	s("use_case", f.UseCase)
	for i, l := range f.ProjectedMonthlySpend {
		v.Set(SpendPath(i, "service"), l.Service)
		v.Set(SpendPath(i, "usd"), strconv.FormatInt(l.USD, 10))
	}
	s("engagement_type", f.EngagementType)
	n("estimated_annual_spend_usd", f.EstimatedAnnualSpendUSD)
	s("partner_role", f.PartnerRole)
	s("aws_account_id", f.AWSAccountID)
	if f.NewAccountPlaceholder != nil && *f.NewAccountPlaceholder {
		v.Set("new_account_placeholder", "yes")
	}
	s("funding_stage", f.FundingStage)
	s("engagement_start_date", f.EngagementStartDate)
	s("go_live_date", f.GoLiveDate)
	s("vertical", f.Vertical)
	s("competing_cloud", f.CompetingCloud)
	if c := f.TechnicalContact; c != nil {
		s("technical_contact.name", c.Name)
		s("technical_contact.email", c.Email)
	}
	if c := f.BusinessContact; c != nil {
		s("business_contact.name", c.Name)
		s("business_contact.email", c.Email)
	}
	if r := f.LastRound; r != nil {
		s("last_round.round", r.Round)
		n("last_round.amount_usd", r.AmountUSD)
		s("last_round.lead_investor", r.LeadInvestor)
		s("last_round.closed_on", r.ClosedOn)
	}
	budget := 0
	if p := f.POCPlan; p != nil {
		s("poc_plan.model_choice", p.ModelChoice)
		s("poc_plan.evaluation_method", p.EvaluationMethod)
		for i, it := range p.BudgetItems {
			v.Set(BudgetPath(i, "description"), it.Description)
			v.Set(BudgetPath(i, "usd"), strconv.FormatInt(it.USD, 10))
		}
		budget = len(p.BudgetItems)
	}
	s("target_close_date", f.TargetCloseDate)
	return v, len(f.ProjectedMonthlySpend) + recordSpendLines, budget + recordBudgetLines
}

// LinesShown is how many lines of a list the form shows again after a
// post: every line up to the last one filled in, plus the empty ones.
func LinesShown(v url.Values, path func(int, string) string, leaves ...string) int {
	last := -1
	for i := 0; i < maxRecordLines; i++ {
		for _, leaf := range leaves {
			if strings.TrimSpace(v.Get(path(i, leaf))) != "" {
				last = i
			}
		}
	}
	return last + 1 + 2
}

// maxRecordLines bounds the lines read from a post; the rules allow 50.
const maxRecordLines = 60

// RecordPatch reads the editor's post into a patch of the fields editable
// lists (the record's ace.EditableFields) and, when the amount may change,
// the requested amount. Text is kept as typed, a blank standing for "not
// given"; an amount that is not a whole number is named in bad (with the
// rules' wording) and left out, so the rules never see a made-up value.
func RecordPatch(v url.Values, editable []string, amountEditable bool) (patch ace.RecordFields, requestedUSD *int64, bad []domain.FieldError) {
	can := func(name string) bool { return slices.Contains(editable, name) }
	str := func(name string) *string {
		s := clip(v.Get(name))
		return &s
	}
	num := func(name string) *int64 {
		s := strings.TrimSpace(v.Get(name))
		if s == "" {
			return nil
		}
		n, err := parseWholeUSD(s)
		if err != nil {
			bad = append(bad, domain.FieldError{Field: name, Message: "must be a whole number of USD"})
			return nil
		}
		return &n
	}
	if amountEditable {
		requestedUSD = num(RequestedUSD)
	}
	if can("company_name") {
		patch.CompanyName = str("company_name")
	}
	if can("website") {
		patch.Website = str("website")
	}
	if can("use_case") {
		patch.UseCase = str("use_case")
	}
	if can("projected_monthly_spend") {
		patch.ProjectedMonthlySpend = []ace.SpendLine{}
		for i := 0; i < maxRecordLines; i++ {
			svc := strings.TrimSpace(v.Get(SpendPath(i, "service")))
			amount := strings.TrimSpace(v.Get(SpendPath(i, "usd")))
			if svc == "" && amount == "" {
				continue
			}
			line := ace.SpendLine{Service: clip(svc)}
			if p := num(SpendPath(i, "usd")); p != nil {
				line.USD = *p
			}
			patch.ProjectedMonthlySpend = append(patch.ProjectedMonthlySpend, line)
		}
	}
	if can("engagement_type") {
		patch.EngagementType = str("engagement_type")
	}
	if can("estimated_annual_spend_usd") {
		patch.EstimatedAnnualSpendUSD = num("estimated_annual_spend_usd")
	}
	if can("partner_role") {
		patch.PartnerRole = str("partner_role")
	}
	if can("aws_account_id") {
		patch.AWSAccountID = str("aws_account_id")
	}
	if can("new_account_placeholder") {
		b := v.Get("new_account_placeholder") == "yes"
		patch.NewAccountPlaceholder = &b
	}
	if can("funding_stage") {
		patch.FundingStage = str("funding_stage")
	}
	if can("engagement_start_date") {
		patch.EngagementStartDate = str("engagement_start_date")
	}
	if can("go_live_date") {
		patch.GoLiveDate = str("go_live_date")
	}
	if can("vertical") {
		patch.Vertical = str("vertical")
	}
	if can("competing_cloud") {
		patch.CompetingCloud = str("competing_cloud")
	}
	if can("technical_contact") {
		patch.TechnicalContact = &ace.Contact{Name: str("technical_contact.name"), Email: str("technical_contact.email")}
	}
	if can("business_contact") {
		patch.BusinessContact = &ace.Contact{Name: str("business_contact.name"), Email: str("business_contact.email")}
	}
	if can("last_round") {
		patch.LastRound = &ace.Round{Round: str("last_round.round"), AmountUSD: num("last_round.amount_usd"),
			LeadInvestor: str("last_round.lead_investor"), ClosedOn: str("last_round.closed_on")}
	}
	if can("poc_plan") {
		plan := &ace.POCPlan{ModelChoice: str("poc_plan.model_choice"), EvaluationMethod: str("poc_plan.evaluation_method"),
			BudgetItems: []ace.BudgetItem{}}
		for i := 0; i < maxRecordLines; i++ {
			desc := strings.TrimSpace(v.Get(BudgetPath(i, "description")))
			amount := strings.TrimSpace(v.Get(BudgetPath(i, "usd")))
			if desc == "" && amount == "" {
				continue
			}
			it := ace.BudgetItem{Description: clip(desc)}
			if p := num(BudgetPath(i, "usd")); p != nil {
				it.USD = *p
			}
			plan.BudgetItems = append(plan.BudgetItems, it)
		}
		patch.POCPlan = plan
	}
	if can("target_close_date") {
		patch.TargetCloseDate = str("target_close_date")
	}
	return patch, requestedUSD, bad
}

// WholeUSD reads an amount typed as a whole number of USD, allowing
// "25,000", "$25,000" or "25 000 USD"; ok is false for anything else.
func WholeUSD(s string) (int64, bool) {
	n, err := parseWholeUSD(strings.TrimSpace(s))
	return n, err == nil
}

func parseWholeUSD(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.ToUpper(s)), "USD"))
	s = strings.TrimPrefix(s, "$")
	s = strings.NewReplacer(",", "", " ", "", "\u00a0", "").Replace(s)
	if s == "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}
