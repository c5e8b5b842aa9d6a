package acesync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/acesim"
	"github.com/cloudroute/cloudroute/internal/acesync"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

func ptr[T any](v T) *T { return &v }

// record is a complete portfolio record of a US fintech, as seed 002 §VII
// describes one.
func record() acesync.Record {
	live := time.Now().AddDate(0, 4, 0).Format(time.DateOnly)
	return acesync.Record{
		ID:            "7b1c2d4e-0000-4000-8000-000000000001",
		FundingSource: ace.PoolPortfolio,
		RequestedUSD:  75_000,
		Fields: ace.RecordFields{
			CompanyName:             ptr("Ledgerly Inc"),
			Website:                 ptr("ledgerly.io"),
			UseCase:                 ptr("A treasury-management platform processing 50,000 transactions per day with EC2-backed APIs, RDS Postgres for state and Bedrock for categorisation."),
			ProjectedMonthlySpend:   []ace.SpendLine{{Service: "EC2", USD: 6000}, {Service: "RDS", USD: 2500}, {Service: "Bedrock", USD: 1500}},
			EngagementType:          ptr("build"),
			EstimatedAnnualSpendUSD: ptr(int64(180_000)),
			PartnerRole:             ptr("Architecture review, SOC 2 remediation and the migration of the ledger to RDS."),
			AWSAccountID:            ptr("123456789012"),
			FundingStage:            ptr("series_a"),
			EngagementStartDate:     ptr(time.Now().AddDate(0, 1, 0).Format(time.DateOnly)),
			GoLiveDate:              ptr(live),
			Vertical:                ptr("fintech"),
			CompetingCloud:          ptr("gcp"),
			TechnicalContact:        &ace.Contact{Name: ptr("Ada Lovelace Byron"), Email: ptr("Ada@Ledgerly.io")},
			BusinessContact:         &ace.Contact{Name: ptr("Grace Hopper"), Email: ptr("grace@ledgerly.io")},
			LastRound:               &ace.Round{Round: ptr("series_a"), LeadInvestor: ptr("Example Ventures")},
		},
		Intake: acesync.Intake{
			CompanyName: "Ledgerly", Website: "ledgerly.io", Stage: "series_a", Region: "us_east",
			Vertical: "fintech", ServiceProfile: "data_heavy", EngagementType: "build", CompetingCloud: "gcp",
		},
		Extra: acesync.Extra{PostalCode: "10001", StateOrRegion: "New York", City: "New York"},
	}
}

