// Command loadtest is the load harness of SPEC §6 (Targets): one command
// that starts its own CloudRoute (serve: API and worker) against a fresh
// database, measures a pgbench -N baseline on the same Postgres, drives
// POST /v1/intakes at a fixed concurrency, then at a fixed rate measures
// submission → offered from the database's timestamps, samples the API
// process's resident memory, and prints one table of target, measured value
// and pass/fail.
//
//	go build -o bin/cloudroute ./cmd/cloudroute
//	go run ./scripts/loadtest --help
//	go run ./scripts/loadtest --binary bin/cloudroute
//
// It uses only the standard library and the project's own packages, talks
// to 127.0.0.1 only, bounds every loop in time, and writes no file unless
// --server-log names one. The exit status is 0 when every target is met, 1
// when one is missed, and 2 when the harness itself failed.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

const usage = `Usage: go run ./scripts/loadtest [flags]

The load harness of SPEC §6 (Targets). In one run it:
  1. creates a fresh database cloudroute_load_<random> on the local Postgres,
     FLUSHDBs its own Redis database (--redis-url, default db 12), and starts
     its own CloudRoute from --binary ("serve": API and worker) on a free
     127.0.0.1 port with INTAKE_RATE_LIMIT set very high and a random
     bootstrap admin key; seeds --partners advanced/premier partners in every
     region with capacity 100000 (and --track-records outcomes each) through
     the HTTP API, and waits until the job queues are empty (the seeding's
     index updates and drains done);
  2. baseline: pgbench -i -s 10, then pgbench -N -c <concurrency> -j 2
     -T <duration> on its own database pgbench_load_<random>;
  3. throughput: POST /v1/intakes with distinct valid bodies (a new customer
     domain each, no aws_account_id) from --concurrency keep-alive clients for
     --warmup + --duration; reports requests/s, p50, p99, non-2xx by status
     and the ratio to the pgbench tps; then waits (at most --backlog-timeout)
     until the worker has routed the backlog;
  4. latency to offer (run before step 3, on an idle server, so that it
     measures a steady --rate and not the backlog of a saturating burst):
     submits --rate intakes/s on a fixed schedule (open
     model) for --rate-duration, waits (at most --drain-timeout) until they
     are routed, and measures intakes.created_at → assignments.offered_at in
     SQL;
  5. samples the server's VmRSS (/proc/<pid>/status) every 100 ms during
     phases 3 and 4.
It then stops the server with SIGTERM, checks that it exits, drops both
databases (unless --keep) and prints the table (and JSON with --json).

Exit status: 0 every target met, 1 a target missed, 2 the harness failed.

Build the binary first:  go build -o bin/cloudroute ./cmd/cloudroute

Flags:
`

