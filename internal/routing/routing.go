// Package routing picks the partner an intake is offered to (SPEC §3
// "Routing", seed 002 §IX). It is pure: the caller loads every partner with
// its cells from the routing index, and Decide filters, scores and ranks
// them, returning a Decision that is also the stored explanation.
//
// The formula, its constants and a worked example are in docs/routing.md.
package routing

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// numAxes is len(domain.Axes); arrays of this size keep per-axis work off
// the heap.
const numAxes = 5

// Intake is the profile being routed.
type Intake struct {
	Stage, Region, Vertical, ServiceProfile, EngagementType string
	// RequestedFundingSources does not filter: every routable tier (advanced,
	// premier) may file every pool (seed 002, tier table).
	RequestedFundingSources []string
}

// AxisValue returns the intake's value on one of domain.Axes, or "" for a
// name that is not a routing axis.
func (i Intake) AxisValue(axis string) string {
	switch axis {
	case "stage":
		return i.Stage
	case "region":
		return i.Region
	case "vertical":
		return i.Vertical
	case "service_profile":
		return i.ServiceProfile
	case "engagement_type":
		return i.EngagementType
	}
	return ""
}

// AxisIndex returns the position of axis in domain.Axes (and so in
// Partner.Cells), or -1 for a name that is not a routing axis.
func AxisIndex(axis string) int {
	for i, a := range domain.Axes {
		if a == axis {
			return i
		}
	}
	return -1
}

// Cell is the decided outcomes on one (partner, axis, value) in the trailing
// window: approved counts as a win; rejected, or withdrawn after submission,
// as a loss.
type Cell struct {
	Wins    int `json:"wins"`
	Decided int `json:"decided"`
}

// clean keeps a malformed cell from producing a rate outside [0, 1]; the
// index guarantees 0 <= wins <= decided, callers building cells by hand may
// not.
func (c Cell) clean() Cell {
	if c.Decided < 0 {
		c.Decided = 0
	}
	c.Wins = min(max(c.Wins, 0), c.Decided)
	return c
}

// Partner is everything routing knows of one partner; the caller loads it.
type Partner struct {
	ID, Name, Tier, Status string // Status "active" | "paused"
	Regions                []string
	Capacity               int // max open (offered+accepted) assignments
	OpenAssignments        int
	ExcludedAxisValues     map[string][]string // axis -> excluded values
	PreviouslyAssigned     bool                // this intake was already assigned to it once
	LastOfferedAt          *time.Time          // nil = never offered
	// Cells holds the partner's cell for the intake's value on each axis, in
	// the order of domain.Axes (AxisIndex gives the position). An array, not
	// a map: routing builds one per partner per decision.
	Cells                              [numAxes]Cell
	Overall                            Cell     // all its decided outcomes in the window
	MedianDaysToApproval               *float64 // nil = unknown
	OffersReceived, Declines, Expiries int      // responsiveness over the window
}

// Params are the settings routing reads. Use DefaultParams for the defaults.
type Params struct {
	// Threshold is the close rate at or above which a partner is in the
	// "above" band (setting close_rate_threshold, default 0.70). It is used
	// as given: 0 is a legitimate setting that puts everyone above.
	Threshold float64
}

// DefaultParams returns the settings' defaults.
func DefaultParams() Params { return Params{Threshold: DefaultThreshold} }

