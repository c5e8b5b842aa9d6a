package creditplan_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/creditplan"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// pool is a Pool without its prose, so that the table reads as numbers.
type pool struct {
	Source           string
	Requested        bool
	InsteadOf        string
	MinUSD, MaxUSD   int64
	HasAmount        bool
	DaysKnown        bool
	MinDays, MaxDays int
}

type advice struct{ Topic, Trigger string }

type summary struct {
	Pools       []pool
	NotExpected []string
	Total       creditplan.Total
	Advice      []advice
}

func summarize(p creditplan.Plan) summary {
	var s summary
	for _, x := range p.Pools {
		s.Pools = append(s.Pools, pool{x.Source, x.Requested, x.InsteadOf, x.MinUSD, x.MaxUSD, x.HasAmount, x.DaysKnown, x.MinDays, x.MaxDays})
	}
	for _, u := range p.NotExpected {
		s.NotExpected = append(s.NotExpected, u.Source)
	}
	s.Total = p.Total
	for _, a := range p.Advice {
		s.Advice = append(s.Advice, advice{a.Topic, a.Trigger})
	}
	return s
}

// The SPEC §3 ranges and the seed's days, written out so that the table
// checks them rather than repeating the code.
var (
	founders         = pool{Source: "founders", MinUSD: 5_000, MaxUSD: 25_000, HasAmount: true, DaysKnown: true, MinDays: 5, MaxDays: 8}
	portfolio        = pool{Source: "portfolio", MinUSD: 50_000, MaxUSD: 100_000, HasAmount: true, DaysKnown: true, MinDays: 11, MaxDays: 18}
	buildForStartups = pool{Source: "build_for_startups", MinUSD: 1, MaxUSD: 25_000, HasAmount: true}
	bedrockPOC       = pool{Source: "bedrock_poc", MinUSD: 10_000, MaxUSD: 50_000, HasAmount: true, DaysKnown: true, MinDays: 14, MaxDays: 28}
	mapReferral      = pool{Source: "map"}
	foundersFallback = with(founders, func(p *pool) { p.InsteadOf = "portfolio" })
	ceiling          = int64(150_000)
	spendGiven       = advice{creditplan.TopicSpend, creditplan.TriggerSpendGiven}
	spendMissing     = advice{creditplan.TopicSpend, creditplan.TriggerSpendMissing}
	spendOther       = advice{creditplan.TopicSpend, creditplan.TriggerSpendCategory}
	spendImplausible = advice{creditplan.TopicSpend, creditplan.TriggerSpendImplausible}
	leadExpected     = advice{creditplan.TopicLeadInvestor, creditplan.TriggerPortfolioExpected}
	leadMissing      = advice{creditplan.TopicLeadInvestor, creditplan.TriggerRoundWithoutLead}
	roundMissing     = advice{creditplan.TopicLeadInvestor, creditplan.TriggerPortfolioWithoutRound}
	pocPlan          = advice{creditplan.TopicPOCPlan, creditplan.TriggerBedrockExpected}
	pocNotAIHeavy    = advice{creditplan.TopicPOCPlan, creditplan.TriggerBedrockNotAIHeavy}
	migrateFromWhere = advice{creditplan.TopicCompetingCloud, creditplan.TriggerMigrateWithoutCloud}
	requested        = func(p pool) pool { p.Requested = true; return p }
	totalOf          = func(sum int64) creditplan.Total {
		return creditplan.Total{SumOfMaximaUSD: sum, CeilingUSD: ceiling, MaxUSD: min(sum, ceiling), Capped: sum > ceiling}
	}
)

func with(p pool, f func(*pool)) pool { f(&p); return p }

// base is a seed-stage B2B build on AWS with no lead investor named: the
// profile most founders bring.
func base() creditplan.Profile {
	return creditplan.Profile{
		Stage:                   "seed",
		ServiceProfile:          "compute_heavy",
		EngagementType:          "build",
		CompetingCloud:          "none",
		LastRound:               &creditplan.Round{Round: "Seed", AmountUSD: 2_000_000},
		RequestedFundingSources: []string{"founders"},
		ProjectedMonthlySpend:   []creditplan.SpendLine{{Service: "ec2", USD: 3_000}, {Service: "rds", USD: 1_000}},
	}
}

