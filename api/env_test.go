package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/jmoiron/sqlx"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// redisDB is this package's private Redis database.
const redisDB = 1

// testSecretKey is CLOUDROUTE_SECRET_KEY in the tests: fixed, so that a
// test can look for secrets in the database.
var testSecretKey = []byte("cloudroute-test-secret-key-0123456789abcdef")

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.DropTemplates()
	os.Exit(code)
}

// env is one test's CloudRoute: a fresh database, a flushed Redis, the real
// router behind a real HTTP listener on a free port.
type env struct {
	t  *testing.T
	db *postgres.DB
	// sql reaches the same database behind storage's back, for checks.
	sql      *sqlx.DB
	rdb      *redis.Client
	srv      *httptest.Server
	api      *api.Server
	cfg      config.Config
	adminKey string
	worker   *jobs.Worker
	log      *slog.Logger
	// ace is the connector the API and the worker share (one secret key).
	ace *aceconnect.Connector
	// ran holds the task ids of the effects runJobs has run.
	ran map[string]bool
}

type envOption func(*config.Config)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	db, sqlDB := testenv.MustOpenDBWithSQL(t)
	rdb := testenv.MustRedis(t, redisDB)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.IntakeRateLimit = 1000
	// One key for the API and the worker, as serve gives both.
	cfg.SecretKey = testSecretKey
	cfg.AdminEmails = []string{"admin@cloudroute.example"}
	for _, o := range opts {
		o(&cfg)
	}
	if err := db.SetSecretKey(cfg.SecretKey); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if os.Getenv("TEST_LOG") != "" {
		log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	reg := prometheus.NewRegistry()
	// Writes to Partner Central are paced per connection through Redis, as
	// in production, at a tenth of the real interval: the tests' simulator
	// has no write quota unless a test sets one.
	aceConn, err := aceconnect.New(aceconnect.Options{SecretKey: cfg.SecretKey, Endpoints: cfg.ACE.Endpoints, Logger: log,
		Limiter: partnercentral.NewRedisLimiter(rdb, partnercentral.RedisLimiterOptions{Interval: 110 * time.Millisecond}),
		Retry:   partnercentral.RetryPolicy{MaxAttempts: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := api.New(api.Deps{DB: db, Redis: rdb, Config: cfg, Log: log, Registry: reg, Resolver: apiHosts, ACE: aceConn})
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := jobs.NewMetrics(reg, db)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, sql: sqlDB, rdb: rdb, api: s, cfg: cfg, log: log, ace: aceConn}
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	_, e.adminKey, err = db.CreateAdminKey(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	e.worker = jobs.NewWorker(db, rdb, log, metrics, jobs.Options{Concurrency: 4, OutboxPoll: 20 * time.Millisecond,
		PublicURL: cfg.PublicURL, AdminEmails: cfg.AdminEmails, SecretKey: cfg.SecretKey,
		WebhookAllowInsecureLoopback: cfg.WebhookAllowInsecureLoopback, WebhookResolver: workerHosts,
		// A test cannot wait out the day-long schedule of webhook retries.
		WebhookRetryDelay: func(int) time.Duration { return 50 * time.Millisecond }, ACE: aceConn})
	return e
}

// startWorker runs the real asynq worker, scheduler and relay until the
// test ends.
func (e *env) startWorker() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.worker.Run(ctx, 5*time.Second); close(done) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// outboxEvents reads the outbox's events, oldest first: the unsent ones,
// or all of them.
func (e *env) outboxEvents(unsentOnly bool) []outboxEvent {
	e.t.Helper()
	var rows []outboxEvent
	if err := e.sql.Select(&rows, `SELECT id, event_id, kind, subject, payload, occurred_at FROM outbox
		WHERE sent_at IS NULL OR NOT $1 ORDER BY id`, unsentOnly); err != nil {
		e.t.Fatal(err)
	}
	return rows
}

type outboxEvent struct {
	ID         int64     `db:"id"`
	EventID    string    `db:"event_id"`
	Kind       string    `db:"kind"`
	Subject    string    `db:"subject"`
	Payload    []byte    `db:"payload"`
	OccurredAt time.Time `db:"occurred_at"`
}

// effects returns what the event sets off, by the table the relay uses.
func (e *env) effects(r outboxEvent) []jobs.Effect {
	e.t.Helper()
	effs, err := jobs.Effects(events.Event{ID: r.EventID, Kind: r.Kind, Subject: r.Subject, Payload: r.Payload, OccurredAt: r.OccurredAt})
	if err != nil {
		e.t.Fatalf("event %s %s: %v", r.Kind, r.Payload, err)
	}
	return effs
}

// runJobs runs, in this goroutine, every effect of the outbox's events that
// is due, through the same handlers asynq would call, until none is left.
// Tests use it to be deterministic without a running worker. An event is
// marked sent once all its effects have run; one not yet due (an offer's
// expiry) holds its event back, and an effect that already ran is not run
// again, as its task id ensures in Redis.
func (e *env) runJobs() {
	e.t.Helper()
	mux := e.worker.Mux()
	if e.ran == nil {
		e.ran = map[string]bool{}
	}
	for i := 0; i < 50; i++ {
		progress := false
		for _, r := range e.outboxEvents(true) {
			done := true
			for _, eff := range e.effects(r) {
				if e.ran[eff.TaskID] {
					continue
				}
				if eff.ProcessAt.After(e.db.Now()) {
					done = false
					continue
				}
				if err := mux.ProcessTask(context.Background(), eff.Task); err != nil {
					e.t.Fatalf("%s of %s %s: %v", eff.Name, r.Kind, r.Payload, err)
				}
				e.ran[eff.TaskID] = true
				progress = true
			}
			if done {
				e.sql.MustExec(`UPDATE outbox SET sent_at = now() WHERE id = $1`, r.ID)
				progress = true
			}
		}
		if !progress {
			return
		}
	}
	e.t.Fatal("runJobs: jobs keep producing jobs")
}

// queued counts the tasks of taskType that the outbox's events, sent or
// not, have set off.
func (e *env) queued(taskType string) int {
	e.t.Helper()
	n := 0
	for _, r := range e.outboxEvents(false) {
		for _, eff := range e.effects(r) {
			if eff.Task.Type() == taskType {
				n++
			}
		}
	}
	return n
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

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode: %v: %s", err, r.body)
	}
}

// problem checks that r is a problem document with this status and code.
func (r resp) problem(t *testing.T, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	m := r.json(t)
	if m["code"] != code {
		t.Fatalf("code %v, want %s: %s", m["code"], code, r.body)
	}
	for _, k := range []string{"type", "title", "status", "detail"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("problem lacks %s: %s", k, r.body)
		}
	}
	return m
}

// fields returns the field names of a problem's errors.
func (r resp) fields(t *testing.T) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	r.decode(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

func (r resp) want(t *testing.T, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// do sends a request. body may be nil, a []byte/string (sent as is), or a
// value encoded as JSON. hdr is pairs of header names and values. Every
// response is checked against openapi.yaml.
func (e *env) do(method, path, key string, body any, hdr ...string) resp {
	e.t.Helper()
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
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
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
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, body: b}
	checkContract(e.t, req, r)
	return r
}

// chunked sends body without a Content-Length, so that only the server's
// reading limit can stop it. The response is checked against openapi.yaml.
func (e *env) chunked(method, path, key string, body []byte) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, struct{ io.Reader }{bytes.NewReader(body)})
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	if req.ContentLength != 0 {
		e.t.Fatal("the request has a Content-Length; want chunked")
	}
	b, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, body: b}
	checkContract(e.t, req, r)
	return r
}