// The constants of the formula. docs/routing.md explains each choice.
const (
	// DefaultThreshold is the seed's 70% band edge.
	DefaultThreshold = 0.70
	// NeutralRate is the prior when the whole pool has no decided outcome:
	// the mean of a uniform Beta(1,1), i.e. "no idea".
	NeutralRate = 0.5
	// PoolStrength is the pseudo-count with which the pool's overall rate
	// backs off to NeutralRate, and the pool's rate on one axis value backs
	// off to the pool's overall rate. It only matters on a near-empty index.
	PoolStrength = 10.0
	// PartnerStrength is the pseudo-count with which a partner's overall
	// record backs off to the pool: a partner needs 20 decided outcomes
	// before its own record weighs as much as the pool's.
	PartnerStrength = 20.0
	// CellStrength is the pseudo-count with which a cell backs off to the
	// partner's (shrunk) overall rate: 10 decided outcomes on the value weigh
	// as much as everything else known about the partner.
	CellStrength = 10.0
	// ConfidenceZ scales the uncertainty subtracted for ranking: the
	// one-sided 90% normal quantile, above the 1.19 that 1 win of 1 needs to
	// rank below 45 of 50 whatever the pool (docs/routing.md §5).
	ConfidenceZ = 1.2816
	// ResponsivenessWeight is the largest penalty (in close-rate points) a
	// partner that declines or lets expire every offer can take on ranking.
	ResponsivenessWeight = 0.05
	// ResponsivenessStrength is the pseudo-count of responsive offers every
	// partner starts with, so one early decline costs little.
	ResponsivenessStrength = 5.0
	// RankingResolution is the step ranking scores are rounded to before
	// comparison: closer scores are a tie, decided by speed and rotation.
	RankingResolution = 1.0 / rankingSteps
	rankingSteps      = 1000
	// bandEpsilon keeps a score equal to the threshold on paper from falling
	// below it through floating-point rounding.
	bandEpsilon = 1e-9
)

// Bands.
const (
	BandAbove = "above"
	BandBelow = "below"
)

// Reasons a partner is filtered out, in the order they are checked: a
// partner is counted under the first that applies.
const (
	ReasonPaused             = "paused"
	ReasonTier               = "tier"
	ReasonRegion             = "region"
	ReasonCapacity           = "capacity"
	ReasonExcluded           = "excluded"
	ReasonPreviouslyAssigned = "previously_assigned"
)

// Reasons lists the filter reasons in the order they are checked.
var Reasons = []string{ReasonPaused, ReasonTier, ReasonRegion, ReasonCapacity, ReasonExcluded, ReasonPreviouslyAssigned}

// FilterReason returns why p is not a candidate for in, or "" when it is one
// (SPEC §3 Routing, rule 1). Any status other than "active" counts as paused.
func FilterReason(in Intake, p Partner) string { return filterReason(&in, &p) }

func filterReason(in *Intake, p *Partner) string {
	switch {
	case p.Status != "active":
		return ReasonPaused
	case !domain.IsRoutableTier(p.Tier):
		return ReasonTier
	case !slices.Contains(p.Regions, in.Region):
		return ReasonRegion
	case p.OpenAssignments >= p.Capacity:
		return ReasonCapacity
	case excluded(in, p.ExcludedAxisValues):
		return ReasonExcluded
	case p.PreviouslyAssigned:
		return ReasonPreviouslyAssigned
	}
	return ""
}

func excluded(in *Intake, ex map[string][]string) bool {
	if len(ex) == 0 {
		return false
	}
	for _, axis := range domain.Axes {
		if slices.Contains(ex[axis], in.AxisValue(axis)) {
			return true
		}
	}
	return false
}

// Decision is the outcome of Decide and, serialised, the explanation stored
// with it: every number that went into the choice is here.
type Decision struct {
	Params ParamsUsed `json:"params"`
	// Pool is the evidence summed over every partner passed in, filtered or
	// not: the broadest level thin cells back off to.
	Pool Pool `json:"pool"`
	// PartnersConsidered is how many partners were passed in.
	PartnersConsidered int      `json:"partners_considered"`
	Filtered           Filtered `json:"filtered"`
	// Candidates are every partner that passed the filter, best first; in
	// a stored explanation, the best of them (see Trimmed).
	Candidates []Candidate `json:"candidates"`
	// ChosenPartnerID is the first candidate's ID; null when there is none,
	// which leaves the intake unroutable.
	ChosenPartnerID *string `json:"chosen_partner_id"`
	// CandidatesTotal and CandidatesOmitted say how many candidates there
	// were and how many of the lowest-ranked were left out of a stored
	// explanation (see Trimmed and DecideTop).
	CandidatesTotal   int `json:"candidates_total"`
	CandidatesOmitted int `json:"candidates_omitted"`
}

