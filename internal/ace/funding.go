package ace

import (
	"strconv"
	"strings"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Funding pools (domain.FundingSources), named here so that the rules below
// read like the SPEC table.
const (
	PoolFounders         = "founders"
	PoolPortfolio        = "portfolio"
	PoolBuildForStartups = "build_for_startups"
	PoolBedrockPOC       = "bedrock_poc"
	PoolMAP              = "map"
)

// tierPools is the SPEC §3 table "Funding pools and who may file them".
// Registered partners may file nothing; Select partners only the two pools
// AWS opens to them (partner-filed Founders and MAP referrals).
var tierPools = map[string][]string{
	"registered": {},
	"select":     {PoolFounders, PoolMAP},
	"advanced":   {PoolFounders, PoolPortfolio, PoolBuildForStartups, PoolBedrockPOC, PoolMAP},
	"premier":    {PoolFounders, PoolPortfolio, PoolBuildForStartups, PoolBedrockPOC, PoolMAP},
}

// TierMayFile reports whether a partner of tier may file (or move forward) a
// record in pool. Unknown tiers and pools may file nothing.
func TierMayFile(tier, pool string) bool {
	return domain.OneOf(pool, tierPools[tier])
}

// CheckTier returns nil when tier may file pool, and otherwise a
// *domain.Error with code tier_not_permitted (HTTP 403).
func CheckTier(tier, pool string) error {
	if TierMayFile(tier, pool) {
		return nil
	}
	return domain.Errorf(domain.ECodeTierNotPermitted, "a %s partner may not file %s records", tier, pool)
}

type amountRange struct{ min, max int64 }

// amountRanges holds the whole-USD credit range of every pool that carries
// an amount. MAP is a referral and carries none.
var amountRanges = map[string]amountRange{
	PoolFounders:         {5_000, 25_000},
	PoolPortfolio:        {50_000, 100_000},
	PoolBuildForStartups: {1, 25_000},
	PoolBedrockPOC:       {10_000, 50_000},
}

// AmountRange returns the inclusive range, in whole USD, of requested_usd and
// approved_usd for pool. hasAmount is false for map, whose records carry no
// amount (it must be 0), and for unknown pools.
func AmountRange(pool string) (min, max int64, hasAmount bool) {
	r, ok := amountRanges[pool]
	return r.min, r.max, ok
}

// CheckAmount checks usd, the value of the request field named field
// ("requested_usd" or "approved_usd"), against the range of pool. It returns
// a *domain.Error with code amount_out_of_range naming field when usd is
// outside the range (or non-zero for map), and validation_failed naming
// funding_source when the pool is unknown.
func CheckAmount(field, pool string, usd int64) error {
	if !domain.OneOf(pool, domain.FundingSources) {
		return fieldError(domain.ECodeValidation, "funding_source", "must be one of "+strings.Join(domain.FundingSources, ", "))
	}
	lo, hi, has := AmountRange(pool)
	if !has {
		if usd != 0 {
			return fieldError(domain.ECodeAmountOutOfRange, field, "must be 0 or absent: "+pool+" records carry no credit amount")
		}
		return nil
	}
	if usd < lo || usd > hi {
		return fieldError(domain.ECodeAmountOutOfRange, field,
			formatRange(pool, lo, hi))
	}
	return nil
}

func formatRange(pool string, lo, hi int64) string {
	return "must be between " + dollars(lo) + " and " + dollars(hi) + " USD for " + pool
}

// CheckAward checks the outcome of an approval. AWS may award less than was
// requested, and in another ("downgraded") pool; the awarded pool's range
// still applies. An award above the request is refused. Codes:
// amount_out_of_range or validation_failed (unknown pool), naming
// approved_usd or funding_source.
func CheckAward(requestedUSD int64, awardedPool string, approvedUSD int64) error {
	if err := CheckAmount("approved_usd", awardedPool, approvedUSD); err != nil {
		return err
	}
	if approvedUSD > requestedUSD {
		return fieldError(domain.ECodeAmountOutOfRange, "approved_usd",
			"must not exceed the requested "+dollars(requestedUSD)+" USD")
	}
	return nil
}

// StackCeilingUSD is the most credit, in whole USD, that one customer may be
// awarded across all its records (SPEC §3, "the stacked ceiling").
const StackCeilingUSD = 150_000

// CeilingRecord is one of the customer's other records, as the stacked
// ceiling sees it.
type CeilingRecord struct {
	State        string
	RequestedUSD int64
	ApprovedUSD  int64
}

// SumForCeiling adds up the customer's other records the way both ceiling
// checks need them:
//   - approvedUSD sums approved_usd of records in approved, launched or closed
//     (an award stays spent once the engagement closes);
//   - requestedOpenUSD sums requested_usd of records still waiting for AWS:
//     identified, submitted or validated;
//   - rejected and withdrawn records count for nothing.
//
// The storage layer may compute the same sums in SQL; this is the reference.
func SumForCeiling(others []CeilingRecord) (approvedUSD, requestedOpenUSD int64) {
	for _, r := range others {
		switch r.State {
		case StateApproved, StateLaunched, StateClosed:
			approvedUSD += r.ApprovedUSD
		case StateIdentified, StateSubmitted, StateValidated:
			requestedOpenUSD += r.RequestedUSD
		}
	}
	return approvedUSD, requestedOpenUSD
}

// CheckStackCeiling is the check made when a record is created, or its
// requested amount changed: the approved awards of the customer's other
// records (existingApprovedUSD), plus the requested amounts of its other open,
// not-yet-approved records (existingRequestedOpenUSD), plus this record's
// request (addUSD) must not exceed StackCeilingUSD. Counting pending requests
// keeps a partner from filing several requests that could not all be
// honoured. Use SumForCeiling for the two sums; never include the record
// itself in them. Returns stack_ceiling_exceeded naming requested_usd.
func CheckStackCeiling(existingApprovedUSD, existingRequestedOpenUSD, addUSD int64) error {
	return checkCeiling("requested_usd", existingApprovedUSD+existingRequestedOpenUSD, addUSD)
}

// CheckApprovalCeiling is the check made when a record is approved: the
// approved awards of the customer's other records (existingApprovedUSD) plus
// this award (approvedUSD) must not exceed StackCeilingUSD. Pending requests
// of other records do not count here, because the SPEC invariant is about
// awards. Returns stack_ceiling_exceeded naming approved_usd.
func CheckApprovalCeiling(existingApprovedUSD, approvedUSD int64) error {
	return checkCeiling("approved_usd", existingApprovedUSD, approvedUSD)
}

func checkCeiling(field string, used, add int64) error {
	if used+add <= StackCeilingUSD {
		return nil
	}
	left := max(StackCeilingUSD-used, 0)
	return fieldError(domain.ECodeStackCeiling, field,
		"at most "+dollars(left)+" USD remains under the customer's "+dollars(StackCeilingUSD)+" USD stacked ceiling")
}

func fieldError(code, field, message string) error {
	return &domain.Error{
		Code:    code,
		Message: field + " " + message,
		Fields:  []domain.FieldError{{Field: field, Message: message}},
	}
}

// dollars formats whole USD with thousands separators, as the SPEC writes them.
func dollars(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
