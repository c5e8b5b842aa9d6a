// Package intake holds the rules of the founder's intake form (SPEC §4): the
// body as it arrives in JSON, a strict decoder, the validator that reports
// every bad field at once, and the customer identity (the registrable domain
// of the website) that duplicate-filing protection keys on (SPEC §3), and
// what a partner may see of a stored intake before and after acceptance
// (SeenByPartner). It does no I/O.
package intake

import (
	"strings"
)

// Contact is a person at the startup the partner may reach.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Round is the startup's last priced round. ClosedOn is a calendar date,
// YYYY-MM-DD, kept as text so that the exact string the founder sent can be
// checked and echoed back.
type Round struct {
	Round        string `json:"round"`
	AmountUSD    int64  `json:"amount_usd"`
	LeadInvestor string `json:"lead_investor"`
	ClosedOn     string `json:"closed_on"`
}

// SpendLine is one line of the projected monthly AWS bill, in whole USD.
type SpendLine struct {
	Service string `json:"service"`
	USD     int64  `json:"usd"`
}

// Body is the intake form (SPEC §4), as decoded from JSON. Pointers are used
// where absence must be told apart from zero: a missing team_size or
// consent_to_share is "is required", not "must be at least 1" or "must be
// true".
type Body struct {
	CompanyName             string      `json:"company_name"`
	Website                 string      `json:"website"`
	Stage                   string      `json:"stage"`
	LastRound               *Round      `json:"last_round"`
	Region                  string      `json:"region"`
	Vertical                string      `json:"vertical"`
	ServiceProfile          string      `json:"service_profile"`
	EngagementType          string      `json:"engagement_type"`
	TeamSize                *int        `json:"team_size"`
	ProjectedMonthlySpend   []SpendLine `json:"projected_monthly_spend"`
	UseCase                 string      `json:"use_case"`
	CompetingCloud          string      `json:"competing_cloud"`
	AWSAccountID            *string     `json:"aws_account_id"`
	RequestedFundingSources []string    `json:"requested_funding_sources"`
	TechnicalContact        *Contact    `json:"technical_contact"`
	BusinessContact         *Contact    `json:"business_contact"`
	ConsentToShare          *bool       `json:"consent_to_share"`
}

// MonthlySpendUSD sums the projected spend lines. Validation bounds every
// line (at most 50 lines of at most 100,000,000), so the sum of a valid body
// cannot overflow.
func (b Body) MonthlySpendUSD() int64 {
	var sum int64
	for _, l := range b.ProjectedMonthlySpend {
		sum += l.USD
	}
	return sum
}

// Normalized returns a deep copy of b in the form worth storing: free text
// trimmed, service names in their canonical spelling. Validate accepts the
// same things before and after, so callers validate first and store
// b.Normalized(). The website is kept as the founder typed it (trimmed);
// the customer identity is NormalizeDomain(b.Website).
func (b Body) Normalized() Body {
	out := b
	out.CompanyName = strings.TrimSpace(b.CompanyName)
	out.Website = strings.TrimSpace(b.Website)
	out.UseCase = strings.TrimSpace(b.UseCase)
	if b.LastRound != nil {
		r := *b.LastRound
		r.Round = strings.TrimSpace(r.Round)
		r.LeadInvestor = strings.TrimSpace(r.LeadInvestor)
		out.LastRound = &r
	}
	if b.TeamSize != nil {
		n := *b.TeamSize
		out.TeamSize = &n
	}
	if b.ProjectedMonthlySpend != nil {
		out.ProjectedMonthlySpend = make([]SpendLine, len(b.ProjectedMonthlySpend))
		for i, l := range b.ProjectedMonthlySpend {
			if s, ok := NormalizeService(l.Service); ok {
				l.Service = s
			}
			out.ProjectedMonthlySpend[i] = l
		}
	}
	if b.AWSAccountID != nil {
		s := *b.AWSAccountID
		out.AWSAccountID = &s
	}
	if b.RequestedFundingSources != nil {
		out.RequestedFundingSources = append([]string{}, b.RequestedFundingSources...)
	}
	out.TechnicalContact = normalizedContact(b.TechnicalContact)
	out.BusinessContact = normalizedContact(b.BusinessContact)
	if b.ConsentToShare != nil {
		v := *b.ConsentToShare
		out.ConsentToShare = &v
	}
	return out
}

func normalizedContact(c *Contact) *Contact {
	if c == nil {
		return nil
	}
	return &Contact{Name: strings.TrimSpace(c.Name), Email: strings.TrimSpace(c.Email)}
}

// Example returns a fresh, valid intake body (the same one as
// testdata/valid_intake.json). Other packages' tests and the load script
// start from it and change the fields they care about; every call returns
// new pointers, so changing one copy never leaks into another.
func Example() Body {
	teamSize := 12
	account := "123456789012"
	consent := true
	return Body{
		CompanyName: "Acme Robotics",
		Website:     "https://www.acme-robotics.example.com/",
		Stage:       "seed",
		LastRound: &Round{
			Round:        "Seed",
			AmountUSD:    3_000_000,
			LeadInvestor: "Example Ventures",
			ClosedOn:     "2025-03-14",
		},
		Region:         "eu",
		Vertical:       "b2b_saas",
		ServiceProfile: "ai_heavy",
		EngagementType: "build",
		TeamSize:       &teamSize,
		ProjectedMonthlySpend: []SpendLine{
			{Service: "ec2", USD: 4000},
			{Service: "bedrock", USD: 2500},
			{Service: "s3", USD: 300},
		},
		UseCase:                 "Fleet telemetry ingestion and an LLM assistant that answers maintenance questions from robot logs.",
		CompetingCloud:          "gcp",
		AWSAccountID:            &account,
		RequestedFundingSources: []string{"founders", "bedrock_poc"},
		TechnicalContact:        &Contact{Name: "Ada Lovelace", Email: "ada@acme-robotics.example.com"},
		BusinessContact:         &Contact{Name: "Grace Hopper", Email: "grace@acme-robotics.example.com"},
		ConsentToShare:          &consent,
	}
}
