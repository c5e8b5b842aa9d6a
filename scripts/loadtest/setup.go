package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cloudroute/cloudroute/internal/cloudrouteapi"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// ---------------------------------------------------------------- Redis

// redisDBNumber is the database number of a redis:// URL (its path). The
// harness FLUSHDBs it, so database 0, everybody's default, is refused.
func redisDBNumber(u *url.URL) (int, error) {
	p := strings.Trim(u.Path, "/")
	if p == "" {
		return 0, errors.New("--redis-url must name the harness's own database number, such as redis://127.0.0.1:6379/12; it is FLUSHDBed")
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("--redis-url: %q is not a database number", p)
	}
	if n == 0 {
		return 0, errors.New("--redis-url: refusing to FLUSHDB database 0 (the default of every other user); pick the harness's own, such as /12")
	}
	return n, nil
}

// redisFlush selects the URL's database and FLUSHDBs it, speaking RESP by
// hand (the harness uses the standard library only).
func redisFlush(ctx context.Context, u *url.URL) error {
	n, err := redisDBNumber(u)
	if err != nil {
		return err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "6379")
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	cmd := func(args ...string) error {
		var b bytes.Buffer
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := conn.Write(b.Bytes()); err != nil {
			return err
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, "-") {
			return fmt.Errorf("%s: %s", args[0], line[1:])
		}
		if !strings.HasPrefix(line, "+") {
			return fmt.Errorf("%s: unexpected reply %q", args[0], line)
		}
		return nil
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			args := []string{"AUTH", pw}
			if name := u.User.Username(); name != "" {
				args = []string{"AUTH", name, pw}
			}
			if err := cmd(args...); err != nil {
				return err
			}
		}
	}
	if err := cmd("SELECT", strconv.Itoa(n)); err != nil {
		return err
	}
	return cmd("FLUSHDB")
}

// ---------------------------------------------------------------- server

// server is the harness's own CloudRoute process.
type server struct {
	cmd      *exec.Cmd
	pid      int
	base     string
	metrics  string // the metrics listener's base URL (and /debug/pprof/ with --cpuprofile)
	adminKey string
	envShown []string
	log      *logCapture
	http     *http.Client
	api      *cloudrouteapi.Client // the API with the admin key
	done     chan struct{}
	waitErr  error
}

// freePort asks the kernel for a free port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// controlledEnv are the variables the harness sets itself; the rest of its
// environment (GOMAXPROCS, GOGC...) passes through.
var controlledEnv = []string{"DATABASE_URL", "REDIS_URL", "HTTP_ADDR", "METRICS_ADDR", "CLOUDROUTE_BOOTSTRAP_ADMIN_KEY", "INTAKE_RATE_LIMIT",
	"INTAKE_RATE_WINDOW", "TRUSTED_PROXIES", "SHUTDOWN_GRACE", "PORT", "PPROF"}

