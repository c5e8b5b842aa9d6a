package partnercentral_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// fe abbreviates a FieldError without its message, for the table.
type fe struct{ Field, Code, Source string }

func brief(errs []pc.FieldError) []fe {
	var out []fe
	for _, e := range errs {
		out = append(out, fe{e.Field, e.Code, e.Source})
	}
	return out
}

const (
	model = pc.SourceModel
	ace   = pc.SourceACE
)

func TestValidateCreate(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name   string
		change func(r *pc.CreateOpportunityRequest)
		want   []fe
	}{
		{"a complete partner referral", func(r *pc.CreateOpportunityRequest) {}, nil},

		{"business problem too short", func(r *pc.CreateOpportunityRequest) { r.Project.CustomerBusinessProblem = "Too short" },
			[]fe{{"Project.CustomerBusinessProblem", pc.CodeInvalidStringFormat, model}}},
		{"business problem too long", func(r *pc.CreateOpportunityRequest) { r.Project.CustomerBusinessProblem = strings.Repeat("x", 2001) },
			[]fe{{"Project.CustomerBusinessProblem", pc.CodeInvalidStringFormat, model}}},
		{"business problem missing", func(r *pc.CreateOpportunityRequest) { r.Project.CustomerBusinessProblem = "" },
			[]fe{{"Project.CustomerBusinessProblem", pc.CodeRequiredFieldMissing, ace}}},
		{"business problem of 20 characters, counted as characters", func(r *pc.CreateOpportunityRequest) {
			r.Project.CustomerBusinessProblem = strings.Repeat("é", 20)
		}, nil},

		{"company name missing", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.CompanyName = "" },
			[]fe{{"Customer.Account.CompanyName", pc.CodeRequiredFieldMissing, ace}}},
		{"company name of 121 characters", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.CompanyName = strings.Repeat("a", 121) },
			[]fe{{"Customer.Account.CompanyName", pc.CodeInvalidStringFormat, model}}},

		{"website not a web address", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.WebsiteUrl = "ledgerly ltd" },
			[]fe{{"Customer.Account.WebsiteUrl", pc.CodeInvalidStringFormat, ace}}},
		{"website a bare domain", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.WebsiteUrl = "ledgerly.io" }, nil},
		{"website under 4 characters", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.WebsiteUrl = "a.b" },
			[]fe{{"Customer.Account.WebsiteUrl", pc.CodeInvalidStringFormat, model}}},
		{"website missing", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.WebsiteUrl = "" },
			[]fe{{"Customer.Account.WebsiteUrl", pc.CodeRequiredFieldMissing, ace}}},
		{"website missing on a national-security opportunity", func(r *pc.CreateOpportunityRequest) {
			r.Customer.Account.WebsiteUrl, r.NationalSecurity, r.Customer.Account.Industry = "", pc.Yes, pc.IndustryGovernment
		}, nil},
		{"national security outside government", func(r *pc.CreateOpportunityRequest) { r.NationalSecurity = pc.Yes },
			[]fe{{"NationalSecurity", pc.CodeInvalidValue, ace}}},

		{"industry not in the list", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Industry = "Fintech" },
			[]fe{{"Customer.Account.Industry", pc.CodeInvalidEnumValue, model}}},
		{"industry missing", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Industry = "" },
			[]fe{{"Customer.Account.Industry", pc.CodeRequiredFieldMissing, ace}}},
		{"industry Other without saying which", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Industry = pc.IndustryOther },
			[]fe{{"Customer.Account.OtherIndustry", pc.CodeRequiredFieldMissing, ace}}},

		{"country code UK (ISO says GB)", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Address.CountryCode = "UK" },
			[]fe{{"Customer.Account.Address.CountryCode", pc.CodeInvalidEnumValue, model}}},
		{"no address at all", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Address = nil },
			[]fe{{"Customer.Account.Address.PostalCode", pc.CodeRequiredFieldMissing, ace},
				{"Customer.Account.Address.CountryCode", pc.CodeRequiredFieldMissing, ace}}},
		{"US without a state", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Address.CountryCode = "US" },
			[]fe{{"Customer.Account.Address.StateOrRegion", pc.CodeRequiredFieldMissing, ace}}},
		{"US with a state abbreviation", func(r *pc.CreateOpportunityRequest) {
			r.Customer.Account.Address.CountryCode, r.Customer.Account.Address.StateOrRegion = "US", "CA"
		}, []fe{{"Customer.Account.Address.StateOrRegion", pc.CodeInvalidEnumValue, ace}}},
		{"US with a state", func(r *pc.CreateOpportunityRequest) {
			r.Customer.Account.Address.CountryCode, r.Customer.Account.Address.StateOrRegion = "US", "California"
		}, nil},
		{"postal code missing", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Address.PostalCode = "" },
			[]fe{{"Customer.Account.Address.PostalCode", pc.CodeRequiredFieldMissing, ace}}},
		{"postal code of 21 characters", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Address.PostalCode = strings.Repeat("9", 21) },
			[]fe{{"Customer.Account.Address.PostalCode", pc.CodeInvalidStringFormat, model}}},
		{"account id of 13 digits", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.AwsAccountId = "1234567890123" },
			[]fe{{"Customer.Account.AwsAccountId", pc.CodeInvalidStringFormat, model}}},
		{"DUNS of 8 digits", func(r *pc.CreateOpportunityRequest) { r.Customer.Account.Duns = "12345678" },
			[]fe{{"Customer.Account.Duns", pc.CodeInvalidStringFormat, model}}},

		{"contact email in upper case", func(r *pc.CreateOpportunityRequest) { r.Customer.Contacts[0].Email = "CTO@Ledgerly.example.com" },
			[]fe{{"Customer.Contacts[0].Email", pc.CodeInvalidStringFormat, model}}},
		{"contact phone not E.164", func(r *pc.CreateOpportunityRequest) { r.Customer.Contacts[0].Phone = "020 7946 0000" },
			[]fe{{"Customer.Contacts[0].Phone", pc.CodeInvalidStringFormat, model}}},

		{"no spend estimate", func(r *pc.CreateOpportunityRequest) { r.Project.ExpectedCustomerSpend = nil },
			[]fe{{"Project.ExpectedCustomerSpend", pc.CodeRequiredFieldMissing, ace}}},
		{"spend amount with a thousands separator", func(r *pc.CreateOpportunityRequest) { r.Project.ExpectedCustomerSpend[0].Amount = "12,000" },
			[]fe{{"Project.ExpectedCustomerSpend[0].Amount", pc.CodeInvalidStringFormat, model}}},
		{"spend amount with cents", func(r *pc.CreateOpportunityRequest) { r.Project.ExpectedCustomerSpend[0].Amount = "12000.50" }, nil},
		{"spend amount missing", func(r *pc.CreateOpportunityRequest) { r.Project.ExpectedCustomerSpend[0].Amount = "" },
			[]fe{{"Project.ExpectedCustomerSpend[0].Amount", pc.CodeRequiredFieldMissing, ace}}},
		{"spend in pounds", func(r *pc.CreateOpportunityRequest) { r.Project.ExpectedCustomerSpend[0].CurrencyCode = "GBP" },
			[]fe{{"Project.ExpectedCustomerSpend[0].CurrencyCode", pc.CodeInvalidEnumValue, ace}}},
		{"spend yearly", func(r *pc.CreateOpportunityRequest) { r.Project.ExpectedCustomerSpend[0].Frequency = "Yearly" },
			[]fe{{"Project.ExpectedCustomerSpend[0].Frequency", pc.CodeInvalidEnumValue, model}}},
		{"spend without frequency or target company", func(r *pc.CreateOpportunityRequest) {
			r.Project.ExpectedCustomerSpend[0].Frequency, r.Project.ExpectedCustomerSpend[0].TargetCompany = "", ""
		}, []fe{{"Project.ExpectedCustomerSpend[0].Frequency", pc.CodeRequiredFieldMissing, model},
			{"Project.ExpectedCustomerSpend[0].TargetCompany", pc.CodeRequiredFieldMissing, model}}},
		{"eleven spend estimates", func(r *pc.CreateOpportunityRequest) {
			for range 10 {
				r.Project.ExpectedCustomerSpend = append(r.Project.ExpectedCustomerSpend, r.Project.ExpectedCustomerSpend[0])
			}
		}, []fe{{"Project.ExpectedCustomerSpend", pc.CodeTooManyValues, model}}},
		{"estimation URL not the calculator's", func(r *pc.CreateOpportunityRequest) {
			r.Project.ExpectedCustomerSpend[0].EstimationUrl = "https://example.com/estimate"
		}, []fe{{"Project.ExpectedCustomerSpend[0].EstimationUrl", pc.CodeInvalidStringFormat, model}}},
		{"contract duration of 145 months", func(r *pc.CreateOpportunityRequest) {
			r.Project.ExpectedContractDuration = &pc.ExpectedContractDuration{Term: "Months", Value: "145"}
		}, []fe{{"Project.ExpectedContractDuration.Value", pc.CodeInvalidStringFormat, ace}}},

		{"title missing", func(r *pc.CreateOpportunityRequest) { r.Project.Title = "" },
			[]fe{{"Project.Title", pc.CodeRequiredFieldMissing, ace}}},
		{"title of 256 characters", func(r *pc.CreateOpportunityRequest) { r.Project.Title = strings.Repeat("t", 256) },
			[]fe{{"Project.Title", pc.CodeInvalidStringFormat, model}}},
		{"no delivery model", func(r *pc.CreateOpportunityRequest) { r.Project.DeliveryModels = nil },
			[]fe{{"Project.DeliveryModels", pc.CodeRequiredFieldMissing, ace}}},
		{"a delivery model not in the list", func(r *pc.CreateOpportunityRequest) { r.Project.DeliveryModels = []string{"Consulting"} },
			[]fe{{"Project.DeliveryModels[0]", pc.CodeInvalidEnumValue, model}}},
		{"no sales activity", func(r *pc.CreateOpportunityRequest) { r.Project.SalesActivities = nil },
			[]fe{{"Project.SalesActivities", pc.CodeRequiredFieldMissing, ace}}},
		{"a sales activity not in the list", func(r *pc.CreateOpportunityRequest) {
			r.Project.SalesActivities = append(r.Project.SalesActivities, "Had coffee")
		}, []fe{{"Project.SalesActivities[2]", pc.CodeInvalidEnumValue, model}}},
		{"use case not in the list", func(r *pc.CreateOpportunityRequest) { r.Project.CustomerUseCase = "Payments" },
			[]fe{{"Project.CustomerUseCase", pc.CodeInvalidEnumValue, ace}}},
		{"APN program not in the list", func(r *pc.CreateOpportunityRequest) { r.Project.ApnPrograms = []string{"Activate"} },
			[]fe{{"Project.ApnPrograms[0]", pc.CodeInvalidEnumValue, ace}}},
		{"competitor *Other without names", func(r *pc.CreateOpportunityRequest) { r.Project.CompetitorName = pc.CompetitorOther },
			[]fe{{"Project.OtherCompetitorNames", pc.CodeRequiredFieldMissing, ace}}},
		{"competitor names without *Other", func(r *pc.CreateOpportunityRequest) { r.Project.OtherCompetitorNames = "Heroku" },
			[]fe{{"Project.OtherCompetitorNames", pc.CodeActionNotPermitted, ace}}},
		{"competitor *Other with names", func(r *pc.CreateOpportunityRequest) {
			r.Project.CompetitorName, r.Project.OtherCompetitorNames = pc.CompetitorOther, "Heroku"
		}, nil},

		{"opportunity type missing", func(r *pc.CreateOpportunityRequest) { r.OpportunityType = "" },
			[]fe{{"OpportunityType", pc.CodeRequiredFieldMissing, ace}}},
		{"opportunity type not in the list", func(r *pc.CreateOpportunityRequest) { r.OpportunityType = "New" },
			[]fe{{"OpportunityType", pc.CodeInvalidEnumValue, model}}},
		{"origin missing", func(r *pc.CreateOpportunityRequest) { r.Origin = "" },
			[]fe{{"Origin", pc.CodeRequiredFieldMissing, ace}}},
		{"AWS referral in the AWS catalog", func(r *pc.CreateOpportunityRequest) { r.Catalog, r.Origin = pc.CatalogAWS, pc.OriginAWSReferral },
			[]fe{{"Origin", pc.CodeInvalidValue, ace}}},
		{"AWS referral simulated in Sandbox", func(r *pc.CreateOpportunityRequest) { r.Origin = pc.OriginAWSReferral }, nil},
		{"no primary need", func(r *pc.CreateOpportunityRequest) { r.PrimaryNeedsFromAws = nil },
			[]fe{{"PrimaryNeedsFromAws", pc.CodeRequiredFieldMissing, ace}}},
		{"a primary need not in the list", func(r *pc.CreateOpportunityRequest) { r.PrimaryNeedsFromAws = []string{"Credits"} },
			[]fe{{"PrimaryNeedsFromAws[0]", pc.CodeInvalidEnumValue, model}}},
		{"marketing source missing", func(r *pc.CreateOpportunityRequest) { r.Marketing = nil },
			[]fe{{"Marketing.Source", pc.CodeRequiredFieldMissing, ace}}},
		{"marketing use cases without AWS funding", func(r *pc.CreateOpportunityRequest) {
			r.Marketing.AwsFundingUsed, r.Marketing.UseCases = pc.No, []string{"Databases"}
		}, []fe{{"Marketing.UseCases", pc.CodeActionNotPermitted, ace}}},
		{"partner identifier of 65 characters", func(r *pc.CreateOpportunityRequest) { r.PartnerOpportunityIdentifier = strings.Repeat("p", 65) },
			[]fe{{"PartnerOpportunityIdentifier", pc.CodeInvalidStringFormat, model}}},

		{"stage missing", func(r *pc.CreateOpportunityRequest) { r.LifeCycle.Stage = "" },
			[]fe{{"LifeCycle.Stage", pc.CodeRequiredFieldMissing, ace}}},
		{"closed lost without a reason", func(r *pc.CreateOpportunityRequest) { r.LifeCycle.Stage = pc.StageClosedLost },
			[]fe{{"LifeCycle.ClosedLostReason", pc.CodeRequiredFieldMissing, ace}}},
		{"target close date in the past", func(r *pc.CreateOpportunityRequest) { r.LifeCycle.TargetCloseDate = "2020-01-31" },
			[]fe{{"LifeCycle.TargetCloseDate", pc.CodeInvalidValue, ace}}},
		{"target close date past on a launched opportunity", func(r *pc.CreateOpportunityRequest) {
			r.LifeCycle.TargetCloseDate, r.LifeCycle.Stage = "2020-01-31", pc.StageLaunched
		}, nil},
		{"target close date written day first", func(r *pc.CreateOpportunityRequest) { r.LifeCycle.TargetCloseDate = "31/12/2030" },
			[]fe{{"LifeCycle.TargetCloseDate", pc.CodeInvalidStringFormat, model}}},
		{"no life cycle", func(r *pc.CreateOpportunityRequest) { r.LifeCycle = nil },
			[]fe{{"LifeCycle.Stage", pc.CodeRequiredFieldMissing, ace}, {"LifeCycle.TargetCloseDate", pc.CodeRequiredFieldMissing, ace}}},

		{"client token missing", func(r *pc.CreateOpportunityRequest) { r.ClientToken = "" },
			[]fe{{"ClientToken", pc.CodeRequiredFieldMissing, model}}},
		{"catalog not one of the two", func(r *pc.CreateOpportunityRequest) { r.Catalog = "Production" },
			[]fe{{"Catalog", pc.CodeInvalidEnumValue, model}}},
		{"catalog missing", func(r *pc.CreateOpportunityRequest) { r.Catalog = "" },
			[]fe{{"Catalog", pc.CodeRequiredFieldMissing, model}}},
		{"eleven team members", func(r *pc.CreateOpportunityRequest) { r.OpportunityTeam = make([]pc.Contact, 11) },
			[]fe{{"OpportunityTeam", pc.CodeTooManyValues, model}}},

		{"no customer at all", func(r *pc.CreateOpportunityRequest) { r.Customer = nil }, []fe{
			{"Customer.Account.Industry", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.CompanyName", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.Address.PostalCode", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.Address.CountryCode", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.WebsiteUrl", pc.CodeRequiredFieldMissing, ace},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := validCreate("rec-v")
			tc.change(&req)
			got := brief(pc.ValidateCreate(req, now))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateMessagesReadAsSentences(t *testing.T) {
	req := validCreate("rec-m")
	req.Project.CustomerBusinessProblem = "Needs credits"
	req.Customer.Account.CompanyName = ""
	req.Project.ExpectedCustomerSpend[0].CurrencyCode = "GBP"
	var got []string
	for _, e := range pc.ValidateCreate(req, time.Now()) {
		got = append(got, e.String())
	}
	want := []string{
		"Customer.Account.CompanyName is required",
		"Project.ExpectedCustomerSpend[0].CurrencyCode must be one of: USD, EUR",
		"Project.CustomerBusinessProblem must be at least 20 characters (has 13)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r := pc.ValidationReason(pc.ValidateCreate(req, time.Now())); r != pc.ReasonRequestValidationFailed {
		t.Errorf("reason = %s", r)
	}
	req = validCreate("rec-m2")
	req.Project.Title = ""
	if r := pc.ValidationReason(pc.ValidateCreate(req, time.Now())); r != pc.ReasonBusinessValidationFailed {
		t.Errorf("reason for an ACE rule only = %s", r)
	}
}

func TestValidateUpdate(t *testing.T) {
	now := time.Now()
	valid := pc.UpdateOpportunityRequest{Catalog: pc.CatalogAWS, Identifier: "O1234567", LastModifiedDate: now, Opportunity: validOpportunity()}
	cases := []struct {
		name   string
		change func(r *pc.UpdateOpportunityRequest)
		want   []fe
	}{
		{"the full payload", func(r *pc.UpdateOpportunityRequest) {}, nil},
		{"without LastModifiedDate", func(r *pc.UpdateOpportunityRequest) { r.LastModifiedDate = time.Time{} },
			[]fe{{"LastModifiedDate", pc.CodeRequiredFieldMissing, model}}},
		{"without Identifier", func(r *pc.UpdateOpportunityRequest) { r.Identifier = "" },
			[]fe{{"Identifier", pc.CodeRequiredFieldMissing, model}}},
		{"an identifier that is not an opportunity's", func(r *pc.UpdateOpportunityRequest) { r.Identifier = "opp-123" },
			[]fe{{"Identifier", pc.CodeInvalidStringFormat, model}}},
		// An update carries the whole opportunity, so a member left out is
		// missing, not "unchanged".
		{"only the title", func(r *pc.UpdateOpportunityRequest) {
			r.Opportunity = pc.Opportunity{Project: &pc.Project{Title: "New title"}}
		}, []fe{
			{"PrimaryNeedsFromAws", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.Industry", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.CompanyName", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.Address.PostalCode", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.Address.CountryCode", pc.CodeRequiredFieldMissing, ace},
			{"Project.DeliveryModels", pc.CodeRequiredFieldMissing, ace},
			{"Project.ExpectedCustomerSpend", pc.CodeRequiredFieldMissing, ace},
			{"Project.CustomerBusinessProblem", pc.CodeRequiredFieldMissing, ace},
			{"Project.CustomerUseCase", pc.CodeRequiredFieldMissing, ace},
			{"Project.SalesActivities", pc.CodeRequiredFieldMissing, ace},
			{"OpportunityType", pc.CodeRequiredFieldMissing, ace},
			{"Marketing.Source", pc.CodeRequiredFieldMissing, ace},
			{"LifeCycle.Stage", pc.CodeRequiredFieldMissing, ace},
			{"LifeCycle.TargetCloseDate", pc.CodeRequiredFieldMissing, ace},
			{"Customer.Account.WebsiteUrl", pc.CodeRequiredFieldMissing, ace},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := valid
			req.Opportunity = validOpportunity()
			tc.change(&req)
			if diff := cmp.Diff(tc.want, brief(pc.ValidateUpdate(req, now))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateOtherOperations(t *testing.T) {
	cases := []struct {
		name string
		errs []pc.FieldError
		want []fe
	}{
		{"associate a solution", pc.ValidateAssociate(pc.AssociateOpportunityRequest{Catalog: "AWS", OpportunityIdentifier: "O1", RelatedEntityType: "Solutions", RelatedEntityIdentifier: "S-123"}), nil},
		{"associate Other", pc.ValidateAssociate(pc.AssociateOpportunityRequest{Catalog: "AWS", OpportunityIdentifier: "O1", RelatedEntityType: "Solutions", RelatedEntityIdentifier: "Other"}), nil},
		{"associate a solution by name", pc.ValidateAssociate(pc.AssociateOpportunityRequest{Catalog: "AWS", OpportunityIdentifier: "O1", RelatedEntityType: "Solutions", RelatedEntityIdentifier: "Our migration service"}),
			[]fe{{"RelatedEntityIdentifier", pc.CodeInvalidStringFormat, model}}},
		{"associate an unknown type", pc.ValidateAssociate(pc.AssociateOpportunityRequest{Catalog: "AWS", OpportunityIdentifier: "O1", RelatedEntityType: "Products", RelatedEntityIdentifier: "x"}),
			[]fe{{"RelatedEntityType", pc.CodeInvalidEnumValue, model}}},
		{"associate an offer that is not an ARN", pc.ValidateAssociate(pc.AssociateOpportunityRequest{Catalog: "AWS", OpportunityIdentifier: "O1", RelatedEntityType: "AwsMarketplaceOffers", RelatedEntityIdentifier: "offer-1"}),
			[]fe{{"RelatedEntityIdentifier", pc.CodeInvalidStringFormat, model}}},
		{"submit without involvement", pc.ValidateSubmit(pc.SubmitOpportunityRequest{Catalog: "AWS", Identifier: "O1"}),
			[]fe{{"InvolvementType", pc.CodeRequiredFieldMissing, model}}},
		{"submit with a bad visibility", pc.ValidateSubmit(pc.SubmitOpportunityRequest{Catalog: "AWS", Identifier: "O1", InvolvementType: "Co-Sell", Visibility: "Public"}),
			[]fe{{"Visibility", pc.CodeInvalidEnumValue, model}}},
		{"engagement task without token", pc.ValidateStartEngagement(pc.StartEngagementFromOpportunityTaskRequest{Catalog: "AWS", Identifier: "O1", AwsSubmission: pc.AwsSubmission{InvolvementType: "Co-Sell"}}),
			[]fe{{"ClientToken", pc.CodeRequiredFieldMissing, model}}},
		{"list 101 a page", pc.ValidateList(pc.ListOpportunitiesRequest{Catalog: "AWS", MaxResults: 101}),
			[]fe{{"MaxResults", pc.CodeValueOutOfRange, model}}},
		{"list by an unknown review status", pc.ValidateList(pc.ListOpportunitiesRequest{Catalog: "AWS", LifeCycleReviewStatus: []string{"In Review"}}),
			[]fe{{"LifeCycleReviewStatus[0]", pc.CodeInvalidEnumValue, model}}},
		{"list sorted by title", pc.ValidateList(pc.ListOpportunitiesRequest{Catalog: "AWS", Sort: &pc.OpportunitySort{SortBy: "Title", SortOrder: "ASCENDING"}}),
			[]fe{{"Sort.SortBy", pc.CodeInvalidEnumValue, model}}},
		{"get without a catalog", pc.ValidateGet(pc.GetOpportunityRequest{Identifier: "O1"}),
			[]fe{{"Catalog", pc.CodeRequiredFieldMissing, model}}},
		{"invitations without participant type", pc.ValidateListInvitations(pc.ListEngagementInvitationsRequest{Catalog: "AWS"}),
			[]fe{{"ParticipantType", pc.CodeRequiredFieldMissing, model}}},
		{"reject with an invitation id of the wrong form", pc.ValidateInvitationAnswer("AWS", "inv-1", ""),
			[]fe{{"Identifier", pc.CodeInvalidStringFormat, model}}},
		{"reject with a reason of 81 characters", pc.ValidateInvitationAnswer("AWS", "engi-0123456789abc", strings.Repeat("r", 81)),
			[]fe{{"RejectionReason", pc.CodeInvalidStringFormat, model}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, brief(tc.errs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
