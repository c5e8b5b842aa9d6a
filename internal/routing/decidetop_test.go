package routing

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// referenceDecide is the straightforward implementation Decide and
// DecideTop must agree with: score every candidate in full, then sort the
// candidates themselves in the documented order (docs/routing.md §5). It
// shares nothing of the selection or of the sort keys with them, and has
// its own copy of the scoring.
func referenceDecide(in Intake, partners []Partner, p Params) Decision {
	var poolAxis [numAxes]Cell
	var poolAll Cell
	var filtered Filtered
	var routable []*Partner
	for i := range partners {
		pt := &partners[i]
		for a := range domain.Axes {
			c := pt.Cells[a].clean()
			poolAxis[a].Wins += c.Wins
			poolAxis[a].Decided += c.Decided
		}
		o := pt.Overall.clean()
		poolAll.Wins += o.Wins
		poolAll.Decided += o.Decided
		if r := FilterReason(in, *pt); r != "" {
			filtered.add(r)
			continue
		}
		routable = append(routable, pt)
	}
	pool := Pool{Axes: make([]PoolAxis, numAxes)}
	pool.Overall = poolCell(poolAll, NeutralRate)
	for a, axis := range domain.Axes {
		pool.Axes[a] = PoolAxis{Axis: axis, Value: in.AxisValue(axis), PoolCell: poolCell(poolAxis[a], pool.Overall.Rate)}
	}

	cands := make([]Candidate, 0, len(routable))
	for _, pt := range routable {
		cands = append(cands, referenceScore(in, pt, pool, p.Threshold))
	}
	slices.SortFunc(cands, referenceOrder)
	for k := range cands {
		cands[k].Rank = k + 1
	}
	d := Decision{
		Params: ParamsUsed{Threshold: p.Threshold, NeutralRate: NeutralRate, PoolStrength: PoolStrength,
			PartnerStrength: PartnerStrength, CellStrength: CellStrength, ConfidenceZ: ConfidenceZ,
			ResponsivenessWeight: ResponsivenessWeight, ResponsivenessStrength: ResponsivenessStrength,
			RankingResolution: RankingResolution},
		Pool: pool, PartnersConsidered: len(partners), Filtered: filtered, Candidates: cands,
	}
	if len(cands) > 0 {
		id := cands[0].PartnerID
		d.ChosenPartnerID = &id
	}
	return d
}

// referenceScore is the formula of docs/routing.md §3–5, written out for
// one candidate.
func referenceScore(in Intake, pt *Partner, pool Pool, threshold float64) Candidate {
	c := Candidate{PartnerID: pt.ID, Name: pt.Name, Tier: pt.Tier,
		MedianDaysToApproval: pt.MedianDaysToApproval, LastOfferedAt: pt.LastOfferedAt}
	raw := func(c Cell) *float64 {
		if c.Decided == 0 {
			return nil
		}
		r := float64(c.Wins) / float64(c.Decided)
		return &r
	}
	o := pt.Overall.clean()
	var sum, se float64
	for a, axis := range domain.Axes {
		cell := pt.Cells[a].clean()
		prior := Shrink(o, pool.Axes[a].Rate, PartnerStrength)
		shrunk := Shrink(cell, prior, CellStrength)
		e := 0.5 / math.Sqrt(float64(cell.Decided)+CellStrength+1)
		c.Cells = append(c.Cells, AxisCell{Axis: axis, Value: in.AxisValue(axis), Wins: cell.Wins, Decided: cell.Decided,
			RawRate: raw(cell), Prior: prior, ShrunkRate: shrunk, StdError: e})
		sum += shrunk
		se += e
	}
	c.Overall = OverallCell{Wins: o.Wins, Decided: o.Decided, RawRate: raw(o), Prior: pool.Overall.Rate,
		ShrunkRate: Shrink(o, pool.Overall.Rate, PartnerStrength)}
	c.Score = sum / numAxes
	c.ConfidencePenalty = ConfidenceZ * se / numAxes

	r := Responsiveness{OffersReceived: max(pt.OffersReceived, 0), Declines: max(pt.Declines, 0), Expiries: max(pt.Expiries, 0)}
	missed := float64(r.Declines + r.Expiries)
	if r.OffersReceived > 0 {
		rate := missed / float64(r.OffersReceived)
		r.Rate = &rate
	}
	r.Penalty = ResponsivenessWeight * min(1, missed/(float64(r.OffersReceived)+ResponsivenessStrength))
	c.Responsiveness = r

	c.RankingScore = math.Round((c.Score-c.ConfidencePenalty-r.Penalty)*1000) / 1000
	c.Band = BandBelow
	if c.Score >= threshold-1e-9 {
		c.Band = BandAbove
	}
	return c
}