// StoredCandidates is how many ranked candidates a stored explanation keeps
// in full. With 2,000 partners a region can hold hundreds of candidates; the
// ones far down the ranking did not shape the decision, and keeping them all
// would store megabytes per intake.
const StoredCandidates = 25

// Trimmed returns the decision with at most n candidates, the best, and the
// count of those left out. The filter counts and the pool are kept whole.
// A decision trimmed already (by Trimmed or DecideTop) keeps its total.
func (d Decision) Trimmed(n int) Decision {
	if d.CandidatesTotal == 0 {
		d.CandidatesTotal = len(d.Candidates)
	}
	if len(d.Candidates) > n {
		d.CandidatesOmitted += len(d.Candidates) - n
		d.Candidates = d.Candidates[:n:n]
	}
	return d
}

// Chosen returns the best candidate, or false when there is none.
func (d Decision) Chosen() (Candidate, bool) {
	if len(d.Candidates) == 0 {
		return Candidate{}, false
	}
	return d.Candidates[0], true
}

// ParamsUsed records the threshold and every constant of the formula, so a
// stored explanation stays readable after the constants change.
type ParamsUsed struct {
	Threshold              float64 `json:"threshold"`
	NeutralRate            float64 `json:"neutral_rate"`
	PoolStrength           float64 `json:"pool_strength"`
	PartnerStrength        float64 `json:"partner_strength"`
	CellStrength           float64 `json:"cell_strength"`
	ConfidenceZ            float64 `json:"confidence_z"`
	ResponsivenessWeight   float64 `json:"responsiveness_weight"`
	ResponsivenessStrength float64 `json:"responsiveness_strength"`
	RankingResolution      float64 `json:"ranking_resolution"`
}

// Pool is the pool-wide evidence.
type Pool struct {
	// Axes are in domain.Axes order, each on the intake's value.
	Axes    []PoolAxis `json:"axes"`
	Overall PoolCell   `json:"overall"`
}

// PoolCell is the pool's wins and decided outcomes, and the rate used as a
// prior: the raw rate backed off by PoolStrength (to NeutralRate for the
// overall cell, to the overall rate for an axis value).
type PoolCell struct {
	Wins    int      `json:"wins"`
	Decided int      `json:"decided"`
	RawRate *float64 `json:"raw_rate"` // null when decided is 0
	Prior   float64  `json:"prior"`
	Rate    float64  `json:"rate"`
}

// PoolAxis is the pool's evidence on the intake's value of one axis.
type PoolAxis struct {
	Axis  string `json:"axis"`
	Value string `json:"value"`
	PoolCell
}

// Filtered counts the partners filtered out, by the first failing reason.
type Filtered struct {
	Paused             int `json:"paused"`
	Tier               int `json:"tier"`
	Region             int `json:"region"`
	Capacity           int `json:"capacity"`
	Excluded           int `json:"excluded"`
	PreviouslyAssigned int `json:"previously_assigned"`
}

// Total is the number of partners filtered out.
func (f Filtered) Total() int {
	return f.Paused + f.Tier + f.Region + f.Capacity + f.Excluded + f.PreviouslyAssigned
}

func (f *Filtered) add(reason string) {
	switch reason {
	case ReasonPaused:
		f.Paused++
	case ReasonTier:
		f.Tier++
	case ReasonRegion:
		f.Region++
	case ReasonCapacity:
		f.Capacity++
	case ReasonExcluded:
		f.Excluded++
	case ReasonPreviouslyAssigned:
		f.PreviouslyAssigned++
	}
}

