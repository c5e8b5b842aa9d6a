package routing

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// benchIntake is the profile BenchmarkDecide routes.
var benchIntake = Intake{Stage: "series_a", Region: "us_east", Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build",
	RequestedFundingSources: []string{"portfolio", "bedrock_poc"}}

// syntheticPartners returns n partners drawn from a generator seeded with
// seed, so every run sees the same pool: mostly active, a quarter below the
// tier gate, 1–3 regions each, records of 0–300 decided outcomes around a
// per-partner true rate, a fifth to a half of them on each of in's values.
func syntheticPartners(in Intake, n int, seed int64) []Partner {
	rng := rand.New(rand.NewSource(seed))
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := make([]Partner, n)
	for i := range ps {
		p := Partner{
			ID:     fmt.Sprintf("p%05d", i),
			Name:   fmt.Sprintf("Partner %d", i),
			Tier:   domain.Tiers[rng.Intn(len(domain.Tiers))],
			Status: "active",
		}
		if rng.Float64() < 0.1 {
			p.Status = "paused"
		}
		for _, j := range rng.Perm(len(domain.Regions))[:1+rng.Intn(3)] {
			p.Regions = append(p.Regions, domain.Regions[j])
		}
		p.Capacity = 5 + rng.Intn(46)
		p.OpenAssignments = rng.Intn(p.Capacity + 5)
		if rng.Float64() < 0.05 {
			axis := domain.Axes[rng.Intn(len(domain.Axes))]
			p.ExcludedAxisValues = map[string][]string{axis: {in.AxisValue(axis)}}
		}
		p.PreviouslyAssigned = rng.Float64() < 0.005
		if rng.Float64() < 0.8 {
			t := epoch.Add(time.Duration(rng.Intn(365*24)) * time.Hour)
			p.LastOfferedAt = &t
		}
		rate := 0.35 + 0.6*rng.Float64()
		p.Overall.Decided = rng.Intn(301)
		p.Overall.Wins = binomial(rng, p.Overall.Decided, rate)
		for a := range domain.Axes {
			d := int(float64(p.Overall.Decided) * (0.2 + 0.3*rng.Float64()))
			r := min(max(rate+0.15*rng.NormFloat64(), 0), 1)
			p.Cells[a] = Cell{Wins: binomial(rng, d, r), Decided: d}
		}
		if p.Overall.Wins > 0 {
			m := 8 + 20*rng.Float64()
			p.MedianDaysToApproval = &m
		}
		p.OffersReceived = rng.Intn(40)
		p.Declines = rng.Intn(p.OffersReceived/4 + 1)
		p.Expiries = rng.Intn(p.OffersReceived/8 + 1)
		ps[i] = p
	}
	return ps
}

func binomial(rng *rand.Rand, n int, p float64) int {
	k := 0
	for range n {
		if rng.Float64() < p {
			k++
		}
	}
	return k
}