// options are the flags.
type options struct {
	binary            string
	pgURL             string
	redisURL          string
	duration          time.Duration
	warmup            time.Duration
	concurrency       int
	rate              float64
	rateDuration      time.Duration
	drainTimeout      time.Duration
	backlogTimeout    time.Duration
	readyTimeout      time.Duration
	partners          int
	trackRecords      int
	dbMaxConns        int
	workerConcurrency int
	logLevel          string
	serverLog         string
	pgbench           string
	pgbenchScale      int
	skipPgbench       bool
	skipThroughput    bool
	noWorker          bool
	keep              bool
	jsonOut           bool
	progress          time.Duration
	cpuProfile        string
	pgStatements      string
	profileFor        time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.binary, "binary", "bin/cloudroute", "the cloudroute binary to start (build it with: go build -o bin/cloudroute ./cmd/cloudroute)")
	fs.StringVar(&o.pgURL, "pg-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "Postgres admin URL (127.0.0.1 only); the harness creates and drops its databases there")
	fs.StringVar(&o.redisURL, "redis-url", "redis://127.0.0.1:6379/12", "Redis URL of the harness's own database number (127.0.0.1 only); FLUSHDB at start and end")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "measured length of the throughput phase, and pgbench -T")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before the throughput phase's measurement starts (0 for none)")
	fs.IntVar(&o.concurrency, "concurrency", 32, "concurrent keep-alive HTTP clients in the throughput phase, and pgbench -c")
	fs.Float64Var(&o.rate, "rate", 200, "intakes per second of the latency-to-offer phase (open model, fixed schedule)")
	fs.DurationVar(&o.rateDuration, "rate-duration", 20*time.Second, "length of the latency-to-offer phase")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", 30*time.Second, "how long to wait after the rate phase for its intakes to be routed")
	fs.DurationVar(&o.backlogTimeout, "backlog-timeout", 120*time.Second, "how long to wait after the throughput phase for the worker to route its backlog")
	fs.DurationVar(&o.readyTimeout, "ready-timeout", 60*time.Second, "how long to wait for the server's /readyz")
	fs.IntVar(&o.partners, "partners", 50, "partners to seed (alternately premier and advanced, every region, capacity 100000)")
	fs.IntVar(&o.trackRecords, "track-records", 40, "past ACE outcomes to import per partner (0 for none)")
	fs.IntVar(&o.dbMaxConns, "db-max-conns", 0, "DB_MAX_CONNS of the server (0: inherit the environment or the server's default)")
	fs.IntVar(&o.workerConcurrency, "worker-concurrency", 0, "WORKER_CONCURRENCY of the server (0: inherit the environment or the server's default)")
	fs.StringVar(&o.logLevel, "log-level", "", "LOG_LEVEL of the server (empty: inherit the environment or the server's default, info)")
	fs.StringVar(&o.serverLog, "server-log", "", "also write the server's log to this file (default: kept in memory, its tail shown on failure)")
	fs.StringVar(&o.pgbench, "pgbench", "pgbench", "the pgbench program")
	fs.IntVar(&o.pgbenchScale, "pgbench-scale", 10, "pgbench -i -s")
	fs.BoolVar(&o.skipPgbench, "skip-pgbench", false, "skip the pgbench baseline (the ratio target is then not measured)")
	fs.BoolVar(&o.skipThroughput, "skip-throughput", false, "diagnostic: skip pgbench and the throughput phase, measure only submission → offered on a fresh server (its targets are then not measured)")
	fs.BoolVar(&o.noWorker, "no-worker", false, "diagnostic: start \"serve --no-worker\" to measure the API's submissions without routing work (submission → offered is then not measured)")
	fs.BoolVar(&o.keep, "keep", false, "keep the databases and the Redis database at the end")
	fs.BoolVar(&o.jsonOut, "json", false, "print the results as JSON too, after the table")
	fs.DurationVar(&o.progress, "progress", time.Second, "interval of the progress lines")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the server (PPROF=true) taken while the worker drains the backlog to this file")
	fs.StringVar(&o.pgStatements, "pg-statements", "", "write pg_stat_statements of the server's database, gathered while the worker drains the backlog, to this file (needs shared_preload_libraries = 'pg_stat_statements')")
	fs.DurationVar(&o.profileFor, "profile-for", 10*time.Second, "how long --cpuprofile and --pg-statements gather, from the start of the backlog drain")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return o, fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	var errs []error
	if o.duration < time.Second {
		errs = append(errs, errors.New("--duration must be at least 1s"))
	}
	if o.warmup < 0 {
		errs = append(errs, errors.New("--warmup must not be negative"))
	}
	if o.concurrency < 1 || o.concurrency > 1000 {
		errs = append(errs, errors.New("--concurrency must be 1 to 1000"))
	}
	if o.rate <= 0 || o.rate > 10000 {
		errs = append(errs, errors.New("--rate must be above 0 and at most 10000"))
	}
	if o.rateDuration < time.Second {
		errs = append(errs, errors.New("--rate-duration must be at least 1s"))
	}
	if o.drainTimeout <= 0 || o.backlogTimeout < 0 || o.readyTimeout <= 0 {
		errs = append(errs, errors.New("--drain-timeout and --ready-timeout must be positive, --backlog-timeout not negative"))
	}
	if o.partners < 1 || o.partners > 2000 {
		errs = append(errs, errors.New("--partners must be 1 to 2000"))
	}
	if o.trackRecords < 0 || o.trackRecords > 50000 {
		errs = append(errs, errors.New("--track-records must be 0 to 50000"))
	}
	if o.dbMaxConns < 0 || o.workerConcurrency < 0 {
		errs = append(errs, errors.New("--db-max-conns and --worker-concurrency must not be negative"))
	}
	if o.pgbenchScale < 1 {
		errs = append(errs, errors.New("--pgbench-scale must be at least 1"))
	}
	if o.profileFor < time.Second || o.profileFor > 25*time.Second {
		errs = append(errs, errors.New("--profile-for must be 1s to 25s"))
	}
	if o.progress < 100*time.Millisecond {
		errs = append(errs, errors.New("--progress must be at least 100ms"))
	}
	return o, errors.Join(errs...)
}