// Candidate is one scored partner.
type Candidate struct {
	Rank      int    `json:"rank"` // 1 is chosen
	PartnerID string `json:"partner_id"`
	Name      string `json:"name"`
	Tier      string `json:"tier"`
	Band      string `json:"band"` // "above" | "below"
	// Cells are in domain.Axes order.
	Cells   []AxisCell  `json:"cells"`
	Overall OverallCell `json:"overall"`
	// Score is the close rate on similar submissions: the mean of the
	// cells' shrunk rates. It alone sets the band.
	Score float64 `json:"score"`
	// ConfidencePenalty is ConfidenceZ times the mean of the cells'
	// standard errors.
	ConfidencePenalty float64        `json:"confidence_penalty"`
	Responsiveness    Responsiveness `json:"responsiveness"`
	// RankingScore is Score minus both penalties, rounded to
	// RankingResolution. It orders candidates within a band.
	RankingScore float64 `json:"ranking_score"`
	// MedianDaysToApproval and LastOfferedAt share the Partner's pointers.
	MedianDaysToApproval *float64   `json:"median_days_to_approval"`
	LastOfferedAt        *time.Time `json:"last_offered_at"`
}

// AxisCell is a candidate's evidence on the intake's value of one axis.
type AxisCell struct {
	Axis    string   `json:"axis"`
	Value   string   `json:"value"`
	Wins    int      `json:"wins"`
	Decided int      `json:"decided"`
	RawRate *float64 `json:"raw_rate"` // null when decided is 0
	// Prior is the partner's overall record shrunk toward the pool's rate on
	// this axis value.
	Prior      float64 `json:"prior"`
	ShrunkRate float64 `json:"shrunk_rate"`
	// StdError bounds the posterior standard deviation: 0.5/sqrt(decided +
	// CellStrength + 1).
	StdError float64 `json:"std_error"`
}

// OverallCell is a candidate's whole record in the window, shrunk toward the
// pool's overall rate. It is the partner's headline rate for admins; the
// axis priors use the same record, shrunk toward the pool's rate on each
// axis value instead.
type OverallCell struct {
	Wins       int      `json:"wins"`
	Decided    int      `json:"decided"`
	RawRate    *float64 `json:"raw_rate"`
	Prior      float64  `json:"prior"`
	ShrunkRate float64  `json:"shrunk_rate"`
}

// Responsiveness is how a partner answered its offers in the window.
type Responsiveness struct {
	OffersReceived int      `json:"offers_received"`
	Declines       int      `json:"declines"`
	Expiries       int      `json:"expiries"`
	Rate           *float64 `json:"rate"`    // (declines+expiries)/offers; null with no offers
	Penalty        float64  `json:"penalty"` // subtracted from the ranking score only
}

// Decide filters, scores and ranks partners for in. partners is every
// partner known: filtered ones still contribute to the pool-wide prior.
// The result depends on the partners' content, not their order, provided
// partner IDs are unique.
func Decide(in Intake, partners []Partner, p Params) Decision {
	d, _ := decide(&in, partners, p, len(partners))
	return d
}

// DecideTop returns what Decide(in, partners, p).Trimmed(n) returns, the
// decision as an explanation stores it, without the cost of the candidates
// below the n best: every candidate gets only its sort key, the n best keys
// are picked out without sorting the rest, and only those n candidates are
// scored in full. A negative n counts as 0.
func DecideTop(in Intake, partners []Partner, p Params, n int) Decision {
	d, total := decide(&in, partners, p, max(n, 0))
	d.CandidatesTotal = total
	d.CandidatesOmitted = total - len(d.Candidates)
	return d
}

