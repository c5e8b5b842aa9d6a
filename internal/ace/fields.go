package ace

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// RecordFields are the customer- and partner-facing fields of an ACE
// opportunity record (seed 002 §VII). Every field is optional, so that a
// partner can save a draft in pieces: a nil pointer or nil slice means "not
// given", and so does a blank string. The same type serves as a patch (see
// MergeFields) and is stored as one JSON document. Amounts are whole USD;
// dates are "YYYY-MM-DD" strings. The funding pool and the requested amount
// are columns of the record, not fields here.
type RecordFields struct {
	CompanyName *string `json:"company_name,omitzero"`
	Website     *string `json:"website,omitzero"`
	// UseCase is the narrative the reviewer reads: at least 100 characters
	// at submission.
	UseCase *string `json:"use_case,omitzero"`
	// ProjectedMonthlySpend itemises the expected AWS bill by service; the
	// reviewer's main plausibility check of the amount requested.
	ProjectedMonthlySpend []SpendLine `json:"projected_monthly_spend,omitzero"`
	EngagementType        *string     `json:"engagement_type,omitzero"` // domain.EngagementTypes
	// EstimatedAnnualSpendUSD is the yearly AWS spend expected once the
	// credits run out.
	EstimatedAnnualSpendUSD *int64  `json:"estimated_annual_spend_usd,omitzero"`
	PartnerRole             *string `json:"partner_role,omitzero"` // what the partner contributes
	// AWSAccountID is the customer's 12-digit account; a customer getting a
	// new account sets NewAccountPlaceholder instead. Giving both is refused.
	AWSAccountID          *string  `json:"aws_account_id,omitzero"`
	NewAccountPlaceholder *bool    `json:"new_account_placeholder,omitzero"`
	FundingStage          *string  `json:"funding_stage,omitzero"` // domain.Stages
	EngagementStartDate   *string  `json:"engagement_start_date,omitzero"`
	GoLiveDate            *string  `json:"go_live_date,omitzero"`    // not before EngagementStartDate
	Vertical              *string  `json:"vertical,omitzero"`        // domain.Verticals
	CompetingCloud        *string  `json:"competing_cloud,omitzero"` // domain.CompetingClouds
	TechnicalContact      *Contact `json:"technical_contact,omitzero"`
	BusinessContact       *Contact `json:"business_contact,omitzero"`
	// LastRound is the institutional vouch that portfolio requires.
	LastRound *Round `json:"last_round,omitzero"`
	// POCPlan is required by bedrock_poc.
	POCPlan *POCPlan `json:"poc_plan,omitzero"`
	// TargetCloseDate drives the pipeline-hygiene flags; optional.
	TargetCloseDate *string `json:"target_close_date,omitzero"`
}

// SpendLine is one line of projected monthly AWS spend.
type SpendLine struct {
	Service string `json:"service"` // e.g. "EC2", "Bedrock"
	USD     int64  `json:"usd"`
}

// Contact is a person at the customer.
type Contact struct {
	Name  *string `json:"name,omitzero"`
	Email *string `json:"email,omitzero"`
}

// Round is the customer's most recent funding round.
type Round struct {
	Round        *string `json:"round,omitzero"` // domain.Stages
	AmountUSD    *int64  `json:"amount_usd,omitzero"`
	LeadInvestor *string `json:"lead_investor,omitzero"`
	ClosedOn     *string `json:"closed_on,omitzero"`
}

// POCPlan is the Bedrock proof-of-concept plan.
type POCPlan struct {
	ModelChoice      *string      `json:"model_choice,omitzero"`
	EvaluationMethod *string      `json:"evaluation_method,omitzero"`
	BudgetItems      []BudgetItem `json:"budget_items,omitzero"`
}

// BudgetItem is one line of a POC budget.
type BudgetItem struct {
	Description string `json:"description"`
	USD         int64  `json:"usd"`
}

// Shape limits. They bound what one record may hold, so that sums of
// amounts cannot overflow and a document stays small.
const (
	MinUseCaseChars = 100               // at submission
	MaxUSD          = 1_000_000_000_000 // any single amount in the fields
	maxLines        = 50                // spend lines, budget items
	maxShortText    = 200
	maxLongText     = 10_000
	maxURL          = 2048
	maxEmail        = 254
)