// referenceOrder is the documented order, best first: above the threshold
// before below, higher ranking score, fewer median days (unknown last),
// never offered, then offered longest ago, and the partner ID.
func referenceOrder(a, b Candidate) int {
	if a.Band != b.Band {
		if a.Band == BandAbove {
			return -1
		}
		return 1
	}
	if a.RankingScore != b.RankingScore {
		if a.RankingScore > b.RankingScore {
			return -1
		}
		return 1
	}
	if da, db := daysOf(a), daysOf(b); da != db {
		if da < db {
			return -1
		}
		return 1
	}
	la, lb := a.LastOfferedAt, b.LastOfferedAt
	switch {
	case la == nil && lb != nil:
		return -1
	case la != nil && lb == nil:
		return 1
	case la != nil && !la.Equal(*lb):
		if la.Before(*lb) {
			return -1
		}
		return 1
	}
	return strings.Compare(a.PartnerID, b.PartnerID)
}

// daysOf is c's median days to approval, +Inf when unknown.
func daysOf(c Candidate) float64 {
	if c.MedianDaysToApproval == nil || math.IsNaN(*c.MedianDaysToApproval) {
		return math.Inf(1)
	}
	return *c.MedianDaysToApproval
}

// tiedPartners returns a random pool for intake built to hit every branch
// of the filter and of the order: records drawn from a few templates, so
// that ranking scores tie; median days and last offers drawn from a few
// values (nil and NaN among them), so that those tie too; every filter
// reason. Partner IDs are unique unless dupIDs.
func tiedPartners(rng *rand.Rand, n int, dupIDs bool) []Partner {
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lastOffers := []func() *time.Time{
		func() *time.Time { return nil },
		func() *time.Time { return ptr(epoch) },
		func() *time.Time { return ptr(epoch.Add(48 * time.Hour)) },
		func() *time.Time { return ptr(epoch.Add(48*time.Hour + 1)) },               // one nanosecond later
		func() *time.Time { return ptr(epoch.In(time.FixedZone("UTC+2", 2*3600))) }, // the same instant
	}
	days := []*float64{nil, ptr(10.0), ptr(10.0), ptr(12.5), ptr(math.NaN()), ptr(0.0)}
	templates := make([]Partner, 4)
	for t := range templates {
		templates[t] = randomRecord(rng)
	}
	ids := rng.Perm(n)
	ps := make([]Partner, n)
	for i := range ps {
		var p Partner
		if rng.Intn(2) == 0 {
			p = templates[rng.Intn(len(templates))]
		} else {
			p = randomRecord(rng)
		}
		p.ID = fmt.Sprintf("p%d", ids[i]) // unpadded: "p10" < "p9"
		if dupIDs && i > 0 && rng.Intn(4) == 0 {
			p.ID = ps[rng.Intn(i)].ID
		}
		p.Name = "Partner " + p.ID
		p.Tier, p.Status = []string{"advanced", "premier"}[rng.Intn(2)], "active"
		p.Regions = []string{"eu", intake.Region}
		p.Capacity, p.OpenAssignments = 1+rng.Intn(5), 0
		p.MedianDaysToApproval = days[rng.Intn(len(days))]
		p.LastOfferedAt = lastOffers[rng.Intn(len(lastOffers))]()
		switch rng.Intn(16) {
		case 0:
			p.Status = []string{"paused", ""}[rng.Intn(2)]
		case 1:
			p.Tier = []string{"select", "registered"}[rng.Intn(2)]
		case 2:
			p.Regions = []string{"eu"}
		case 3:
			p.OpenAssignments = p.Capacity + rng.Intn(2)
		case 4:
			axis := domain.Axes[rng.Intn(numAxes)]
			p.ExcludedAxisValues = map[string][]string{axis: {"other", intake.AxisValue(axis)}}
		case 5:
			p.ExcludedAxisValues = map[string][]string{"stage": {"seed"}} // not the intake's: still a candidate
		case 6:
			p.PreviouslyAssigned = true
		}
		ps[i] = p
	}
	return ps
}