// count returns the number of rows of a table (or a query's count(*)).
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	q := table
	if !strings.Contains(table, " ") {
		q = "SELECT count(*) FROM " + table
	}
	if err := e.sql.Get(&n, q); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// partnerBody is a valid partner; fields may be overridden.
func partnerBody(over map[string]any) map[string]any {
	b := map[string]any{"name": "Partner " + fmt.Sprint(time.Now().UnixNano()), "tier": "advanced",
		"regions": []string{"us_east", "eu"}, "contact_email": "ops@partner.example.com", "capacity": 10}
	for k, v := range over {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// createPartner makes a partner through the API and returns its id and a
// partner key.
func (e *env) createPartner(over map[string]any) (string, string) {
	e.t.Helper()
	r := e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(over)).want(e.t, 201)
	id := r.json(e.t)["id"].(string)
	k := e.do("POST", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, nil).want(e.t, 201)
	return id, k.json(e.t)["key"].(string)
}

var domainSeq int

// intakeBody returns a valid intake for a new customer.
func intakeBody(over map[string]any) map[string]any {
	domainSeq++
	b, _ := json.Marshal(intake.Example())
	var m map[string]any
	json.Unmarshal(b, &m)
	m["website"] = fmt.Sprintf("https://startup%d-%d.example", domainSeq, time.Now().UnixNano()%1e9)
	delete(m, "aws_account_id")
	for k, v := range over {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// submit posts an intake and returns its id and access token.
func (e *env) submit(over map[string]any) (string, string) {
	e.t.Helper()
	r := e.do("POST", "/v1/intakes", "", intakeBody(over)).want(e.t, 201)
	m := r.json(e.t)
	return m["id"].(string), m["access_token"].(string)
}

// importRecord gives a partner n outcomes on a profile, wins of them approved.
func (e *env) importRecord(partnerID string, profile map[string]string, n, wins int) {
	e.t.Helper()
	rows := make([]map[string]any, n)
	// Dated by storage's clock, which the import checks them against (a
	// test may have set it to another day).
	now := e.db.Now()
	for i := range rows {
		row := map[string]any{"decided_at": now.AddDate(0, 0, -30).Format(time.RFC3339),
			"submitted_at": now.AddDate(0, 0, -44).Format(time.RFC3339),
			"stage":        "seed", "region": "eu", "vertical": "b2b_saas", "service_profile": "ai_heavy", "engagement_type": "build",
			"funding_source": "founders", "outcome": "rejected", "requested_usd": 25000, "approved_usd": 0}
		for k, v := range profile {
			row[k] = v
		}
		if i < wins {
			row["outcome"], row["approved_usd"] = "approved", 25000
		}
		rows[i] = row
	}
	e.do("POST", "/v1/admin/partners/"+partnerID+"/track-record", e.adminKey, rows).want(e.t, 201)
}

// waitFor polls until cond holds or fails the test after timeout.
func (e *env) waitFor(what string, timeout time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
