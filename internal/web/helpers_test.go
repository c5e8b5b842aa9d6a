package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/testenv"
	"github.com/cloudroute/cloudroute/internal/web"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// redisDB is this package's private Redis database.
const redisDB = 3

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.DropTemplates()
	os.Exit(code)
}

// env is one test's CloudRoute: a fresh database, a private Redis
// database, the API and the pages on one engine behind a real listener,
// and the log they write.
type env struct {
	t        *testing.T
	db       *postgres.DB
	sql      *sqlx.DB
	srv      *httptest.Server
	adminKey string
	log      *lockedBuffer
	worker   *jobs.Worker
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newEnv starts the server; rateLimit is the intake allowance per minute
// (0: plenty).
func newEnv(t testing.TB, rateLimit int) *env {
	t.Helper()
	db, sqlDB := testenv.MustOpenDBWithSQL(t)
	rdb := testenv.MustRedis(t, redisDB)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if rateLimit == 0 {
		rateLimit = 10_000
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	limiter := api.NewRateLimiter(rdb, rateLimit, time.Minute, log)
	pages, err := web.New(web.Deps{DB: db, Limiter: limiter, SecretKey: bytes.Repeat([]byte{7}, 32), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s, err := api.New(api.Deps{DB: db, Redis: rdb, Config: cfg, Log: log, Registry: reg, Limiter: limiter, Pages: pages.Register})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, sql: sqlDB, log: logs}
	if tt, ok := t.(*testing.T); ok {
		e.t = tt
	}
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		// A failed test shows the pages' failures from the log.
		if !t.Failed() {
			return
		}
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, `"page failed"`) {
				t.Log(l)
			}
		}
	})
	if _, e.adminKey, err = db.CreateAdminKey(context.Background(), "test"); err != nil {
		t.Fatal(err)
	}
	metrics, err := jobs.NewMetrics(reg, db)
	if err != nil {
		t.Fatal(err)
	}
	e.worker = jobs.NewWorker(db, rdb, log, metrics, jobs.Options{Concurrency: 4, OutboxPoll: 20 * time.Millisecond})
	return e
}

// startWorker runs the real worker (routing, index updates) until the test
// ends.
func (e *env) startWorker(t testing.TB) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.worker.Run(ctx, 5*time.Second); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// browser is one founder's browser: a cookie jar, no automatic redirects.
type browser struct {
	t      testing.TB
	e      *env
	client *http.Client
}

func (e *env) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, e: e, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one answer.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.e.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form as a browser does: url-encoded, same origin.
func (b *browser) post(path string, v url.Values, hdr ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "null")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

// cookie returns the value of the named cookie the browser would send to
// path.
func (b *browser) cookie(path, name string) string {
	u, _ := url.Parse(b.e.srv.URL + path)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var (
	hiddenCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	hiddenKey  = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)
)

// formOf reads the hidden fields of the form on a page.
func formOf(t testing.TB, p page) url.Values {
	t.Helper()
	v := url.Values{}
	m := hiddenCSRF.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF field on the page (status %d):\n%s", p.status, excerpt(p.body))
	}
	v.Set("csrf_token", html.UnescapeString(m[1]))
	if m := hiddenKey.FindStringSubmatch(p.body); m != nil {
		v.Set(form.IdempotencyKey, html.UnescapeString(m[1]))
	}
	return v
}

// exampleForm is intake.Example as the form posts it, for a new customer.
var domainSeq int

func exampleForm() url.Values {
	domainSeq++
	return url.Values{
		form.CompanyName: {"Acme Robotics"}, form.Website: {fmt.Sprintf("https://www.acme%d-%d.example/", domainSeq, time.Now().UnixNano()%1e9)},
		form.Stage: {"seed"}, form.RoundName: {"Seed"}, form.RoundAmount: {"3,000,000"},
		form.RoundLead: {"Example Ventures"}, form.RoundClosedOn: {"2025-03-14"},
		form.Region: {"eu"}, form.Vertical: {"b2b_saas"}, form.ServiceProfile: {"ai_heavy"}, form.EngagementType: {"build"},
		form.TeamSize:     {"12"},
		"spend.0.service": {"ec2"}, "spend.0.usd": {"4000"},
		"spend.1.service": {"bedrock"}, "spend.1.usd": {"2500"},
		form.UseCase:        {"Fleet telemetry ingestion and an LLM assistant that answers maintenance questions from robot logs."},
		form.CompetingCloud: {"gcp"},
		form.FundingSources: {"founders", "bedrock_poc"},
		form.TechName:       {"Ada Lovelace"}, form.TechEmail: {"ada@acme-robotics.example.com"},
		form.BizName: {"Grace Hopper"}, form.BizEmail: {"grace@acme-robotics.example.com"},
		form.Consent: {form.ConsentGiven},
	}
}