// ValidateFields checks the shape of whatever fields are given, as it must
// hold at every save, draft or not: values from the fixed sets, well-formed
// dates with go-live not before start, a 12-digit account ID (and not
// together with the placeholder flag), positive spend and budget lines,
// email syntax, length limits, and on every string, the coded ones
// included, the text rule of domain.CheckText (no NUL or other control
// character, no bidi control; line breaks only in use_case, partner_role and
// poc_plan.evaluation_method). Fields not given are not checked; whether
// they are needed is MissingForSubmission's question. It reports every bad
// field at once as validation_failed.
func ValidateFields(f RecordFields) error {
	var pr domain.FieldCheck
	text(&pr, "company_name", f.CompanyName, maxShortText, false)
	// The text rule first: validWebsite would let a bidi control through in
	// the host.
	if text(&pr, "website", f.Website, maxURL, false) && given(f.Website) && !validWebsite(*f.Website) {
		pr.Add("website", "must be a web address such as example.com")
	}
	text(&pr, "use_case", f.UseCase, maxLongText, true)
	lines(&pr, "projected_monthly_spend", "service", len(f.ProjectedMonthlySpend), func(i int) (string, int64) {
		return f.ProjectedMonthlySpend[i].Service, f.ProjectedMonthlySpend[i].USD
	})
	oneOf(&pr, "engagement_type", f.EngagementType, domain.EngagementTypes)
	if f.EstimatedAnnualSpendUSD != nil && (*f.EstimatedAnnualSpendUSD < 0 || *f.EstimatedAnnualSpendUSD > MaxUSD) {
		pr.Add("estimated_annual_spend_usd", "must be between 0 and %d", int64(MaxUSD))
	}
	text(&pr, "partner_role", f.PartnerRole, maxLongText, true)
	if coded(&pr, "aws_account_id", f.AWSAccountID) && given(f.AWSAccountID) {
		if !isAccountID(*f.AWSAccountID) {
			pr.Add("aws_account_id", "must be exactly 12 digits")
		} else if f.NewAccountPlaceholder != nil && *f.NewAccountPlaceholder {
			pr.Add("new_account_placeholder", "must not be true when aws_account_id is given")
		}
	}
	oneOf(&pr, "funding_stage", f.FundingStage, domain.Stages)
	start := date(&pr, "engagement_start_date", f.EngagementStartDate)
	goLive := date(&pr, "go_live_date", f.GoLiveDate)
	if !start.IsZero() && !goLive.IsZero() && goLive.Before(start) {
		pr.Add("go_live_date", "must not be before engagement_start_date")
	}
	oneOf(&pr, "vertical", f.Vertical, domain.Verticals)
	oneOf(&pr, "competing_cloud", f.CompetingCloud, domain.CompetingClouds)
	contact(&pr, "technical_contact", f.TechnicalContact)
	contact(&pr, "business_contact", f.BusinessContact)
	if r := f.LastRound; r != nil {
		oneOf(&pr, "last_round.round", r.Round, domain.Stages)
		if r.AmountUSD != nil && (*r.AmountUSD <= 0 || *r.AmountUSD > MaxUSD) {
			pr.Add("last_round.amount_usd", "must be between 1 and %d", int64(MaxUSD))
		}
		text(&pr, "last_round.lead_investor", r.LeadInvestor, maxShortText, false)
		date(&pr, "last_round.closed_on", r.ClosedOn)
	}
	if p := f.POCPlan; p != nil {
		text(&pr, "poc_plan.model_choice", p.ModelChoice, maxShortText, false)
		text(&pr, "poc_plan.evaluation_method", p.EvaluationMethod, maxLongText, true)
		lines(&pr, "poc_plan.budget_items", "description", len(p.BudgetItems), func(i int) (string, int64) {
			return p.BudgetItems[i].Description, p.BudgetItems[i].USD
		})
	}
	date(&pr, "target_close_date", f.TargetCloseDate)
	return pr.Err(domain.ECodeValidation, "the record has invalid fields")
}