func TestFor(t *testing.T) {
	for _, c := range []struct {
		name    string
		profile func(p *creditplan.Profile)
		want    summary
	}{
		{
			name:    "seed build without a lead investor: Founders only",
			profile: func(p *creditplan.Profile) {},
			want: summary{
				Pools:  []pool{requested(founders)},
				Total:  totalOf(25_000),
				Advice: []advice{spendGiven, leadMissing},
			},
		},
		{
			name: "pre-seed with no round and no spend lines",
			profile: func(p *creditplan.Profile) {
				p.Stage, p.LastRound, p.ProjectedMonthlySpend = "pre_seed", nil, nil
			},
			want: summary{
				Pools:  []pool{requested(founders)},
				Total:  totalOf(25_000),
				Advice: []advice{spendMissing},
			},
		},
		{
			name: "a named lead investor makes Portfolio expected and Founders its fallback",
			profile: func(p *creditplan.Profile) {
				p.Stage = "series_a"
				p.LastRound = &creditplan.Round{Round: "Series A", AmountUSD: 9_000_000, LeadInvestor: "Example Ventures"}
				p.RequestedFundingSources = []string{"portfolio"}
				p.ProjectedMonthlySpend = []creditplan.SpendLine{{Service: "ec2", USD: 7_000}}
			},
			want: summary{
				Pools:  []pool{foundersFallback, requested(portfolio)},
				Total:  totalOf(100_000),
				Advice: []advice{spendGiven, leadExpected},
			},
		},
		{
			name: "a lead investor of blanks is no lead investor",
			profile: func(p *creditplan.Profile) {
				p.LastRound.LeadInvestor = "  "
				p.RequestedFundingSources = []string{"portfolio"}
			},
			want: summary{
				Pools:       []pool{founders},
				NotExpected: []string{"portfolio"},
				Total:       totalOf(25_000),
				Advice:      []advice{spendGiven, leadMissing},
			},
		},
		{
			name: "Portfolio requested with no round at all",
			profile: func(p *creditplan.Profile) {
				p.Stage, p.LastRound = "pre_seed", nil
				p.RequestedFundingSources = []string{"founders", "portfolio"}
			},
			want: summary{
				Pools:       []pool{requested(founders)},
				NotExpected: []string{"portfolio"},
				Total:       totalOf(25_000),
				Advice:      []advice{spendGiven, roundMissing},
			},
		},
		{
			name: "the seed's Series A example: Portfolio and Bedrock POC reach the ceiling exactly",
			profile: func(p *creditplan.Profile) {
				p.Stage = "series_a"
				p.ServiceProfile = "ai_heavy"
				p.LastRound = &creditplan.Round{Round: "Series A", AmountUSD: 9_000_000, LeadInvestor: "a tier-1 fund"}
				p.RequestedFundingSources = []string{"portfolio", "build_for_startups", "bedrock_poc"}
				p.ProjectedMonthlySpend = []creditplan.SpendLine{{Service: "ec2", USD: 4_000}, {Service: "rds", USD: 2_000}, {Service: "s3", USD: 500}, {Service: "cloudfront", USD: 500}, {Service: "bedrock", USD: 3_000}}
			},
			want: summary{
				// A greenfield build: Build for Startups, which the
				// seed ties to migrations, is not expected.
				Pools:       []pool{foundersFallback, requested(portfolio), requested(bedrockPOC)},
				NotExpected: []string{"build_for_startups"},
				Total:       totalOf(150_000),
				Advice:      []advice{spendGiven, leadExpected, pocPlan},
			},
		},
		{
			name: "a funded AI migration from GCP fits every pool, and the ceiling caps the sum",
			profile: func(p *creditplan.Profile) {
				p.Stage = "series_b"
				p.ServiceProfile = "ai_heavy"
				p.EngagementType = "migrate"
				p.CompetingCloud = "gcp"
				p.LastRound = &creditplan.Round{Round: "Series B", AmountUSD: 30_000_000, LeadInvestor: "Example Growth"}
				p.RequestedFundingSources = []string{"map", "portfolio"}
				p.ProjectedMonthlySpend = []creditplan.SpendLine{{Service: "eks", USD: 20_000}, {Service: "bedrock", USD: 8_000}}
			},
			want: summary{
				Pools:  []pool{foundersFallback, requested(portfolio), buildForStartups, bedrockPOC, requested(mapReferral)},
				Total:  totalOf(175_000),
				Advice: []advice{spendGiven, leadExpected, pocPlan},
			},
		},
		{
			name: "a migration from Heroku without a lead investor: Founders, Build for Startups and MAP",
			profile: func(p *creditplan.Profile) {
				p.EngagementType = "migrate"
				p.CompetingCloud = "heroku"
				p.LastRound = nil
			},
			want: summary{
				Pools:  []pool{requested(founders), buildForStartups, mapReferral},
				Total:  totalOf(50_000),
				Advice: []advice{spendGiven},
			},
		},
		{
			name: "a migration that names no platform",
			profile: func(p *creditplan.Profile) {
				p.EngagementType = "migrate"
				p.RequestedFundingSources = []string{"map", "build_for_startups"}
			},
			want: summary{
				Pools:       []pool{founders},
				NotExpected: []string{"build_for_startups", "map"},
				Total:       totalOf(25_000),
				Advice:      []advice{spendGiven, leadMissing, migrateFromWhere},
			},
		},
		{
			name: "MAP requested by a build with a competing cloud named",
			profile: func(p *creditplan.Profile) {
				p.CompetingCloud = "azure"
				p.RequestedFundingSources = []string{"map"}
			},
			want: summary{
				Pools:       []pool{founders},
				NotExpected: []string{"map"},
				Total:       totalOf(25_000),
				Advice:      []advice{spendGiven, leadMissing},
			},
		},
		{
			name: "Bedrock POC requested by a data-heavy profile",
			profile: func(p *creditplan.Profile) {
				p.ServiceProfile = "data_heavy"
				p.RequestedFundingSources = []string{"bedrock_poc", "founders"}
			},
			want: summary{
				Pools:       []pool{requested(founders)},
				NotExpected: []string{"bedrock_poc"},
				Total:       totalOf(25_000),
				Advice:      []advice{spendGiven, leadMissing, pocNotAIHeavy},
			},
		},
		{
			name: "an AI-heavy profile is told about Bedrock POC without asking",
			profile: func(p *creditplan.Profile) {
				p.ServiceProfile = "ai_heavy"
				p.LastRound = nil
			},
			want: summary{
				Pools:  []pool{requested(founders), bedrockPOC},
				Total:  totalOf(75_000),
				Advice: []advice{spendGiven, pocPlan},
			},
		},
		{
			name: "an \"other\" spend line and spend too small for the credits",
			profile: func(p *creditplan.Profile) {
				p.LastRound = nil
				p.ProjectedMonthlySpend = []creditplan.SpendLine{{Service: "other", USD: 500}}
			},
			want: summary{
				// 25,000 USD is more than 24 × 500 = 12,000 USD.
				Pools:  []pool{requested(founders)},
				Total:  totalOf(25_000),
				Advice: []advice{spendGiven, spendOther, spendImplausible},
			},
		},
		{
			name: "unknown and repeated requested sources are ignored",
			profile: func(p *creditplan.Profile) {
				p.LastRound = nil
				p.RequestedFundingSources = []string{"activate", "founders", "founders", ""}
			},
			want: summary{
				Pools:  []pool{requested(founders)},
				Total:  totalOf(25_000),
				Advice: []advice{spendGiven},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := base()
			c.profile(&p)
			got := creditplan.For(p)
			if diff := cmp.Diff(c.want, summarize(got)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			if got.Notice != creditplan.Notice || got.Notice == "" {
				t.Errorf("Notice = %q", got.Notice)
			}
		})
	}
}

// TestPlausibilityBoundary shows the edge of the plausibility advice:
// 25,000 USD over 24 months needs 1,042 USD a month (24 × 1,041 = 24,984 is
// not enough).
func TestPlausibilityBoundary(t *testing.T) {
	for _, c := range []struct {
		name    string
		monthly int64
		want    bool
	}{
		{"1,041 a month is too little", 1_041, true},
		{"1,042 a month covers it", 1_042, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := base()
			p.LastRound = nil
			p.ProjectedMonthlySpend = []creditplan.SpendLine{{Service: "ec2", USD: c.monthly}}
			got := slices.ContainsFunc(creditplan.For(p).Advice, func(a creditplan.Advice) bool {
				return a.Trigger == creditplan.TriggerSpendImplausible
			})
			if got != c.want {
				t.Errorf("implausible-spend advice = %v, want %v", got, c.want)
			}
		})
	}
}