// logger prints progress lines on stderr.
type logger struct{ w io.Writer }

func (l logger) f(format string, args ...any) {
	fmt.Fprintf(l.w, "%s loadtest: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	log := logger{stderr}
	res, err := harness(ctx, o, log)
	if res != nil && (res.Pgbench != nil || res.Throughput != nil || res.Offer != nil) {
		printTable(stdout, o, res)
		if o.jsonOut {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(res)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "loadtest: interrupted; the server was stopped and the databases dropped (unless --keep)")
			return 2
		}
		fmt.Fprintln(stderr, "loadtest: error:", err)
		return 2
	}
	if !res.AllPass {
		return 1
	}
	return 0
}

// loopback refuses any host that is not this machine's loopback.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// cleanupStack runs deferred clean-ups, last first, with a context of their
// own: they must run after Ctrl-C too.
type cleanupStack []func(ctx context.Context)

func (c *cleanupStack) push(f func(ctx context.Context)) { *c = append(*c, f) }

func (c *cleanupStack) run() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i](ctx)
	}
	*c = nil
}

// harness runs the whole measurement. It returns the results measured so
// far together with an error when something failed on the way.
func harness(ctx context.Context, o options, log logger) (res *Results, err error) {
	var cleanup cleanupStack
	defer cleanup.run()

	bin, err := filepath.Abs(o.binary)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("no executable cloudroute binary at %s; build it first:\n  go build -o %s ./cmd/cloudroute", o.binary, o.binary)
	}
	pgu, err := url.Parse(o.pgURL)
	if err != nil || (pgu.Scheme != "postgres" && pgu.Scheme != "postgresql") {
		return nil, fmt.Errorf("--pg-url: want a postgres:// URL")
	}
	if !loopback(pgu.Hostname()) || pgu.Query().Has("host") {
		return nil, fmt.Errorf("--pg-url: the harness talks to 127.0.0.1 only, not %q", pgu.Host)
	}
	ru, err := url.Parse(o.redisURL)
	if err != nil || ru.Scheme != "redis" {
		return nil, fmt.Errorf("--redis-url: want a redis:// URL")
	}
	if !loopback(ru.Hostname()) {
		return nil, fmt.Errorf("--redis-url: the harness talks to 127.0.0.1 only, not %q", ru.Host)
	}
	redisDB, err := redisDBNumber(ru)
	if err != nil {
		return nil, err
	}

	runID := randomHex(4)
	res = &Results{RunID: runID, StartedAt: time.Now().UTC(), CPUs: runtime.NumCPU(), Concurrency: o.concurrency,
		DurationS: o.duration.Seconds(), WarmupS: o.warmup.Seconds(), Rate: o.rate, RateDurationS: o.rateDuration.Seconds(),
		Partners: o.partners, TrackRecordsPerPartner: o.trackRecords}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.LoadAvgAtStart = strings.TrimSpace(string(la))
	}
	log.f("run %s: %d CPUs, load average %s, binary %s", runID, res.CPUs, res.LoadAvgAtStart, bin)

	// Postgres: the admin connection, the app database.
	admin, err := openSQL(ctx, o.pgURL, 2)
	if err != nil {
		return res, fmt.Errorf("connect to --pg-url: %w", err)
	}
	cleanup.push(func(context.Context) { admin.Close() })
	if err := admin.GetContext(ctx, &res.PostgresVersion, `SELECT current_setting('server_version')`); err != nil {
		return res, err
	}
	appDB := "cloudroute_load_" + runID
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+appDB); err != nil {
		return res, fmt.Errorf("create database %s: %w", appDB, err)
	}
	log.f("created database %s (Postgres %s)", appDB, res.PostgresVersion)
	cleanup.push(func(cctx context.Context) {
		if o.keep {
			log.f("kept database %s (--keep)", appDB)
			return
		}
		if _, err := admin.ExecContext(cctx, `DROP DATABASE IF EXISTS `+appDB+` WITH (FORCE)`); err != nil {
			log.f("warning: drop database %s: %v", appDB, err)
		} else {
			log.f("dropped database %s", appDB)
		}
	})
	appURL := *pgu
	appURL.Path = "/" + appDB

	// Redis: the harness's own database number.
	if err := redisFlush(ctx, ru); err != nil {
		return res, fmt.Errorf("redis FLUSHDB: %w", err)
	}
	log.f("redis %s db %d: FLUSHDB", ru.Host, redisDB)
	cleanup.push(func(cctx context.Context) {
		if o.keep {
			return
		}
		if err := redisFlush(cctx, ru); err != nil {
			log.f("warning: redis FLUSHDB at the end: %v", err)
		}
	})

	// The server.
	srv, err := startServer(ctx, o, bin, appURL.String(), o.redisURL, log)
	if err != nil {
		if srv != nil {
			srv.printTail(log, 40)
		}
		return res, err
	}
	res.ServerPID = srv.pid
	res.ServerEnv = srv.envShown
	defer func() { res.ServerLog = srv.log.summary() }()
	cleanup.push(func(context.Context) {
		if srv.exited() {
			return
		}
		st := srv.stop(30 * time.Second)
		if res.Shutdown == nil {
			res.Shutdown = &st
		}
	})
	if err := srv.waitReady(ctx, o.readyTimeout); err != nil {
		srv.printTail(log, 40)
		return res, err
	}
	log.f("server pid %d ready at %s (%s)", srv.pid, srv.base, strings.Join(srv.envShown, " "))

	db, err := openSQL(ctx, appURL.String(), 4)
	if err != nil {
		return res, err
	}
	cleanup.push(func(context.Context) { db.Close() })

	// Seed.
	seedStart := time.Now()
	n, err := seed(ctx, srv, db, o, log)
	if err != nil {
		srv.printTail(log, 40)
		return res, fmt.Errorf("seeding: %w", err)
	}
	log.f("seeded %d partners and %d outcomes in %.1fs; routing index built", o.partners, n, time.Since(seedStart).Seconds())
	if !o.noWorker {
		if err := waitQuiet(ctx, o.redisURL, 2*time.Minute, log); err != nil {
			return res, fmt.Errorf("waiting for the seeding's jobs: %w", err)
		}
	}

	// 1. The pgbench baseline.
	if o.skipThroughput {
		o.skipPgbench = true
	}
	if !o.skipPgbench {
		log.f("[1/3] pgbench baseline: -i -s %d, then -N -c %d -j %d -T %d", o.pgbenchScale, o.concurrency, min(2, o.concurrency), pgbenchSeconds(o.duration))
		pb, err := runPgbench(ctx, o, admin, pgu, runID, log)
		if err != nil {
			return res, fmt.Errorf("pgbench: %w", err)
		}
		res.Pgbench = pb
		log.f("[1/3] pgbench -N: %.0f tps (latency average %.2f ms)", pb.TPS, pb.LatencyAvgMS)
	} else {
		log.f("[1/3] pgbench baseline skipped (--skip-pgbench)")
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}

	// RSS sampling through both load phases.
	sampler := newSampler(srv.pid)
	sctx, stopSampler := context.WithCancel(ctx)
	samplerDone := make(chan struct{})
	go func() { sampler.run(sctx, 100*time.Millisecond); close(samplerDone) }()
	defer func() { stopSampler(); <-samplerDone }()

	// 3. Submission → offered at a fixed rate.
	// It runs before the throughput phase, on an idle server: the target is
	// a steady 200 intakes/s, not the backlog a saturating burst leaves.
	if o.noWorker {
		log.f("[3/3] submission → offered skipped (--no-worker: nothing routes)")
	} else {
		sampler.setPhase("rate")
		log.f("[3/3] submission → offered: %.0f intakes/s for %s (open model), then at most %s to drain", o.rate, o.rateDuration, o.drainTimeout)
		cpu1 := readCPU(srv.pid)
		rp, err := ratePhase(ctx, o, srv.base, db, "r"+runID, sampler, log)
		if err != nil {
			return res, err
		}
		rp.CPU = cpuBetween(cpu1, readCPU(srv.pid))
		rp.RSSPeakMB = sampler.peakMB("rate")
		res.Offer = rp
		log.f("      CPU: %s", fmtCPU(rp.CPU))
		log.f("[3/3] submission → offered p50 %s, p99 %s, %d of %d not offered, API RSS peak %.1f MB",
			fmtMS(rp.P50MS), fmtMS(rp.P99MS), rp.NotOffered, rp.Accepted, rp.RSSPeakMB)
	}

	// 2. Throughput, then the wait for the routing backlog.
	if o.skipThroughput {
		log.f("[2/3] throughput phase skipped (--skip-throughput)")
	} else if err := throughput(ctx, o, srv, db, sampler, res, log); err != nil {
		return res, err
	}

	return finish(res, srv, sampler, stopSampler, samplerDone, log), nil
}

