package ace_test

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

var useCase = strings.Repeat("A treasury platform on EC2 and RDS. ", 4) // 144 characters

// complete returns a record with every common field filled in, valid for
// founders and build_for_startups.
func complete() ace.RecordFields {
	return ace.RecordFields{
		CompanyName: new("Ledgerly Ltd"),
		Website:     new("https://ledgerly.io"),
		UseCase:     new(useCase),
		ProjectedMonthlySpend: []ace.SpendLine{
			{Service: "EC2", USD: 800},
			{Service: "RDS", USD: 200},
		},
		EngagementType:          new("build"),
		EstimatedAnnualSpendUSD: new(int64(60_000)),
		PartnerRole:             new("Architecture review and SOC 2 remediation"),
		AWSAccountID:            new("123456789012"),
		FundingStage:            new("seed"),
		EngagementStartDate:     new("2026-03-01"),
		GoLiveDate:              new("2026-06-01"),
		Vertical:                new("fintech"),
		CompetingCloud:          new("none"),
		TechnicalContact:        &ace.Contact{Name: new("Ada"), Email: new("ada@ledgerly.io")},
		BusinessContact:         &ace.Contact{Name: new("Bo"), Email: new("bo@ledgerly.io")},
	}
}

var common = []string{
	"company_name", "website", "use_case", "projected_monthly_spend",
	"engagement_type", "estimated_annual_spend_usd", "partner_role",
	"aws_account_id", "funding_stage", "engagement_start_date", "go_live_date",
	"vertical", "competing_cloud",
	"technical_contact.name", "technical_contact.email",
	"business_contact.name", "business_contact.email",
}

func with(extra ...string) []string { return append(append([]string{}, common...), extra...) }

