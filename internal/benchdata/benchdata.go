// Package benchdata fills a migrated database with a synthetic marketplace
// of the size SPEC §6 measures against: partners and their imported ACE
// track records. It is used by the routing benchmarks
// (internal/postgres/bench_test.go) and by scripts/gendata. The data is
// drawn from math/rand with a seed, so a seed always gives the same rows
// (dates are offsets from the database clock, db.Now).
//
// Load only inserts (with COPY, in one transaction) and then vacuums and
// analyses the two tables; building the routing index is the caller's
// business, so that it can be timed on its own.
package benchdata

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"time"

	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Shape of the generated data. The window the routing index uses is 365
// days, so with HistoryDays = 400 about 9% of the outcomes fall outside it.
const (
	// HistoryDays is how far back decided_at goes.
	HistoryDays = 400
	// MinDaysToDecision and MaxDaysToDecision bound submitted_at before
	// decided_at.
	MinDaysToDecision = 5
	MaxDaysToDecision = 40
	// PartnerCapacity is every generated partner's open-assignment capacity.
	PartnerCapacity = 50
)

// tierWeights: mostly routable partners, some below the tier gate.
var tierWeights = []struct {
	tier   string
	weight float64
}{
	{"premier", 0.30},
	{"advanced", 0.55},
	{"select", 0.10},
	{"registered", 0.05},
}

// partner is what Load keeps of a generated partner to draw its outcomes.
type partner struct {
	id        string
	regions   []string
	verticals []string
	skill     float64 // probability that a submission is approved
}