func merge(a, b url.Values) url.Values {
	out := url.Values{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

var statusLocation = regexp.MustCompile(`^/status/([0-9a-f-]{36})$`)

// submit fills the form in a browser and sends it; it returns the
// intake's id.
func (b *browser) submit(over url.Values) string {
	b.t.Helper()
	p := b.get("/")
	res := b.post("/", merge(merge(exampleForm(), formOf(b.t, p)), over))
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("submit: status %d, want 303:\n%s", res.status, excerpt(res.body))
	}
	m := statusLocation.FindStringSubmatch(res.header.Get("Location"))
	if m == nil {
		b.t.Fatalf("submit: Location %q", res.header.Get("Location"))
	}
	return m[1]
}

func excerpt(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// count counts rows behind storage's back.
func (e *env) count(t testing.TB, q string) int {
	t.Helper()
	var n int
	if err := e.sql.Get(&n, q); err != nil {
		t.Fatal(err)
	}
	return n
}

// apiDo calls the JSON API.
func (e *env) apiDo(t testing.TB, method, path, key string, body any, want int) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	return m
}

// createPartner makes an advanced partner serving eu and us_east, with a
// track record of wins out of n on the example's profile; it returns the
// partner's id and key.
func (e *env) createPartner(t testing.TB, name string, n, wins int) (string, string) {
	t.Helper()
	p := e.apiDo(t, "POST", "/v1/admin/partners", e.adminKey, map[string]any{"name": name, "tier": "advanced",
		"regions": []string{"eu", "us_east"}, "contact_email": "ops@partner.example.com", "capacity": 10}, 201)
	id := p["id"].(string)
	k := e.apiDo(t, "POST", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, nil, 201)
	if n > 0 {
		rows := make([]map[string]any, n)
		for i := range rows {
			rows[i] = map[string]any{"decided_at": time.Now().UTC().AddDate(0, 0, -30).Format(time.RFC3339),
				"submitted_at": time.Now().UTC().AddDate(0, 0, -44).Format(time.RFC3339),
				"stage":        "seed", "region": "eu", "vertical": "b2b_saas", "service_profile": "ai_heavy", "engagement_type": "build",
				"funding_source": "founders", "outcome": "rejected", "requested_usd": 25000, "approved_usd": 0}
			if i < wins {
				rows[i]["outcome"], rows[i]["approved_usd"] = "approved", 25000
			}
		}
		e.apiDo(t, "POST", "/v1/admin/partners/"+id+"/track-record", e.adminKey, rows, 201)
	}
	return id, k["key"].(string)
}

// waitFor polls cond until it holds, or fails after timeout.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// intakeStatus reads the stored status behind storage's back.
func (e *env) intakeStatus(t testing.TB, id string) string {
	t.Helper()
	var s string
	if err := e.sql.Get(&s, `SELECT status FROM intakes WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return s
}

// engage routes the intake with the real worker to the only active
// partner and has the partner accept it; it returns the assignment's id.
func (e *env) engage(t testing.TB, intakeID, partnerKey string) string {
	t.Helper()
	waitFor(t, "the intake to be offered", 15*time.Second, func() bool { return e.intakeStatus(t, intakeID) == "offered" })
	list := e.apiDo(t, "GET", "/v1/partner/assignments?status=offered", partnerKey, nil, 200)
	items, _ := list["items"].([]any)
	for _, it := range items {
		a := it.(map[string]any)
		if a["intake_id"] == intakeID {
			e.apiDo(t, "POST", "/v1/assignments/"+a["id"].(string)+"/accept", partnerKey, nil, 200)
			return a["id"].(string)
		}
	}
	t.Fatalf("the partner has no offer of %s: %v", intakeID, list)
	return ""
}

// waitIndexed waits until the routing index holds the partner's record.
func (e *env) waitIndexed(t testing.TB, partnerID string, decided int) {
	t.Helper()
	waitFor(t, "the routing index", 15*time.Second, func() bool {
		return e.count(t, `SELECT COALESCE(max(decided), 0) FROM routing_index WHERE partner_id = '`+partnerID+`'`) >= decided
	})
}