func TestMissingForSubmissionEmptyRecordPerPool(t *testing.T) {
	for _, c := range []struct {
		pool string
		want []string
	}{
		{"founders", with()},
		{"build_for_startups", with()},
		{"map", with()},
		{"portfolio", with("last_round.round", "last_round.lead_investor")},
		{"bedrock_poc", with("poc_plan.model_choice", "poc_plan.evaluation_method", "poc_plan.budget_items")},
	} {
		t.Run(c.pool, func(t *testing.T) {
			err := ace.MissingForSubmission(c.pool, 20_000, ace.RecordFields{})
			if got := code(t, err); got != domain.ECodeIncompleteRecord {
				t.Fatalf("code = %q", got)
			}
			if diff := cmp.Diff(c.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMissingForSubmission(t *testing.T) {
	portfolio := func(f ace.RecordFields) ace.RecordFields {
		f.FundingStage = new("series_a")
		f.LastRound = &ace.Round{Round: new("series_a"), AmountUSD: new(int64(8_000_000)), LeadInvestor: new("Index Ventures"), ClosedOn: new("2025-11-20")}
		return f
	}
	bedrock := func(f ace.RecordFields) ace.RecordFields {
		f.POCPlan = &ace.POCPlan{
			ModelChoice:      new("Claude on Bedrock"),
			EvaluationMethod: new("Accuracy on 500 labelled transactions"),
			BudgetItems:      []ace.BudgetItem{{Description: "inference", USD: 15_000}, {Description: "fine-tuning", USD: 5_000}},
		}
		return f
	}
	edit := func(f ace.RecordFields, change func(*ace.RecordFields)) ace.RecordFields {
		change(&f)
		return f
	}
	for _, c := range []struct {
		name      string
		pool      string
		requested int64
		f         ace.RecordFields
		want      []string
	}{
		{"complete founders", "founders", 25_000, complete(), nil},
		{"complete build", "build_for_startups", 25_000, complete(), nil},
		{"complete portfolio", "portfolio", 100_000, portfolio(complete()), nil},
		{"complete bedrock", "bedrock_poc", 20_000, bedrock(complete()), nil},
		{"complete map", "map", 0, edit(complete(), func(f *ace.RecordFields) {
			f.EngagementType, f.CompetingCloud = new("migrate"), new("heroku")
		}), nil},

		{"use case of 99 characters", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.UseCase = new(strings.Repeat("x", 99))
		}), []string{"use_case"}},
		{"use case of 100 characters", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.UseCase = new(strings.Repeat("x", 100))
		}), nil},
		{"use case counts characters, not bytes", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.UseCase = new(strings.Repeat("é", 100))
		}), nil},
		{"use case padded with blanks", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.UseCase = new(strings.Repeat("x", 99) + strings.Repeat(" ", 20))
		}), []string{"use_case"}},
		{"blank strings are missing", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.CompanyName, f.Vertical = new(""), new("   ")
		}), []string{"company_name", "vertical"}},
		{"empty spend list", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.ProjectedMonthlySpend = []ace.SpendLine{}
		}), []string{"projected_monthly_spend"}},
		{"spend line of 0 and unnamed line", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.ProjectedMonthlySpend = []ace.SpendLine{{Service: "EC2", USD: 500}, {Service: "S3", USD: 0}, {Service: " ", USD: 5}}
		}), []string{"projected_monthly_spend[1].usd", "projected_monthly_spend[2].service"}},
		{"placeholder instead of account", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.AWSAccountID, f.NewAccountPlaceholder = nil, new(true)
		}), nil},
		{"placeholder false and no account", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.AWSAccountID, f.NewAccountPlaceholder = nil, new(false)
		}), []string{"aws_account_id"}},
		{"annual spend of 0 is given", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.EstimatedAnnualSpendUSD = new(int64(0))
		}), nil},
		{"contact without email", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.TechnicalContact = &ace.Contact{Name: new("Ada")}
			f.BusinessContact = nil
		}), []string{"technical_contact.email", "business_contact.name", "business_contact.email"}},
		{"timeline missing", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.EngagementStartDate, f.GoLiveDate = nil, nil
		}), []string{"engagement_start_date", "go_live_date"}},

		{"migrate with no competing cloud", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.EngagementType = new("migrate")
		}), []string{"competing_cloud"}},
		{"migrate from gcp", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.EngagementType, f.CompetingCloud = new("migrate"), new("gcp")
		}), nil},
		{"map build with none", "map", 0, complete(), []string{"competing_cloud"}},
		{"competing cloud absent", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.CompetingCloud = nil
		}), []string{"competing_cloud"}},

		{"portfolio without lead investor", "portfolio", 60_000, edit(portfolio(complete()), func(f *ace.RecordFields) {
			f.LastRound.LeadInvestor = new(" ")
		}), []string{"last_round.lead_investor"}},
		{"portfolio without round", "portfolio", 60_000, complete(), []string{"last_round.round", "last_round.lead_investor"}},
		{"founders ignores the round", "founders", 10_000, edit(complete(), func(f *ace.RecordFields) {
			f.LastRound = &ace.Round{}
		}), nil},

		{"bedrock budget equals request", "bedrock_poc", 20_000, bedrock(complete()), nil},
		{"bedrock budget one over request", "bedrock_poc", 19_999, bedrock(complete()), []string{"poc_plan.budget_items"}},
		{"bedrock without items", "bedrock_poc", 20_000, edit(bedrock(complete()), func(f *ace.RecordFields) {
			f.POCPlan.BudgetItems = nil
		}), []string{"poc_plan.budget_items"}},
		{"bedrock bad item", "bedrock_poc", 20_000, edit(bedrock(complete()), func(f *ace.RecordFields) {
			f.POCPlan.BudgetItems = []ace.BudgetItem{{Description: "", USD: 0}}
		}), []string{"poc_plan.budget_items[0].description", "poc_plan.budget_items[0].usd"}},
		{"bedrock plan half done and portfolio fields ignored", "bedrock_poc", 20_000, edit(complete(), func(f *ace.RecordFields) {
			f.POCPlan = &ace.POCPlan{ModelChoice: new("Titan")}
		}), []string{"poc_plan.evaluation_method", "poc_plan.budget_items"}},

		{"everything at once", "bedrock_poc", 10_000, ace.RecordFields{
			CompanyName:    new("Ledgerly"),
			UseCase:        new("short"),
			EngagementType: new("migrate"),
			CompetingCloud: new("none"),
			POCPlan:        &ace.POCPlan{BudgetItems: []ace.BudgetItem{{Description: "x", USD: 10_001}}},
		}, []string{
			"website", "use_case", "projected_monthly_spend", "estimated_annual_spend_usd",
			"partner_role", "aws_account_id", "funding_stage", "engagement_start_date",
			"go_live_date", "vertical", "competing_cloud",
			"technical_contact.name", "technical_contact.email",
			"business_contact.name", "business_contact.email",
			"poc_plan.model_choice", "poc_plan.evaluation_method", "poc_plan.budget_items",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ace.MissingForSubmission(c.pool, c.requested, c.f)
			want := ""
			if c.want != nil {
				want = domain.ECodeIncompleteRecord
			}
			if got := code(t, err); got != want {
				t.Fatalf("code = %q, want %q (%v)", got, want, err)
			}
			if diff := cmp.Diff(c.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMissingForSubmissionUnknownPool(t *testing.T) {
	err := ace.MissingForSubmission("activate", 10_000, complete())
	if got := code(t, err); got != domain.ECodeValidation {
		t.Fatalf("code = %q", got)
	}
	if diff := cmp.Diff([]string{"funding_source"}, fieldsOf(t, err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestValidateFields(t *testing.T) {
	edit := func(change func(*ace.RecordFields)) ace.RecordFields {
		f := complete()
		change(&f)
		return f
	}
	for _, c := range []struct {
		name string
		f    ace.RecordFields
		want []string
	}{
		{"empty draft", ace.RecordFields{}, nil},
		{"complete", complete(), nil},
		{"blank strings are not given", ace.RecordFields{Vertical: new(""), Website: new(" "), GoLiveDate: new("")}, nil},
		{"go-live the same day as start", edit(func(f *ace.RecordFields) { f.GoLiveDate = new("2026-03-01") }), nil},
		{"go-live before start", edit(func(f *ace.RecordFields) { f.GoLiveDate = new("2026-02-28") }), []string{"go_live_date"}},
		{"account and placeholder", edit(func(f *ace.RecordFields) { f.NewAccountPlaceholder = new(true) }), []string{"new_account_placeholder"}},
		{"account and placeholder false", edit(func(f *ace.RecordFields) { f.NewAccountPlaceholder = new(false) }), nil},
		{"account of 13 digits", edit(func(f *ace.RecordFields) { f.AWSAccountID = new("1234567890123") }), []string{"aws_account_id"}},
		{"account with dashes", edit(func(f *ace.RecordFields) { f.AWSAccountID = new("1234-5678-9012") }), []string{"aws_account_id"}},
		{"portfolio round", edit(func(f *ace.RecordFields) {
			f.LastRound = &ace.Round{Round: new("series_a"), AmountUSD: new(int64(5_000_000)), LeadInvestor: new("Accel"), ClosedOn: new("2025-12-01")}
		}), nil},
		{"too many spend lines", edit(func(f *ace.RecordFields) {
			f.ProjectedMonthlySpend = make([]ace.SpendLine, 51)
		}), []string{"projected_monthly_spend"}},
		{"company name too long", edit(func(f *ace.RecordFields) { f.CompanyName = new(strings.Repeat("n", 201)) }), []string{"company_name"}},
		{"every field bad at once", ace.RecordFields{
			Website:                 new("not a url"),
			ProjectedMonthlySpend:   []ace.SpendLine{{Service: "EC2", USD: 100}, {Service: "", USD: 0}},
			EngagementType:          new("modernize"),
			EstimatedAnnualSpendUSD: new(int64(-1)),
			AWSAccountID:            new("12345678901"),
			FundingStage:            new("series_d"),
			EngagementStartDate:     new("2026-02-30"),
			GoLiveDate:              new("2026/03/01"),
			Vertical:                new("crypto"),
			CompetingCloud:          new("aws"),
			TechnicalContact:        &ace.Contact{Email: new("nope")},
			BusinessContact:         &ace.Contact{Email: new("a@b")},
			LastRound:               &ace.Round{Round: new("ipo"), AmountUSD: new(int64(0)), ClosedOn: new("yesterday")},
			POCPlan:                 &ace.POCPlan{BudgetItems: []ace.BudgetItem{{Description: "GPU", USD: -5}}},
			TargetCloseDate:         new("soon"),
		}, []string{
			"website",
			"projected_monthly_spend[1].service", "projected_monthly_spend[1].usd",
			"engagement_type", "estimated_annual_spend_usd", "aws_account_id",
			"funding_stage", "engagement_start_date", "go_live_date", "vertical",
			"competing_cloud", "technical_contact.email", "business_contact.email",
			"last_round.round", "last_round.amount_usd", "last_round.closed_on",
			"poc_plan.budget_items[0].usd", "target_close_date",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ace.ValidateFields(c.f)
			want := ""
			if c.want != nil {
				want = domain.ECodeValidation
			}
			if got := code(t, err); got != want {
				t.Fatalf("code = %q, want %q (%v)", got, want, err)
			}
			if diff := cmp.Diff(c.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateFieldsWebsite(t *testing.T) {
	for _, c := range []struct {
		website string
		ok      bool
	}{
		{"example.com", true},
		{"www.example.com", true},
		{"https://www.example.com/about", true},
		{"http://example.co.uk:8080", true},
		{"EXAMPLE.COM.", true},
		{"ftp://example.com", false},
		{"example", false},
		{"exa mple.com", false},
		{"https://", false},
		{"https://localhost", false},
		{"mailto:bo@example.com", false},
	} {
		t.Run(c.website, func(t *testing.T) {
			err := ace.ValidateFields(ace.RecordFields{Website: new(c.website)})
			if (err == nil) != c.ok {
				t.Errorf("ValidateFields(website %q) = %v, want ok=%v", c.website, err, c.ok)
			}
		})
	}
}

func TestPlausibilityWarning(t *testing.T) {
	for _, c := range []struct {
		name               string
		requested, monthly int64
		warn               bool
	}{
		{"exactly 24 times", 24_000, 1_000, false},
		{"24 times plus 1", 24_001, 1_000, true},
		{"well below", 5_000, 1_000, false},
		{"smallest: 24 at 1", 24, 1, false},
		{"smallest: 25 at 1", 25, 1, true},
		{"no spend at all", 1, 0, true},
		{"map requests nothing", 0, 0, false},
		{"huge spend cannot overflow", math.MaxInt64, math.MaxInt64, false},
		{"huge request", math.MaxInt64, math.MaxInt64 / 24, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ace.PlausibilityWarning(c.requested, c.monthly)
			if (got != "") != c.warn {
				t.Errorf("PlausibilityWarning(%d, %d) = %q, want warning=%v", c.requested, c.monthly, got, c.warn)
			}
		})
	}
	if got := ace.PlausibilityWarning(100_000, 1_000); !strings.Contains(got, "100,000 USD") || !strings.Contains(got, "24 times") {
		t.Errorf("warning text = %q", got)
	}
}

func TestMonthlySpendUSD(t *testing.T) {
	if got := ace.MonthlySpendUSD(complete()); got != 1_000 {
		t.Errorf("MonthlySpendUSD = %d, want 1000", got)
	}
	if got := ace.MonthlySpendUSD(ace.RecordFields{}); got != 0 {
		t.Errorf("MonthlySpendUSD(empty) = %d", got)
	}
	// The founders record above asks for at most 25,000 against 1,000 a
	// month: that is over 24 months and earns a warning.
	if ace.PlausibilityWarning(25_000, ace.MonthlySpendUSD(complete())) == "" {
		t.Error("want a warning for 25,000 against 1,000 a month")
	}
}

// TestValidateFieldsTextRule puts each bad character into every string a
// record holds, coded fields included, and expects exactly that field path
// to be named: Postgres refuses NUL in a JSON document (a 500 before this
// rule), and the other characters are what the intake refuses too.
func TestValidateFieldsTextRule(t *testing.T) {
	fields := []struct {
		path string
		set  func(f *ace.RecordFields, s string)
	}{
		{"company_name", func(f *ace.RecordFields, s string) { f.CompanyName = &s }},
		{"website", func(f *ace.RecordFields, s string) { f.Website = new("example.com" + s) }},
		{"use_case", func(f *ace.RecordFields, s string) { f.UseCase = &s }},
		{"projected_monthly_spend[1].service", func(f *ace.RecordFields, s string) { f.ProjectedMonthlySpend[1].Service = "RDS" + s }},
		{"engagement_type", func(f *ace.RecordFields, s string) { f.EngagementType = new("build" + s) }},
		{"partner_role", func(f *ace.RecordFields, s string) { f.PartnerRole = &s }},
		{"aws_account_id", func(f *ace.RecordFields, s string) { f.AWSAccountID = new("123456789012" + s) }},
		{"funding_stage", func(f *ace.RecordFields, s string) { f.FundingStage = new("seed" + s) }},
		{"engagement_start_date", func(f *ace.RecordFields, s string) { f.EngagementStartDate = new("2026-03-01" + s) }},
		{"go_live_date", func(f *ace.RecordFields, s string) { f.GoLiveDate = new(s + "2026-06-01") }},
		{"vertical", func(f *ace.RecordFields, s string) { f.Vertical = new("fintech" + s) }},
		{"competing_cloud", func(f *ace.RecordFields, s string) { f.CompetingCloud = new("none" + s) }},
		{"technical_contact.name", func(f *ace.RecordFields, s string) { f.TechnicalContact.Name = new("Ada" + s) }},
		{"technical_contact.email", func(f *ace.RecordFields, s string) { f.TechnicalContact.Email = new("ada" + s + "@ledgerly.io") }},
		{"business_contact.name", func(f *ace.RecordFields, s string) { f.BusinessContact.Name = &s }},
		{"business_contact.email", func(f *ace.RecordFields, s string) { f.BusinessContact.Email = new("bo@ledgerly.io" + s) }},
		{"last_round.round", func(f *ace.RecordFields, s string) { f.LastRound = &ace.Round{Round: new("seed" + s)} }},
		{"last_round.lead_investor", func(f *ace.RecordFields, s string) { f.LastRound = &ace.Round{LeadInvestor: new("Accel" + s)} }},
		{"last_round.closed_on", func(f *ace.RecordFields, s string) { f.LastRound = &ace.Round{ClosedOn: new("2025-12-01" + s)} }},
		{"poc_plan.model_choice", func(f *ace.RecordFields, s string) { f.POCPlan = &ace.POCPlan{ModelChoice: new("Claude" + s)} }},
		{"poc_plan.evaluation_method", func(f *ace.RecordFields, s string) { f.POCPlan = &ace.POCPlan{EvaluationMethod: &s} }},
		{"poc_plan.budget_items[0].description", func(f *ace.RecordFields, s string) {
			f.POCPlan = &ace.POCPlan{BudgetItems: []ace.BudgetItem{{Description: "GPU" + s, USD: 100}}}
		}},
		{"target_close_date", func(f *ace.RecordFields, s string) { f.TargetCloseDate = new("2026-09-30" + s) }},
	}
	for _, bad := range []struct{ name, s string }{
		{"NUL", "\x00"},
		{"NUL alone", "\x00 "},
		{"ESC", "\x1b[2J"},
		{"right-to-left override", "\u202E"},
		{"first strong isolate", "\u2068"},
		{"line separator", "\u2028"},
		{"vertical tab", "\v"},
		{"invalid UTF-8", "\xff"},
	} {
		for _, fl := range fields {
			t.Run(bad.name+"/"+fl.path, func(t *testing.T) {
				f := complete()
				s := bad.s
				if bad.name == "NUL alone" {
					s = "\x00"
				} else if fl.path == "use_case" || fl.path == "partner_role" || fl.path == "poc_plan.evaluation_method" ||
					fl.path == "business_contact.name" {
					s = "Something plausible " + bad.s + " and more"
				}
				fl.set(&f, s)
				err := ace.ValidateFields(f)
				if got := code(t, err); got != domain.ECodeValidation {
					t.Fatalf("code = %q, want validation_failed (%v)", got, err)
				}
				if diff := cmp.Diff([]string{fl.path}, fieldsOf(t, err)); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			})
		}
	}
	// Line breaks are text in the three long fields, and nowhere else.
	f := complete()
	f.UseCase = new(useCase + "\n\nSecond paragraph.\tTabbed.")
	f.PartnerRole = new("Architecture review.\r\nSOC 2 remediation.")
	f.POCPlan = &ace.POCPlan{EvaluationMethod: new("Offline set.\nHuman review.")}
	if err := ace.ValidateFields(f); err != nil {
		t.Errorf("line breaks in multiline fields: %v", err)
	}
	f = complete()
	f.CompanyName = new("Ledgerly\nLtd")
	if diff := cmp.Diff([]string{"company_name"}, fieldsOf(t, ace.ValidateFields(f))); diff != "" {
		t.Errorf("line break in company_name (-want +got):\n%s", diff)
	}
}