func startServer(ctx context.Context, o options, bin, dbURL, redisURL string, log logger) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// The metrics listener too gets a free port, so that the server under
	// test never collides with another CloudRoute on the default one.
	metricsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{base: fmt.Sprintf("http://127.0.0.1:%d", port), metrics: fmt.Sprintf("http://127.0.0.1:%d", metricsPort), adminKey: "lt-admin-" + randomHex(16), done: make(chan struct{})}
	s.http = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}}
	s.api = cloudrouteapi.New(s.base, s.adminKey, s.http)
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, c := range controlledEnv {
			if k == c {
				keep = false
			}
		}
		if (k == "DB_MAX_CONNS" && o.dbMaxConns > 0) || (k == "WORKER_CONCURRENCY" && o.workerConcurrency > 0) || (k == "LOG_LEVEL" && o.logLevel != "") {
			keep = false
		}
		if keep {
			env = append(env, kv)
		}
	}
	env = append(env, "DATABASE_URL="+dbURL, "REDIS_URL="+redisURL, fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port),
		fmt.Sprintf("METRICS_ADDR=127.0.0.1:%d", metricsPort),
		"CLOUDROUTE_BOOTSTRAP_ADMIN_KEY="+s.adminKey, "INTAKE_RATE_LIMIT=1000000000", "INTAKE_RATE_WINDOW=1m",
		"SHUTDOWN_GRACE=15s")
	if o.cpuProfile != "" {
		env = append(env, "PPROF=true")
	}
	if o.dbMaxConns > 0 {
		env = append(env, "DB_MAX_CONNS="+strconv.Itoa(o.dbMaxConns))
	}
	if o.workerConcurrency > 0 {
		env = append(env, "WORKER_CONCURRENCY="+strconv.Itoa(o.workerConcurrency))
	}
	if o.logLevel != "" {
		env = append(env, "LOG_LEVEL="+o.logLevel)
	}
	show := func(k, def string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(env[i], k+"="); ok {
				return k + "=" + v
			}
		}
		return k + "=" + def + "(default)"
	}
	s.envShown = []string{show("DB_MAX_CONNS", "20"), show("WORKER_CONCURRENCY", "10"), show("LOG_LEVEL", "info"),
		show("GOMAXPROCS", "unset"), "INTAKE_RATE_LIMIT=1000000000"}

	s.log = &logCapture{msgs: map[string]int{}}
	if o.serverLog != "" {
		f, err := os.Create(o.serverLog)
		if err != nil {
			return nil, fmt.Errorf("--server-log: %w", err)
		}
		s.log.tee = f
	}
	args := []string{"serve"}
	if o.noWorker {
		args = append(args, "--no-worker")
		s.envShown = append(s.envShown, "serve --no-worker")
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Env = env
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	// Its own process group, so that Ctrl-C reaches the harness only and the
	// harness stops the server in order; and SIGTERM should the harness die.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	s.pid = s.cmd.Process.Pid
	go func() {
		s.waitErr = s.cmd.Wait()
		if s.log.tee != nil {
			s.log.tee.Close()
		}
		close(s.done)
	}()
	log.f("started %s serve (pid %d) on 127.0.0.1:%d", bin, s.pid, port)
	return s, nil
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if s.exited() {
			return fmt.Errorf("the server exited before it was ready: %v", s.waitErr)
		}
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		req, _ := http.NewRequestWithContext(rctx, http.MethodGet, s.base+"/readyz", nil)
		resp, err := s.http.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("the server did not answer /readyz with 200 within %s", timeout)
}

// ShutdownResult is how the server stopped.
type ShutdownResult struct {
	Clean     bool    `json:"clean"`
	ExitCode  int     `json:"exit_code"`
	DurationS float64 `json:"duration_s"`
	Detail    string  `json:"detail"`
}

// stop sends SIGTERM and waits for the exit; SIGKILL after timeout.
func (s *server) stop(timeout time.Duration) ShutdownResult {
	if s.exited() {
		return ShutdownResult{ExitCode: s.cmd.ProcessState.ExitCode(), Detail: fmt.Sprintf("the server had already exited (%v) before SIGTERM", s.waitErr)}
	}
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return ShutdownResult{Detail: "SIGTERM: " + err.Error()}
	}
	select {
	case <-s.done:
	case <-time.After(timeout):
		s.cmd.Process.Kill()
		<-s.done
		return ShutdownResult{ExitCode: -1, DurationS: time.Since(start).Seconds(),
			Detail: fmt.Sprintf("did not exit within %s of SIGTERM; killed", timeout)}
	}
	r := ShutdownResult{ExitCode: s.cmd.ProcessState.ExitCode(), DurationS: time.Since(start).Seconds()}
	r.Clean = s.waitErr == nil && r.ExitCode == 0
	if r.Clean {
		r.Detail = fmt.Sprintf("exited 0 %.2fs after SIGTERM", r.DurationS)
	} else {
		r.Detail = fmt.Sprintf("exited %v %.2fs after SIGTERM", s.waitErr, r.DurationS)
	}
	return r
}

func (s *server) printTail(log logger, lines int) {
	t := s.log.tail(lines)
	if t == "" {
		return
	}
	log.f("last lines of the server's log:\n%s", t)
}

// logCapture keeps the tail of the server's log, counts its warnings and
// errors by message, and optionally tees it to a file.
type logCapture struct {
	mu      sync.Mutex
	buf     []byte // the last maxTail bytes
	partial []byte
	lines   int
	warns   int
	errors  int
	msgs    map[string]int
	tee     *os.File
}

const maxTail = 64 << 10

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tee != nil {
		l.tee.Write(p)
	}
	l.buf = append(l.buf, p...)
	if len(l.buf) > 2*maxTail {
		l.buf = append(l.buf[:0], l.buf[len(l.buf)-maxTail:]...)
	}
	data := append(l.partial, p...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		l.line(data[:i])
		data = data[i+1:]
	}
	l.partial = append(l.partial[:0:0], data...)
	if len(l.partial) > 1<<16 {
		l.partial = nil
	}
	return len(p), nil
}

