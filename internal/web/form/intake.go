// Package form turns the founder's intake form, as a browser posts it, into
// the intake body that the JSON API takes (intake.Body), so that the page
// and the API are held to one validator, intake.Validate. It keeps every
// value as typed, for a page shown again with its errors, and maps the
// validator's field paths ("projected_monthly_spend[1].usd") back to the
// form's controls.
//
// It checks nothing itself: a value that cannot be read (letters in an
// amount) becomes a value the validator refuses with its own message.
package form

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudroute/cloudroute/internal/intake"
)

// Form field names, as the page posts them. Nested fields follow the JSON
// with dots; spend lines are "spend.<line>.service" and "spend.<line>.usd",
// lines numbered from 0.
const (
	CompanyName      = "company_name"
	Website          = "website"
	Stage            = "stage"
	RoundName        = "last_round.round"
	RoundAmount      = "last_round.amount_usd"
	RoundLead        = "last_round.lead_investor"
	RoundClosedOn    = "last_round.closed_on"
	Region           = "region"
	Vertical         = "vertical"
	ServiceProfile   = "service_profile"
	EngagementType   = "engagement_type"
	TeamSize         = "team_size"
	UseCase          = "use_case"
	CompetingCloud   = "competing_cloud"
	AWSAccountID     = "aws_account_id"
	FundingSources   = "requested_funding_sources"
	TechName         = "technical_contact.name"
	TechEmail        = "technical_contact.email"
	BizName          = "business_contact.name"
	BizEmail         = "business_contact.email"
	Consent          = "consent_to_share"
	IdempotencyKey   = "idempotency_key"
	ConsentGiven     = "yes"
	spendPrefix      = "spend."
	serviceSuffix    = ".service"
	usdSuffix        = ".usd"
	pathSpend        = "projected_monthly_spend"
	groupLastRound   = "last_round"
	groupTechContact = "technical_contact"
	groupBizContact  = "business_contact"
)

// Groups: names that stand for a fieldset rather than one control. A field
// error on the group itself ("last_round is required") is shown there.
const (
	GroupLastRound = groupLastRound
	GroupSpend     = "spend"
	GroupTech      = groupTechContact
	GroupBiz       = groupBizContact
)

// SpendLinesShown is how many spend lines the page offers at least; with
// JavaScript the founder may add more, up to intake.MaxSpendLines.
const SpendLinesShown = 5

// scalars are the single-valued fields, in the order of the page.
var scalars = []string{CompanyName, Website, Stage, RoundName, RoundAmount, RoundLead, RoundClosedOn,
	Region, Vertical, ServiceProfile, EngagementType, TeamSize, UseCase, CompetingCloud, AWSAccountID,
	TechName, TechEmail, BizName, BizEmail, IdempotencyKey}

// maxValueLen bounds what is kept of one typed value. The validator's
// limits are far below it (a use case is at most 5,000 characters); the
// bound only keeps a hostile post from being echoed back whole.
const maxValueLen = 20_000

// SpendLine is one line of projected spend, as typed.
type SpendLine struct {
	Service string
	USD     string
}

// Intake is the intake form as the founder filled it in.
type Intake struct {
	values  map[string]string
	sources []string
	consent bool
	// Spend holds every line shown, empty ones included.
	Spend []SpendLine
}

// NewIntake reads the posted form (the request's PostForm, never its query
// string).
func NewIntake(v url.Values) *Intake {
	f := &Intake{values: make(map[string]string, len(scalars))}
	for _, name := range scalars {
		f.values[name] = clip(v.Get(name))
	}
	for _, s := range v[FundingSources] {
		if s = clip(strings.TrimSpace(s)); s != "" && !slices.Contains(f.sources, s) && len(f.sources) < 2*intake.MaxFundingSources {
			f.sources = append(f.sources, s)
		}
	}
	f.consent = v.Get(Consent) == ConsentGiven
	last := -1
	lines := make([]SpendLine, intake.MaxSpendLines)
	for i := range lines {
		lines[i] = SpendLine{Service: clip(v.Get(SpendService(i))), USD: clip(v.Get(SpendUSD(i)))}
		if strings.TrimSpace(lines[i].Service) != "" || strings.TrimSpace(lines[i].USD) != "" {
			last = i
		}
	}
	// Show every line up to the last one filled in, and at least the usual
	// number.
	f.Spend = lines[:max(SpendLinesShown, min(last+1, intake.MaxSpendLines))]
	return f
}

// Empty is the form as first shown, with the given idempotency key.
func Empty(idempotencyKey string) *Intake {
	f := NewIntake(url.Values{})
	f.values[IdempotencyKey] = idempotencyKey
	return f
}

func clip(s string) string {
	if len(s) > maxValueLen {
		return s[:maxValueLen]
	}
	return s
}

// SpendService and SpendUSD name the controls of spend line i.
func SpendService(i int) string { return spendPrefix + strconv.Itoa(i) + serviceSuffix }

// SpendUSD names the amount control of spend line i.
func SpendUSD(i int) string { return spendPrefix + strconv.Itoa(i) + usdSuffix }

// Value is the value of a single-valued field as typed.
func (f *Intake) Value(name string) string { return f.values[name] }

