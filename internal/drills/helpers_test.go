package drills_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/jmoiron/sqlx"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	testenv.DropTemplates()
	os.Exit(code)
}

// ---------------------------------------------------------------------------
// The binary under test

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// binary builds cmd/cloudroute once per test run, from the module root two
// levels above this package, and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			binErr = fmt.Errorf("the go command is not on PATH: %w", err)
			return
		}
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			binErr = err
			return
		}
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			binErr = fmt.Errorf("module root not found at %s: %w", root, err)
			return
		}
		binDir, err = os.MkdirTemp("", "cloudroute-drills-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(binDir, "cloudroute")
		cmd := exec.Command(goBin, "build", "-o", binPath, "./cmd/cloudroute")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/cloudroute: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// syncBuffer collects a process's output from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// proc is one cloudroute subprocess.
type proc struct {
	name    string
	cmd     *exec.Cmd
	out     *syncBuffer
	done    chan struct{}
	waitErr error  // valid once done is closed
	metrics string // a worker's METRICS_ADDR
}

func startProc(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s output (tail):\n%s", name, tail(out.String(), 6000))
		}
		// DRILL_LOG_DIR keeps every process's whole output for reading later.
		if dir := os.Getenv("DRILL_LOG_DIR"); dir != "" {
			f := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name() + "-" + name + "-" + strconv.Itoa(cmd.Process.Pid) + ".log")
			os.WriteFile(filepath.Join(dir, f), []byte(out.String()), 0o644)
		}
	})
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill SIGKILLs the process (if it still runs) and reaps it.
func (p *proc) kill() {
	if !p.exited() {
		p.cmd.Process.Kill()
	}
	<-p.done
}

func (p *proc) signal(sig os.Signal) { p.cmd.Process.Signal(sig) }

// wait waits up to timeout for the process to exit and returns its exit
// code; ok is false on timeout.
func (p *proc) wait(timeout time.Duration) (code int, ok bool) {
	select {
	case <-p.done:
	case <-time.After(timeout):
		return -1, false
	}
	if p.waitErr == nil {
		return 0, true
	}
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		return ee.ExitCode(), true
	}
	return -1, true
}

// ---------------------------------------------------------------------------
// A private redis-server

type redisServer struct {
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// startRedis starts a redis-server of the test's own on port, without
// persistence, and waits until it answers. The test is skipped when
// redis-server is not installed.
func startRedis(t *testing.T, port int) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redis-server not available: %v", err)
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Skipf("redis-server cannot start: %v", err)
	}
	r := &redisServer{port: port, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(r.done) }()
	t.Cleanup(r.stop)
	c := redis.NewClient(&redis.Options{Addr: r.addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("private redis-server did not start")
		}
		select {
		case <-r.done:
			t.Fatalf("private redis-server on port %d exited at start", port)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return r
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }
func (r *redisServer) url() string  { return "redis://" + r.addr() + "/0" }

// stop kills the server (data is lost, as with a crashed Redis without
// persistence). It may be called more than once.
func (r *redisServer) stop() {
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Kill()
	<-r.done
}

// ---------------------------------------------------------------------------
// A private Postgres cluster

type pgCluster struct {
	t      *testing.T
	bin    string
	dir    string
	port   int
	runAs  []string // prefix that runs a command as the postgres user, when we are root
	ownUID int
	ownGID int
}

// newPGCluster makes a private cluster with initdb in a temporary
// directory, on a free port. It skips the test when the Postgres server
// binaries are missing or cannot run here.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	c := &pgCluster{t: t, port: freePort(t), ownUID: -1, ownGID: -1}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			c.bin = d
		}
	}
	if c.bin == "" {
		m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
		if len(m) == 0 {
			t.Skip("initdb not found (pg_config --bindir, /usr/lib/postgresql/*/bin)")
		}
		c.bin = filepath.Dir(m[len(m)-1])
	}
	dir, err := os.MkdirTemp("", "cloudroute-drill-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() {
		c.pgctl(10*time.Second, "stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: run the cluster as postgres.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root and there is no postgres user for initdb: %v", err)
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			t.Skipf("running as root and runuser is missing: %v", err)
		}
		if c.ownUID, err = strconv.Atoi(u.Uid); err != nil {
			t.Fatalf("the postgres user's uid %q: %v", u.Uid, err)
		}
		if c.ownGID, err = strconv.Atoi(u.Gid); err != nil {
			t.Fatalf("the postgres user's gid %q: %v", u.Gid, err)
		}
		if err := os.Chown(dir, c.ownUID, c.ownGID); err != nil {
			t.Skipf("chown %s: %v", dir, err)
		}
		c.runAs = []string{runuser, "-u", "postgres", "--"}
	}
	os.Chmod(dir, 0o755)
	out, err := c.command(60*time.Second, filepath.Join(c.bin, "initdb"), "-D", c.data(), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C", "-N")
	if err != nil {
		t.Skipf("initdb failed, cannot run a private cluster here: %v\n%s", err, out)
	}
	return c
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) command(timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := append(append(append([]string{}, c.runAs...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.dir
	cmd.WaitDelay = 2 * time.Second
	return cmd.CombinedOutput()
}

func (c *pgCluster) pgctl(timeout time.Duration, args ...string) ([]byte, error) {
	return c.command(timeout, filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.data()}, args...)...)
}

// start starts the cluster and waits until it accepts connections.
func (c *pgCluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60", c.port, c.dir)
	if out, err := c.pgctl(40*time.Second, "-l", filepath.Join(c.dir, "postgres.log"), "-o", opts, "-w", "-t", "30", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
		c.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, tail(string(log), 3000))
	}
}

