package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/testenv"
	"github.com/cloudroute/cloudroute/migrations"
)

// Tests of the operations endpoints, the router's fallbacks and middleware,
// and of migrations under concurrency.

func TestOpsHealthz(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/healthz", "", nil).want(t, 200)
	if d := cmp.Diff(map[string]any{"status": "ok"}, r.json(t)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestOpsReadyz(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/readyz", "", nil).want(t, 200)
	want := map[string]any{"status": "ok", "checks": map[string]any{"postgres": "ok", "redis": "ok"}}
	if d := cmp.Diff(want, r.json(t)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

// fdnServerWith serves a second router over e's configuration with the
// given database and Redis, and returns an env that speaks to it.
func (e *env) fdnServerWith(db *postgres.DB, rdb *redis.Client) *env {
	e.t.Helper()
	s, err := api.New(api.Deps{DB: db, Redis: rdb, Config: e.cfg, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry()})
	if err != nil {
		e.t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	e.t.Cleanup(srv.Close)
	e2 := *e
	e2.srv, e2.api, e2.db, e2.rdb = srv, s, db, rdb
	return &e2
}

func TestOpsReadyzUnavailable(t *testing.T) {
	e := newEnv(t)
	deadRedis := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
		t.Cleanup(func() { c.Close() })
		return c
	}
	closedDB := testenv.MustOpenDB(t)
	closedDB.Close()
	for _, tc := range []struct {
		name   string
		db     *postgres.DB
		rdb    *redis.Client
		checks map[string]any
	}{
		{"redis unreachable", e.db, deadRedis(), map[string]any{"postgres": "ok", "redis": "unavailable"}},
		{"postgres unreachable", closedDB, e.rdb, map[string]any{"postgres": "unavailable", "redis": "ok"}},
		{"both unreachable", closedDB, deadRedis(), map[string]any{"postgres": "unavailable", "redis": "unavailable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e2 := e.fdnServerWith(tc.db, tc.rdb)
			r := e2.do("GET", "/readyz", "", nil).want(t, 503)
			want := map[string]any{"status": "unavailable", "checks": tc.checks}
			if d := cmp.Diff(want, r.json(t)); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
			// The process is still up.
			e2.do("GET", "/healthz", "", nil).want(t, 200)
		})
	}
	// The healthy server is unaffected.
	e.do("GET", "/readyz", "", nil).want(t, 200)
}

// opsMetricsEnv is newEnv with a registry of its own, served by
// api.MetricsHandler on a listener apart from the API's, as in production.
func opsMetricsEnv(t *testing.T) (*env, *prometheus.Registry, *httptest.Server) {
	t.Helper()
	base := newEnv(t)
	reg := prometheus.NewRegistry()
	s, err := api.New(api.Deps{DB: base.db, Redis: base.rdb, Config: base.cfg, Log: base.log, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	e := *base
	e.api = s
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	ms := httptest.NewServer(api.MetricsHandler(reg, false))
	t.Cleanup(ms.Close)
	return &e, reg, ms
}

func opsGet(t *testing.T, url string) resp {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func TestOpsMetrics(t *testing.T) {
	e, _, ms := opsMetricsEnv(t)
	e.do("GET", "/healthz", "", nil).want(t, 200)
	e.do("GET", "/healthz", "", nil).want(t, 200)
	e.do("GET", "/v1/admin/settings", e.adminKey, nil).want(t, 200)
	e.do("GET", "/v1/admin/settings", "", nil).want(t, 401)
	e.do("GET", "/v1/no-such-thing", "", nil).want(t, 404)
	r := opsGet(t, ms.URL+"/metrics").want(t, 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain exposition", ct)
	}
	body := string(r.body)
	for _, line := range []string{
		`cloudroute_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
		`cloudroute_http_requests_total{method="GET",route="/v1/admin/settings",status="200"} 1`,
		`cloudroute_http_requests_total{method="GET",route="/v1/admin/settings",status="401"} 1`,
		`cloudroute_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`cloudroute_http_request_duration_seconds_count{method="GET",route="/healthz"} 2`,
	} {
		if !strings.Contains(body, "\n"+line+"\n") {
			t.Errorf("metrics lack the line %s", line)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", body)
	}
	// The metrics listener serves the metrics and nothing else.
	opsGet(t, ms.URL+"/healthz").want(t, 404)
}

// TestOpsMetricsNotPublic: the public router does not serve /metrics, with
// or without credentials; it is a 404 like any unknown path.
func TestOpsMetricsNotPublic(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/metrics", "", nil).problem(t, 404, "not_found")
	e.do("GET", "/metrics", e.adminKey, nil).problem(t, 404, "not_found")
}

// TestOpsMetricsLabelsBounded: requests with invented methods and paths
// add no label values of their own; the series stay bounded whatever
// clients send, and every label value is a served route, a standard method,
// or one of the two catch-alls.
func TestOpsMetricsLabelsBounded(t *testing.T) {
	e, reg, _ := opsMetricsEnv(t)
	series := func() (int, map[string]map[string]bool) {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		labels := map[string]map[string]bool{}
		for _, mf := range mfs {
			if !strings.HasPrefix(mf.GetName(), "cloudroute_http_") {
				continue
			}
			for _, m := range mf.GetMetric() {
				n++
				for _, l := range m.GetLabel() {
					if labels[l.GetName()] == nil {
						labels[l.GetName()] = map[string]bool{}
					}
					labels[l.GetName()][l.GetValue()] = true
				}
			}
		}
		return n, labels
	}
	send := func(method, path string) {
		req, err := http.NewRequest(method, e.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%.40s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	// One of each kind first, so that the catch-all series exist.
	send("GET", "/healthz")
	send("PROBE", "/v1/intakes")
	send("PROBE", "/nowhere")
	send("GET", "/nowhere")
	n0, _ := series()

	for i := 0; i < 100; i++ {
		send(fmt.Sprintf("PROBE%d", i), "/v1/intakes")
		send("GET", fmt.Sprintf("/v1/nowhere-%d", i))
		send(fmt.Sprintf("M%d", i), fmt.Sprintf("/elsewhere/%d", i))
	}
	send("get", "/healthz")
	send(strings.Repeat("X", 4000), "/v1/intakes")
	n1, labels := series()
	if n1 != n0 {
		t.Errorf("%d series after the odd requests, %d before: invented methods or paths became labels", n1, n0)
	}
	routes := map[string]bool{"unmatched": true}
	for _, r := range e.api.Routes() {
		routes[r.Path] = true
	}
	methods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
		"DELETE": true, "OPTIONS": true, "other": true}
	for v := range labels["route"] {
		if !routes[v] {
			t.Errorf("route label %.60q is not a served route", v)
		}
	}
	for v := range labels["method"] {
		if !methods[v] {
			t.Errorf("method label %.60q is not a standard method", v)
		}
	}
	if !labels["method"]["other"] || !labels["route"]["unmatched"] {
		t.Errorf("labels %v lack the catch-alls", labels)
	}
}

func TestOpsUnknownPath(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/nope", "/v1/nope", "/v1/admin/partnerz", "/v2/admin/partners"} {
		t.Run(p, func(t *testing.T) {
			e.do("GET", p, e.adminKey, nil).problem(t, 404, "not_found")
		})
	}
}

func TestOpsMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	pid, _ := e.createPartner(nil)
	for _, tc := range []struct {
		name, method, path string
		allow              []string
	}{
		{"DELETE settings", "DELETE", "/v1/admin/settings", []string{"GET", "PUT"}},
		{"POST healthz", "POST", "/healthz", []string{"GET"}},
		{"PUT a partner", "PUT", "/v1/admin/partners/" + pid, []string{"GET", "PATCH"}},
		{"DELETE the partner list", "DELETE", "/v1/admin/partners", []string{"GET", "POST"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Without a key too: the method is wrong whoever asks.
			for _, key := range []string{e.adminKey, ""} {
				r := e.do(tc.method, tc.path, key, nil)
				r.problem(t, 405, "method_not_allowed")
				allow := strings.Split(r.header.Get("Allow"), ", ")
				sort.Strings(allow)
				if d := cmp.Diff(tc.allow, allow); d != "" {
					t.Errorf("Allow (-want +got):\n%s", d)
				}
			}
		})
	}
	if n := e.count("partners"); n != 1 {
		t.Fatalf("%d partners, want 1", n)
	}
}

func TestOpsRequestID(t *testing.T) {
	e := newEnv(t)
	generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
	t.Run("echoed when given", func(t *testing.T) {
		for _, id := range []string{"abc-123", "req_01HZX8", strings.Repeat("x", 64)} {
			r := e.do("GET", "/healthz", "", nil, "X-Request-ID", id).want(t, 200)
			if got := r.header.Get("X-Request-ID"); got != id {
				t.Errorf("X-Request-ID %q, want %q echoed", got, id)
			}
		}
	})
	t.Run("echoed on errors too", func(t *testing.T) {
		r := e.do("GET", "/v1/admin/settings", "", nil, "X-Request-ID", "err-42")
		r.problem(t, 401, "unauthenticated")
		if got := r.header.Get("X-Request-ID"); got != "err-42" {
			t.Errorf("X-Request-ID %q, want err-42", got)
		}
	})
	t.Run("generated when absent", func(t *testing.T) {
		seen := map[string]bool{}
		for i := 0; i < 3; i++ {
			got := e.do("GET", "/healthz", "", nil).want(t, 200).header.Get("X-Request-ID")
			if !generated.MatchString(got) {
				t.Fatalf("generated X-Request-ID %q, want 16 hex characters", got)
			}
			if seen[got] {
				t.Fatalf("X-Request-ID %q generated twice", got)
			}
			seen[got] = true
		}
	})
	t.Run("replaced when unusable", func(t *testing.T) {
		for _, id := range []string{strings.Repeat("x", 65), "has space", "tab\there"} {
			got := e.do("GET", "/healthz", "", nil, "X-Request-ID", id).want(t, 200).header.Get("X-Request-ID")
			if !generated.MatchString(got) {
				t.Errorf("X-Request-ID %q for %q, want a generated one", got, id)
			}
		}
	})
}

// TestMigrateConcurrentFreshDatabase starts two processes' worth of
// migration at once on an empty database: both succeed and each migration
// is applied exactly once.
func TestMigrateConcurrentFreshDatabase(t *testing.T) {
	ctx := context.Background()
	admin, err := sqlx.Open("postgres", testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "cloudroute_migr_" + strings.ReplaceAll(fdnRandomUUID()[:13], "-", "")
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("postgres", testenv.AdminURL())
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name

	var want []int
	files, err := fdnMigrationFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		num, _, _ := strings.Cut(f, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("migration %s: %v", f, err)
		}
		want = append(want, v)
	}
	sort.Ints(want)
	if len(want) == 0 {
		t.Fatal("no migrations embedded")
	}

	const n = 2
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		if dbs[i], err = postgres.Open(ctx, u.String(), 2); err != nil {
			t.Fatal(err)
		}
		defer dbs[i].Close()
	}
	ran := make([][]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range dbs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			ran[i], errs[i] = dbs[i].Migrate(ctx, nil)
		}(i)
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrator %d: %v", i, err)
		}
	}
	all := append(append([]int{}, ran[0]...), ran[1]...)
	sort.Ints(all)
	if d := cmp.Diff(want, all); d != "" {
		t.Fatalf("versions applied by both migrators together (-want +got):\n%s", d)
	}

	var rows []struct {
		Version int `db:"version"`
		N       int `db:"n"`
	}
	if err := testenv.MustOpenSQL(t, u.String()).Select(&rows, `SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	var versions []int
	for _, r := range rows {
		if r.N != 1 {
			t.Errorf("version %d recorded %d times", r.Version, r.N)
		}
		versions = append(versions, r.Version)
	}
	if d := cmp.Diff(want, versions); d != "" {
		t.Fatalf("schema_migrations versions (-want +got):\n%s", d)
	}
	// The seed row of settings was inserted once, not once per migrator.
	var settingsRows int
	if err := testenv.MustOpenSQL(t, u.String()).Get(&settingsRows, `SELECT count(*) FROM settings`); err != nil {
		t.Fatal(err)
	}
	if settingsRows != 1 {
		t.Fatalf("settings has %d rows, want 1", settingsRows)
	}
	// A third run has nothing to do.
	again, err := dbs[1].Migrate(ctx, nil)
	if err != nil || len(again) != 0 {
		t.Fatalf("third Migrate ran %v, err %v; want nothing", again, err)
	}
}

// fdnMigrationFiles lists the embedded migration files.
func fdnMigrationFiles() ([]string, error) {
	entries, err := migrations.FS.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// The runtime profiles are served only when asked for (PPROF=true), and
// only on the metrics listener: the public router never has them.
func TestOpsPprofOnlyWhenAsked(t *testing.T) {
	e, reg, ms := opsMetricsEnv(t)
	opsGet(t, ms.URL+"/debug/pprof/").want(t, 404)
	e.do("GET", "/debug/pprof/", "", nil).want(t, 404)
	on := httptest.NewServer(api.MetricsHandler(reg, true))
	t.Cleanup(on.Close)
	r := opsGet(t, on.URL+"/debug/pprof/")
	r.want(t, 200)
	if !strings.Contains(string(r.body), "goroutine") {
		t.Errorf("pprof index does not list the goroutine profile: %.200s", r.body)
	}
	opsGet(t, on.URL+"/debug/pprof/profile?seconds=1").want(t, 200)
	opsGet(t, on.URL+"/metrics").want(t, 200)
}
