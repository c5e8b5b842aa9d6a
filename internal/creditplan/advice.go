package creditplan

import (
	"strconv"
	"strings"

	"github.com/cloudroute/cloudroute/internal/ace"
)

// advise lists what to prepare, in a fixed order: spend, lead investor,
// POC plan, competing cloud. The seed's point (§VIII) is that a partner's
// filing is as strong as the founder's inputs: concrete spend per service,
// a named lead investor for Portfolio, a POC plan for Bedrock.
func advise(p Profile, fits map[string]string, requested map[string]bool, t Total) []Advice {
	var out []Advice
	add := func(topic, trigger, text string) {
		out = append(out, Advice{Topic: topic, Trigger: trigger, Text: text})
	}

	// Spend by service: every pool's reviewer checks the request against it.
	var monthly int64
	other := false
	for _, l := range p.ProjectedMonthlySpend {
		monthly += l.USD
		other = other || strings.EqualFold(strings.TrimSpace(l.Service), "other")
	}
	if len(p.ProjectedMonthlySpend) == 0 {
		add(TopicSpend, TriggerSpendMissing,
			"Bring your projected monthly AWS spend, service by service (for example EC2, RDS, S3, Bedrock), and the month it ramps up: every reviewer checks the amount requested against it.")
	} else {
		add(TopicSpend, TriggerSpendGiven,
			"Bring your projected monthly spend as you gave it ("+spendList(p.ProjectedMonthlySpend)+": "+ace.Money(monthly)+
				" USD a month), with what drives each figure and when it ramps up: specific, defensible figures let the partner file at the top of a range.")
		if other {
			add(TopicSpend, TriggerSpendCategory,
				`Name the services behind your "other" spend line: reviewers read specific AWS services, not categories.`)
		}
		if ace.PlausibilityWarning(t.MaxUSD, monthly) != "" {
			add(TopicSpend, TriggerSpendImplausible,
				"Up to "+ace.Money(t.MaxUSD)+" USD is more than "+strconv.Itoa(ace.PlausibilityFactor)+" months of your projected "+ace.Money(monthly)+
					" USD a month, which reviewers treat as a plausibility flag: expect the partner to file less unless your spend figures support more.")
		}
	}

	// The named lead investor: Portfolio's institutional vouch.
	_, portfolio := fits[ace.PoolPortfolio]
	switch {
	case portfolio:
		_, fMax, _ := ace.AmountRange(ace.PoolFounders)
		add(TopicLeadInvestor, TriggerPortfolioExpected,
			"Have your lead investor, "+strings.TrimSpace(p.LastRound.LeadInvestor)+", named for your "+roundName(p)+
				", with the amount and the closing date: it is the institutional vouch the Portfolio reviewer checks, and a weak vouch turns a "+
				poolRange(ace.PoolPortfolio)+" USD Portfolio request into a Founders award of at most "+ace.Money(fMax)+" USD.")
	case p.LastRound != nil:
		add(TopicLeadInvestor, TriggerRoundWithoutLead,
			"Name the lead investor of your "+roundName(p)+" if it had one: Portfolio ("+poolRange(ace.PoolPortfolio)+
				" USD) needs a named lead investor, and without one a partner files Founders ("+poolRange(ace.PoolFounders)+" USD) instead.")
	case requested[ace.PoolPortfolio]:
		add(TopicLeadInvestor, TriggerPortfolioWithoutRound,
			"Portfolio ("+poolRange(ace.PoolPortfolio)+" USD) needs an institutional round with a named lead investor: if you have raised one, bring the round, its amount and its lead investor.")
	}

	// The POC plan that Bedrock POC records need before submission.
	_, bedrock := fits[ace.PoolBedrockPOC]
	switch {
	case bedrock:
		add(TopicPOCPlan, TriggerBedrockExpected,
			"Bring a proof-of-concept plan for Bedrock POC ("+poolRange(ace.PoolBedrockPOC)+
				" USD): the model you will use, how you will evaluate its results, and a budget itemised line by line that sums to no more than the amount requested.")
	case requested[ace.PoolBedrockPOC]:
		add(TopicPOCPlan, TriggerBedrockNotAIHeavy,
			"Explain the AI feature you are building on Bedrock: the Bedrock POC pool funds AI-heavy workloads, and your service profile is "+profileName(p.ServiceProfile)+".")
	}

	// A migration must say where from.
	if p.EngagementType == "migrate" && !migratesFromCloud(p) {
		add(TopicCompetingCloud, TriggerMigrateWithoutCloud,
			"Name the platform you are migrating from: a migration engagement, Build for Startups and MAP all need it.")
	}
	return out
}

// spendList writes the lines as "ec2 4,000 USD, s3 300 USD".
func spendList(lines []SpendLine) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = strings.TrimSpace(l.Service) + " " + ace.Money(l.USD) + " USD"
	}
	return strings.Join(parts, ", ")
}

// poolRange writes a pool's amount range as "50,000–100,000".
func poolRange(pool string) string {
	lo, hi, _ := ace.AmountRange(pool)
	return ace.Money(lo) + "–" + ace.Money(hi)
}