// Load inserts partners partners and outcomes outcome rows drawn from seed,
// in one transaction, then runs VACUUM (ANALYZE) on partners and outcomes so
// that the planner and the visibility map see the data as a long-running
// database would. It does not touch the routing index.
//
// Partners: 85% advanced or premier, the rest select or registered; 1 to 3
// of the 8 regions each (region i%8 always among them, so every region is
// served); 0 to 3 verticals; capacity 50; all active; 2% exclude one axis
// value. Each partner has a skill (its approval probability, 0.35 to 0.92)
// and a volume weight (log-normal), so some partners have thousands of
// outcomes and some a handful.
//
// Outcomes: source 'import'; decided_at uniform over the last 400 days;
// submitted_at 5 to 40 days before; stage, vertical, service profile,
// engagement type and funding source uniform over their value sets; region
// one of the partner's regions 85% of the time, otherwise any region;
// approved with the partner's skill (+0.05 in one of its verticals),
// otherwise rejected (85%) or withdrawn, with approved_usd 0.
func Load(ctx context.Context, db *sql.DB, now time.Time, partners, outcomes int, seed int64) error {
	if partners < 1 {
		return errors.New("benchdata: at least one partner is needed")
	}
	if outcomes < 0 {
		return errors.New("benchdata: outcomes must not be negative")
	}
	rng := rand.New(rand.NewSource(seed))
	now = now.UTC().Truncate(time.Second)

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("benchdata: begin: %w", err)
	}
	defer tx.Rollback()

	ps, err := copyPartners(ctx, tx, rng, partners)
	if err != nil {
		return fmt.Errorf("benchdata: partners: %w", err)
	}
	if err := copyOutcomes(ctx, tx, rng, ps, outcomes, now); err != nil {
		return fmt.Errorf("benchdata: outcomes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("benchdata: commit: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE) partners, outcomes`); err != nil {
		return fmt.Errorf("benchdata: vacuum: %w", err)
	}
	return nil
}

// newUUID draws a version-4 UUID from rng, so partner ids are reproducible.
func newUUID(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Intn(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func pickTier(rng *rand.Rand) string {
	x := rng.Float64()
	for _, t := range tierWeights {
		if x < t.weight {
			return t.tier
		}
		x -= t.weight
	}
	return tierWeights[len(tierWeights)-1].tier
}

// pickSome returns 1+extra distinct values of set, always including first.
func pickSome(rng *rand.Rand, set []string, first int, extra int) []string {
	out := []string{set[first]}
	for _, j := range rng.Perm(len(set)) {
		if len(out) > extra {
			break
		}
		if j != first {
			out = append(out, set[j])
		}
	}
	return out
}

func copyPartners(ctx context.Context, tx *sql.Tx, rng *rand.Rand, n int) ([]partner, error) {
	stmt, err := tx.PrepareContext(ctx, `COPY partners (id, name, tier, regions, verticals, capacity, commission_bps,
		status, contact_email, excluded_axis_values) FROM STDIN`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	ps := make([]partner, n)
	for i := range ps {
		p := partner{
			id:      newUUID(rng),
			regions: pickSome(rng, domain.Regions, i%len(domain.Regions), rng.Intn(3)),
			skill:   0.35 + 0.57*rng.Float64(),
		}
		if k := rng.Intn(4); k > 0 {
			p.verticals = pickSome(rng, domain.Verticals, rng.Intn(len(domain.Verticals)), k-1)
		}
		excluded := []byte("{}")
		if rng.Float64() < 0.02 {
			axis := domain.Axes[rng.Intn(len(domain.Axes))]
			vals := domain.AxisValues[axis]
			excluded, _ = json.Marshal(map[string][]string{axis: {vals[rng.Intn(len(vals))]}})
		}
		verticals := p.verticals
		if verticals == nil {
			verticals = []string{}
		}
		if _, err := stmt.ExecContext(ctx, p.id, fmt.Sprintf("Bench Partner %05d", i), pickTier(rng),
			pq.Array(p.regions), pq.Array(verticals), PartnerCapacity, 1000, "active",
			fmt.Sprintf("partner-%05d@bench.example.com", i), string(excluded)); err != nil {
			return nil, err
		}
		ps[i] = p
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return nil, err
	}
	return ps, nil
}

func copyOutcomes(ctx context.Context, tx *sql.Tx, rng *rand.Rand, ps []partner, n int, now time.Time) error {
	// Volume per partner: log-normal weights, drawn by binary search over
	// the cumulative sum.
	cum := make([]float64, len(ps))
	total := 0.0
	for i := range ps {
		total += math.Exp(rng.NormFloat64())
		cum[i] = total
	}
	stmt, err := tx.PrepareContext(ctx, `COPY outcomes (partner_id, source, decided_at, submitted_at, stage, region,
		vertical, service_profile, engagement_type, funding_source, outcome, requested_usd, approved_usd) FROM STDIN`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	const day = 24 * time.Hour
	history := int64(HistoryDays * day / time.Second)
	spread := int64((MaxDaysToDecision - MinDaysToDecision) * day / time.Second)
	for range n {
		p := &ps[min(sort.SearchFloat64s(cum, rng.Float64()*total), len(ps)-1)]
		decided := now.Add(-time.Duration(rng.Int63n(history)) * time.Second)
		submitted := decided.Add(-MinDaysToDecision*day - time.Duration(rng.Int63n(spread))*time.Second)
		region := domain.Regions[rng.Intn(len(domain.Regions))]
		if rng.Float64() < 0.85 {
			region = p.regions[rng.Intn(len(p.regions))]
		}
		vertical := domain.Verticals[rng.Intn(len(domain.Verticals))]
		prob := p.skill
		if len(p.verticals) > 0 && vertical == p.verticals[0] {
			prob += 0.05
		}
		requested := int64(5+rng.Intn(96)) * 1000
		outcome, approved := "approved", requested
		if rng.Float64() >= prob {
			approved = 0
			outcome = "rejected"
			if rng.Float64() < 0.15 {
				outcome = "withdrawn"
			}
		}
		if _, err := stmt.ExecContext(ctx, p.id, "import", decided, submitted,
			domain.Stages[rng.Intn(len(domain.Stages))], region, vertical,
			domain.ServiceProfiles[rng.Intn(len(domain.ServiceProfiles))],
			domain.EngagementTypes[rng.Intn(len(domain.EngagementTypes))],
			domain.FundingSources[rng.Intn(len(domain.FundingSources))],
			outcome, requested, approved); err != nil {
			return err
		}
	}
	_, err = stmt.ExecContext(ctx)
	return err
}
