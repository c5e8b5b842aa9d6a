package acesync

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudroute/cloudroute/internal/ace"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// Record is what the sync knows of a CloudRoute ACE record when it pushes
// it: the record, its pool and amount, the intake it came from (for the
// routing axes, and for what the record's own fields leave empty), and the
// few things ACE needs that neither holds.
type Record struct {
	// ID is the record's id. It is the ClientToken of the create, so a
	// record is never filed twice, and the PartnerOpportunityIdentifier,
	// which AWS sends back in its events.
	ID            string
	FundingSource string // domain.FundingSources
	RequestedUSD  int64
	Fields        ace.RecordFields
	Intake        Intake
	Extra         Extra
}

// Intake is the part of the founder's intake the mapping reads.
type Intake struct {
	CompanyName           string
	Website               string
	Stage                 string // funding stage, domain.Stages
	Region                string // domain.Regions
	Vertical              string // domain.Verticals
	ServiceProfile        string // domain.ServiceProfiles
	EngagementType        string // domain.EngagementTypes
	UseCase               string
	CompetingCloud        string // domain.CompetingClouds
	ProjectedMonthlySpend []ace.SpendLine
}

// Extra holds what ACE requires and a CloudRoute record does not carry; the
// partner gives it when it links the record.
type Extra struct {
	// CountryCode is the customer's country (ISO 3166 alpha-2). When empty
	// it is taken from the intake's region where the region is one
	// country (us_east and us_west: US, uk: GB, india: IN, brazil: BR).
	CountryCode   string
	PostalCode    string
	StateOrRegion string // for US customers, as ACE names the state: "California"
	City          string
	StreetAddress string
	// SolutionID is the partner's solution in Partner Central ("S-…"), to
	// associate before submission. Empty means "Other": ACE allows it until
	// the Committed stage, and the partner's role is then sent as
	// OtherSolutionDescription.
	SolutionID string
	// DeliveryModels override the default, Professional Services.
	DeliveryModels []string
}

// OtherIndustry is what CloudRoute sends as Customer.Account.OtherIndustry
// for the vertical "other", which ACE's Industry "Other" requires.
const OtherIndustry = "Startup in a vertical CloudRoute does not classify"

// industries maps CloudRoute's verticals to ACE's Industry.
var industries = map[string]string{
	"fintech":    "Financial Services",
	"healthtech": "Healthcare",
	"b2b_saas":   "Software and Internet",
	"ecommerce":  "Retail",
	"deep_tech":  "Computers and Electronics",
	"gaming":     "Gaming",
	"other":      pc.IndustryOther,
}

// countries maps the regions that are one country to its code.
var countries = map[string]string{
	"us_east": "US", "us_west": "US", "uk": "GB", "india": "IN", "brazil": "BR",
}

// competitors maps CloudRoute's competing cloud to ACE's CompetitorName and,
// for *Other, OtherCompetitorNames.
var competitors = map[string][2]string{
	"none":         {pc.CompetitorNone, ""},
	"gcp":          {"Google Cloud Platform", ""},
	"azure":        {"Microsoft Azure", ""},
	"on_prem":      {"On-Prem", ""},
	"heroku":       {pc.CompetitorOther, "Heroku"},
	"digitalocean": {pc.CompetitorOther, "DigitalOcean"},
	"other":        {pc.CompetitorOther, "Another cloud provider"},
}

// useCases maps the service profile to ACE's CustomerUseCase, when the pool
// and the engagement type do not decide it.
var useCases = map[string]string{
	"ai_heavy":      "AI Machine Learning and Analytics",
	"data_heavy":    "Big Data: Data Warehouse/Data Integration/ETL/Data Lake/BI",
	"edge_heavy":    "Content Delivery & Edge Services",
	"compute_heavy": "Containers & Serverless",
}

const (
	useCaseMigration = "Migration/Database Migration"
	useCaseAI        = "AI Machine Learning and Analytics"
	useCaseDefault   = "Web development & DevOps"
)

// CreateRequest maps a record to the CreateOpportunity request of catalog.
// It checks nothing: the caller passes the result to
// partnercentral.ValidateCreate, whose errors name ACE's fields (Source
// says which CloudRoute field each comes from).
func CreateRequest(catalog string, r Record) pc.CreateOpportunityRequest {
	return pc.CreateOpportunityRequest{
		Catalog:     catalog,
		ClientToken: r.ID,
		Opportunity: opportunity(r),
		Origin:      pc.OriginPartnerReferral,
	}
}