// finish stops the sampling and the server (SIGTERM, checking that it
// exits) and evaluates the targets.
func finish(res *Results, srv *server, sampler *sampler, stopSampler func(), samplerDone chan struct{}, log logger) *Results {
	stopSampler()
	<-samplerDone
	res.RSS = sampler.summary()
	res.RSS.HWMMB = readVmKB(srv.pid, "VmHWM:") / 1024
	st := srv.stop(30 * time.Second)
	res.Shutdown = &st
	if !st.Clean {
		srv.printTail(log, 20)
	}
	log.f("server stopped: %s", st.Detail)
	evaluate(res)
	return res
}

// pgbenchSeconds is -T: the duration in whole seconds, rounded up.
func pgbenchSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// throughput runs phase 2 and waits for the worker to route its backlog.
func throughput(ctx context.Context, o options, srv *server, db *sqlx.DB, sampler *sampler, res *Results, log logger) error {
	sampler.setPhase("throughput")
	log.f("[2/3] intake throughput: %d clients, %s warm-up + %s measured", o.concurrency, o.warmup, o.duration)
	cpu0 := readCPU(srv.pid)
	tp, err := throughputPhase(ctx, o, srv.base, "t"+res.RunID, sampler, log)
	if err != nil {
		return err
	}
	tp.CPU = cpuBetween(cpu0, readCPU(srv.pid))
	tp.RSSPeakMB = sampler.peakMB("throughput")
	res.Throughput = tp
	log.f("[2/3] %.0f req/s (2xx), p50 %.1f ms, p99 %.1f ms, non-2xx %.2f%%, API RSS peak %.1f MB",
		tp.OKPerSec, tp.P50MS, tp.P99MS, tp.Non2xxShare*100, tp.RSSPeakMB)
	log.f("      CPU: %s", fmtCPU(tp.CPU))

	if o.noWorker {
		return nil
	}
	sampler.setPhase("backlog")
	prof, err := startProfiles(ctx, o, srv, db, log)
	if err != nil {
		return err
	}
	bl, err := waitBacklog(ctx, db, o.backlogTimeout, log)
	if perr := prof.wait(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	res.Backlog = bl
	return nil
}

// openSQL connects to Postgres for the harness's own reads and setup
// (counts, database creation): it measures the service from outside and
// uses none of its storage code.
func openSQL(ctx context.Context, url string, conns int) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