// MissingForSubmission lists, as one incomplete_record error, every field
// that pool's records need before they move from identified to submitted,
// and nil when nothing is missing. It assumes the fields passed
// ValidateFields when they were saved; it judges presence and sufficiency,
// not syntax. Field paths name the leaf that is missing, for example
// "technical_contact.email" or "poc_plan.budget_items".
//
//   - Every pool: company_name, website, use_case (at least MinUseCaseChars
//     characters), projected_monthly_spend (at least one line, each above 0),
//     engagement_type, estimated_annual_spend_usd, partner_role,
//     aws_account_id (or new_account_placeholder true), funding_stage,
//     engagement_start_date, go_live_date, vertical, competing_cloud, and
//     name and email of technical_contact and business_contact.
//   - portfolio: last_round.round and last_round.lead_investor.
//   - bedrock_poc: poc_plan.model_choice, poc_plan.evaluation_method and
//     poc_plan.budget_items, whose lines must sum to no more than
//     requestedUSD.
//   - a migrate engagement, or pool map: competing_cloud other than "none".
//
// An unknown pool is validation_failed naming funding_source.
func MissingForSubmission(pool string, requestedUSD int64, f RecordFields) error {
	if !domain.OneOf(pool, domain.FundingSources) {
		return fieldError(domain.ECodeValidation, "funding_source", "must be one of "+strings.Join(domain.FundingSources, ", "))
	}
	var pr domain.FieldCheck
	need := func(field string, p *string) {
		if !given(p) {
			pr.Add(field, "is required")
		}
	}
	need("company_name", f.CompanyName)
	need("website", f.Website)
	if !given(f.UseCase) {
		pr.Add("use_case", "is required (at least %d characters)", MinUseCaseChars)
	} else if n := utf8.RuneCountInString(strings.TrimSpace(*f.UseCase)); n < MinUseCaseChars {
		pr.Add("use_case", "must be at least %d characters (has %d)", MinUseCaseChars, n)
	}
	if len(f.ProjectedMonthlySpend) == 0 {
		pr.Add("projected_monthly_spend", "needs at least one line")
	}
	for i, l := range f.ProjectedMonthlySpend {
		if strings.TrimSpace(l.Service) == "" {
			pr.Add(fmt.Sprintf("projected_monthly_spend[%d].service", i), "is required")
		}
		if l.USD <= 0 {
			pr.Add(fmt.Sprintf("projected_monthly_spend[%d].usd", i), "must be above 0")
		}
	}
	need("engagement_type", f.EngagementType)
	if f.EstimatedAnnualSpendUSD == nil {
		pr.Add("estimated_annual_spend_usd", "is required")
	}
	need("partner_role", f.PartnerRole)
	if !given(f.AWSAccountID) && (f.NewAccountPlaceholder == nil || !*f.NewAccountPlaceholder) {
		pr.Add("aws_account_id", "is required, or set new_account_placeholder for a new account")
	}
	need("funding_stage", f.FundingStage)
	need("engagement_start_date", f.EngagementStartDate)
	need("go_live_date", f.GoLiveDate)
	need("vertical", f.Vertical)
	migrate := given(f.EngagementType) && *f.EngagementType == "migrate"
	switch {
	case !given(f.CompetingCloud):
		pr.Add("competing_cloud", "is required")
	case *f.CompetingCloud == "none" && migrate:
		pr.Add("competing_cloud", "must name the platform the customer migrates from, not none")
	case *f.CompetingCloud == "none" && pool == PoolMAP:
		pr.Add("competing_cloud", "must name the platform the customer migrates from, not none, for map")
	}
	for _, c := range []struct {
		field string
		c     *Contact
	}{{"technical_contact", f.TechnicalContact}, {"business_contact", f.BusinessContact}} {
		var name, email *string
		if c.c != nil {
			name, email = c.c.Name, c.c.Email
		}
		need(c.field+".name", name)
		need(c.field+".email", email)
	}
	switch pool {
	case PoolPortfolio:
		var r Round
		if f.LastRound != nil {
			r = *f.LastRound
		}
		need("last_round.round", r.Round)
		if !given(r.LeadInvestor) {
			pr.Add("last_round.lead_investor", "is required: portfolio needs a named lead investor")
		}
	case PoolBedrockPOC:
		var p POCPlan
		if f.POCPlan != nil {
			p = *f.POCPlan
		}
		need("poc_plan.model_choice", p.ModelChoice)
		need("poc_plan.evaluation_method", p.EvaluationMethod)
		var sum int64
		for i, it := range p.BudgetItems {
			if strings.TrimSpace(it.Description) == "" {
				pr.Add(fmt.Sprintf("poc_plan.budget_items[%d].description", i), "is required")
			}
			if it.USD <= 0 {
				pr.Add(fmt.Sprintf("poc_plan.budget_items[%d].usd", i), "must be above 0")
			}
			sum += it.USD
		}
		switch {
		case len(p.BudgetItems) == 0:
			pr.Add("poc_plan.budget_items", "needs at least one line")
		case sum > requestedUSD:
			pr.Add("poc_plan.budget_items", "sum to %d USD, more than the %d USD requested", sum, requestedUSD)
		}
	}
	return pr.Err(domain.ECodeIncompleteRecord, "the record is missing fields its funding source needs")
}