func opportunity(r Record) pc.Opportunity {
	f := r.Fields
	return pc.Opportunity{
		PrimaryNeedsFromAws:          primaryNeeds(r),
		NationalSecurity:             pc.No,
		PartnerOpportunityIdentifier: cut(r.ID, 64),
		Customer: &pc.Customer{
			Account:  account(r),
			Contacts: contacts(f),
		},
		Project:         project(r),
		OpportunityType: pc.OpportunityNetNewBusiness,
		Marketing:       &pc.Marketing{Source: pc.MarketingNone},
		LifeCycle: &pc.LifeCycle{
			Stage:           pc.StageQualified,
			TargetCloseDate: first(f.TargetCloseDate, f.GoLiveDate),
			NextSteps:       nextSteps(f),
		},
	}
}

func account(r Record) *pc.Account {
	f, in, x := r.Fields, r.Intake, r.Extra
	vertical := first(f.Vertical, &in.Vertical)
	a := &pc.Account{
		Industry:    industries[vertical],
		CompanyName: first(f.CompanyName, &in.CompanyName),
		WebsiteUrl:  websiteURL(first(f.Website, &in.Website)),
		Address: &pc.Address{
			CountryCode:   strings.ToUpper(strings.TrimSpace(x.CountryCode)),
			PostalCode:    strings.TrimSpace(x.PostalCode),
			StateOrRegion: strings.TrimSpace(x.StateOrRegion),
			City:          strings.TrimSpace(x.City),
			StreetAddress: strings.TrimSpace(x.StreetAddress),
		},
	}
	if a.Industry == pc.IndustryOther {
		a.OtherIndustry = OtherIndustry
	}
	if a.Address.CountryCode == "" {
		a.Address.CountryCode = countries[in.Region]
	}
	if f.NewAccountPlaceholder == nil || !*f.NewAccountPlaceholder {
		a.AwsAccountId = first(f.AWSAccountID)
	}
	return a
}

// websiteURL gives a bare domain the https scheme, as ACE's engagement
// expects a web address.
func websiteURL(s string) string {
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	return "https://" + s
}

func contacts(f ace.RecordFields) []pc.Contact {
	var out []pc.Contact
	for _, c := range []struct {
		c     *ace.Contact
		title string
	}{{f.TechnicalContact, "Technical contact"}, {f.BusinessContact, "Business contact"}} {
		if c.c == nil || (first(c.c.Name) == "" && first(c.c.Email) == "") {
			continue
		}
		firstName, lastName, _ := strings.Cut(first(c.c.Name), " ")
		out = append(out, pc.Contact{
			// ACE's Email pattern admits lower case only.
			Email:         strings.ToLower(first(c.c.Email)),
			FirstName:     firstName,
			LastName:      strings.TrimSpace(lastName),
			BusinessTitle: c.title,
		})
	}
	return out
}

func project(r Record) *pc.Project {
	f, in := r.Fields, r.Intake
	p := &pc.Project{
		DeliveryModels:          r.Extra.DeliveryModels,
		Title:                   title(r),
		CustomerBusinessProblem: first(f.UseCase, &in.UseCase),
		CustomerUseCase:         useCase(r),
		SalesActivities:         salesActivities(f),
		AdditionalComments:      comments(r),
	}
	if len(p.DeliveryModels) == 0 {
		p.DeliveryModels = []string{pc.DeliveryProfessionalServices}
	}
	lines := f.ProjectedMonthlySpend
	if len(lines) == 0 {
		lines = in.ProjectedMonthlySpend
	}
	var monthly int64
	for _, l := range lines {
		monthly += l.USD
	}
	if monthly > 0 {
		p.ExpectedCustomerSpend = []pc.ExpectedCustomerSpend{{
			Amount:        strconv.FormatInt(monthly, 10),
			CurrencyCode:  pc.CurrencyUSD,
			Frequency:     pc.FrequencyMonthly,
			TargetCompany: pc.TargetCompanyAWS,
		}}
	}
	if c, ok := competitors[first(f.CompetingCloud, &in.CompetingCloud)]; ok {
		p.CompetitorName, p.OtherCompetitorNames = c[0], c[1]
	}
	if r.Extra.SolutionID == "" {
		p.OtherSolutionDescription = cut(first(f.PartnerRole), 255)
	}
	if r.FundingSource == ace.PoolMAP {
		p.ApnPrograms = []string{"Migration Acceleration Program"}
	}
	return p
}

func title(r Record) string {
	name := first(r.Fields.CompanyName, &r.Intake.CompanyName)
	pool := "Migration Acceleration Program"
	if r.FundingSource != ace.PoolMAP {
		pool = ace.PoolNames[r.FundingSource] + " credits"
	}
	return cut(name+" - "+pool, 255)
}

func useCase(r Record) string {
	engagement := first(r.Fields.EngagementType, &r.Intake.EngagementType)
	switch {
	case r.FundingSource == ace.PoolMAP || engagement == "migrate":
		return useCaseMigration
	case r.FundingSource == ace.PoolBedrockPOC:
		return useCaseAI
	}
	if u, ok := useCases[r.Intake.ServiceProfile]; ok {
		return u
	}
	return useCaseDefault
}