// stop is a fast shutdown: open sessions are terminated, in-flight
// transactions roll back.
func (c *pgCluster) stop() {
	c.t.Helper()
	if out, err := c.pgctl(40*time.Second, "-m", "fast", "-w", "-t", "30", "stop"); err != nil {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// ---------------------------------------------------------------------------
// A TCP fault proxy

// faultProxy forwards TCP connections to a backend and can freeze them:
// while frozen, bytes are read but held back, so the backend sees nothing
// and the client waits. thawDropping closes every connection without
// forwarding what was held, as if the network had eaten it.
type faultProxy struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	cond    *sync.Cond
	frozen  bool
	epoch   int // incremented by thawDropping; a pair from an older epoch is dropped
	conns   map[net.Conn]struct{}
	stopped bool
}

func startProxy(t *testing.T, backend string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, backend: backend, conns: map[net.Conn]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }
func (p *faultProxy) url() string  { return "redis://" + p.addr() + "/0" }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *faultProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *faultProxy) handle(client net.Conn) {
	up, err := net.DialTimeout("tcp", p.backend, 2*time.Second)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client) || !p.track(up) {
		client.Close()
		up.Close()
		return
	}
	p.mu.Lock()
	epoch := p.epoch
	p.mu.Unlock()
	closeBoth := func() {
		client.Close()
		up.Close()
		p.mu.Lock()
		delete(p.conns, client)
		delete(p.conns, up)
		p.mu.Unlock()
	}
	pipe := func(dst, src net.Conn) {
		defer closeBoth()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				p.mu.Lock()
				for p.frozen && p.epoch == epoch && !p.stopped {
					p.cond.Wait()
				}
				drop := p.epoch != epoch || p.stopped
				p.mu.Unlock()
				if drop {
					return
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go pipe(up, client)
	pipe(client, up)
}

// freeze holds every byte in both directions from now on.
func (p *faultProxy) freeze() {
	p.mu.Lock()
	p.frozen = true
	p.mu.Unlock()
}

// thawDropping closes every current connection, discarding what was held,
// and lets new connections through.
func (p *faultProxy) thawDropping() {
	p.mu.Lock()
	p.epoch++
	p.frozen = false
	for c := range p.conns {
		c.Close()
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *faultProxy) close() {
	p.mu.Lock()
	p.stopped = true
	for c := range p.conns {
		c.Close()
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	p.ln.Close()
}

// ---------------------------------------------------------------------------
// One CloudRoute deployment: the API process, its workers, and the test's
// own connection to the database.

type stack struct {
	t        *testing.T
	dbURL    string
	redisURL string
	addr     string
	base     string
	metrics  string // the API's METRICS_ADDR
	adminKey string
	extraEnv []string
	client   *http.Client
	db       *sqlx.DB // the drill's own look at the database, from outside
	api      *proc
}

func newStack(t *testing.T, dbURL, redisURL string, extraEnv ...string) *stack {
	t.Helper()
	s := &stack{t: t, dbURL: dbURL, redisURL: redisURL, adminKey: "drill-admin-" + randHex(16), extraEnv: extraEnv}
	s.addr = "127.0.0.1:" + strconv.Itoa(freePort(t))
	s.base = "http://" + s.addr
	s.metrics = "127.0.0.1:" + strconv.Itoa(freePort(t))
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
	s.client = &http.Client{Transport: tr, Timeout: 20 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	s.db = testenv.MustOpenSQL(t, dbURL)
	return s
}

// sibling is a second API process of the same deployment: the same
// database, Redis, admin key and environment, on an HTTP_ADDR and
// METRICS_ADDR of its own. Its serve starts the process; the drill's
// database handle is shared.
func (s *stack) sibling() *stack {
	s.t.Helper()
	o := *s
	o.api = nil
	o.addr = "127.0.0.1:" + strconv.Itoa(freePort(s.t))
	o.base = "http://" + o.addr
	o.metrics = "127.0.0.1:" + strconv.Itoa(freePort(s.t))
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
	o.client = &http.Client{Transport: tr, Timeout: 20 * time.Second}
	s.t.Cleanup(tr.CloseIdleConnections)
	return &o
}

// env is the environment of every process of the stack; later entries win.
func (s *stack) env(extra ...string) []string {
	e := []string{
		"DATABASE_URL=" + s.dbURL,
		"REDIS_URL=" + s.redisURL,
		"HTTP_ADDR=" + s.addr,
		"METRICS_ADDR=" + s.metrics,
		"CLOUDROUTE_BOOTSTRAP_ADMIN_KEY=" + s.adminKey,
		"LOG_LEVEL=info",
		"TRUSTED_PROXIES=",
		"INTAKE_RATE_LIMIT=100000",
		"INTAKE_RATE_WINDOW=1m",
		"SHUTDOWN_GRACE=10s",
		"OUTBOX_POLL=20ms",
		"WORKER_CONCURRENCY=10",
		"DB_MAX_CONNS=8",
	}
	e = append(e, s.extraEnv...)
	return append(e, extra...)
}

// run runs a one-shot command (migrate, reconcile) and returns its output.
func (s *stack) run(timeout time.Duration, args ...string) string {
	s.t.Helper()
	p := startProc(s.t, "cloudroute "+strings.Join(args, " "), s.env(), args...)
	code, ok := p.wait(timeout)
	if !ok || code != 0 {
		s.t.Fatalf("cloudroute %v: exit %d (finished %v)\n%s", args, code, ok, p.out.String())
	}
	return p.out.String()
}

// serve starts `cloudroute serve` with args and waits until /healthz answers.
func (s *stack) serve(args ...string) *proc {
	s.t.Helper()
	p := startProc(s.t, "cloudroute serve", s.env(), append([]string{"serve"}, args...)...)
	s.api = p
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := s.do("GET", "/healthz", "", nil)
		if err == nil && r.status == 200 {
			return p
		}
		if p.exited() {
			s.t.Fatalf("cloudroute serve exited at start:\n%s", p.out.String())
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("cloudroute serve did not answer /healthz within 30s:\n%s", p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// worker starts a `cloudroute worker` process and waits for its start line.
func (s *stack) worker(name string, extra ...string) *proc {
	s.t.Helper()
	return s.workers([]string{name}, extra...)[0]
}

// workers starts one `cloudroute worker` process per name, all at once,
// then waits for each one's start line.
func (s *stack) workers(names []string, extra ...string) []*proc {
	s.t.Helper()
	ps := make([]*proc, len(names))
	for i, name := range names {
		// Each worker serves its metrics on a port of its own.
		addr := "127.0.0.1:" + strconv.Itoa(freePort(s.t))
		ps[i] = startProc(s.t, name, s.env(append([]string{"METRICS_ADDR=" + addr}, extra...)...), "worker")
		ps[i].metrics = addr
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, p := range ps {
		for !strings.Contains(p.out.String(), `"worker started"`) {
			if p.exited() {
				s.t.Fatalf("%s exited at start:\n%s", p.name, p.out.String())
			}
			if time.Now().After(deadline) {
				s.t.Fatalf("%s did not start within 20s:\n%s", p.name, p.out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return ps
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (r resp) want(t *testing.T, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// problem checks that r is a problem document with this status and code.
func (r resp) problem(t *testing.T, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json: %s", ct, r.body)
	}
	m := r.json(t)
	if m["code"] != code {
		t.Fatalf("code %v, want %s: %s", m["code"], code, r.body)
	}
	return m
}

// do sends one request; body is nil, []byte/string (sent as is) or a value
// sent as JSON. hdr is pairs of header names and values. A transport error
// is returned, not fatal, so drills can count them.
func (s *stack) do(method, path, key string, body any, hdr ...string) (resp, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return resp{}, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		return resp{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := s.client.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, fmt.Errorf("reading the response body: %w", err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}, nil
}

// must is do that fails the test on a transport error.
func (s *stack) must(method, path, key string, body any, hdr ...string) resp {
	s.t.Helper()
	r, err := s.do(method, path, key, body, hdr...)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// createPartner makes an advanced partner in eu through the API and returns
// its id and a partner key.
func (s *stack) createPartner(capacity int) (id, key string) {
	s.t.Helper()
	body := map[string]any{"name": "Drill Partner " + randHex(4), "tier": "advanced", "regions": []string{"eu"},
		"contact_email": "ops@drill-partner.example.com", "capacity": capacity}
	id = s.must("POST", "/v1/admin/partners", s.adminKey, body).want(s.t, 201).json(s.t)["id"].(string)
	key = s.must("POST", "/v1/admin/partners/"+id+"/api-keys", s.adminKey, nil).want(s.t, 201).json(s.t)["key"].(string)
	return id, key
}

var domainSeq atomic.Int64

// intakeBody is a valid intake (intake.Example without the AWS account) for
// a customer domain of its own. Goroutines call it, so it has no t to fail:
// a body it cannot build panics, which fails the whole run loudly rather
// than sending an empty body.
func intakeBody() []byte {
	b, err := json.Marshal(intake.Example())
	if err != nil {
		panic("intake body: " + err.Error())
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic("intake body: " + err.Error())
	}
	m["website"] = fmt.Sprintf("https://drill%d-%s.example", domainSeq.Add(1), randHex(3))
	delete(m, "aws_account_id")
	out, err := json.Marshal(m)
	if err != nil {
		panic("intake body: " + err.Error())
	}
	return out
}

// submitted is a 201 answer to POST /v1/intakes.
type submitted struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	AccessToken string `json:"access_token"`
}

// submitBurst posts n intakes from workers goroutines and fails unless
// every one is 201.
func (s *stack) submitBurst(n, workers int) []submitted {
	s.t.Helper()
	return submitBurstVia(s.t, []*stack{s}, n, workers)
}

// submitBurstVia posts n intakes from workers goroutines, intake i to API
// process i mod len(apis), so that every process takes its share at the
// same time, and fails unless every one is 201.
func submitBurstVia(t *testing.T, apis []*stack, n, workers int) []submitted {
	t.Helper()
	out := make([]submitted, n)
	errs := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r, err := apis[i%len(apis)].do("POST", "/v1/intakes", "", intakeBody())
				switch {
				case err != nil:
					errs[i] = err.Error()
				case r.status != 201:
					errs[i] = fmt.Sprintf("status %d: %s", r.status, r.body)
				default:
					if err := json.Unmarshal(r.body, &out[i]); err != nil || out[i].ID == "" {
						errs[i] = fmt.Sprintf("bad 201 body: %s", r.body)
					}
				}
			}
		}()
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Fatalf("intake %d of the burst was not accepted: %s", i, e)
		}
	}
	return out
}

// count runs a count(*) query.
func (s *stack) count(q string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.Get(&n, q, args...); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitFor polls cond every 20ms until it holds, or fails after timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metric reads one unlabelled sample from the API's /metrics, on its
// METRICS_ADDR.
func (s *stack) metric(name string) (float64, bool) {
	s.t.Helper()
	v, ok := s.scrape(s.metrics)[name]
	return v, ok
}

// scrape reads every sample a process serves on its METRICS_ADDR, keyed by
// the series as exposed: the name, then the labels in braces, sorted by
// name as the Prometheus client writes them (see series).
func (s *stack) scrape(addr string) map[string]float64 {
	s.t.Helper()
	res, err := s.client.Get("http://" + addr + "/metrics")
	if err != nil {
		s.t.Fatalf("GET /metrics: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		s.t.Fatalf("GET /metrics: %d %v", res.StatusCode, err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// series names a labelled sample as scrape keys it; labels are pairs of
// names and values, given in the order of their names.
func series(name string, labels ...string) string {
	if len(labels) == 0 {
		return name
	}
	var b strings.Builder
	b.WriteString(name + "{")
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labels[i] + "=" + strconv.Quote(labels[i+1]))
	}
	b.WriteString("}")
	return b.String()
}

// ---------------------------------------------------------------------------
// Invariants

// checkInvariants asserts, in SQL, what must hold after any fault: no
// intake with two active assignments, no customer with two open intakes, at
// most one ledger entry per closed record and (once the jobs drain, waited
// for here within a bound) exactly one per closed record with an award, and
// the ledger reconciled with the statements.
func checkInvariants(t *testing.T, db *sqlx.DB, dbURL string) {
	t.Helper()
	var bad []string
	if err := db.Select(&bad, `SELECT intake_id::text FROM assignments WHERE status IN ('offered','accepted')
		GROUP BY intake_id HAVING count(*) > 1`); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("invariant: intakes with more than one active assignment: %v", bad)
	}
	bad = nil
	if err := db.Select(&bad, `SELECT customer_domain FROM intakes WHERE status NOT IN ('withdrawn','closed')
		GROUP BY customer_domain HAVING count(*) > 1`); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("invariant: customers with more than one open intake: %v", bad)
	}
	bad = nil
	if err := db.Select(&bad, `SELECT ace_record_id::text FROM commission_entries WHERE ace_record_id IS NOT NULL
		GROUP BY ace_record_id HAVING count(*) > 1`); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("invariant: records with more than one ledger entry: %v", bad)
	}
	const missing = `SELECT r.id::text FROM ace_records r WHERE r.state = 'closed' AND r.approved_usd > 0
		AND NOT EXISTS (SELECT 1 FROM commission_entries e WHERE e.ace_record_id = r.id)`
	deadline := time.Now().Add(20 * time.Second)
	for {
		bad = nil
		if err := db.Select(&bad, missing); err != nil {
			t.Fatal(err)
		}
		if len(bad) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("invariant: closed records with no ledger entry after the jobs drained: %v", bad)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	store, err := postgres.Open(context.Background(), dbURL, 2)
	if err != nil {
		t.Fatalf("open storage: %v", err)
	}
	defer store.Close()
	r, err := store.Reconcile(context.Background())
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if !r.Balanced {
		t.Errorf("invariant: the ledger (%d cents) and the statements (%d cents) do not reconcile: %+v", r.LedgerCents, r.StatementsCents, r)
	}
}

// isConnErr reports a transport-level failure (refused, reset, EOF).
func isConnErr(err error) bool {
	return err != nil && (errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "connection"))
}