// decide is Decide keeping only the n best candidates (n >= 0). It also
// returns how many candidates there were.
func decide(in *Intake, partners []Partner, p Params, n int) (Decision, int) {
	var values [numAxes]string
	for a, axis := range domain.Axes {
		values[a] = in.AxisValue(axis)
	}

	// One pass: pool sums over everyone, the filter, and the candidates.
	var poolAxis [numAxes]Cell
	var poolAll Cell
	var filtered Filtered
	idx := make([]int32, 0, len(partners))
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
		if r := filterReason(in, pt); r != "" {
			filtered.add(r)
			continue
		}
		idx = append(idx, int32(i))
	}

	pool := Pool{Axes: make([]PoolAxis, numAxes)}
	pool.Overall = poolCell(poolAll, NeutralRate)
	var poolRate [numAxes]float64
	for a, axis := range domain.Axes {
		pool.Axes[a] = PoolAxis{Axis: axis, Value: values[a], PoolCell: poolCell(poolAxis[a], pool.Overall.Rate)}
		poolRate[a] = pool.Axes[a].Rate
	}

	// Every candidate gets its figures and sort key, nothing on the heap;
	// the best n keys are kept (at least the best one: it is chosen even
	// when no candidate is kept) and sorted.
	b := best{partners: partners, keys: make([]sortKey, 0, min(max(n, 1), len(idx)))}
	b.selecting = cap(b.keys) < len(idx)
	var f figures
	for _, i := range idx {
		pt := &partners[i]
		f.compute(pt, &poolRate, p.Threshold)
		b.add(newSortKey(&f, pt, i))
	}
	slices.SortFunc(b.keys, b.compare)

	// Only the kept candidates are written out in full, from the same
	// figures, computed again.
	kept := min(n, len(b.keys))
	cands := make([]Candidate, kept)
	cells := make([]AxisCell, numAxes*kept)
	rates := make([]float64, ratesPer*kept) // backing for the rate pointers
	for k := range cands {
		pt := &partners[b.keys[k].i]
		f.compute(pt, &poolRate, p.Threshold)
		f.fill(&cands[k], pt, &values, pool.Overall.Rate,
			cells[k*numAxes:(k+1)*numAxes:(k+1)*numAxes], rates[k*ratesPer:(k+1)*ratesPer])
		cands[k].Rank = k + 1
	}

	d := Decision{
		Params: ParamsUsed{
			Threshold:              p.Threshold,
			NeutralRate:            NeutralRate,
			PoolStrength:           PoolStrength,
			PartnerStrength:        PartnerStrength,
			CellStrength:           CellStrength,
			ConfidenceZ:            ConfidenceZ,
			ResponsivenessWeight:   ResponsivenessWeight,
			ResponsivenessStrength: ResponsivenessStrength,
			RankingResolution:      RankingResolution,
		},
		Pool:               pool,
		PartnersConsidered: len(partners),
		Filtered:           filtered,
		Candidates:         cands,
	}
	if len(b.keys) > 0 {
		id := partners[b.keys[0].i].ID
		d.ChosenPartnerID = &id
	}
	return d, len(idx)
}

func poolCell(c Cell, prior float64) PoolCell {
	return PoolCell{Wins: c.Wins, Decided: c.Decided, RawRate: rawRate(c), Prior: prior, Rate: Shrink(c, prior, PoolStrength)}
}

// Shrink is the beta-binomial posterior mean of a cell under a Beta prior of
// mean prior and strength pseudo-counts: (wins + strength*prior) /
// (decided + strength).
func Shrink(c Cell, prior, strength float64) float64 {
	return (float64(c.Wins) + strength*prior) / (float64(c.Decided) + strength)
}

func rawRate(c Cell) *float64 {
	return rawRateIn(c, new(float64))
}

// rawRateIn stores the raw rate of c in *dst and returns dst, or nil when c
// has no decided outcome.
func rawRateIn(c Cell, dst *float64) *float64 {
	if c.Decided == 0 {
		return nil
	}
	*dst = float64(c.Wins) / float64(c.Decided)
	return dst
}