func primaryNeeds(r Record) []string {
	needs := []string{pc.NeedDealSupport}
	if r.FundingSource == ace.PoolBedrockPOC {
		needs = append(needs, pc.NeedArchitecturalValidation)
	}
	if r.FundingSource == ace.PoolMAP || first(r.Fields.EngagementType, &r.Intake.EngagementType) == "migrate" {
		needs = append(needs, pc.NeedTCOEvaluation)
	}
	return needs
}

// salesActivities: a record exists because the partner accepted the
// customer and drafted the record with it; dates agreed mean a plan.
func salesActivities(f ace.RecordFields) []string {
	out := []string{pc.SalesInitializedDiscussions, pc.SalesCustomerInterested}
	if first(f.EngagementStartDate) != "" && first(f.GoLiveDate) != "" {
		out = append(out, pc.SalesCompletedActionPlan)
	}
	return out
}

func nextSteps(f ace.RecordFields) string {
	start, live := first(f.EngagementStartDate), first(f.GoLiveDate)
	switch {
	case start != "" && live != "":
		return fmt.Sprintf("Engagement starts %s; the customer is live on AWS by %s.", start, live)
	case live != "":
		return fmt.Sprintf("The customer is live on AWS by %s.", live)
	}
	return ""
}

// comments sums up, within ACE's 255 characters, what CloudRoute knows and
// ACE has no field for: the pool and amount asked, the funding stage and
// the spend expected after the credits.
func comments(r Record) string {
	var parts []string
	if r.FundingSource == ace.PoolMAP {
		parts = append(parts, "Migration Acceleration Program referral")
	} else {
		parts = append(parts, fmt.Sprintf("%s USD of %s credits requested", ace.Money(r.RequestedUSD), ace.PoolNames[r.FundingSource]))
	}
	if s := first(r.Fields.FundingStage, &r.Intake.Stage); s != "" {
		parts = append(parts, "funding stage "+strings.ReplaceAll(s, "_", " "))
	}
	if r.Fields.LastRound != nil && first(r.Fields.LastRound.LeadInvestor) != "" {
		parts = append(parts, "lead investor "+first(r.Fields.LastRound.LeadInvestor))
	}
	if a := r.Fields.EstimatedAnnualSpendUSD; a != nil {
		parts = append(parts, fmt.Sprintf("about %s USD a year on AWS after the credits", ace.Money(*a)))
	}
	return cut(strings.Join(parts, "; ")+".", 255)
}

// first returns the first given (non-blank) string, trimmed.
func first(ps ...*string) string {
	for _, p := range ps {
		if p != nil && strings.TrimSpace(*p) != "" {
			return strings.TrimSpace(*p)
		}
	}
	return ""
}

// cut shortens s to at most n characters, at a word where it can, marking
// the cut with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		r = []rune(string(r)[:i])
	}
	return strings.TrimRight(string(r), " ,;") + "…"
}