func (l *logCapture) line(b []byte) {
	l.lines++
	var lvl string
	switch {
	case bytes.Contains(b, []byte(`"level":"WARN"`)):
		l.warns++
		lvl = "WARN"
	case bytes.Contains(b, []byte(`"level":"ERROR"`)):
		l.errors++
		lvl = "ERROR"
	default:
		return
	}
	var m struct {
		Msg string `json:"msg"`
		Err string `json:"err"`
	}
	json.Unmarshal(b, &m)
	key := lvl + " " + m.Msg
	if m.Err != "" {
		e := m.Err
		if len(e) > 120 {
			e = e[:120]
		}
		key += ": " + e
	}
	if _, ok := l.msgs[key]; !ok && len(l.msgs) >= 30 {
		key = lvl + " (other messages)"
	}
	l.msgs[key]++
}

func (l *logCapture) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf
	if len(b) > maxTail {
		b = b[len(b)-maxTail:]
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// LogSummary counts the server's log lines.
type LogSummary struct {
	Lines    int            `json:"lines"`
	Warnings int            `json:"warnings"`
	Errors   int            `json:"errors"`
	Messages map[string]int `json:"messages,omitempty"`
}

func (l *logCapture) summary() LogSummary {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := make(map[string]int, len(l.msgs))
	for k, v := range l.msgs {
		m[k] = v
	}
	return LogSummary{Lines: l.lines, Warnings: l.warns, Errors: l.errors, Messages: m}
}

// ---------------------------------------------------------------- seeding

// seed creates the partners and their track records through the HTTP API,
// then waits (at most a minute) until the worker has folded the track
// records into the routing index and the outbox is empty. It returns the
// number of outcomes imported.
func seed(ctx context.Context, s *server, db *sqlx.DB, o options, log logger) (int, error) {
	rng := rand.New(rand.NewPCG(uint64(o.partners), uint64(o.trackRecords)))
	pick := func(vs []string) string { return vs[rng.IntN(len(vs))] }
	now := time.Now().UTC()
	imported := 0
	for i := range o.partners {
		tier := "premier"
		if i%2 == 1 {
			tier = "advanced"
		}
		p := cloudrouteapi.Partner{Name: fmt.Sprintf("Load Partner %04d", i), Tier: tier, Regions: domain.Regions, Verticals: domain.Verticals,
			Capacity: 100000, CommissionBPS: 1000, Status: "active", ContactEmail: fmt.Sprintf("partner%04d@loadtest.example.com", i),
			ExcludedAxisValues: map[string][]string{}}
		var created cloudrouteapi.Created
		if err := s.api.Do(ctx, http.MethodPost, "/v1/admin/partners", p, http.StatusCreated, &created); err != nil {
			return imported, err
		}
		if o.trackRecords == 0 {
			continue
		}
		closeRate := 0.45 + 0.45*rng.Float64()
		rows := make([]cloudrouteapi.Outcome, o.trackRecords)
		for k := range rows {
			decided := now.Add(-time.Duration(1+rng.IntN(300))*24*time.Hour - time.Duration(rng.IntN(1440))*time.Minute)
			r := cloudrouteapi.Outcome{DecidedAt: decided.Format(time.RFC3339),
				SubmittedAt: decided.Add(-time.Duration(10+rng.IntN(21)) * 24 * time.Hour).Format(time.RFC3339),
				Stage:       pick(domain.Stages), Region: pick(domain.Regions), Vertical: pick(domain.Verticals),
				ServiceProfile: pick(domain.ServiceProfiles), EngagementType: pick(domain.EngagementTypes),
				FundingSource: "founders", RequestedUSD: 5000 + 500*rng.Int64N(41), Outcome: "rejected"}
			if rng.Float64() < closeRate {
				r.Outcome, r.ApprovedUSD = "approved", r.RequestedUSD
			}
			rows[k] = r
		}
		var ir cloudrouteapi.Imported
		if err := s.api.Do(ctx, http.MethodPost, "/v1/admin/partners/"+created.ID+"/track-record", rows, http.StatusCreated, &ir); err != nil {
			return imported, err
		}
		imported += ir.Imported
	}
	want := 0
	if o.noWorker {
		return imported, nil // nothing builds the index or relays the outbox
	}
	if o.trackRecords > 0 {
		want = o.partners
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var stats, backlog int
		if err := db.GetContext(ctx, &stats, `SELECT count(*) FROM partner_stats`); err != nil {
			return imported, err
		}
		if err := db.GetContext(ctx, &backlog, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`); err != nil {
			return imported, err
		}
		if stats >= want && backlog == 0 {
			break
		}
		if time.Now().After(deadline) {
			return imported, fmt.Errorf("after 60s the routing index holds %d of %d partners and the outbox %d unsent rows; is the worker running?", stats, want, backlog)
		}
		select {
		case <-ctx.Done():
			return imported, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	// The relayed index and drain tasks finish within moments.
	select {
	case <-ctx.Done():
		return imported, ctx.Err()
	case <-time.After(time.Second):
	}
	return imported, nil
}

// ---------------------------------------------------------------- pgbench

// PgbenchResult is the baseline.
type PgbenchResult struct {
	Command      string  `json:"command"`
	TPS          float64 `json:"tps"`
	LatencyAvgMS float64 `json:"latency_avg_ms"`
	InitS        float64 `json:"init_s"`
	Transactions int64   `json:"transactions"`
}

var (
	reTPS     = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	reTPSAny  = regexp.MustCompile(`tps = ([0-9.]+)`)
	reLatency = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
	reTx      = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)
)

// runPgbench initialises its own database, runs pgbench -N with the HTTP
// phase's client count and duration, parses the tps, and drops the
// database again (unless --keep) so that its pages leave the cache.
func runPgbench(ctx context.Context, o options, admin *sqlx.DB, pgu *url.URL, runID string, log logger) (*PgbenchResult, error) {
	if _, err := exec.LookPath(o.pgbench); err != nil {
		return nil, fmt.Errorf("%s not found (install postgresql-client, or pass --skip-pgbench): %w", o.pgbench, err)
	}
	name := "pgbench_load_" + runID
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	defer func() {
		if o.keep {
			log.f("kept database %s (--keep)", name)
			return
		}
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(cctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			log.f("warning: drop database %s: %v", name, err)
		}
	}()
	conn := []string{"-h", pgu.Hostname(), "-p", cmpOr(pgu.Port(), "5432"), "-U", cmpOr(pgu.User.Username(), "postgres")}
	env := os.Environ()
	if pw, ok := pgu.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
	}
	if sm := pgu.Query().Get("sslmode"); sm != "" {
		env = append(env, "PGSSLMODE="+sm)
	}
	env = append(env, "PGCONNECT_TIMEOUT=10")
	runCmd := func(timeout time.Duration, args ...string) (string, error) {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		c := exec.CommandContext(cctx, o.pgbench, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("%s %s: %w\n%s", o.pgbench, strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	start := time.Now()
	initArgs := append(append([]string{"-i", "-q", "-s", strconv.Itoa(o.pgbenchScale)}, conn...), name)
	if _, err := runCmd(10*time.Minute, initArgs...); err != nil {
		return nil, err
	}
	r := &PgbenchResult{InitS: time.Since(start).Seconds()}
	log.f("[1/3] pgbench -i -s %d done in %.1fs; running -N for %ds", o.pgbenchScale, r.InitS, pgbenchSeconds(o.duration))
	args := append(append([]string{"-N", "-c", strconv.Itoa(o.concurrency), "-j", strconv.Itoa(min(2, o.concurrency)),
		"-T", strconv.Itoa(pgbenchSeconds(o.duration))}, conn...), name)
	r.Command = o.pgbench + " " + strings.Join(args, " ")
	out, err := runCmd(o.duration+5*time.Minute, args...)
	if err != nil {
		return nil, err
	}
	m := reTPS.FindStringSubmatch(out)
	if m == nil {
		m = reTPSAny.FindStringSubmatch(out)
	}
	if m == nil {
		return nil, fmt.Errorf("no tps in the output of %s:\n%s", r.Command, out)
	}
	r.TPS, _ = strconv.ParseFloat(m[1], 64)
	if m := reLatency.FindStringSubmatch(out); m != nil {
		r.LatencyAvgMS, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := reTx.FindStringSubmatch(out); m != nil {
		r.Transactions, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return r, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// waitQuiet waits until the server's job queues hold no pending or running
// task: seeding leaves thousands of tasks behind (an index update and a
// drain per partner), and the phases measure an idle server, not that
// work. It gives up after timeout and says so.
func waitQuiet(ctx context.Context, redisURL string, timeout time.Duration, log logger) error {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	start := time.Now()
	lastLog := start
	for {
		n := int64(0)
		for _, q := range []string{"critical", "default", "low"} {
			for _, state := range []string{"pending", "active"} {
				l, err := rdb.LLen(ctx, "asynq:{"+q+"}:"+state).Result()
				if err != nil {
					return fmt.Errorf("redis: %w", err)
				}
				n += l
			}
		}
		if n == 0 {
			log.f("job queues empty %.1fs after seeding", time.Since(start).Seconds())
			return nil
		}
		if time.Since(start) > timeout {
			log.f("warning: %d tasks still queued %s after seeding; the phases start anyway", n, timeout)
			return nil
		}
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
			log.f("      %d tasks queued from seeding", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