// figures are the numbers a candidate is ranked by, and those of its
// explanation that take more than a copy. compute works them out for the
// sort key of every candidate, and fill writes a kept candidate from them:
// the order and the explanation come from the same arithmetic.
type figures struct {
	overall                    Cell          // cleaned
	cells                      [numAxes]Cell // cleaned
	prior, shrunk, stdErr      [numAxes]float64
	score, confidence          float64
	offers, declines, expiries int // clamped at 0
	responsiveness             float64
	ranking                    float64 // RankingScore
	above                      bool
}

// compute sets f for partner pt. It is kept out of line so that one
// compiled copy does the arithmetic: on an architecture where the compiler
// fuses a multiply and an add, two inlined copies could round differently,
// and a kept candidate show numbers other than those it was ranked by.
//
//go:noinline
func (f *figures) compute(pt *Partner, poolRate *[numAxes]float64, threshold float64) {
	o := pt.Overall.clean()
	f.overall = o
	var sum, se float64
	for a := range numAxes {
		cell := pt.Cells[a].clean()
		prior := Shrink(o, poolRate[a], PartnerStrength)
		shrunk := Shrink(cell, prior, CellStrength)
		e := 0.5 / math.Sqrt(float64(cell.Decided)+CellStrength+1)
		f.cells[a], f.prior[a], f.shrunk[a], f.stdErr[a] = cell, prior, shrunk, e
		sum += shrunk
		se += e
	}
	f.score = sum / numAxes
	f.confidence = ConfidenceZ * se / numAxes
	f.offers, f.declines, f.expiries = max(pt.OffersReceived, 0), max(pt.Declines, 0), max(pt.Expiries, 0)
	missed := float64(f.declines + f.expiries)
	f.responsiveness = ResponsivenessWeight * min(1, missed/(float64(f.offers)+ResponsivenessStrength))
	f.ranking = math.Round((f.score-f.confidence-f.responsiveness)*rankingSteps) / rankingSteps
	f.above = f.score >= threshold-bandEpsilon
}

// fill writes c, the candidate pt, from f (computed for pt). cells backs
// c.Cells, and rates (ratesPer long) the rate pointers, so that filling a
// candidate allocates nothing.
func (f *figures) fill(c *Candidate, pt *Partner, values *[numAxes]string, poolOverall float64, cells []AxisCell, rates []float64) {
	for a, axis := range domain.Axes {
		cell := f.cells[a]
		cells[a] = AxisCell{Axis: axis, Value: values[a], Wins: cell.Wins, Decided: cell.Decided,
			RawRate: rawRateIn(cell, &rates[a]), Prior: f.prior[a], ShrunkRate: f.shrunk[a], StdError: f.stdErr[a]}
	}
	o := f.overall
	*c = Candidate{
		PartnerID: pt.ID, Name: pt.Name, Tier: pt.Tier, Band: BandBelow,
		Cells: cells,
		Overall: OverallCell{Wins: o.Wins, Decided: o.Decided, RawRate: rawRateIn(o, &rates[numAxes]),
			Prior: poolOverall, ShrunkRate: Shrink(o, poolOverall, PartnerStrength)},
		Score:             f.score,
		ConfidencePenalty: f.confidence,
		Responsiveness: Responsiveness{OffersReceived: f.offers, Declines: f.declines, Expiries: f.expiries,
			Penalty: f.responsiveness},
		RankingScore:         f.ranking,
		MedianDaysToApproval: pt.MedianDaysToApproval,
		LastOfferedAt:        pt.LastOfferedAt,
	}
	if f.above {
		c.Band = BandAbove
	}
	if f.offers > 0 {
		rates[numAxes+1] = float64(f.declines+f.expiries) / float64(f.offers)
		c.Responsiveness.Rate = &rates[numAxes+1]
	}
}

// ratesPer is how many rate pointers one candidate carries: a raw rate per
// axis, the overall raw rate and the responsiveness rate.
const ratesPer = numAxes + 2

