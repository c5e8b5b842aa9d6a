package form_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// example is intake.Example as a browser posts it.
func example() url.Values {
	return url.Values{
		form.CompanyName: {"Acme Robotics"}, form.Website: {"https://www.acme-robotics.example.com/"},
		form.Stage: {"seed"}, form.RoundName: {"Seed"}, form.RoundAmount: {"3,000,000"},
		form.RoundLead: {"Example Ventures"}, form.RoundClosedOn: {"2025-03-14"},
		form.Region: {"eu"}, form.Vertical: {"b2b_saas"}, form.ServiceProfile: {"ai_heavy"}, form.EngagementType: {"build"},
		form.TeamSize:     {"12"},
		"spend.0.service": {"ec2"}, "spend.0.usd": {"4000"},
		"spend.1.service": {"bedrock"}, "spend.1.usd": {"$2,500"},
		"spend.2.service": {"s3"}, "spend.2.usd": {"300 USD"},
		form.UseCase:        {intake.Example().UseCase},
		form.CompetingCloud: {"gcp"}, form.AWSAccountID: {"1234-5678-9012"},
		form.FundingSources: {"founders", "bedrock_poc"},
		form.TechName:       {"Ada Lovelace"}, form.TechEmail: {"ada@acme-robotics.example.com"},
		form.BizName: {"Grace Hopper"}, form.BizEmail: {"grace@acme-robotics.example.com"},
		form.Consent: {form.ConsentGiven}, form.IdempotencyKey: {"k"},
	}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string{}, vs...)
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

func TestBodyOfTheExample(t *testing.T) {
	m := form.NewIntake(example()).Body()
	if d := cmp.Diff(intake.Example(), m.Body); d != "" {
		t.Fatalf("body (-intake.Example +form):\n%s", d)
	}
	if err := intake.Validate(m.Body, now); err != nil {
		t.Fatalf("the example does not validate: %v", err)
	}
}

func TestBody(t *testing.T) {
	ptr := func(n int) *int { return &n }
	for _, tc := range []struct {
		name  string
		form  url.Values
		check func(t *testing.T, b intake.Body)
	}{
		{"pre-seed ignores the round", with(example(), form.Stage, "pre_seed"), func(t *testing.T, b intake.Body) {
			if b.LastRound != nil {
				t.Errorf("last round %+v for pre-seed", b.LastRound)
			}
		}},
		{"a blank round is no round", with(example(), form.RoundName, "", form.RoundAmount, "  ", form.RoundLead, "", form.RoundClosedOn, ""), func(t *testing.T, b intake.Body) {
			if b.LastRound != nil {
				t.Errorf("last round %+v", b.LastRound)
			}
		}},
		{"one round field is a round", with(example(), form.RoundName, "", form.RoundAmount, "", form.RoundClosedOn, ""), func(t *testing.T, b intake.Body) {
			if b.LastRound == nil || b.LastRound.LeadInvestor != "Example Ventures" || b.LastRound.AmountUSD != 0 {
				t.Errorf("last round %+v", b.LastRound)
			}
		}},
		{"letters in an amount read as 0", with(example(), form.RoundAmount, "three million", "spend.0.usd", "lots"), func(t *testing.T, b intake.Body) {
			if b.LastRound.AmountUSD != 0 || b.ProjectedMonthlySpend[0].USD != 0 {
				t.Errorf("amounts %d, %d", b.LastRound.AmountUSD, b.ProjectedMonthlySpend[0].USD)
			}
		}},
		{"a fraction reads as 0", with(example(), "spend.0.usd", "12.5"), func(t *testing.T, b intake.Body) {
			if b.ProjectedMonthlySpend[0].USD != 0 {
				t.Errorf("usd %d", b.ProjectedMonthlySpend[0].USD)
			}
		}},
		{"a blank team size is missing", with(example(), form.TeamSize, " "), func(t *testing.T, b intake.Body) {
			if b.TeamSize != nil {
				t.Errorf("team size %v", *b.TeamSize)
			}
		}},
		{"a wrong team size is 0", with(example(), form.TeamSize, "a dozen"), func(t *testing.T, b intake.Body) {
			if d := cmp.Diff(ptr(0), b.TeamSize); d != "" {
				t.Error(d)
			}
		}},
		{"a huge team size stays huge", with(example(), form.TeamSize, "99999999999"), func(t *testing.T, b intake.Body) {
			if b.TeamSize == nil || *b.TeamSize <= intake.MaxTeamSize {
				t.Errorf("team size %v", b.TeamSize)
			}
		}},
		{"no account id", with(example(), form.AWSAccountID, " "), func(t *testing.T, b intake.Body) {
			if b.AWSAccountID != nil {
				t.Errorf("account %q", *b.AWSAccountID)
			}
		}},
		{"no consent", with(example(), form.Consent, ""), func(t *testing.T, b intake.Body) {
			if b.ConsentToShare != nil {
				t.Errorf("consent %v", *b.ConsentToShare)
			}
		}},
		{"consent only with the checkbox's value", with(example(), form.Consent, "true"), func(t *testing.T, b intake.Body) {
			if b.ConsentToShare != nil {
				t.Errorf("consent %v", *b.ConsentToShare)
			}
		}},
		{"blank contacts are contacts with blank fields", with(example(), form.TechName, "", form.TechEmail, ""), func(t *testing.T, b intake.Body) {
			if b.TechnicalContact == nil || *b.TechnicalContact != (intake.Contact{}) {
				t.Errorf("technical contact %+v", b.TechnicalContact)
			}
		}},
		{"repeated funding sources once", with(example()), func(t *testing.T, b intake.Body) {
			if d := cmp.Diff([]string{"founders", "bedrock_poc"}, b.RequestedFundingSources); d != "" {
				t.Error(d)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, form.NewIntake(tc.form).Body().Body) })
	}
}