// PlausibilityFactor is how many months of projected spend a request may
// cover before reviewers treat it as implausible.
const PlausibilityFactor = 24

// MonthlySpendUSD sums the projected monthly spend lines.
func MonthlySpendUSD(f RecordFields) int64 {
	var sum int64
	for _, l := range f.ProjectedMonthlySpend {
		sum += l.USD
	}
	return sum
}

// PlausibilityWarning returns a warning for the response when requestedUSD
// is more than PlausibilityFactor times monthlySpendUSD (see
// MonthlySpendUSD), and "" otherwise. It is advice for the partner, not an
// error: AWS reviewers flag such requests but may still approve them.
func PlausibilityWarning(requestedUSD, monthlySpendUSD int64) string {
	if requestedUSD <= 0 {
		return ""
	}
	// With requested = 24q + r (0 ≤ r < 24), requested > 24m exactly when
	// q > m, or q = m and r > 0. Dividing instead of multiplying means no
	// spend figure can overflow.
	q, r := requestedUSD/PlausibilityFactor, requestedUSD%PlausibilityFactor
	if q > monthlySpendUSD || (q == monthlySpendUSD && r > 0) {
		return fmt.Sprintf("the requested %s USD is more than %d times the projected monthly spend of %s USD; reviewers treat this as a plausibility flag",
			dollars(requestedUSD), PlausibilityFactor, dollars(monthlySpendUSD))
	}
	return ""
}

// coded applies the text rule to an optional coded field (a value from a
// fixed set, a date, an account ID) before its own syntax is checked, so
// that even a blank value, which counts as not given but is stored as sent,
// holds nothing the text rule refuses.
func coded(pr *domain.FieldCheck, field string, p *string) bool {
	return text(pr, field, p, maxShortText, false)
}

// given reports whether an optional string holds something other than
// blanks; a blank string counts as not given everywhere in this package.
func given(p *string) bool { return p != nil && strings.TrimSpace(*p) != "" }

// text checks an optional free-text field by the text rule of
// domain.CheckText, and reports whether it passed; a blank value stands for
// "not given" and passes.
func text(pr *domain.FieldCheck, field string, p *string, limit int, multiline bool) bool {
	return p == nil || domain.CheckText(pr, field, *p, 0, limit, multiline)
}

func oneOf(pr *domain.FieldCheck, field string, p *string, set []string) {
	if !coded(pr, field, p) {
		return
	}
	if given(p) && !domain.OneOf(*p, set) {
		pr.Add(field, "must be one of %s", strings.Join(set, ", "))
	}
}

// date parses an optional YYYY-MM-DD field; the zero time means absent or bad.
func date(pr *domain.FieldCheck, field string, p *string) time.Time {
	if !coded(pr, field, p) || !given(p) {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, *p)
	if err != nil {
		pr.Add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}
	}
	return t
}

func contact(pr *domain.FieldCheck, field string, c *Contact) {
	if c == nil {
		return
	}
	text(pr, field+".name", c.Name, maxShortText, false)
	if text(pr, field+".email", c.Email, maxEmail, false) && given(c.Email) && !domain.ValidEmail(*c.Email) {
		pr.Add(field+".email", "must be an email address")
	}
}

// lines checks a list of (label, amount) lines: bounded length, a label on
// every line, and amounts above 0.
func lines(pr *domain.FieldCheck, field, label string, n int, line func(int) (string, int64)) {
	if n > maxLines {
		pr.Add(field, "must have at most %d lines", maxLines)
		return
	}
	for i := range n {
		l, usd := line(i)
		domain.CheckText(pr, fmt.Sprintf("%s[%d].%s", field, i, label), l, 1, maxShortText, false)
		if usd <= 0 || usd > MaxUSD {
			pr.Add(fmt.Sprintf("%s[%d].usd", field, i), "must be between 1 and %d", int64(MaxUSD))
		}
	}
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validWebsite accepts a bare domain or an http(s) URL whose host has a dot.
// Whether the site resolves is the reviewer's check, not ours.
func validWebsite(s string) bool {
	if len(s) > maxURL || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return false
	}
	h := strings.Trim(u.Hostname(), ".")
	return strings.Contains(h, ".") && !strings.HasPrefix(h, ".")
}