// sortKey is what candidates are ordered by. It holds no pointer and packs
// band and ranking score into one integer, so that ranking 2,000 keys is
// cheap; the partner ID, the last tie-break, is looked up through i.
type sortKey struct {
	primary  int64   // band, then RankingScore in RankingResolution steps; higher first
	days     float64 // median days to approval; +Inf when unknown
	lastSec  int64   // last offered, Unix seconds; math.MinInt64 when never
	lastNsec int32
	i        int32 // index into the partners
}

// newSortKey returns the key of partners[i], pt, whose figures are f.
func newSortKey(f *figures, pt *Partner, i int32) sortKey {
	// Ranking scores lie within [-0.25, 1], i.e. a few thousand steps, far
	// inside the 2^40 that separates the bands.
	k := sortKey{primary: int64(math.Round(f.ranking * rankingSteps)),
		days: math.Inf(1), lastSec: math.MinInt64, i: i}
	if f.above {
		k.primary += 1 << 40
	}
	if d := pt.MedianDaysToApproval; d != nil && !math.IsNaN(*d) {
		k.days = *d
	}
	if t := pt.LastOfferedAt; t != nil {
		k.lastSec, k.lastNsec = t.Unix(), int32(t.Nanosecond())
	}
	return k
}

// compareKeys orders candidates best first: band, ranking score, speed
// (unknown last), fair rotation (never offered first, then the longest
// ago). Equal keys fall to the partner ID (best.compare).
func compareKeys(a, b *sortKey) int {
	switch {
	case a.primary != b.primary:
		if a.primary > b.primary {
			return -1
		}
		return 1
	case a.days != b.days:
		if a.days < b.days {
			return -1
		}
		return 1
	case a.lastSec != b.lastSec:
		if a.lastSec < b.lastSec {
			return -1
		}
		return 1
	case a.lastNsec != b.lastNsec:
		if a.lastNsec < b.lastNsec {
			return -1
		}
		return 1
	}
	return 0
}

// best keeps the best of the keys added, at most cap(keys). While it
// selects (there are more candidates than places), keys is a heap with the
// worst key kept at its root: a newcomer is compared with that one alone,
// and takes its place if better. Selecting n of N costs O(N log n).
type best struct {
	keys      []sortKey
	selecting bool
	partners  []Partner
}

// compare orders keys best first: compareKeys, then the partner ID, then,
// for partners passed in twice under one ID, their position.
func (b *best) compare(x, y sortKey) int {
	if c := compareKeys(&x, &y); c != 0 {
		return c
	}
	if c := strings.Compare(b.partners[x.i].ID, b.partners[y.i].ID); c != 0 {
		return c
	}
	return cmp.Compare(x.i, y.i)
}

func (b *best) add(k sortKey) {
	if len(b.keys) < cap(b.keys) {
		b.keys = append(b.keys, k)
		if b.selecting {
			b.up(len(b.keys) - 1)
		}
		return
	}
	if b.compare(k, b.keys[0]) < 0 {
		b.keys[0] = k
		b.down(0)
	}
}

// up moves keys[j] toward the root past every better parent.
func (b *best) up(j int) {
	h := b.keys
	for j > 0 {
		parent := (j - 1) / 2
		if b.compare(h[j], h[parent]) <= 0 {
			return
		}
		h[j], h[parent] = h[parent], h[j]
		j = parent
	}
}

// down moves keys[j] away from the root past every worse child.
func (b *best) down(j int) {
	h := b.keys
	for {
		w := 2*j + 1
		if w >= len(h) {
			return
		}
		if r := w + 1; r < len(h) && b.compare(h[r], h[w]) > 0 {
			w = r
		}
		if b.compare(h[w], h[j]) <= 0 {
			return
		}
		h[j], h[w] = h[w], h[j]
		j = w
	}
}