// TestTexts checks the prose: each item names the founder's own facts and
// the figures a founder needs.
func TestTexts(t *testing.T) {
	p := base()
	p.Stage = "series_a"
	p.ServiceProfile = "ai_heavy"
	p.EngagementType = "migrate"
	p.CompetingCloud = "azure"
	p.LastRound = &creditplan.Round{Round: "Series A", AmountUSD: 9_000_000, LeadInvestor: "Example Ventures"}
	p.ProjectedMonthlySpend = []creditplan.SpendLine{{Service: "ec2", USD: 8_000}, {Service: "bedrock", USD: 4_000}}
	plan := creditplan.For(p)

	reasons := map[string]string{}
	for _, x := range plan.Pools {
		reasons[x.Source] = x.Reason
	}
	texts := map[string]string{}
	for _, a := range plan.Advice {
		texts[a.Trigger] = a.Text
	}
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"portfolio reason", reasons["portfolio"], []string{"Series A round", "Example Ventures"}},
		{"founders reason", reasons["founders"], []string{"instead of Portfolio"}},
		{"map reason", reasons["map"], []string{"Azure", "no credit amount"}},
		{"build_for_startups reason", reasons["build_for_startups"], []string{"Azure"}},
		{"bedrock_poc reason", reasons["bedrock_poc"], []string{"AI-heavy"}},
		{"spend advice", texts[creditplan.TriggerSpendGiven], []string{"ec2 8,000 USD, bedrock 4,000 USD", "12,000 USD a month"}},
		{"lead investor advice", texts[creditplan.TriggerPortfolioExpected], []string{"Example Ventures", "Series A round", "50,000–100,000 USD", "at most 25,000 USD"}},
		{"POC plan advice", texts[creditplan.TriggerBedrockExpected], []string{"10,000–50,000 USD", "model", "evaluate", "budget itemised"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, w := range c.want {
				if !strings.Contains(c.text, w) {
					t.Errorf("%q lacks %q", c.text, w)
				}
			}
		})
	}

	// A round lacking a lead investor, and a build: the reasons say so.
	p = base()
	p.LastRound.Round = "Seed round" // not "Seed round round"
	p.RequestedFundingSources = []string{"portfolio", "build_for_startups", "bedrock_poc"}
	unfit := map[string]string{}
	for _, u := range creditplan.For(p).NotExpected {
		unfit[u.Source] = u.Reason
	}
	for source, want := range map[string]string{
		"portfolio":          "your Seed round names none",
		"build_for_startups": "new build on AWS",
		"bedrock_poc":        "compute-heavy",
	} {
		if !strings.Contains(unfit[source], want) {
			t.Errorf("NotExpected[%s] = %q, want it to say %q", source, unfit[source], want)
		}
	}
}

