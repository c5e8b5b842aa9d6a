package postgres_test

// The routing benchmarks of SPEC §6, on real Postgres: see
// docs/benchmarks.md for the commands and the figures.
//
// The data (internal/benchdata: 2,000 partners and 1,000,000 outcomes by
// default) is loaded once per test binary into a fresh database and shared
// by every benchmark; the database is dropped by TestMain. Sizes:
//
//	BENCH_PARTNERS, BENCH_OUTCOMES   override the SPEC sizes
//	BENCH_SMALL=1                    200 partners, 100,000 outcomes (a quick look)
//	BENCH_SEED                       the generator's seed (default 1)
//
// Nothing here runs without -bench. BenchmarkRouteIntakeWrite writes offers
// into the shared data, so it is declared last: go test runs benchmarks in
// source order, each -count times before the next.

import (
	"context"
	"fmt"
	"github.com/jmoiron/sqlx"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/benchdata"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(sharedCleanups) - 1; i >= 0; i-- {
		sharedCleanups[i]()
	}
	testenv.DropTemplates()
	os.Exit(code)
}

// sharedCleanups are the cleanups of the shared database, run by TestMain:
// a benchmark's own Cleanup runs after every b.N round, which would drop
// the data between rounds.
var sharedCleanups []func()

// processTB is the first benchmark's TB with its Cleanup deferred to the
// end of the process.
type processTB struct{ testing.TB }

func (processTB) Cleanup(f func()) { sharedCleanups = append(sharedCleanups, f) }

type fixture struct {
	db *postgres.DB
	x  *sqlx.DB
}

var (
	fixOnce sync.Once
	fix     *fixture
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// loadFixture returns the shared database, loading it and building its
// routing index the first time.
func loadFixture(b *testing.B) *fixture {
	b.Helper()
	fixOnce.Do(func() {
		partners, outcomes := 2000, 1_000_000
		if os.Getenv("BENCH_SMALL") != "" {
			partners, outcomes = 200, 100_000
		}
		partners = envInt("BENCH_PARTNERS", partners)
		outcomes = envInt("BENCH_OUTCOMES", outcomes)
		seed := int64(envInt("BENCH_SEED", 1))
		ctx := context.Background()
		db, x := testenv.MustOpenDBWithSQL(processTB{b})
		start := time.Now()
		if err := benchdata.Load(ctx, x.DB, db.Now(), partners, outcomes, seed); err != nil {
			b.Fatalf("load: %v", err)
		}
		loaded := time.Since(start)
		start = time.Now()
		if err := db.RebuildIndex(ctx); err != nil {
			b.Fatalf("rebuild index: %v", err)
		}
		rebuilt := time.Since(start)
		if err := vacuumIndex(ctx, x); err != nil {
			b.Fatal(err)
		}
		b.Logf("fixture: %d partners, %d outcomes (seed %d): load %s, first index rebuild %s",
			partners, outcomes, seed, loaded.Round(time.Millisecond), rebuilt.Round(time.Millisecond))
		fix = &fixture{db: db, x: x}
	})
	if fix == nil {
		b.Fatal("the benchmark data failed to load in an earlier benchmark")
	}
	return fix
}

// vacuumIndex does what autovacuum does to the tables a rebuild rewrites:
// it removes the dead rows and gives the planner statistics. The benchmark
// server may run with autovacuum off; a server in service runs it between
// two nightly rebuilds.
func vacuumIndex(ctx context.Context, db *sqlx.DB) error {
	_, err := db.ExecContext(ctx, `VACUUM (ANALYZE) routing_index, partner_stats, outbox`)
	return err
}

// benchProfile is the routing profile of the documented example intake
// (intake.Example: seed, eu, b2b_saas, ai_heavy, build).
func benchProfile() routing.Intake {
	ex := intake.Example()
	return routing.Intake{Stage: ex.Stage, Region: ex.Region, Vertical: ex.Vertical, ServiceProfile: ex.ServiceProfile,
		EngagementType: ex.EngagementType, RequestedFundingSources: ex.RequestedFundingSources}
}

// reportPercentiles adds p50 and p99 (nearest rank) of the per-iteration
// durations, in milliseconds.
func reportPercentiles(b *testing.B, durs []time.Duration) {
	if len(durs) == 0 {
		return
	}
	slices.Sort(durs)
	at := func(q float64) float64 {
		i := int(q*float64(len(durs))+0.999999) - 1
		return float64(durs[max(0, min(i, len(durs)-1))]) / 1e6
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkRouteDecision is SPEC §6 "routing decision": one routing of the
// example intake as the route job does it, minus the writes — the settings,
// every partner with its stats and open assignments, the intake's five
// index cells per partner, from Postgres, then routing.Decide.
func BenchmarkRouteDecision(b *testing.B) {
	f := loadFixture(b)
	ctx := context.Background()
	profile := benchProfile()
	d, err := f.db.PreviewRouting(ctx, profile) // warm the caches and check the data
	if err != nil {
		b.Fatal(err)
	}
	if _, ok := d.Chosen(); !ok {
		b.Fatalf("no candidate for %+v: the benchmark data is wrong", profile)
	}
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		_, err := f.db.PreviewRouting(ctx, profile)
		durs = append(durs, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPercentiles(b, durs)
	b.ReportMetric(float64(len(d.Candidates)), "candidates")
}

// BenchmarkIndexRebuild is SPEC §6 "full index rebuild": RebuildIndex
// recomputes every routing_index cell and partner_stats row from the
// outcomes in the window, in one transaction. The vacuum between two
// rebuilds is not timed.
func BenchmarkIndexRebuild(b *testing.B) {
	f := loadFixture(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := f.db.RebuildIndex(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := vacuumIndex(ctx, f.x); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkRouteIntakeWrite times RouteIntake, the whole routing
// transaction with its writes (lock the intake, load, decide, store the
// decision, offer, enqueue the expiry), for intakes submitted beforehand
// with SubmitIntake (not timed). Partner capacity is raised for the run so
// that offers never fill anybody up.
func BenchmarkRouteIntakeWrite(b *testing.B) {
	f := loadFixture(b)
	ctx := context.Background()
	if _, err := f.x.ExecContext(ctx, `UPDATE partners SET capacity = 100000`); err != nil {
		b.Fatal(err)
	}
	defer f.x.ExecContext(ctx, `UPDATE partners SET capacity = $1`, benchdata.PartnerCapacity)

	run := time.Now().UnixNano()
	ids := make([]string, b.N)
	for i := range ids {
		body := intake.Example()
		body.Website = fmt.Sprintf("https://bench-%d-%d.example", run, i)
		body.AWSAccountID = nil
		dom, err := intake.NormalizeDomain(body.Website)
		if err != nil {
			b.Fatal(err)
		}
		sub, err := f.db.SubmitIntake(ctx, body, dom, "", []byte(body.Website))
		ids[i] = sub.IntakeID
		if err != nil {
			b.Fatal(err)
		}
	}
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		res, err := f.db.RouteIntake(ctx, ids[i], "submitted")
		durs = append(durs, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if res.Outcome != "offered" {
			b.Fatalf("intake %s: outcome %q, want offered", ids[i], res.Outcome)
		}
	}
	b.StopTimer()
	reportPercentiles(b, durs)
}