// UpdateRequest maps a record onto the opportunity as last read, for
// UpdateOpportunity. The update replaces the whole opportunity, so it starts
// from what ACE holds (carrying back what CloudRoute does not map, such as
// SoftwareRevenue or members a partner set in Partner Central) and sets the
// members CloudRoute owns. The stage and the closed-lost reason stay ACE's,
// and the review's members, which are AWS's, are left out. While the review
// status is Action Required only the members ACE lets a partner change then
// are set, so that the partner's fix goes through.
func UpdateRequest(current pc.GetOpportunityResponse, r Record) pc.UpdateOpportunityRequest {
	mine := opportunity(r)
	next := copyOpportunity(current.Opportunity)
	if next.Customer == nil {
		next.Customer = &pc.Customer{}
	}
	if next.Customer.Account == nil {
		next.Customer.Account = &pc.Account{}
	}
	if next.Project == nil {
		next.Project = &pc.Project{}
	}
	if next.LifeCycle == nil {
		next.LifeCycle = &pc.LifeCycle{}
	}
	lc := next.LifeCycle
	status := lc.ReviewStatus
	lc.ReviewStatus, lc.ReviewComments, lc.ReviewStatusReason, lc.NextStepsHistory = "", "", "", nil

	acct, mineAcct := next.Customer.Account, mine.Customer.Account
	// The members that stay editable under Action Required.
	acct.WebsiteUrl = mineAcct.WebsiteUrl
	acct.Address = mineAcct.Address
	next.PartnerOpportunityIdentifier = mine.PartnerOpportunityIdentifier
	next.Project.CustomerBusinessProblem = mine.Project.CustomerBusinessProblem
	lc.TargetCloseDate = mine.LifeCycle.TargetCloseDate
	if len(next.Project.ExpectedCustomerSpend) == len(mine.Project.ExpectedCustomerSpend) {
		for i, s := range mine.Project.ExpectedCustomerSpend {
			next.Project.ExpectedCustomerSpend[i].Amount = s.Amount
			next.Project.ExpectedCustomerSpend[i].CurrencyCode = s.CurrencyCode
		}
	} else if status != pc.ReviewActionRequired {
		next.Project.ExpectedCustomerSpend = mine.Project.ExpectedCustomerSpend
	}
	if status == pc.ReviewActionRequired {
		return updateOf(current, next)
	}

	next.PrimaryNeedsFromAws = mine.PrimaryNeedsFromAws
	next.NationalSecurity = mine.NationalSecurity
	next.OpportunityType = mine.OpportunityType
	acct.Industry, acct.OtherIndustry = mineAcct.Industry, mineAcct.OtherIndustry
	acct.CompanyName, acct.AwsAccountId = mineAcct.CompanyName, mineAcct.AwsAccountId
	next.Customer.Contacts = mine.Customer.Contacts
	p, mp := next.Project, mine.Project
	p.DeliveryModels, p.Title, p.CustomerUseCase = mp.DeliveryModels, mp.Title, mp.CustomerUseCase
	p.SalesActivities = union(p.SalesActivities, mp.SalesActivities)
	p.CompetitorName, p.OtherCompetitorNames = mp.CompetitorName, mp.OtherCompetitorNames
	p.OtherSolutionDescription, p.AdditionalComments = mp.OtherSolutionDescription, mp.AdditionalComments
	p.ApnPrograms = union(p.ApnPrograms, mp.ApnPrograms)
	if next.Marketing == nil {
		next.Marketing = mine.Marketing
	}
	lc.NextSteps = mine.LifeCycle.NextSteps
	if lc.Stage == "" {
		lc.Stage = mine.LifeCycle.Stage
	}
	return updateOf(current, next)
}

func updateOf(current pc.GetOpportunityResponse, o pc.Opportunity) pc.UpdateOpportunityRequest {
	return pc.UpdateOpportunityRequest{
		Catalog:          current.Catalog,
		Identifier:       current.Id,
		LastModifiedDate: current.LastModifiedDate,
		Opportunity:      o,
	}
}

// union keeps a's values and adds b's that a lacks: sales activities and
// programs a partner recorded in Partner Central are not taken back.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, v := range b {
		found := false
		for _, w := range out {
			found = found || w == v
		}
		if !found {
			out = append(out, v)
		}
	}
	return out
}

// copyOpportunity copies every pointer the update may change, so the
// opportunity as read is left as it was.
func copyOpportunity(o pc.Opportunity) pc.Opportunity {
	if o.Customer != nil {
		c := *o.Customer
		if c.Account != nil {
			a := *c.Account
			if a.Address != nil {
				ad := *a.Address
				a.Address = &ad
			}
			c.Account = &a
		}
		c.Contacts = append([]pc.Contact(nil), c.Contacts...)
		o.Customer = &c
	}
	if o.Project != nil {
		p := *o.Project
		p.ExpectedCustomerSpend = append([]pc.ExpectedCustomerSpend(nil), p.ExpectedCustomerSpend...)
		o.Project = &p
	}
	if o.LifeCycle != nil {
		lc := *o.LifeCycle
		o.LifeCycle = &lc
	}
	return o
}

// AssociateRequest is the association ACE needs before submission: the
// partner's solution, or Other.
func AssociateRequest(catalog, opportunityID string, r Record) pc.AssociateOpportunityRequest {
	id := strings.TrimSpace(r.Extra.SolutionID)
	if id == "" {
		id = pc.SolutionOther
	}
	return pc.AssociateOpportunityRequest{
		Catalog:                 catalog,
		OpportunityIdentifier:   opportunityID,
		RelatedEntityType:       pc.RelatedSolutions,
		RelatedEntityIdentifier: id,
	}
}

// SubmitRequest starts the engagement that submits the opportunity for
// review, co-selling with AWS at full visibility. Its ClientToken is the
// record's id and the opportunity's LastModifiedDate: a retry of the same
// submission is the same task, and a submission after the partner fixed
// what a failed one reported is a new one (the service keeps a failed
// task's answer for its token).
func SubmitRequest(catalog, opportunityID, recordID string, lastModified time.Time) pc.StartEngagementFromOpportunityTaskRequest {
	return pc.StartEngagementFromOpportunityTaskRequest{
		Catalog:     catalog,
		ClientToken: fmt.Sprintf("%s/submit/%d", recordID, lastModified.UnixMilli()),
		Identifier:  opportunityID,
		AwsSubmission: pc.AwsSubmission{
			InvolvementType: pc.InvolvementCoSell,
			Visibility:      pc.VisibilityFull,
		},
	}
}