// TestInvariants runs every combination of the profile's categorical values
// and checks what must hold for all of them.
func TestInvariants(t *testing.T) {
	rounds := []*creditplan.Round{nil, {Round: "Seed", AmountUSD: 1_000_000}, {Round: "Series A", AmountUSD: 9_000_000, LeadInvestor: "Example Ventures"}}
	spends := [][]creditplan.SpendLine{nil, {{Service: "ec2", USD: 100}}, {{Service: "ec2", USD: 50_000}}}
	n := 0
	for _, stage := range domain.Stages {
		for _, sp := range domain.ServiceProfiles {
			for _, et := range domain.EngagementTypes {
				for _, cc := range domain.CompetingClouds {
					for _, r := range rounds {
						for _, spend := range spends {
							for mask := range 1 << len(domain.FundingSources) {
								var req []string
								for i, s := range domain.FundingSources {
									if mask&(1<<i) != 0 {
										req = append(req, s)
									}
								}
								p := creditplan.Profile{Stage: stage, ServiceProfile: sp, EngagementType: et, CompetingCloud: cc, LastRound: r, RequestedFundingSources: req, ProjectedMonthlySpend: spend}
								checkInvariants(t, p, creditplan.For(p))
								n++
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d profiles", n)
}

func checkInvariants(t *testing.T, p creditplan.Profile, plan creditplan.Plan) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%+v: "+format, append([]any{p}, args...)...)
	}
	if plan.Total.MaxUSD > ace.StackCeilingUSD || plan.Total.CeilingUSD != ace.StackCeilingUSD {
		fail("total %+v breaks the ceiling", plan.Total)
	}
	var sum int64
	var order []int
	seen := map[string]bool{}
	for _, x := range plan.Pools {
		lo, hi, has := ace.AmountRange(x.Source)
		if x.MinUSD != lo || x.MaxUSD != hi || x.HasAmount != has {
			fail("%s range %d–%d, want ace's %d–%d", x.Source, x.MinUSD, x.MaxUSD, lo, hi)
		}
		if x.Reason == "" {
			fail("%s has no reason", x.Source)
		}
		if x.DaysKnown != (x.MinDays > 0 && x.MaxDays >= x.MinDays) {
			fail("%s days %v %d–%d", x.Source, x.DaysKnown, x.MinDays, x.MaxDays)
		}
		if x.InsteadOf == "" {
			sum += x.MaxUSD
		}
		order = append(order, slices.Index(domain.FundingSources, x.Source))
		seen[x.Source] = true
	}
	if !slices.IsSorted(order) {
		fail("pools out of order: %v", order)
	}
	if !seen["founders"] {
		fail("founders is not expected")
	}
	if sum != plan.Total.SumOfMaximaUSD || min(sum, ace.StackCeilingUSD) != plan.Total.MaxUSD {
		fail("total %+v, pools sum to %d", plan.Total, sum)
	}
	for _, u := range plan.NotExpected {
		if seen[u.Source] || u.Reason == "" || !slices.Contains(p.RequestedFundingSources, u.Source) {
			fail("NotExpected %+v", u)
		}
	}
	for _, s := range p.RequestedFundingSources {
		inPools := seen[s]
		inUnfit := slices.ContainsFunc(plan.NotExpected, func(u creditplan.Unfit) bool { return u.Source == s })
		if inPools == inUnfit {
			fail("requested %s is in Pools %v and in NotExpected %v", s, inPools, inUnfit)
		}
	}
	triggers := map[string]bool{}
	for _, a := range plan.Advice {
		if a.Topic == "" || a.Text == "" || triggers[a.Trigger] {
			fail("advice %+v", a)
		}
		triggers[a.Trigger] = true
	}
	if seen["portfolio"] != triggers[creditplan.TriggerPortfolioExpected] {
		fail("portfolio expected %v, lead investor advice %v", seen["portfolio"], triggers[creditplan.TriggerPortfolioExpected])
	}
	if seen["bedrock_poc"] != triggers[creditplan.TriggerBedrockExpected] {
		fail("bedrock_poc expected %v, POC plan advice %v", seen["bedrock_poc"], triggers[creditplan.TriggerBedrockExpected])
	}
	if triggers[creditplan.TriggerSpendGiven] == triggers[creditplan.TriggerSpendMissing] {
		fail("spend advice: given %v, missing %v", triggers[creditplan.TriggerSpendGiven], triggers[creditplan.TriggerSpendMissing])
	}
}

// TestImports keeps the package pure: the standard library and the rule
// packages only, so that the API and the pages can both call it.
func TestImports(t *testing.T) {
	allowed := []string{
		"github.com/cloudroute/cloudroute/internal/domain",
		"github.com/cloudroute/cloudroute/internal/ace",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(path, ".") && !slices.Contains(allowed, path) {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
