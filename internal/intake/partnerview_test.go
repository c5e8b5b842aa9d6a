package intake_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
)

func TestSeenByPartner(t *testing.T) {
	acct := "123456789012"
	p := intake.Profile{Stage: "seed", Region: "eu", Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build",
		TeamSize: 12, RequestedFundingSources: []string{"founders"}, ProjectedMonthlySpend: []intake.SpendLine{{Service: "ec2", USD: 4000}},
		ProjectedMonthlyUSD: 4000, UseCase: "telemetry", CompetingCloud: "gcp"}
	c := intake.Customer{CompanyName: "Acme", Website: "https://acme.example", CustomerDomain: "acme.example", AWSAccountID: &acct,
		LastRound:        &intake.Round{Round: "Seed", AmountUSD: 3_000_000, LeadInvestor: "Example Ventures", ClosedOn: "2025-03-14"},
		TechnicalContact: &intake.Contact{Name: "Ada", Email: "ada@acme.example"}, BusinessContact: &intake.Contact{Name: "Grace", Email: "grace@acme.example"}}
	for _, tc := range []struct {
		status   string
		customer bool
	}{
		{domain.AssignmentOffered, false},
		{domain.AssignmentAccepted, true},
		{domain.AssignmentDeclined, false},
		{domain.AssignmentExpired, false},
		{domain.AssignmentReleased, false},
		{domain.AssignmentCancelled, false},
		{domain.AssignmentCompleted, false},
		{"", false},
	} {
		t.Run(tc.status, func(t *testing.T) {
			want := intake.PartnerView{Profile: p}
			if tc.customer {
				want.Customer = &c
			}
			if diff := cmp.Diff(want, intake.SeenByPartner(p, c, tc.status)); diff != "" {
				t.Errorf("view (-want +got):\n%s", diff)
			}
		})
	}
	// Every assignment status is in the table above.
	if len(domain.AssignmentStatuses) != 7 {
		t.Errorf("%d assignment statuses; add the new ones to this test", len(domain.AssignmentStatuses))
	}
}

func TestReference(t *testing.T) {
	if got := intake.Reference("7f3a2c91-0b1e-4c55-9d0a-2f6e8b1c4d3e"); got != "INT-7F3A2C" {
		t.Fatalf("Reference = %q", got)
	}
}
