package intake

import (
	"fmt"
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Limits of the intake form. They are part of the public contract
// (openapi.yaml) and of the validation messages.
const (
	MaxCompanyNameLen   = 200
	MaxRoundLen         = 100
	MaxLeadInvestorLen  = 200
	MaxRoundAmountUSD   = 10_000_000_000
	MinTeamSize         = 1
	MaxTeamSize         = 100_000
	MaxSpendLines       = 50
	MaxSpendLineUSD     = 100_000_000
	MinUseCaseLen       = 20
	MaxUseCaseLen       = 5000
	MaxFundingSources   = 5
	MaxContactNameLen   = 200
	closedOnLayout      = "2006-01-02"
	earliestClosedOn    = "1900-01-01"
	awsAccountIDLen     = 12
	validationMessage   = "the intake has invalid fields"
	latestUTCOffsetHour = 14 // UTC+14 (Kiribati), where "today" starts first
)

// Validate checks every field of b against the rules of the intake form and
// returns nil, or a *domain.Error with code validation_failed listing every
// bad field at once. Field paths follow the JSON: "technical_contact.email",
// "projected_monthly_spend[1].usd", "requested_funding_sources[0]".
// now is the caller's clock: last_round.closed_on must
// not be later than the date at now. A founder's "today" is accepted in every
// time zone, so the bound is the calendar date at UTC+14.
func Validate(b Body, now time.Time) error {
	var p domain.FieldCheck

	domain.CheckText(&p, "company_name", b.CompanyName, 1, MaxCompanyNameLen, false)

	// normalizeDomain also bounds the length (2048) and reports "is required".
	if _, reason := normalizeDomain(b.Website); reason != "" {
		p.Add("website", "%s", reason)
	}

	CheckAxis(&p, "stage", b.Stage)
	switch {
	case b.LastRound != nil:
		checkRound(&p, *b.LastRound, now)
	case b.Stage != "pre_seed" && domain.OneOf(b.Stage, domain.Stages):
		p.Add("last_round", "is required when stage is %s (it is optional only for pre_seed)", b.Stage)
	}
	CheckAxis(&p, "region", b.Region)
	CheckAxis(&p, "vertical", b.Vertical)
	CheckAxis(&p, "service_profile", b.ServiceProfile)
	CheckAxis(&p, "engagement_type", b.EngagementType)

	switch {
	case b.TeamSize == nil:
		p.Add("team_size", "is required")
	case *b.TeamSize < MinTeamSize || *b.TeamSize > MaxTeamSize:
		p.Add("team_size", "must be between %d and %d", MinTeamSize, MaxTeamSize)
	}

	checkSpend(&p, b.ProjectedMonthlySpend)
	domain.CheckText(&p, "use_case", b.UseCase, MinUseCaseLen, MaxUseCaseLen, true)
	checkEnum(&p, "competing_cloud", b.CompetingCloud, domain.CompetingClouds)

	if b.AWSAccountID != nil {
		if id := *b.AWSAccountID; len(id) != awsAccountIDLen || !allDigits(id) {
			p.Add("aws_account_id", "must be exactly 12 digits; omit it or send null when unknown")
		}
	}

	checkFundingSources(&p, b.RequestedFundingSources)
	checkContact(&p, "technical_contact", b.TechnicalContact)
	checkContact(&p, "business_contact", b.BusinessContact)

	switch {
	case b.ConsentToShare == nil:
		p.Add("consent_to_share", "is required")
	case !*b.ConsentToShare:
		p.Add("consent_to_share", "must be true: the partner needs the founder's consent to see the intake")
	}

	return p.Err(domain.ECodeValidation, validationMessage)
}

// CheckAxis records on p a bad value of one routing axis (domain.Axes),
// naming the field after the axis as JSON does: a blank value "is
// required", any other outside domain.AxisValues[axis] "must be one of"
// the set. The intake form and the admins' routing preview both hold their
// axes to it.
func CheckAxis(p *domain.FieldCheck, axis, v string) {
	checkEnum(p, axis, v, domain.AxisValues[axis])
}

// CheckFundingSource records on p, under field, a requested funding source
// that is not one of domain.FundingSources, and reports whether s passed.
// The form (which also wants at least one, and no repeats) and the routing
// preview (where pools are optional) share it.
func CheckFundingSource(p *domain.FieldCheck, field, s string) bool {
	if !domain.OneOf(s, domain.FundingSources) {
		p.Add(field, "must be one of %s", strings.Join(domain.FundingSources, ", "))
		return false
	}
	return true
}

func checkEnum(p *domain.FieldCheck, field, v string, set []string) {
	switch {
	case v == "":
		p.Add(field, "is required")
	case !domain.OneOf(v, set):
		p.Add(field, "must be one of %s", strings.Join(set, ", "))
	}
}

func checkRound(p *domain.FieldCheck, r Round, now time.Time) {
	domain.CheckText(p, "last_round.round", r.Round, 1, MaxRoundLen, false)
	switch {
	case r.AmountUSD <= 0:
		p.Add("last_round.amount_usd", "must be a positive whole number of USD")
	case r.AmountUSD > MaxRoundAmountUSD:
		p.Add("last_round.amount_usd", "must be at most %d", int64(MaxRoundAmountUSD))
	}
	// The lead investor may be unknown or undisclosed.
	domain.CheckText(p, "last_round.lead_investor", r.LeadInvestor, 0, MaxLeadInvestorLen, false)

	if r.ClosedOn == "" {
		p.Add("last_round.closed_on", "is required")
		return
	}
	d, err := time.Parse(closedOnLayout, r.ClosedOn)
	if err != nil {
		p.Add("last_round.closed_on", "must be a date as YYYY-MM-DD")
		return
	}
	latest := now.UTC().Add(latestUTCOffsetHour * time.Hour).Format(closedOnLayout)
	// Dates in this layout compare correctly as text.
	switch day := d.Format(closedOnLayout); {
	case day > latest:
		p.Add("last_round.closed_on", "must not be in the future")
	case day < earliestClosedOn:
		p.Add("last_round.closed_on", "must not be before %s", earliestClosedOn)
	}
}

func checkSpend(p *domain.FieldCheck, lines []SpendLine) {
	if len(lines) == 0 {
		p.Add("projected_monthly_spend", "is required: list at least one service")
		return
	}
	if len(lines) > MaxSpendLines {
		p.Add("projected_monthly_spend", "must list at most %d services", MaxSpendLines)
	}
	first := make(map[string]int, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("projected_monthly_spend[%d]", i)
		if svc, ok := NormalizeService(l.Service); !ok {
			if strings.TrimSpace(l.Service) == "" {
				p.Add(field+".service", "is required")
			} else {
				p.Add(field+".service", "is not a known service; use one of %s", strings.Join(KnownServices, ", "))
			}
		} else if j, dup := first[svc]; dup {
			p.Add(field+".service", "repeats projected_monthly_spend[%d]; give each service one line", j)
		} else {
			first[svc] = i
		}
		switch {
		case l.USD <= 0:
			p.Add(field+".usd", "must be a positive whole number of USD")
		case l.USD > MaxSpendLineUSD:
			p.Add(field+".usd", "must be at most %d", MaxSpendLineUSD)
		}
	}
}

func checkFundingSources(p *domain.FieldCheck, sources []string) {
	const field = "requested_funding_sources"
	switch {
	case len(sources) == 0:
		p.Add(field, "is required: request at least one funding source")
		return
	case len(sources) > MaxFundingSources:
		p.Add(field, "must list at most %d funding sources", MaxFundingSources)
	}
	seen := make(map[string]bool, len(sources))
	for i, s := range sources {
		f := fmt.Sprintf("%s[%d]", field, i)
		if CheckFundingSource(p, f, s) && seen[s] {
			p.Add(f, "repeats %s", s)
		}
		seen[s] = true
	}
}

func checkContact(p *domain.FieldCheck, field string, c *Contact) {
	if c == nil {
		p.Add(field, "is required")
		return
	}
	domain.CheckText(p, field+".name", c.Name, 1, MaxContactNameLen, false)
	switch email := strings.TrimSpace(c.Email); {
	case email == "":
		p.Add(field+".email", "is required")
	case !domain.ValidEmail(email):
		p.Add(field+".email", "must be an email address, such as ada@example.com")
	}
}