// SetValue replaces the value of a single-valued field.
func (f *Intake) SetValue(name, value string) { f.values[name] = value }

// Requested reports whether the funding source is checked.
func (f *Intake) Requested(source string) bool { return slices.Contains(f.sources, source) }

// Consented reports whether the consent box is checked.
func (f *Intake) Consented() bool { return f.consent }

// Mapped is the intake body built from a form, with what is needed to put
// the validator's messages back next to the controls.
type Mapped struct {
	Body intake.Body
	// spendLine[i] is the form line of the body's spend line i: empty
	// lines are left out of the body, so the numbers differ.
	spendLine []int
}

// Body builds the intake body: text as typed, amounts read as whole
// numbers (a thousands separator, a leading "$" or a trailing "USD" are
// allowed), the last round only when the stage is not pre-seed and a round
// field is filled in, empty spend lines left out.
func (f *Intake) Body() Mapped {
	v := f.values
	b := intake.Body{
		CompanyName: v[CompanyName], Website: v[Website], Stage: v[Stage], Region: v[Region], Vertical: v[Vertical],
		ServiceProfile: v[ServiceProfile], EngagementType: v[EngagementType], UseCase: v[UseCase],
		CompetingCloud:          v[CompetingCloud],
		TechnicalContact:        &intake.Contact{Name: v[TechName], Email: v[TechEmail]},
		BusinessContact:         &intake.Contact{Name: v[BizName], Email: v[BizEmail]},
		RequestedFundingSources: append([]string{}, f.sources...),
	}
	if b.Stage != "pre_seed" && anyFilled(v[RoundName], v[RoundAmount], v[RoundLead], v[RoundClosedOn]) {
		amount, _ := wholeNumber(v[RoundAmount])
		b.LastRound = &intake.Round{Round: v[RoundName], AmountUSD: amount, LeadInvestor: v[RoundLead], ClosedOn: strings.TrimSpace(v[RoundClosedOn])}
	}
	if n, given := wholeNumber(v[TeamSize]); given {
		size := int(max(min(n, 1<<31-1), -1<<31))
		b.TeamSize = &size
	}
	if id := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(v[AWSAccountID])); id != "" {
		b.AWSAccountID = &id
	}
	if f.consent {
		yes := true
		b.ConsentToShare = &yes
	}
	m := Mapped{}
	for i, l := range f.Spend {
		if !anyFilled(l.Service, l.USD) {
			continue
		}
		usd, _ := wholeNumber(l.USD)
		b.ProjectedMonthlySpend = append(b.ProjectedMonthlySpend, intake.SpendLine{Service: l.Service, USD: usd})
		m.spendLine = append(m.spendLine, i)
	}
	m.Body = b
	return m
}

func anyFilled(ss ...string) bool {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return true
		}
	}
	return false
}

// wholeNumber reads a whole number of USD as a founder may type it:
// "25000", "25,000", "$25,000", "25 000 USD". given is false for a blank
// value. Anything else that is not a whole number (letters, a fraction, a
// number too large) reads as 0, which the validator refuses as it refuses a
// 0 sent to the API.
func wholeNumber(s string) (n int64, given bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	s = strings.TrimPrefix(s, "$")
	if t, ok := strings.CutSuffix(strings.ToUpper(s), "USD"); ok {
		s = s[:len(t)]
	}
	s = strings.NewReplacer(",", "", " ", "", "\u00a0", "", "_", "").Replace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, true
	}
	return n, true
}

var spendPath = regexp.MustCompile(`^projected_monthly_spend\[(\d+)\]\.(service|usd)$`)

// Control names the form control (or group) that a validator field path
// is about: "technical_contact.email" is the control of that name,
// "projected_monthly_spend[1].usd" the amount of the form line that became
// the body's second line, "requested_funding_sources[0]" the group of
// checkboxes. It returns "" for a path the form has no control for.
func (m Mapped) Control(path string) string {
	switch path {
	case CompanyName, Website, Stage, Region, Vertical, ServiceProfile, EngagementType, TeamSize, UseCase,
		CompetingCloud, AWSAccountID, Consent, RoundName, RoundAmount, RoundLead, RoundClosedOn,
		TechName, TechEmail, BizName, BizEmail:
		return path
	case groupLastRound, groupTechContact, groupBizContact:
		return path
	case pathSpend:
		return GroupSpend
	}
	if path == FundingSources || strings.HasPrefix(path, FundingSources+"[") {
		return FundingSources
	}
	if sm := spendPath.FindStringSubmatch(path); sm != nil {
		i, err := strconv.Atoi(sm[1])
		if err != nil || i >= len(m.spendLine) {
			return GroupSpend
		}
		if sm[2] == "service" {
			return SpendService(m.spendLine[i])
		}
		return SpendUSD(m.spendLine[i])
	}
	return ""
}

// SpendLineOf returns the form line (from 0) of the body's spend line i.
func (m Mapped) SpendLineOf(i int) (int, bool) {
	if i < 0 || i >= len(m.spendLine) {
		return 0, false
	}
	return m.spendLine[i], true
}

// ID is the HTML id of the control named name: the name with dots as
// dashes, so that "spend.2.usd" is "spend-2-usd".
func ID(name string) string { return strings.ReplaceAll(name, ".", "-") }