func TestACompleteRecordMapsToARequestACEAccepts(t *testing.T) {
	req := acesync.CreateRequest(pc.CatalogSandbox, record())
	if errs := pc.ValidateCreate(req, time.Now()); len(errs) != 0 {
		t.Fatalf("pre-flight errors on a complete record: %v", errs)
	}
	a := req.Customer.Account
	p := req.Project
	got := map[string]string{
		"ClientToken":                  req.ClientToken,
		"PartnerOpportunityIdentifier": req.PartnerOpportunityIdentifier,
		"Origin":                       req.Origin,
		"Industry":                     a.Industry,
		"CompanyName":                  a.CompanyName,
		"WebsiteUrl":                   a.WebsiteUrl,
		"AwsAccountId":                 a.AwsAccountId,
		"CountryCode":                  a.Address.CountryCode,
		"StateOrRegion":                a.Address.StateOrRegion,
		"Amount":                       p.ExpectedCustomerSpend[0].Amount,
		"CurrencyCode":                 p.ExpectedCustomerSpend[0].CurrencyCode,
		"Title":                        p.Title,
		"CustomerUseCase":              p.CustomerUseCase,
		"CompetitorName":               p.CompetitorName,
		"Stage":                        req.LifeCycle.Stage,
		"TargetCloseDate":              req.LifeCycle.TargetCloseDate,
		"AdditionalComments":           p.AdditionalComments,
		"Contact0":                     fmt.Sprintf("%s|%s|%s|%s", req.Customer.Contacts[0].FirstName, req.Customer.Contacts[0].LastName, req.Customer.Contacts[0].Email, req.Customer.Contacts[0].BusinessTitle),
	}
	want := map[string]string{
		"ClientToken":                  "7b1c2d4e-0000-4000-8000-000000000001",
		"PartnerOpportunityIdentifier": "7b1c2d4e-0000-4000-8000-000000000001",
		"Origin":                       pc.OriginPartnerReferral,
		"Industry":                     "Financial Services",
		"CompanyName":                  "Ledgerly Inc",
		"WebsiteUrl":                   "https://ledgerly.io",
		"AwsAccountId":                 "123456789012",
		"CountryCode":                  "US",
		"StateOrRegion":                "New York",
		"Amount":                       "10000",
		"CurrencyCode":                 "USD",
		"Title":                        "Ledgerly Inc - Activate Portfolio credits",
		"CustomerUseCase":              "Big Data: Data Warehouse/Data Integration/ETL/Data Lake/BI",
		"CompetitorName":               "Google Cloud Platform",
		"Stage":                        pc.StageQualified,
		"TargetCloseDate":              *record().Fields.GoLiveDate,
		"AdditionalComments":           "75,000 USD of Activate Portfolio credits requested; funding stage series a; lead investor Example Ventures; about 180,000 USD a year on AWS after the credits.",
		"Contact0":                     "Ada|Lovelace Byron|ada@ledgerly.io|Technical contact",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !cmp.Equal(p.SalesActivities, []string{pc.SalesInitializedDiscussions, pc.SalesCustomerInterested, pc.SalesCompletedActionPlan}) {
		t.Errorf("sales activities = %v", p.SalesActivities)
	}
	if !cmp.Equal(req.PrimaryNeedsFromAws, []string{pc.NeedDealSupport}) {
		t.Errorf("primary needs = %v", req.PrimaryNeedsFromAws)
	}
}

func TestMappingFieldByField(t *testing.T) {
	cases := []struct {
		name   string
		change func(r *acesync.Record)
		get    func(req pc.CreateOpportunityRequest) any
		want   any
	}{
		{"healthtech is Healthcare", func(r *acesync.Record) { r.Fields.Vertical = ptr("healthtech") },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Industry }, "Healthcare"},
		{"b2b_saas is Software and Internet", func(r *acesync.Record) { r.Fields.Vertical = ptr("b2b_saas") },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Industry }, "Software and Internet"},
		{"ecommerce is Retail", func(r *acesync.Record) { r.Fields.Vertical = ptr("ecommerce") },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Industry }, "Retail"},
		{"deep_tech is Computers and Electronics", func(r *acesync.Record) { r.Fields.Vertical = ptr("deep_tech") },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Industry }, "Computers and Electronics"},
		{"gaming is Gaming", func(r *acesync.Record) { r.Fields.Vertical = ptr("gaming") },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Industry }, "Gaming"},
		{"other is Other, with OtherIndustry", func(r *acesync.Record) { r.Fields.Vertical = ptr("other") },
			func(q pc.CreateOpportunityRequest) any {
				return q.Customer.Account.Industry + "|" + q.Customer.Account.OtherIndustry
			}, "Other|" + acesync.OtherIndustry},
		{"the intake's vertical when the record has none", func(r *acesync.Record) { r.Fields.Vertical, r.Intake.Vertical = nil, "gaming" },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Industry }, "Gaming"},

		{"uk is GB", func(r *acesync.Record) { r.Intake.Region, r.Extra = "uk", acesync.Extra{PostalCode: "EC1A 1BB"} },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Address.CountryCode }, "GB"},
		{"eu names no country", func(r *acesync.Record) { r.Intake.Region, r.Extra = "eu", acesync.Extra{} },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Address.CountryCode }, ""},
		{"the partner's country wins, upper-cased", func(r *acesync.Record) { r.Intake.Region, r.Extra.CountryCode = "eu", "de" },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.Address.CountryCode }, "DE"},

		{"competing none", func(r *acesync.Record) { r.Fields.CompetingCloud = ptr("none") },
			func(q pc.CreateOpportunityRequest) any {
				return q.Project.CompetitorName + "|" + q.Project.OtherCompetitorNames
			}, "No Competition|"},
		{"competing heroku", func(r *acesync.Record) { r.Fields.CompetingCloud = ptr("heroku") },
			func(q pc.CreateOpportunityRequest) any {
				return q.Project.CompetitorName + "|" + q.Project.OtherCompetitorNames
			}, "*Other|Heroku"},
		{"competing azure", func(r *acesync.Record) { r.Fields.CompetingCloud = ptr("azure") },
			func(q pc.CreateOpportunityRequest) any { return q.Project.CompetitorName }, "Microsoft Azure"},
		{"competing on_prem", func(r *acesync.Record) { r.Fields.CompetingCloud = ptr("on_prem") },
			func(q pc.CreateOpportunityRequest) any { return q.Project.CompetitorName }, "On-Prem"},

		{"migrate is a migration use case, with TCO", func(r *acesync.Record) { r.Fields.EngagementType = ptr("migrate") },
			func(q pc.CreateOpportunityRequest) any {
				return []string{q.Project.CustomerUseCase, strings.Join(q.PrimaryNeedsFromAws, ",")}
			}, []string{"Migration/Database Migration", pc.NeedDealSupport + "," + pc.NeedTCOEvaluation}},
		{"bedrock_poc is AI, with architectural validation", func(r *acesync.Record) { r.FundingSource, r.RequestedUSD = ace.PoolBedrockPOC, 30_000 },
			func(q pc.CreateOpportunityRequest) any {
				return []string{q.Project.CustomerUseCase, strings.Join(q.PrimaryNeedsFromAws, ","), q.Project.Title}
			}, []string{"AI Machine Learning and Analytics", pc.NeedDealSupport + "," + pc.NeedArchitecturalValidation, "Ledgerly Inc - Bedrock POC credits"}},
		{"map: a MAP referral", func(r *acesync.Record) { r.FundingSource, r.RequestedUSD = ace.PoolMAP, 0 },
			func(q pc.CreateOpportunityRequest) any {
				return []string{q.Project.Title, strings.Join(q.Project.ApnPrograms, ","), q.Project.CustomerUseCase, strings.SplitN(q.Project.AdditionalComments, ";", 2)[0]}
			}, []string{"Ledgerly Inc - Migration Acceleration Program", "Migration Acceleration Program", "Migration/Database Migration", "Migration Acceleration Program referral"}},
		{"compute_heavy", func(r *acesync.Record) { r.Intake.ServiceProfile = "compute_heavy" },
			func(q pc.CreateOpportunityRequest) any { return q.Project.CustomerUseCase }, "Containers & Serverless"},
		{"edge_heavy", func(r *acesync.Record) { r.Intake.ServiceProfile = "edge_heavy" },
			func(q pc.CreateOpportunityRequest) any { return q.Project.CustomerUseCase }, "Content Delivery & Edge Services"},

		{"a full URL is kept", func(r *acesync.Record) { r.Fields.Website = ptr("http://www.ledgerly.io/") },
			func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.WebsiteUrl }, "http://www.ledgerly.io/"},
		{"a new account sends no account id", func(r *acesync.Record) {
			r.Fields.AWSAccountID, r.Fields.NewAccountPlaceholder = nil, ptr(true)
		}, func(q pc.CreateOpportunityRequest) any { return q.Customer.Account.AwsAccountId }, ""},
		{"the intake's spend when the record has none", func(r *acesync.Record) {
			r.Fields.ProjectedMonthlySpend = nil
			r.Intake.ProjectedMonthlySpend = []ace.SpendLine{{Service: "Lambda", USD: 700}}
		}, func(q pc.CreateOpportunityRequest) any { return q.Project.ExpectedCustomerSpend[0].Amount }, "700"},
		{"no spend, no estimate", func(r *acesync.Record) { r.Fields.ProjectedMonthlySpend = nil },
			func(q pc.CreateOpportunityRequest) any { return len(q.Project.ExpectedCustomerSpend) }, 0},
		{"without a solution, the partner's role describes it", func(r *acesync.Record) {},
			func(q pc.CreateOpportunityRequest) any { return q.Project.OtherSolutionDescription }, "Architecture review, SOC 2 remediation and the migration of the ledger to RDS."},
		{"with a solution, no description", func(r *acesync.Record) { r.Extra.SolutionID = "S-0012345" },
			func(q pc.CreateOpportunityRequest) any { return q.Project.OtherSolutionDescription }, ""},
		{"a long role is cut to ACE's 255 characters", func(r *acesync.Record) { r.Fields.PartnerRole = ptr(strings.Repeat("migration work ", 40)) },
			func(q pc.CreateOpportunityRequest) any {
				d := q.Project.OtherSolutionDescription
				return []any{len([]rune(d)) <= 255, strings.HasSuffix(d, "…")}
			}, []any{true, true}},
		{"no target close date: the go-live date", func(r *acesync.Record) { r.Fields.TargetCloseDate = nil },
			func(q pc.CreateOpportunityRequest) any {
				return q.LifeCycle.TargetCloseDate == *record().Fields.GoLiveDate
			}, true},
		{"a target close date wins", func(r *acesync.Record) { r.Fields.TargetCloseDate = ptr("2031-01-31") },
			func(q pc.CreateOpportunityRequest) any { return q.LifeCycle.TargetCloseDate }, "2031-01-31"},
		{"delivery models from the link", func(r *acesync.Record) { r.Extra.DeliveryModels = []string{"Managed Services"} },
			func(q pc.CreateOpportunityRequest) any { return q.Project.DeliveryModels }, []string{"Managed Services"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := record()
			tc.change(&r)
			if diff := cmp.Diff(tc.want, tc.get(acesync.CreateRequest(pc.CatalogSandbox, r))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// What the pre-flight says of an incomplete record names ACE's fields, and
// CloudRouteField points at what the partner fills in CloudRoute.
func TestPreflightOfAnIncompleteRecord(t *testing.T) {
	r := record()
	r.Intake.Region, r.Extra = "eu", acesync.Extra{}
	r.Fields.UseCase, r.Intake.UseCase = ptr("Needs credits."), ""
	var got []string
	for _, e := range pc.ValidateCreate(acesync.CreateRequest(pc.CatalogAWS, r), time.Now()) {
		got = append(got, e.String()+" ["+acesync.CloudRouteField(e.Field)+"]")
	}
	want := []string{
		"Customer.Account.Address.PostalCode is required [link: postal code]",
		"Customer.Account.Address.CountryCode is required [link: country code, else intake region]",
		"Project.CustomerBusinessProblem must be at least 20 characters (has 14) [use_case (record, else intake)]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if f := acesync.CloudRouteField("Project.ExpectedCustomerSpend[3].Amount"); f != "projected_monthly_spend (record, else intake)" {
		t.Errorf("an indexed path maps to %q", f)
	}
}

// Every row of the documented mapping is a member the push fills, for one
// record or another.
func TestEveryMappedFieldIsFilled(t *testing.T) {
	a := record()
	b := record()
	b.FundingSource, b.RequestedUSD = ace.PoolMAP, 0
	b.Fields.Vertical, b.Fields.CompetingCloud = ptr("other"), ptr("heroku")
	b.Extra.StreetAddress = "1 Main St"
	filled := map[string]bool{}
	for _, r := range []acesync.Record{a, b} {
		collect(filled, "", jsonOf(acesync.CreateRequest(pc.CatalogSandbox, r)))
	}
	for _, m := range acesync.Mapping {
		if m.ACE == "RelatedEntityIdentifiers.Solutions" {
			continue // AssociateRequest's, below
		}
		if !filled[m.ACE] {
			t.Errorf("the mapping lists %s, and the push never fills it", m.ACE)
		}
	}
	assoc := acesync.AssociateRequest(pc.CatalogSandbox, "O1", a)
	if assoc.RelatedEntityType != pc.RelatedSolutions || assoc.RelatedEntityIdentifier != pc.SolutionOther {
		t.Errorf("associate without a solution id = %+v", assoc)
	}
	a.Extra.SolutionID = " S-77 "
	if got := acesync.AssociateRequest(pc.CatalogSandbox, "O1", a).RelatedEntityIdentifier; got != "S-77" {
		t.Errorf("associate with a solution id: %q", got)
	}
}

func jsonOf(v any) any {
	var out any
	data, _ := json.Marshal(v)
	_ = json.Unmarshal(data, &out)
	return out
}

func collect(into map[string]bool, prefix string, n any) {
	switch t := n.(type) {
	case map[string]any:
		for k, v := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			collect(into, p, v)
		}
	case []any:
		into[prefix] = len(t) > 0
		for _, v := range t {
			collect(into, prefix+"[]", v)
		}
	default:
		into[prefix] = t != nil && t != ""
	}
}

func TestSubmitRequest(t *testing.T) {
	at := time.Date(2030, 5, 6, 7, 8, 9, 123_000_000, time.UTC)
	got := acesync.SubmitRequest(pc.CatalogAWS, "O42", "rec-1", at)
	want := pc.StartEngagementFromOpportunityTaskRequest{
		Catalog: pc.CatalogAWS, ClientToken: fmt.Sprintf("rec-1/submit/%d", at.UnixMilli()), Identifier: "O42",
		AwsSubmission: pc.AwsSubmission{InvolvementType: pc.InvolvementCoSell, Visibility: pc.VisibilityFull},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if errs := pc.ValidateStartEngagement(got); len(errs) != 0 {
		t.Errorf("pre-flight: %v", errs)
	}
}

func TestUpdateCarriesBackWhatCloudRouteDoesNotOwn(t *testing.T) {
	r := record()
	current := pc.GetOpportunityResponse{
		Catalog: pc.CatalogAWS, Id: "O77", LastModifiedDate: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Opportunity: acesync.CreateRequest(pc.CatalogAWS, r).Opportunity,
	}
	// What happened in Partner Central since: AWS approved it, the partner
	// advanced the stage, recorded a POC and its procurement terms.
	current.LifeCycle.ReviewStatus = pc.ReviewApproved
	current.LifeCycle.ReviewComments = "Looks good"
	current.LifeCycle.Stage = pc.StageTechnicalValidation
	current.Project.SalesActivities = append(current.Project.SalesActivities, pc.SalesConductedPOC)
	current.SoftwareRevenue = &pc.SoftwareRevenue{DeliveryModel: "Subscription", Value: &pc.MonetaryValue{Amount: "900", CurrencyCode: "USD"}}

	r.Fields.UseCase = ptr(*r.Fields.UseCase + " Now also OpenSearch for search.")
	r.Fields.CompanyName = ptr("Ledgerly Holdings Inc")
	up := acesync.UpdateRequest(current, r)

	if up.Identifier != "O77" || up.Catalog != pc.CatalogAWS || !up.LastModifiedDate.Equal(current.LastModifiedDate) {
		t.Errorf("update names %s %s %v", up.Identifier, up.Catalog, up.LastModifiedDate)
	}
	if up.Customer.Account.CompanyName != "Ledgerly Holdings Inc" || !strings.HasSuffix(up.Project.CustomerBusinessProblem, "OpenSearch for search.") {
		t.Error("the record's changes are not in the update")
	}
	if up.LifeCycle.Stage != pc.StageTechnicalValidation {
		t.Errorf("stage = %q: ACE's stage was overwritten", up.LifeCycle.Stage)
	}
	if up.LifeCycle.ReviewStatus != "" || up.LifeCycle.ReviewComments != "" {
		t.Errorf("the review's read-only members are sent: %+v", up.LifeCycle)
	}
	if up.SoftwareRevenue == nil || up.SoftwareRevenue.Value.Amount != "900" {
		t.Error("SoftwareRevenue, set in Partner Central, would be erased")
	}
	if !cmp.Equal(up.Project.SalesActivities, []string{pc.SalesInitializedDiscussions, pc.SalesCustomerInterested, pc.SalesCompletedActionPlan, pc.SalesConductedPOC}) {
		t.Errorf("sales activities = %v", up.Project.SalesActivities)
	}
	if current.Customer.Account.CompanyName != "Ledgerly Inc" || current.LifeCycle.ReviewStatus != pc.ReviewApproved {
		t.Error("the opportunity as read was changed")
	}
	if errs := pc.ValidateUpdate(up, time.Now()); len(errs) != 0 {
		t.Errorf("pre-flight of the update: %v", errs)
	}
}

// Against the simulator: AWS asks for action; the partner fixes the website
// and, in passing, renames the project. The update carries the fix and not
// the rename, so ACE accepts it and the opportunity goes back to review.
func TestUpdateUnderActionRequiredSendsOnlyEditableFields(t *testing.T) {
	s := acesim.New(acesim.Options{WriteInterval: -1, ReadInterval: -1})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := pc.New(pc.Config{
		Endpoint:    srv.URL,
		Credentials: pc.StaticCredentials(acesim.TestCredential.AccessKeyID, acesim.TestCredential.SecretAccessKey, ""),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := record()
	created, err := c.CreateOpportunity(ctx, acesync.CreateRequest(pc.CatalogSandbox, r))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AssociateOpportunity(ctx, acesync.AssociateRequest(pc.CatalogSandbox, created.Id, r)); err != nil {
		t.Fatal(err)
	}
	task, err := c.StartEngagementFromOpportunityTask(ctx, acesync.SubmitRequest(pc.CatalogSandbox, created.Id, r.ID, created.LastModifiedDate))
	if err != nil || task.TaskStatus != pc.TaskInProgress {
		t.Fatalf("submit: %v %+v", err, task)
	}
	if err := s.RequireAction(created.Id, "Website", "The website does not resolve."); err != nil {
		t.Fatal(err)
	}
	current, err := c.GetOpportunity(ctx, pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if d := acesync.Decide("submitted", summary(current.LifeCycle)); !d.ActionRequired || d.Comments != "Website: The website does not resolve." {
		t.Errorf("decision = %+v", d)
	}

	r.Fields.Website = ptr("https://www.ledgerly.io")
	r.Fields.CompanyName = ptr("Renamed Inc")
	up := acesync.UpdateRequest(*current, r)
	if _, err := c.UpdateOpportunity(ctx, up); err != nil {
		t.Fatalf("the fix under Action Required: %v", err)
	}
	after, err := c.GetOpportunity(ctx, pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if after.Customer.Account.WebsiteUrl != "https://www.ledgerly.io" || after.Customer.Account.CompanyName != "Ledgerly Inc" ||
		after.LifeCycle.ReviewStatus != pc.ReviewSubmitted {
		t.Errorf("after the fix: website %q, company %q, review %q", after.Customer.Account.WebsiteUrl, after.Customer.Account.CompanyName, after.LifeCycle.ReviewStatus)
	}
}

func summary(lc *pc.LifeCycle) pc.LifeCycleSummary {
	return pc.LifeCycleSummary{
		Stage: lc.Stage, ClosedLostReason: lc.ClosedLostReason, ReviewStatus: lc.ReviewStatus,
		ReviewComments: lc.ReviewComments, ReviewStatusReason: lc.ReviewStatusReason,
	}
}
