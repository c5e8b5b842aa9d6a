package form_test

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

func TestRecordPatch(t *testing.T) {
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	yes := true
	full := ace.RecordFields{CompanyName: s("Acme"), Website: s("acme.example"), UseCase: s("A use case."),
		ProjectedMonthlySpend: []ace.SpendLine{{Service: "ec2", USD: 4000}, {Service: "bedrock", USD: 2500}},
		EngagementType:        s("build"), EstimatedAnnualSpendUSD: n(180000), PartnerRole: s("We build it."), AWSAccountID: s(""),
		NewAccountPlaceholder: &yes, FundingStage: s("seed"), EngagementStartDate: s("2026-03-01"), GoLiveDate: s("2026-06-01"),
		Vertical: s("b2b_saas"), CompetingCloud: s("gcp"),
		TechnicalContact: &ace.Contact{Name: s("Ada"), Email: s("ada@acme.example")},
		BusinessContact:  &ace.Contact{Name: s("Grace"), Email: s("grace@acme.example")},
		LastRound:        &ace.Round{Round: s("seed"), AmountUSD: n(3000000), LeadInvestor: s("Example Ventures"), ClosedOn: s("2025-03-14")},
		POCPlan: &ace.POCPlan{ModelChoice: s("Amazon Titan Text"), EvaluationMethod: s("Blind review."),
			BudgetItems: []ace.BudgetItem{{Description: "Inference", USD: 8000}}},
		TargetCloseDate: s("2026-09-30")}

	t.Run("a record's values read back into the same fields", func(t *testing.T) {
		v, spend, budget := form.RecordValues(full, 25000)
		if spend != 4 || budget != 3 {
			t.Errorf("lines shown: %d spend, %d budget", spend, budget)
		}
		got, req, bad := form.RecordPatch(v, ace.EditableFields(ace.StateIdentified), true)
		if d := cmp.Diff(full, got); d != "" || bad != nil {
			t.Errorf("patch (-want +got):\n%s %v", d, bad)
		}
		if req == nil || *req != 25000 {
			t.Errorf("requested %v", req)
		}
	})

	t.Run("only the editable fields, the amount only when it may change", func(t *testing.T) {
		v, _, _ := form.RecordValues(full, 25000)
		got, req, _ := form.RecordPatch(v, ace.EditableFields(ace.StateSubmitted), false)
		want := ace.RecordFields{PartnerRole: full.PartnerRole, TechnicalContact: full.TechnicalContact,
			BusinessContact: full.BusinessContact, TargetCloseDate: full.TargetCloseDate}
		if d := cmp.Diff(want, got); d != "" || req != nil {
			t.Errorf("patch (-want +got):\n%s requested %v", d, req)
		}
		if err := ace.CheckEdit(ace.StateSubmitted, got); err != nil {
			t.Errorf("the rules refuse the form's patch: %v", err)
		}
	})

	t.Run("amounts as typed; what is not a number is named", func(t *testing.T) {
		v := url.Values{form.RequestedUSD: {"$25,000"}, "projected_monthly_spend[0].service": {"ec2"},
			"projected_monthly_spend[0].usd": {"4 000 USD"}, "projected_monthly_spend[2].service": {"s3"},
			"projected_monthly_spend[2].usd": {"lots"}, "estimated_annual_spend_usd": {"1e6"}}
		got, req, bad := form.RecordPatch(v, []string{"projected_monthly_spend", "estimated_annual_spend_usd"}, true)
		if req == nil || *req != 25000 {
			t.Errorf("requested %v", req)
		}
		want := []ace.SpendLine{{Service: "ec2", USD: 4000}, {Service: "s3"}}
		if d := cmp.Diff(want, got.ProjectedMonthlySpend); d != "" {
			t.Errorf("spend (-want +got):\n%s", d)
		}
		wantBad := []domain.FieldError{{Field: "projected_monthly_spend[2].usd", Message: "must be a whole number of USD"},
			{Field: "estimated_annual_spend_usd", Message: "must be a whole number of USD"}}
		if d := cmp.Diff(wantBad, bad); d != "" {
			t.Errorf("bad (-want +got):\n%s", d)
		}
	})
}