// TestErrorsFindTheirControls: every field the validator names lands on a
// control or group of the form, and spend lines on the line the founder
// typed, even with empty lines between.
func TestErrorsFindTheirControls(t *testing.T) {
	v := with(example(), form.CompanyName, "", form.Website, "not a site", form.TeamSize, "0",
		form.RoundAmount, "x", form.RoundClosedOn, "yesterday", form.UseCase, "short",
		form.AWSAccountID, "12", form.Consent, "", form.TechEmail, "ada", form.BizName, "",
		"spend.0.service", "", "spend.0.usd", "",
		"spend.1.service", "ec2", "spend.1.usd", "0",
		"spend.2.service", "", "spend.2.usd", "",
		"spend.3.service", "ec2", "spend.3.usd", "10",
		"spend.6.service", "teleporter", "spend.6.usd", "5")
	v[form.FundingSources] = []string{"founders", "free_money"}
	f := form.NewIntake(v)
	if len(f.Spend) != 7 {
		t.Fatalf("%d spend lines shown, want 7 (up to the last filled)", len(f.Spend))
	}
	m := f.Body()
	err := intake.Validate(m.Body, now)
	de, ok := err.(*domain.Error)
	if !ok {
		t.Fatalf("Validate: %v", err)
	}
	got := map[string]string{}
	for _, fe := range de.Fields {
		c := m.Control(fe.Field)
		if c == "" {
			t.Errorf("%s (%s) has no control", fe.Field, fe.Message)
		}
		got[c] += fe.Message + ";"
	}
	for _, c := range []string{form.CompanyName, form.Website, form.TeamSize, form.RoundAmount, form.RoundClosedOn,
		form.UseCase, form.AWSAccountID, form.Consent, form.TechEmail, form.BizName,
		"spend.1.usd", "spend.3.service", "spend.6.service", form.FundingSources} {
		if got[c] == "" {
			t.Errorf("no message on %s; messages: %v", c, got)
		}
	}
	if !strings.Contains(got["spend.3.service"], "repeats") {
		t.Errorf("spend.3.service: %q, want the repeat", got["spend.3.service"])
	}
	if line, ok := m.SpendLineOf(1); !ok || line != 3 {
		t.Errorf("body line 1 is form line %d, want 3", line)
	}
	for path, want := range map[string]string{
		"last_round": "last_round", "projected_monthly_spend": form.GroupSpend,
		"projected_monthly_spend[9].usd": form.GroupSpend, "technical_contact": form.GroupTech,
		"requested_funding_sources": form.FundingSources, "Idempotency-Key": "",
	} {
		if c := m.Control(path); c != want {
			t.Errorf("Control(%q) = %q, want %q", path, c, want)
		}
	}
}

func TestSpendLinesShown(t *testing.T) {
	if n := len(form.Empty("k").Spend); n != form.SpendLinesShown {
		t.Errorf("an empty form shows %d lines, want %d", n, form.SpendLinesShown)
	}
	v := url.Values{"spend.49.usd": {"1"}, "spend.50.usd": {"1"}}
	if n := len(form.NewIntake(v).Spend); n != intake.MaxSpendLines {
		t.Errorf("%d lines, want at most %d", n, intake.MaxSpendLines)
	}
	if form.ID("spend.2.usd") != "spend-2-usd" || form.ID(form.TechEmail) != "technical_contact-email" {
		t.Error("ID")
	}
}
