// Package creditplan gives a founder, from the intake profile alone, a
// picture of the AWS credits a partner can be expected to file for: which
// funding pools fit the profile and their amount ranges, the typical days
// from submission to credits, how the stacked ceiling caps the total, and
// what to prepare for the partner's discovery call (seed 002 §IV, §VII,
// §VIII). It is guidance, never a promise: the partner chooses what to file
// and AWS decides what to award. Plan.Notice says so wherever it is shown.
//
// The rules are pure functions of the profile, with no I/O. The amount
// ranges and the ceiling are those that records are checked against
// (package ace), so the plan and the checks cannot disagree.
package creditplan

import (
	"strings"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// Notice labels every plan as guidance.
const Notice = "Guidance, not a promise: your partner chooses which pools to file, and AWS decides what to award."

// Profile is what the plan reads of a founder's intake (SPEC §4). The
// values are those of the fixed sets in package domain; the caller
// validates them first.
type Profile struct {
	Stage          string // domain.Stages
	ServiceProfile string // domain.ServiceProfiles
	EngagementType string // domain.EngagementTypes
	CompetingCloud string // domain.CompetingClouds
	// LastRound is the most recent funding round, nil when the founder gave
	// none (allowed for pre_seed).
	LastRound *Round
	// RequestedFundingSources are the pools the founder asked for
	// (domain.FundingSources); other values are ignored.
	RequestedFundingSources []string
	ProjectedMonthlySpend   []SpendLine
}

// Round is the founder's most recent funding round.
type Round struct {
	Round        string // as the founder wrote it, e.g. "Series A"
	AmountUSD    int64
	LeadInvestor string // empty when no lead investor is named
}

// SpendLine is one line of projected monthly AWS spend, in whole USD.
type SpendLine struct {
	Service string
	USD     int64
}

// Plan is the guidance for one profile.
type Plan struct {
	Notice string // always the package's Notice
	// Pools are the pools a partner can be expected to file, in the order
	// of domain.FundingSources.
	Pools []Pool
	// NotExpected are the pools the founder asked for that the profile does
	// not fit, each with the reason, in the order of
	// domain.FundingSources.
	NotExpected []Unfit
	Total       Total
	// Advice is what to prepare for the partner's discovery call, each item
	// with the condition that raised it.
	Advice []Advice
}

// Pool is one funding pool a partner can be expected to file.
type Pool struct {
	Source    string // domain.FundingSources
	Requested bool   // the founder asked for it
	// Reason says which part of the profile makes the pool fit.
	Reason string
	// HasAmount is false for map, a referral that carries no credit; the
	// range is then 0–0.
	HasAmount      bool
	MinUSD, MaxUSD int64
	// DaysKnown is false when the seed gives no typical time for the pool;
	// MinDays and MaxDays are then 0. The days run from the partner's
	// submission until the credits show in the AWS billing console.
	DaysKnown        bool
	MinDays, MaxDays int
	// InsteadOf names the pool this one is the fallback award for, when
	// that pool is expected too: a reviewer awards Founders instead of
	// Portfolio when the institutional vouch reads weak (seed 002 §IV).
	// A fallback does not count toward the total.
	InsteadOf string
}

// Unfit is a requested pool that the profile does not fit.
type Unfit struct {
	Source string // domain.FundingSources
	Reason string
}

// Total is what the expected pools add up to.
type Total struct {
	// SumOfMaximaUSD adds the maximum of every expected pool that counts
	// (fallbacks do not).
	SumOfMaximaUSD int64
	// CeilingUSD is the stacked ceiling: the most one customer can be
	// awarded across all its records.
	CeilingUSD int64
	// MaxUSD is the most the plan can add up to: SumOfMaximaUSD, capped at
	// CeilingUSD.
	MaxUSD int64
	// Capped is true when the ceiling, not the pools, sets MaxUSD.
	Capped bool
}

// Advice is one thing to prepare, and the condition that calls for it.
type Advice struct {
	Topic   string // one of the Topic constants
	Trigger string // one of the Trigger constants: why this item is here
	Text    string // for the founder
}

// Advice topics.
const (
	TopicSpend          = "monthly_spend_by_service"
	TopicLeadInvestor   = "named_lead_investor"
	TopicPOCPlan        = "poc_plan"
	TopicCompetingCloud = "competing_cloud"
)

// Advice triggers: the condition of the profile that raises an item.
const (
	// TriggerSpendMissing: no projected spend lines. Every pool's reviewer
	// checks the request against them (seed 002 §VII).
	TriggerSpendMissing = "no_spend_lines"
	// TriggerSpendGiven: spend lines were given; bring them, concrete and
	// with the ramp behind them (seed 002 §VIII).
	TriggerSpendGiven = "spend_lines_given"
	// TriggerSpendCategory: a line is "other", a category rather than a
	// named service.
	TriggerSpendCategory = "spend_line_other"
	// TriggerSpendImplausible: the plan's maximum is more than
	// ace.PlausibilityFactor months of the projected spend.
	TriggerSpendImplausible = "credits_exceed_plausible_spend"
	// TriggerPortfolioExpected: Portfolio is expected, so the named lead
	// investor is the vouch the reviewer checks.
	TriggerPortfolioExpected = "portfolio_expected"
	// TriggerRoundWithoutLead: a round was given without a lead investor,
	// which keeps Portfolio out of reach.
	TriggerRoundWithoutLead = "round_without_lead_investor"
	// TriggerPortfolioWithoutRound: Portfolio was requested with no round.
	TriggerPortfolioWithoutRound = "portfolio_requested_without_round"
	// TriggerBedrockExpected: Bedrock POC is expected; it needs a POC plan.
	TriggerBedrockExpected = "bedrock_poc_expected"
	// TriggerBedrockNotAIHeavy: Bedrock POC was requested by a profile that
	// is not ai_heavy.
	TriggerBedrockNotAIHeavy = "bedrock_poc_requested_not_ai_heavy"
	// TriggerMigrateWithoutCloud: a migrate engagement that names no
	// platform to migrate from.
	TriggerMigrateWithoutCloud = "migrate_without_competing_cloud"
)

type dayRange struct{ min, max int }

// typicalDays holds the seed's turnaround for each pool that it gives one
// for, in days from submission to credits. Build for Startups and MAP have
// none in the seed; the plan says unknown rather than guess.
var typicalDays = map[string]dayRange{
	ace.PoolFounders:   {5, 8},   // seed 002 §IV: "5–8 days for partner-filed Founders"
	ace.PoolPortfolio:  {11, 18}, // seed 002 §V and FAQ: "11–18 days" (2026)
	ace.PoolBedrockPOC: {14, 28}, // seed 002 §IV and FAQ: "14–28 days for Bedrock POC"
}

// For returns the plan for profile p.
//
// A pool is expected when the profile fits it:
//   - founders: every profile (partner-filed Founders asks for no round).
//     When portfolio fits too, founders is listed as its fallback award
//     and does not count toward the total.
//   - portfolio: a last round with a named lead investor, the institutional
//     vouch (SPEC §3).
//   - build_for_startups: a migrate engagement from a named platform; the
//     seed ties the pool to migration engagements and their competing
//     cloud (seed 002 §VII).
//   - bedrock_poc: the ai_heavy service profile.
//   - map: a migrate engagement from a competing cloud other than none.
//
// Requested pools that do not fit are listed in NotExpected with the
// reason. The total adds the maxima of the counted pools and caps the sum
// at the stacked ceiling.
func For(p Profile) Plan {
	plan := Plan{Notice: Notice}
	requested := map[string]bool{}
	for _, s := range p.RequestedFundingSources {
		requested[s] = true
	}
	fits := fitting(p)
	for _, source := range domain.FundingSources {
		reason, ok := fits[source]
		if !ok {
			if requested[source] {
				plan.NotExpected = append(plan.NotExpected, Unfit{Source: source, Reason: unfitReason(source, p)})
			}
			continue
		}
		pool := Pool{Source: source, Requested: requested[source], Reason: reason}
		pool.MinUSD, pool.MaxUSD, pool.HasAmount = ace.AmountRange(source)
		if d, ok := typicalDays[source]; ok {
			pool.DaysKnown, pool.MinDays, pool.MaxDays = true, d.min, d.max
		}
		if source == ace.PoolFounders {
			if _, ok := fits[ace.PoolPortfolio]; ok {
				pool.InsteadOf = ace.PoolPortfolio
				pool.Reason = "a reviewer may award partner-filed Founders instead of Portfolio when the institutional vouch reads weak"
			}
		}
		plan.Pools = append(plan.Pools, pool)
	}
	plan.Total = total(plan.Pools)
	plan.Advice = advise(p, fits, requested, plan.Total)
	return plan
}

// fitting maps each pool that p fits to the reason it fits.
func fitting(p Profile) map[string]string {
	fits := map[string]string{
		ace.PoolFounders: "partner-filed Founders needs no institutional round",
	}
	if hasLead(p) {
		fits[ace.PoolPortfolio] = "your " + roundName(p) + " has a named lead investor (" + strings.TrimSpace(p.LastRound.LeadInvestor) + "), the institutional vouch Portfolio needs"
	}
	if p.ServiceProfile == "ai_heavy" {
		fits[ace.PoolBedrockPOC] = "your workload is AI-heavy, what the Bedrock proof-of-concept pool funds"
	}
	if migratesFromCloud(p) {
		fits[ace.PoolBuildForStartups] = "you are migrating to AWS from " + cloudName(p.CompetingCloud) + ", the engagements Build for Startups is filed for"
		fits[ace.PoolMAP] = "you are migrating to AWS from " + cloudName(p.CompetingCloud) + ", which a Migration Acceleration Program referral covers (it carries no credit amount)"
	}
	return fits
}

// unfitReason says why p does not fit source. It is called only for pools
// that fitting left out.
func unfitReason(source string, p Profile) string {
	switch source {
	case ace.PoolPortfolio:
		if p.LastRound == nil {
			return "Portfolio needs an institutional round with a named lead investor, and no round was given"
		}
		return "Portfolio needs a named lead investor, and your " + roundName(p) + " names none"
	case ace.PoolBedrockPOC:
		return "Bedrock POC funds AI-heavy workloads, and your service profile is " + profileName(p.ServiceProfile)
	case ace.PoolBuildForStartups:
		if p.EngagementType != "migrate" {
			return "Build for Startups is filed for workloads moving to AWS from another platform, and yours is a new build on AWS; a partner may still file it for engagement work it delivers (such as SOC 2 remediation), which this plan cannot foresee"
		}
		return "Build for Startups needs the platform you are migrating from, and none was named"
	case ace.PoolMAP:
		if p.EngagementType != "migrate" {
			return "MAP is a referral for migrations to AWS, and yours is a new build on AWS"
		}
		return "MAP needs the platform you are migrating from, and none was named"
	}
	return source + " does not fit this profile"
}

func total(pools []Pool) Total {
	t := Total{CeilingUSD: ace.StackCeilingUSD}
	for _, p := range pools {
		if p.HasAmount && p.InsteadOf == "" {
			t.SumOfMaximaUSD += p.MaxUSD
		}
	}
	t.MaxUSD = min(t.SumOfMaximaUSD, t.CeilingUSD)
	t.Capped = t.SumOfMaximaUSD > t.CeilingUSD
	return t
}

func hasLead(p Profile) bool {
	return p.LastRound != nil && strings.TrimSpace(p.LastRound.LeadInvestor) != ""
}

func migratesFromCloud(p Profile) bool {
	return p.EngagementType == "migrate" && p.CompetingCloud != "" && p.CompetingCloud != "none"
}

// roundName names the founder's round as they wrote it: "Series A round",
// and "Seed round" whether they wrote "Seed" or "Seed round".
func roundName(p Profile) string {
	r := strings.TrimSpace(p.LastRound.Round)
	switch {
	case r == "":
		return "last round"
	case strings.HasSuffix(strings.ToLower(r), "round"):
		return r
	}
	return r + " round"
}

var cloudNames = map[string]string{
	"gcp":          "Google Cloud",
	"azure":        "Azure",
	"heroku":       "Heroku",
	"digitalocean": "DigitalOcean",
	"on_prem":      "your own servers",
	"other":        "another platform",
}

func cloudName(c string) string {
	if n, ok := cloudNames[c]; ok {
		return n
	}
	return c
}

// profileName writes a service profile as prose: "data-heavy".
func profileName(s string) string {
	if s == "" {
		return "not given"
	}
	return strings.ReplaceAll(s, "_", "-")
}