// randomRecord returns a partner with only a record: small counts, so that
// scores collide, and now and then a malformed cell.
func randomRecord(rng *rand.Rand) Partner {
	var p Partner
	cell := func() Cell {
		d := rng.Intn(12)
		c := Cell{Wins: rng.Intn(d + 1), Decided: d}
		if rng.Intn(30) == 0 {
			c = Cell{Wins: rng.Intn(5) - 2, Decided: rng.Intn(5) - 2}
		}
		return c
	}
	for a := range p.Cells {
		p.Cells[a] = cell()
	}
	p.Overall = cell()
	p.Overall.Decided *= 4
	p.Overall.Wins *= 4
	p.OffersReceived = rng.Intn(6)
	p.Declines = rng.Intn(p.OffersReceived + 1)
	p.Expiries = rng.Intn(2)
	return p
}

// sizes are the n each pool is tried with: none, one, a few, around the
// number of candidates, StoredCandidates, and far more than any pool.
func sizes(candidates int) []int {
	out := []int{0, 1, 2, 3, 7, StoredCandidates, 1000}
	for _, n := range []int{candidates - 1, candidates, candidates + 1} {
		if n >= 0 && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func TestDecideTop(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	thresholds := []float64{DefaultThreshold, 0, 0.5, 0.75, 1}
	var ties struct{ ranking, days, lastOffered, zone, checks int }
	for run := range 600 {
		size := rng.Intn(90)
		if run%50 == 0 {
			size = 0
		}
		ps := tiedPartners(rng, size, false)
		p := Params{Threshold: thresholds[rng.Intn(len(thresholds))]}
		ref := referenceDecide(intake, ps, p)
		full := Decide(intake, ps, p)
		if !reflect.DeepEqual(ref, full) {
			t.Fatalf("run %d: Decide differs from the reference:\n%s", run, cmp.Diff(ref, full))
		}
		// Partners in another order decide the same.
		shuffled := slices.Clone(ps)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for _, n := range sizes(len(ref.Candidates)) {
			want := ref.Trimmed(n)
			if got := full.Trimmed(n); !reflect.DeepEqual(want, got) {
				t.Fatalf("run %d, n %d: Decide(…).Trimmed differs from the reference:\n%s", run, n, cmp.Diff(want, got))
			}
			for _, in := range [][]Partner{ps, shuffled} {
				if got := DecideTop(intake, in, p, n); !reflect.DeepEqual(want, got) {
					t.Fatalf("run %d, n %d: DecideTop differs from the reference (-want +got):\n%s", run, n, cmp.Diff(want, got))
				}
				ties.checks++
			}
		}
		// The pools hold the ties they are meant to.
		for k := 1; k < len(ref.Candidates); k++ {
			a, b := ref.Candidates[k-1], ref.Candidates[k]
			if a.Band != b.Band || a.RankingScore != b.RankingScore {
				continue
			}
			ties.ranking++
			if daysOf(a) != daysOf(b) {
				continue
			}
			ties.days++
			if (a.LastOfferedAt == nil) != (b.LastOfferedAt == nil) || a.LastOfferedAt != nil && !a.LastOfferedAt.Equal(*b.LastOfferedAt) {
				continue
			}
			ties.lastOffered++
			if a.LastOfferedAt != nil && a.LastOfferedAt.Location() != b.LastOfferedAt.Location() {
				ties.zone++
			}
		}
	}
	t.Logf("%d comparisons; neighbours tied on ranking score %d times, also on days %d, also on last offer %d (%d of them in another zone)",
		ties.checks, ties.ranking, ties.days, ties.lastOffered, ties.zone)
	if ties.ranking < 100 || ties.days < 50 || ties.lastOffered < 20 || ties.zone == 0 {
		t.Errorf("the pools hold too few ties to test the order")
	}
}

// TestDecideTopDuplicateIDs: with a partner ID passed in twice there is no
// reference order, but DecideTop still returns what Decide then Trimmed
// returns.
func TestDecideTopDuplicateIDs(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for run := range 200 {
		ps := tiedPartners(rng, 1+rng.Intn(60), true)
		full := Decide(intake, ps, DefaultParams())
		for _, n := range sizes(len(full.Candidates)) {
			want := full.Trimmed(n)
			if got := DecideTop(intake, ps, DefaultParams(), n); !reflect.DeepEqual(want, got) {
				t.Fatalf("run %d, n %d: (-want +got):\n%s", run, n, cmp.Diff(want, got))
			}
		}
	}
}

// TestDecideTopSynthetic checks the benchmarks' pools, 2,000 partners, with
// ties forced in as TestDeterministic does, and with everyone a candidate.
func TestDecideTopSynthetic(t *testing.T) {
	ps := syntheticPartners(intake, 2000, 3)
	for i := 5; i < len(ps); i += 5 {
		ps[i].Cells, ps[i].Overall = ps[i-1].Cells, ps[i-1].Overall
		ps[i].MedianDaysToApproval, ps[i].LastOfferedAt = ps[i-1].MedianDaysToApproval, ps[i-1].LastOfferedAt
		ps[i].OffersReceived, ps[i].Declines, ps[i].Expiries = ps[i-1].OffersReceived, ps[i-1].Declines, ps[i-1].Expiries
	}
	all := slices.Clone(ps)
	for i := range all {
		all[i].Status, all[i].Tier, all[i].Regions = "active", "advanced", []string{intake.Region}
		all[i].OpenAssignments, all[i].ExcludedAxisValues, all[i].PreviouslyAssigned = 0, nil, false
	}
	for name, ps := range map[string][]Partner{"realistic": ps, "all candidates": all} {
		t.Run(name, func(t *testing.T) {
			ref := referenceDecide(intake, ps, DefaultParams())
			if len(ref.Candidates) < 100 {
				t.Fatalf("only %d candidates", len(ref.Candidates))
			}
			if got := Decide(intake, ps, DefaultParams()); !reflect.DeepEqual(ref, got) {
				t.Fatalf("Decide differs from the reference:\n%s", cmp.Diff(ref, got))
			}
			for _, n := range append(sizes(len(ref.Candidates)), 100, 500) {
				if got, want := DecideTop(intake, ps, DefaultParams(), n), ref.Trimmed(n); !reflect.DeepEqual(want, got) {
					t.Fatalf("n %d: (-want +got):\n%s", n, cmp.Diff(want, got))
				}
			}
		})
	}
}

func TestDecideTopCounts(t *testing.T) {
	ps := workedExample() // 3 candidates of 5 partners
	for _, tt := range []struct{ n, kept, omitted int }{{-1, 0, 3}, {0, 0, 3}, {2, 2, 1}, {3, 3, 0}, {25, 3, 0}} {
		d := DecideTop(intake, ps, DefaultParams(), tt.n)
		if len(d.Candidates) != tt.kept || d.CandidatesTotal != 3 || d.CandidatesOmitted != tt.omitted ||
			d.ChosenPartnerID == nil || *d.ChosenPartnerID != "atlas" {
			t.Errorf("n %d: kept %d of %d, %d omitted, chosen %v; want %d of 3, %d omitted, atlas",
				tt.n, len(d.Candidates), d.CandidatesTotal, d.CandidatesOmitted, d.ChosenPartnerID, tt.kept, tt.omitted)
		}
	}
}

// TestTrimmedTwice: trimming a trimmed decision, as storing one does, keeps
// the count of every candidate scored.
func TestTrimmedTwice(t *testing.T) {
	ps := syntheticPartners(intake, 400, 5)
	full := Decide(intake, ps, DefaultParams())
	for _, tt := range []struct{ first, second int }{{25, 25}, {25, 10}, {10, 25}, {0, 0}, {1000, 25}} {
		want := full.Trimmed(min(tt.first, tt.second))
		if got := full.Trimmed(tt.first).Trimmed(tt.second); !reflect.DeepEqual(want, got) {
			t.Errorf("Trimmed(%d).Trimmed(%d) = %d of %d, %d omitted; want %d of %d, %d omitted", tt.first, tt.second,
				len(got.Candidates), got.CandidatesTotal, got.CandidatesOmitted,
				len(want.Candidates), want.CandidatesTotal, want.CandidatesOmitted)
		}
		if got := DecideTop(intake, ps, DefaultParams(), tt.first).Trimmed(tt.second); !reflect.DeepEqual(want, got) {
			t.Errorf("DecideTop(%d).Trimmed(%d) = %d of %d, %d omitted; want %d of %d, %d omitted", tt.first, tt.second,
				len(got.Candidates), got.CandidatesTotal, got.CandidatesOmitted,
				len(want.Candidates), want.CandidatesTotal, want.CandidatesOmitted)
		}
	}
}
