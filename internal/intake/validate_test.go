package intake

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// testNow is the clock of every validation test.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// fieldsOf returns the field names of err, asserting that it is a
// *domain.Error with the given code.
func fieldsOf(t *testing.T, err error, code string) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	if de.Code != code {
		t.Fatalf("code = %q, want %q (%v)", de.Code, code, de)
	}
	out := make([]string, 0, len(de.Fields))
	for _, f := range de.Fields {
		if f.Message == "" {
			t.Errorf("field %q has no message", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestExampleIsValid(t *testing.T) {
	if err := Validate(Example(), testNow); err != nil {
		t.Fatalf("Example() is invalid: %v", err)
	}
	if err := Validate(Example(), time.Now()); err != nil {
		t.Fatalf("Example() is invalid today: %v", err)
	}
}

func TestExampleReturnsFreshPointers(t *testing.T) {
	a, b := Example(), Example()
	*a.TeamSize = 99
	a.LastRound.Round = "changed"
	a.TechnicalContact.Name = "changed"
	a.ProjectedMonthlySpend[0].USD = 1
	if diff := cmp.Diff(Example(), b); diff != "" {
		t.Fatalf("changing one Example() changed another (-want +got):\n%s", diff)
	}
}

func TestValidIntakeJSONMatchesExample(t *testing.T) {
	data, err := os.ReadFile("testdata/valid_intake.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if diff := cmp.Diff(Example(), got); diff != "" {
		t.Fatalf("testdata/valid_intake.json differs from Example() (-want +got):\n%s", diff)
	}
}

func TestValidateAt(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(b *Body)
		want   []string
	}{
		{"example is valid", func(b *Body) {}, nil},

		{"company_name missing", func(b *Body) { b.CompanyName = "" }, []string{"company_name"}},
		{"company_name only spaces", func(b *Body) { b.CompanyName = "   " }, []string{"company_name"}},
		{"company_name too long", func(b *Body) { b.CompanyName = strings.Repeat("a", 201) }, []string{"company_name"}},
		{"company_name 200 multibyte chars is fine", func(b *Body) { b.CompanyName = strings.Repeat("é", 200) }, nil},
		{"company_name with NUL", func(b *Body) { b.CompanyName = "Acme\x00" }, []string{"company_name"}},
		{"company_name invalid UTF-8", func(b *Body) { b.CompanyName = "Acme\xff" }, []string{"company_name"}},
		{"company_name with ESC", func(b *Body) { b.CompanyName = "Acme\x1b[31m" }, []string{"company_name"}},
		{"company_name with a bidi override", func(b *Body) { b.CompanyName = "Acme\u202Eevil" }, []string{"company_name"}},
		{"company_name with a bidi isolate", func(b *Body) { b.CompanyName = "Acme\u2067" }, []string{"company_name"}},
		{"company_name on two lines", func(b *Body) { b.CompanyName = "Acme\nRobotics" }, []string{"company_name"}},
		{"company_name with a line separator at the end", func(b *Body) { b.CompanyName = "Acme\u2028" }, []string{"company_name"}},
		{"company_name trailing line break is trimmed", func(b *Body) { b.CompanyName = "Acme Robotics\n" }, nil},

		{"website missing", func(b *Body) { b.Website = "" }, []string{"website"}},
		{"website localhost", func(b *Body) { b.Website = "http://localhost:3000" }, []string{"website"}},
		{"website too long", func(b *Body) { b.Website = "https://example.com/" + strings.Repeat("a", 2048) }, []string{"website"}},

		{"stage missing", func(b *Body) { b.Stage = "" }, []string{"stage"}},
		{"stage unknown", func(b *Body) { b.Stage = "series_z" }, []string{"stage"}},
		{"stage in wrong case", func(b *Body) { b.Stage = "Seed" }, []string{"stage"}},

		{"last_round required after pre_seed", func(b *Body) { b.Stage = "series_a"; b.LastRound = nil }, []string{"last_round"}},
		{"last_round optional for pre_seed", func(b *Body) { b.Stage = "pre_seed"; b.LastRound = nil }, nil},
		{"last_round checked for pre_seed when given", func(b *Body) { b.Stage = "pre_seed"; b.LastRound.AmountUSD = 0 }, []string{"last_round.amount_usd"}},
		{"last_round.round missing", func(b *Body) { b.LastRound.Round = " " }, []string{"last_round.round"}},
		{"last_round.round too long", func(b *Body) { b.LastRound.Round = strings.Repeat("r", 101) }, []string{"last_round.round"}},
		{"last_round.amount_usd zero", func(b *Body) { b.LastRound.AmountUSD = 0 }, []string{"last_round.amount_usd"}},
		{"last_round.amount_usd negative", func(b *Body) { b.LastRound.AmountUSD = -1 }, []string{"last_round.amount_usd"}},
		{"last_round.amount_usd at the cap", func(b *Body) { b.LastRound.AmountUSD = 10_000_000_000 }, nil},
		{"last_round.amount_usd over the cap", func(b *Body) { b.LastRound.AmountUSD = 10_000_000_001 }, []string{"last_round.amount_usd"}},
		{"last_round.lead_investor may be empty", func(b *Body) { b.LastRound.LeadInvestor = "" }, nil},
		{"last_round.lead_investor too long", func(b *Body) { b.LastRound.LeadInvestor = strings.Repeat("l", 201) }, []string{"last_round.lead_investor"}},
		{"last_round.closed_on missing", func(b *Body) { b.LastRound.ClosedOn = "" }, []string{"last_round.closed_on"}},
		{"last_round.closed_on not a date", func(b *Body) { b.LastRound.ClosedOn = "2025-02-30" }, []string{"last_round.closed_on"}},
		{"last_round.closed_on wrong layout", func(b *Body) { b.LastRound.ClosedOn = "14/03/2025" }, []string{"last_round.closed_on"}},
		{"last_round.closed_on without zero padding", func(b *Body) { b.LastRound.ClosedOn = "2025-3-14" }, []string{"last_round.closed_on"}},
		{"last_round.closed_on with a time", func(b *Body) { b.LastRound.ClosedOn = "2025-03-14T00:00:00Z" }, []string{"last_round.closed_on"}},
		{"last_round.closed_on today in UTC", func(b *Body) { b.LastRound.ClosedOn = "2026-01-15" }, nil},
		{"last_round.closed_on today at UTC+14", func(b *Body) { b.LastRound.ClosedOn = "2026-01-16" }, nil},
		{"last_round.closed_on in the future", func(b *Body) { b.LastRound.ClosedOn = "2026-01-17" }, []string{"last_round.closed_on"}},
		{"last_round.closed_on before 1900", func(b *Body) { b.LastRound.ClosedOn = "0000-01-01" }, []string{"last_round.closed_on"}},

		{"region unknown", func(b *Body) { b.Region = "mars" }, []string{"region"}},
		{"region missing", func(b *Body) { b.Region = "" }, []string{"region"}},
		{"vertical unknown", func(b *Body) { b.Vertical = "crypto" }, []string{"vertical"}},
		{"service_profile unknown", func(b *Body) { b.ServiceProfile = "gpu_heavy" }, []string{"service_profile"}},
		{"engagement_type unknown", func(b *Body) { b.EngagementType = "both" }, []string{"engagement_type"}},
		{"competing_cloud unknown", func(b *Body) { b.CompetingCloud = "aws" }, []string{"competing_cloud"}},
		{"competing_cloud missing", func(b *Body) { b.CompetingCloud = "" }, []string{"competing_cloud"}},

		{"team_size missing", func(b *Body) { b.TeamSize = nil }, []string{"team_size"}},
		{"team_size zero", func(b *Body) { b.TeamSize = ptr(0) }, []string{"team_size"}},
		{"team_size over the cap", func(b *Body) { b.TeamSize = ptr(100_001) }, []string{"team_size"}},
		{"team_size at the cap", func(b *Body) { b.TeamSize = ptr(100_000) }, nil},

		{"projected_monthly_spend missing", func(b *Body) { b.ProjectedMonthlySpend = nil }, []string{"projected_monthly_spend"}},
		{"projected_monthly_spend empty", func(b *Body) { b.ProjectedMonthlySpend = []SpendLine{} }, []string{"projected_monthly_spend"}},
		{"projected_monthly_spend too many lines", func(b *Body) {
			b.ProjectedMonthlySpend = nil
			for _, s := range KnownServices[:51] {
				b.ProjectedMonthlySpend = append(b.ProjectedMonthlySpend, SpendLine{Service: s, USD: 1})
			}
		}, []string{"projected_monthly_spend"}},
		{"projected_monthly_spend unknown service", func(b *Body) { b.ProjectedMonthlySpend[1].Service = "mainframe" }, []string{"projected_monthly_spend[1].service"}},
		{"projected_monthly_spend empty service", func(b *Body) { b.ProjectedMonthlySpend[2].Service = "" }, []string{"projected_monthly_spend[2].service"}},
		{"projected_monthly_spend service case and space ignored", func(b *Body) { b.ProjectedMonthlySpend[0].Service = " EC2 " }, nil},
		{"projected_monthly_spend duplicate service", func(b *Body) { b.ProjectedMonthlySpend[2].Service = "EC2" }, []string{"projected_monthly_spend[2].service"}},
		{"projected_monthly_spend usd zero", func(b *Body) { b.ProjectedMonthlySpend[1].USD = 0 }, []string{"projected_monthly_spend[1].usd"}},
		{"projected_monthly_spend usd over the cap", func(b *Body) { b.ProjectedMonthlySpend[0].USD = 100_000_001 }, []string{"projected_monthly_spend[0].usd"}},

		{"use_case too short", func(b *Body) { b.UseCase = strings.Repeat("x", 19) }, []string{"use_case"}},
		{"use_case short once trimmed", func(b *Body) { b.UseCase = "   " + strings.Repeat("x", 19) + "   " }, []string{"use_case"}},
		{"use_case too long", func(b *Body) { b.UseCase = strings.Repeat("x", 5001) }, []string{"use_case"}},
		{"use_case may hold line breaks", func(b *Body) { b.UseCase = "Line one of the use case.\nLine two.\tTabbed." }, nil},
		{"use_case with NUL", func(b *Body) { b.UseCase = "Line one of the use case\x00" }, []string{"use_case"}},
		{"use_case with a bidi override", func(b *Body) { b.UseCase = "Line one of the use case\u202D" }, []string{"use_case"}},
		{"use_case with DEL", func(b *Body) { b.UseCase = "Line one of the use case\x7f" }, []string{"use_case"}},
		{"last_round.round with NUL", func(b *Body) { b.LastRound.Round = "Seed\x00" }, []string{"last_round.round"}},
		{"last_round.lead_investor with a bidi override", func(b *Body) { b.LastRound.LeadInvestor = "\u202EAccel" }, []string{"last_round.lead_investor"}},

		{"aws_account_id absent is fine", func(b *Body) { b.AWSAccountID = nil }, nil},
		{"aws_account_id empty", func(b *Body) { b.AWSAccountID = ptr("") }, []string{"aws_account_id"}},
		{"aws_account_id too short", func(b *Body) { b.AWSAccountID = ptr("12345678901") }, []string{"aws_account_id"}},
		{"aws_account_id with a letter", func(b *Body) { b.AWSAccountID = ptr("12345678901a") }, []string{"aws_account_id"}},
		{"aws_account_id with dashes", func(b *Body) { b.AWSAccountID = ptr("1234-5678-9012") }, []string{"aws_account_id"}},
		{"aws_account_id non-ASCII digits", func(b *Body) { b.AWSAccountID = ptr("١٢٣٤٥٦٧٨٩٠١٢") }, []string{"aws_account_id"}},

		{"requested_funding_sources missing", func(b *Body) { b.RequestedFundingSources = nil }, []string{"requested_funding_sources"}},
		{"requested_funding_sources unknown", func(b *Body) { b.RequestedFundingSources = []string{"founders", "grant"} }, []string{"requested_funding_sources[1]"}},
		{"requested_funding_sources duplicate", func(b *Body) { b.RequestedFundingSources = []string{"map", "founders", "map"} }, []string{"requested_funding_sources[2]"}},
		{"requested_funding_sources all five", func(b *Body) { b.RequestedFundingSources = append([]string{}, domain.FundingSources...) }, nil},
		{"requested_funding_sources six", func(b *Body) {
			b.RequestedFundingSources = append(append([]string{}, domain.FundingSources...), "founders")
		}, []string{"requested_funding_sources", "requested_funding_sources[5]"}},

		{"technical_contact missing", func(b *Body) { b.TechnicalContact = nil }, []string{"technical_contact"}},
		{"technical_contact.name missing", func(b *Body) { b.TechnicalContact.Name = "" }, []string{"technical_contact.name"}},
		{"technical_contact.name too long", func(b *Body) { b.TechnicalContact.Name = strings.Repeat("n", 201) }, []string{"technical_contact.name"}},
		{"technical_contact.email missing", func(b *Body) { b.TechnicalContact.Email = "" }, []string{"technical_contact.email"}},
		{"technical_contact.email invalid", func(b *Body) { b.TechnicalContact.Email = "ada@" }, []string{"technical_contact.email"}},
		{"technical_contact.email with display name", func(b *Body) { b.TechnicalContact.Email = "Ada <ada@example.com>" }, []string{"technical_contact.email"}},
		{"technical_contact.email surrounding space ignored", func(b *Body) { b.TechnicalContact.Email = " ada@example.com " }, nil},
		{"technical_contact.name with NUL", func(b *Body) { b.TechnicalContact.Name = "Ada\x00" }, []string{"technical_contact.name"}},
		{"technical_contact.email with a bidi override", func(b *Body) { b.TechnicalContact.Email = "ada\u202E@example.com" }, []string{"technical_contact.email"}},
		{"business_contact.name with ESC", func(b *Body) { b.BusinessContact.Name = "\x1bGrace" }, []string{"business_contact.name"}},
		{"business_contact missing", func(b *Body) { b.BusinessContact = nil }, []string{"business_contact"}},
		{"business_contact.email invalid", func(b *Body) { b.BusinessContact.Email = "grace" }, []string{"business_contact.email"}},

		{"consent_to_share missing", func(b *Body) { b.ConsentToShare = nil }, []string{"consent_to_share"}},
		{"consent_to_share false", func(b *Body) { b.ConsentToShare = ptr(false) }, []string{"consent_to_share"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Example()
			tc.mutate(&b)
			got := fieldsOf(t, Validate(b, testNow), domain.ECodeValidation)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateListsEveryBadField(t *testing.T) {
	data, err := os.ReadFile("testdata/invalid_fields.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := []string{
		"company_name",
		"website",
		"stage",
		"last_round.round",
		"last_round.amount_usd",
		"last_round.closed_on",
		"region",
		"vertical",
		"service_profile",
		"engagement_type",
		"team_size",
		"projected_monthly_spend[0].usd",
		"projected_monthly_spend[1].service",
		"projected_monthly_spend[2].service",
		"use_case",
		"competing_cloud",
		"aws_account_id",
		"requested_funding_sources[1]",
		"requested_funding_sources[2]",
		"technical_contact.name",
		"technical_contact.email",
		"business_contact",
		"consent_to_share",
	}
	got := fieldsOf(t, Validate(b, testNow), domain.ECodeValidation)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestValidateEmptyBody(t *testing.T) {
	want := []string{
		"company_name", "website", "stage", "region", "vertical", "service_profile",
		"engagement_type", "team_size", "projected_monthly_spend", "use_case",
		"competing_cloud", "requested_funding_sources", "technical_contact",
		"business_contact", "consent_to_share",
	}
	got := fieldsOf(t, Validate(Body{}, testNow), domain.ECodeValidation)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestUnknownServiceMessageListsServices(t *testing.T) {
	b := Example()
	b.ProjectedMonthlySpend[0].Service = "mainframe"
	var de *domain.Error
	if !errors.As(Validate(b, testNow), &de) || len(de.Fields) != 1 {
		t.Fatalf("want one field error, got %v", de)
	}
	for _, s := range []string{"ec2", "bedrock", "api_gateway", "other"} {
		if !strings.Contains(de.Fields[0].Message, s) {
			t.Errorf("message %q does not list %q", de.Fields[0].Message, s)
		}
	}
}

func TestNormalizeService(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"ec2", "ec2", true},
		{" EC2 ", "ec2", true},
		{"S3", "s3", true},
		{"API Gateway", "api_gateway", true},
		{"api-gateway", "api_gateway", true},
		{"Amazon S3", "s3", true},
		{"AWS Lambda", "lambda", true},
		{"Route 53", "route53", true},
		{"Step Functions", "step_functions", true},
		{"other", "other", true},
		{"", "", false},
		{"   ", "", false},
		{"mainframe", "", false},
		{"amazon_", "", false},
		{"ec2\x00", "", false},
		{strings.Repeat("s3", 100), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := NormalizeService(tc.in)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("NormalizeService(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestKnownServicesAreCanonical(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range KnownServices {
		if seen[s] {
			t.Errorf("%q is listed twice", s)
		}
		seen[s] = true
		if got, ok := NormalizeService(s); !ok || got != s {
			t.Errorf("NormalizeService(%q) = %q, %v; a listed name must be its own canonical form", s, got, ok)
		}
	}
	for alias, canon := range serviceAliases {
		if !seen[canon] {
			t.Errorf("alias %q maps to %q, which is not listed", alias, canon)
		}
	}
}

func TestMonthlySpendUSD(t *testing.T) {
	if got := Example().MonthlySpendUSD(); got != 6800 {
		t.Errorf("Example().MonthlySpendUSD() = %d, want 6800", got)
	}
	if got := (Body{}).MonthlySpendUSD(); got != 0 {
		t.Errorf("empty body spend = %d, want 0", got)
	}
}

func TestNormalized(t *testing.T) {
	b := Example()
	b.CompanyName = "  Acme Robotics \n"
	b.ProjectedMonthlySpend[0].Service = " EC2"
	b.TechnicalContact.Email = " ada@acme-robotics.example.com "
	b.LastRound.Round = " Seed "
	b.Website = " https://www.acme-robotics.example.com/ "

	got := b.Normalized()
	if diff := cmp.Diff(Example(), got); diff != "" {
		t.Errorf("Normalized (-want +got):\n%s", diff)
	}
	// The copy is deep: changing it leaves the original alone.
	got.ProjectedMonthlySpend[0].USD = 1
	*got.TeamSize = 1
	got.RequestedFundingSources[0] = "map"
	if b.ProjectedMonthlySpend[0].USD != 4000 || *b.TeamSize != 12 || b.RequestedFundingSources[0] != "founders" {
		t.Error("Normalized shares memory with its receiver")
	}
	if err := Validate(got, testNow); err != nil {
		t.Errorf("normalised body is invalid: %v", err)
	}
	if diff := cmp.Diff(Body{}, Body{}.Normalized()); diff != "" {
		t.Errorf("Normalized of an empty body (-want +got):\n%s", diff)
	}
}

func BenchmarkValidate(b *testing.B) {
	body := Example()
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(body, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateInvalid(b *testing.B) {
	data, err := os.ReadFile("testdata/invalid_fields.json")
	if err != nil {
		b.Fatal(err)
	}
	body, err := Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(body, testNow); err == nil {
			b.Fatal("want an error")
		}
	}
}
