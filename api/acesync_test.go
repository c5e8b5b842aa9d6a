package api_test

import (
	"context"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cloudroute/cloudroute/api"

	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/acesim"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/jobs"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/tasks"
)

// Tests of the ACE sync through the API, against the Partner Central
// simulator over real HTTP on loopback.

// simulator starts a Partner Central simulator on loopback. Its write and
// read quotas are off unless opts sets them.
func simulator(t *testing.T, opts acesim.Options) (*acesim.Server, string) {
	t.Helper()
	if opts.WriteInterval == 0 {
		opts.WriteInterval = -1
	}
	if opts.ReadInterval == 0 {
		opts.ReadInterval = -1
	}
	s := acesim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// allowEndpoints lets connections name these Partner Central addresses.
func allowEndpoints(urls ...string) envOption {
	return func(c *config.Config) { c.ACE.Endpoints = append(c.ACE.Endpoints, urls...) }
}

// connectBody is a connection to the simulator with its test credentials.
func connectBody(simURL string, over map[string]any) map[string]any {
	b := map[string]any{"catalog": "Sandbox", "auth_kind": "access_keys", "endpoint": simURL,
		"access_key_id": acesim.TestCredential.AccessKeyID, "secret_access_key": acesim.TestCredential.SecretAccessKey}
	for k, v := range over {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// aceLoggedEnv is newEnv with the server, the job handlers and the ACE
// connector logging, at debug level, into the returned buffer, for tests
// that look for secrets and customer data in the log.
func aceLoggedEnv(t *testing.T, opts ...envOption) (*env, *itkBuffer) {
	t.Helper()
	base := newEnv(t, opts...)
	buf := &itkBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	conn, err := aceconnect.New(aceconnect.Options{SecretKey: base.cfg.SecretKey, Endpoints: base.cfg.ACE.Endpoints, Logger: log,
		Limiter: pc.NewRedisLimiter(base.rdb, pc.RedisLimiterOptions{Interval: 110 * time.Millisecond}),
		Retry:   pc.RetryPolicy{MaxAttempts: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s, err := api.New(api.Deps{DB: base.db, Redis: base.rdb, Config: base.cfg, Log: log, Registry: reg, ACE: conn})
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := jobs.NewMetrics(reg, base.db)
	if err != nil {
		t.Fatal(err)
	}
	e := *base
	e.api, e.log, e.ace = s, log, conn
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	e.worker = jobs.NewWorker(base.db, base.rdb, log, metrics, jobs.Options{Concurrency: 1, ACE: conn})
	return &e, buf
}

// poll runs the periodic poll of every connection, as the scheduler does
// each minute.
func (e *env) poll() {
	e.t.Helper()
	if err := e.worker.Mux().ProcessTask(context.Background(), asynq.NewTask(tasks.TypeACEPoll, []byte(`{}`))); err != nil {
		e.t.Fatalf("poll: %v", err)
	}
}

// noSecretIn fails when any of the secrets appears in s, as is or in hex.
func noSecretIn(t *testing.T, where, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) || strings.Contains(s, hex.EncodeToString([]byte(sec))) {
			t.Fatalf("%s holds a secret (%.6s…)", where, sec)
		}
	}
}

// noSecretInDatabase reads every row of every table as text and looks for
// the secrets.
func (e *env) noSecretInDatabase(secrets ...string) {
	e.t.Helper()
	var tables []string
	if err := e.sql.Select(&tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`); err != nil {
		e.t.Fatal(err)
	}
	for _, tb := range tables {
		var dump *string
		if err := e.sql.Get(&dump, `SELECT string_agg(row_to_json(t)::text, E'\n') FROM "`+tb+`" t`); err != nil {
			e.t.Fatal(err)
		}
		if dump != nil {
			noSecretIn(e.t, "table "+tb, *dump, secrets...)
		}
	}
}

func TestACEConnection(t *testing.T) {
	limited := acesim.Credential{AccessKeyID: "AKIALIMITEDTOAWS0001", SecretAccessKey: "limited+secret+000000000000000000000000",
		AccountID: "444455556666", Catalogs: []string{pc.CatalogAWS}}
	_, simURL := simulator(t, acesim.Options{Credentials: []acesim.Credential{acesim.TestCredential, limited}})
	dead := httptest.NewServer(nil)
	deadURL := dead.URL
	dead.Close()
	e, logs := aceLoggedEnv(t, allowEndpoints(simURL, deadURL))
	_, otherKey := e.createPartner(nil)
	aID, aKey := e.createPartner(nil)
	var bodies []string
	do := func(method, path, key string, body any) resp {
		t.Helper()
		r := e.do(method, path, key, body)
		bodies = append(bodies, string(r.body))
		return r
	}

	do("GET", "/v1/partner/ace-connection", aKey, nil).problem(t, 404, "not_found")
	do("POST", "/v1/partner/ace-connection/test", aKey, nil).problem(t, 404, "not_found")
	do("DELETE", "/v1/partner/ace-connection", aKey, nil).problem(t, 404, "not_found")

	// Every bad input is named, and nothing is written.
	for _, c := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"no auth kind", map[string]any{"catalog": "Sandbox"}, []string{"auth_kind"}},
		{"an unknown auth kind", connectBody(simURL, map[string]any{"auth_kind": "password"}), []string{"auth_kind"}},
		{"an unknown catalog", connectBody(simURL, map[string]any{"catalog": "Production"}), []string{"catalog"}},
		{"keys left out of a new connection", connectBody(simURL, map[string]any{"access_key_id": nil, "secret_access_key": nil}),
			[]string{"access_key_id", "secret_access_key"}},
		{"half the keys", connectBody(simURL, map[string]any{"secret_access_key": nil}), []string{"secret_access_key"}},
		{"a malformed key id", connectBody(simURL, map[string]any{"access_key_id": "akia-lower"}), []string{"access_key_id"}},
		{"a temporary key", connectBody(simURL, map[string]any{"access_key_id": "ASIATEMPORARY0000001"}), []string{"access_key_id"}},
		{"a secret with a space", connectBody(simURL, map[string]any{"secret_access_key": "not a secret key at all"}),
			[]string{"secret_access_key"}},
		{"a role with keys", connectBody(simURL, map[string]any{"role_arn": "arn:aws:iam::123456789012:role/X"}), []string{"role_arn"}},
		{"a role without its ARN", map[string]any{"auth_kind": "assume_role"}, []string{"role_arn"}},
		{"a role ARN that is not one", map[string]any{"auth_kind": "assume_role", "role_arn": "arn:aws:s3:::bucket"}, []string{"role_arn"}},
		{"a role with keys given", map[string]any{"auth_kind": "assume_role", "role_arn": "arn:aws:iam::123456789012:role/X",
			"access_key_id": acesim.TestCredential.AccessKeyID}, []string{"access_key_id"}},
		{"an endpoint not allowed", connectBody("http://169.254.169.254", nil), []string{"endpoint"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := do("PUT", "/v1/partner/ace-connection", aKey, c.body)
			r.problem(t, 422, "validation_failed")
			if got := strings.Join(r.fields(t), " "); got != strings.Join(c.fields, " ") {
				t.Errorf("fields %q, want %q", got, strings.Join(c.fields, " "))
			}
			if n := e.count("ace_connections"); n != 0 {
				t.Fatalf("%d connections written", n)
			}
		})
	}
	do("PUT", "/v1/partner/ace-connection", aKey, map[string]any{"auth_kind": 3}).problem(t, 400, "malformed_request")
	do("PUT", "/v1/partner/ace-connection", aKey, "auth_kind=access_keys").problem(t, 400, "malformed_request")
	r := e.do("PUT", "/v1/partner/ace-connection", aKey, []byte(`auth_kind=access_keys`), "Content-Type", "application/x-www-form-urlencoded")
	r.problem(t, 415, "unsupported_media_type")
	do("PUT", "/v1/partner/ace-connection", e.adminKey, connectBody(simURL, nil)).problem(t, 403, "forbidden")
	do("PUT", "/v1/partner/ace-connection", "", connectBody(simURL, nil)).problem(t, 401, "unauthenticated")
	if n := e.count("ace_connections"); n != 0 {
		t.Fatalf("%d connections written by refused requests", n)
	}

	// Connect: 201, the events secret once, the key as a hint only.
	r = do("PUT", "/v1/partner/ace-connection", aKey, connectBody(simURL, nil)).want(t, 201)
	conn := r.json(t)
	if conn["access_key_hint"] != "AKIA…0001" || conn["catalog"] != "Sandbox" || conn["endpoint"] != simURL ||
		conn["partner_id"] != aID || conn["events_secret"] == nil || conn["health"].(map[string]any)["status"] != "untested" {
		t.Fatalf("connection: %s", r.body)
	}
	eventsSecret := conn["events_secret"].(string)
	got := do("GET", "/v1/partner/ace-connection", aKey, nil).want(t, 200).json(t)
	if _, shown := got["events_secret"]; shown || got["id"] != conn["id"] {
		t.Fatalf("GET: %v", got)
	}

	// Test it: it works, and the health says so.
	res := do("POST", "/v1/partner/ace-connection/test", aKey, nil).want(t, 200).json(t)
	if res["ok"] != true || res["failure"] != nil || res["connection"].(map[string]any)["health"].(map[string]any)["status"] != "ok" {
		t.Fatalf("test: %v", res)
	}
	do("POST", "/v1/partner/ace-connection/test", e.adminKey, nil).problem(t, 403, "forbidden")

	// Replacing without keys keeps the keys; the id and external id stay.
	r = do("PUT", "/v1/partner/ace-connection", aKey, connectBody(simURL, map[string]any{"access_key_id": nil,
		"secret_access_key": nil, "catalog": "AWS"})).want(t, 200)
	if m := r.json(t); m["id"] != conn["id"] || m["catalog"] != "AWS" || m["access_key_hint"] != "AKIA…0001" || m["events_secret"] != nil {
		t.Fatalf("replaced: %s", r.body)
	}
	// Replacing forgets the old credentials' health.
	r = do("PUT", "/v1/partner/ace-connection", aKey, connectBody(simURL, nil)).want(t, 200)
	if h := r.json(t)["health"].(map[string]any); h["status"] != "untested" {
		t.Fatalf("health after a replace: %v", h)
	}
	do("POST", "/v1/partner/ace-connection/test", aKey, nil).want(t, 200)

	// Another partner sees none of it.
	do("GET", "/v1/partner/ace-connection", otherKey, nil).problem(t, 404, "not_found")
	do("POST", "/v1/partner/ace-connection/test", otherKey, nil).problem(t, 404, "not_found")
	do("DELETE", "/v1/partner/ace-connection", otherKey, nil).problem(t, 404, "not_found")

	// Admins see every connection's health, and partners may not.
	list := do("GET", "/v1/admin/ace-connections", e.adminKey, nil).want(t, 200).json(t)["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["partner_id"] != aID || list[0].(map[string]any)["health"].(map[string]any)["status"] != "ok" {
		t.Fatalf("admin list: %v", list)
	}
	do("GET", "/v1/admin/ace-connections", aKey, nil).problem(t, 403, "forbidden")

	// A failing test names what failed.
	for _, c := range []struct {
		name      string
		body      map[string]any
		kind, aws string
	}{
		{"unknown keys", connectBody(simURL, map[string]any{"access_key_id": "AKIAUNKNOWNKEY000001"}), "credentials", "UnrecognizedClientException"},
		{"a wrong secret", connectBody(simURL, map[string]any{"secret_access_key": "wrong+secret+00000000000000000000000000"}),
			"credentials", "InvalidSignatureException"},
		{"a catalog the identity may not use", connectBody(simURL, map[string]any{"access_key_id": limited.AccessKeyID,
			"secret_access_key": limited.SecretAccessKey}), "access_denied", "AccessDeniedException"},
		{"an endpoint that does not answer", connectBody(deadURL, nil), "unreachable", ""},
		{"a role, without CloudRoute's own AWS identity", map[string]any{"auth_kind": "assume_role",
			"role_arn": "arn:aws:iam::111122223333:role/CloudRouteACE", "endpoint": simURL}, "credentials", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			do("PUT", "/v1/partner/ace-connection", aKey, c.body).want(t, 200)
			res := do("POST", "/v1/partner/ace-connection/test", aKey, nil).want(t, 200).json(t)
			f, _ := res["failure"].(map[string]any)
			if res["ok"] != false || f == nil || f["kind"] != c.kind || (c.aws != "" && f["aws_error_code"] != c.aws) || f["message"] == "" {
				t.Fatalf("test: %v", res)
			}
			h := res["connection"].(map[string]any)["health"].(map[string]any)
			if h["status"] != "failing" || h["last_error"].(map[string]any)["kind"] != c.kind {
				t.Fatalf("health: %v", h)
			}
		})
	}
	r = do("PUT", "/v1/partner/ace-connection", aKey, map[string]any{"auth_kind": "assume_role",
		"role_arn": "arn:aws:iam::111122223333:role/CloudRouteACE"}).want(t, 200)
	if ext, _ := r.json(t)["external_id"].(string); !strings.HasPrefix(ext, "cloudroute-") {
		t.Fatalf("a role connection has no external id of CloudRoute's: %s", r.body)
	}

	// The secrets appear in no answer and, in plaintext, nowhere in the
	// database.
	secrets := []string{acesim.TestCredential.SecretAccessKey, acesim.TestCredential.AccessKeyID, limited.SecretAccessKey,
		"wrong+secret+00000000000000000000000000", eventsSecret}
	shown := 0
	for _, b := range bodies {
		noSecretIn(t, "an answer", b, secrets[:4]...)
		if strings.Contains(b, eventsSecret) {
			shown++
		}
	}
	if shown != 1 {
		t.Errorf("the events secret is in %d answers, want the one that created the connection", shown)
	}
	e.noSecretInDatabase(secrets...)
	if !strings.Contains(logs.String(), `"operation":"ListOpportunities"`) {
		t.Fatal("the calls were not logged: the log check below would prove nothing")
	}
	noSecretIn(t, "the log", logs.String(), secrets...)

	do("GET", "/v1/partner/ace-connection", e.adminKey, nil).problem(t, 403, "forbidden")
	do("DELETE", "/v1/partner/ace-connection", e.adminKey, nil).problem(t, 403, "forbidden")
	do("DELETE", "/v1/partner/ace-connection", aKey, nil).want(t, 204)
	do("GET", "/v1/partner/ace-connection", aKey, nil).problem(t, 404, "not_found")
}

// TestACEEvents: an event forwarded from the partner's EventBridge, signed
// with the connection's secret, polls the connection; anything unsigned or
// signed otherwise is refused and writes nothing.
func TestACEEvents(t *testing.T) {
	_, simURL := simulator(t, acesim.Options{})
	e := newEnv(t, allowEndpoints(simURL))
	_, aKey := e.createPartner(nil)
	_, bKey := e.createPartner(nil)
	a := e.do("PUT", "/v1/partner/ace-connection", aKey, connectBody(simURL, nil)).want(t, 201).json(t)
	b := e.do("PUT", "/v1/partner/ace-connection", bKey, connectBody(simURL, nil)).want(t, 201).json(t)
	e.runJobs()
	body := []byte(`{"source":"aws.partnercentral-selling","detail-type":"Opportunity Updated","detail":{"opportunity":{"identifier":"O5000001"}}}`)
	url := "/v1/ace-events/" + a["id"].(string)
	pings := `SELECT count(*) FROM outbox WHERE kind = 'ace_connection.pinged'`
	for _, c := range []struct {
		name, path, sig string
	}{
		{"unsigned", url, ""},
		{"signed with another connection's secret", url, aceconnect.Sign(b["events_secret"].(string), body)},
		{"a signature of another body", url, aceconnect.Sign(a["events_secret"].(string), []byte(`{}`))},
		{"garbage", url, "sha256=zz"},
		{"an unknown connection", "/v1/ace-events/00000000-0000-4000-8000-000000000000", aceconnect.Sign(a["events_secret"].(string), body)},
		{"not a connection id", "/v1/ace-events/nope", aceconnect.Sign(a["events_secret"].(string), body)},
	} {
		t.Run(c.name, func(t *testing.T) {
			hdr := []string{}
			if c.sig != "" {
				hdr = append(hdr, aceconnect.SignatureHeader, c.sig)
			}
			e.do("POST", c.path, "", body, hdr...).problem(t, 401, "unauthenticated")
			if n := e.count(pings); n != 0 {
				t.Fatalf("%d pings written", n)
			}
		})
	}
	e.do("POST", url, "", body, aceconnect.SignatureHeader, aceconnect.Sign(a["events_secret"].(string), body)).want(t, 202)
	if n := e.count(pings); n != 1 {
		t.Fatalf("%d pings, want 1", n)
	}
	if e.queued(tasks.TypeACEPull) != 3 { // the two connections saved, and the event
		t.Errorf("%d pulls queued, want 3", e.queued(tasks.TypeACEPull))
	}
	e.runJobs()
	conn := e.do("GET", "/v1/partner/ace-connection", aKey, nil).want(t, 200).json(t)
	if conn["last_poll_at"] == nil || conn["health"].(map[string]any)["status"] != "ok" {
		t.Errorf("the event did not poll the connection: %v", conn)
	}
}

// aceCase reads one record as its partner sees it.
type aceCase struct {
	e             *env
	key, recordID string
}

func (c *aceCase) record() map[string]any {
	c.e.t.Helper()
	return c.e.do("GET", "/v1/ace-records/"+c.recordID, c.key, nil).want(c.e.t, 200).json(c.e.t)
}

func (c *aceCase) sync() map[string]any {
	c.e.t.Helper()
	s, _ := c.record()["sync"].(map[string]any)
	if s == nil {
		c.e.t.Fatal("the record is not linked")
	}
	return s
}

func lastTransition(rec map[string]any) map[string]any {
	ts := rec["transitions"].([]any)
	return ts[len(ts)-1].(map[string]any)
}

// TestACELinkedRecordEndToEnd is the "done": a partner connects,
// links a record, sees ACE's validation messages before anything is sent,
// completes it, submits, and sees the record move to submitted, validated
// and launched as the simulated AWS side acts, through the poll; the
// partner cannot make AWS's moves itself; the reconciliation flags the
// launched record left unclosed, and a record closed here that ACE shows
// lost.
func TestACELinkedRecordEndToEnd(t *testing.T) {
	sim, simURL := simulator(t, acesim.Options{})
	e, logs := aceLoggedEnv(t, allowEndpoints(simURL))
	_, otherKey := e.createPartner(nil)
	_, _, _, key, asg := e.engaged(nil)
	rec := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, recordFields(map[string]any{
		"funding_source": "founders", "requested_usd": 20000, "use_case": "Needs credits."})).want(t, 201).json(t)
	id := rec["id"].(string)
	if rec["sync"] != nil {
		t.Fatalf("an unlinked record has a sync state: %v", rec["sync"])
	}
	link := "/v1/ace-records/" + id + "/ace-link"
	berlin := map[string]any{"country_code": "DE", "postal_code": "10115", "city": "Berlin"}

	// Linking needs a connection.
	e.do("POST", link, key, berlin).problem(t, 409, "conflict")
	e.do("PUT", "/v1/partner/ace-connection", key, connectBody(simURL, nil)).want(t, 201)
	e.runJobs()

	// Bad inputs, another partner, another role: refused, nothing written.
	r := e.do("POST", link, key, map[string]any{"country_code": "XX", "solution_id": "1234", "delivery_models": []string{"Fax"}})
	r.problem(t, 422, "validation_failed")
	if got := strings.Join(r.fields(t), " "); got != "country_code solution_id delivery_models[0]" {
		t.Errorf("fields %q", got)
	}
	e.do("POST", link, key, map[string]any{"postal_code": 10115}).problem(t, 400, "malformed_request")
	e.do("POST", link, otherKey, berlin).problem(t, 404, "not_found")
	e.do("POST", link, e.adminKey, berlin).problem(t, 403, "forbidden")
	e.do("POST", "/v1/ace-records/00000000-0000-4000-8000-000000000000/ace-link", key, berlin).problem(t, 404, "not_found")
	if n := e.count("ace_links"); n != 0 {
		t.Fatalf("%d links written by refused requests", n)
	}

	// Linked: ACE's rules are checked at once, and nothing is sent.
	rec = e.do("POST", link, key, berlin).want(t, 200).json(t)
	s := rec["sync"].(map[string]any)
	le, _ := s["last_error"].(map[string]any)
	if le == nil || le["code"] != "preflight_failed" || s["opportunity_id"] != nil {
		t.Fatalf("sync after linking: %v", s)
	}
	f := le["fields"].([]any)[0].(map[string]any)
	if f["field"] != "Project.CustomerBusinessProblem" || f["cloudroute_field"] != "use_case (record, else intake)" ||
		!strings.Contains(f["message"].(string), "at least 20 characters") {
		t.Fatalf("pre-flight field: %v", f)
	}
	e.runJobs()
	if n := len(sim.Opportunities()); n != 0 {
		t.Fatalf("%d opportunities in ACE; the pre-flight failed, so none", n)
	}
	c := &aceCase{e: e, recordID: id, key: key}
	if c.sync()["last_error"].(map[string]any)["code"] != "preflight_failed" {
		t.Fatal("the push forgot the pre-flight's findings")
	}

	// Completed, it is filed: one opportunity, ClientToken = the record id.
	e.do("PATCH", "/v1/ace-records/"+id, key, map[string]any{
		"use_case": strings.Repeat("Telemetry ingestion and an assistant over robot logs for maintenance crews. ", 3)}).want(t, 200)
	e.runJobs()
	opps := sim.Opportunities()
	if len(opps) != 1 || opps[0].Opportunity.PartnerOpportunityIdentifier != id || opps[0].Catalog != "Sandbox" {
		t.Fatalf("opportunities: %+v", opps)
	}
	opp := opps[0].Opportunity.Id
	s = c.sync()
	if s["opportunity_id"] != opp || s["last_error"] != nil || s["last_push_at"] == nil || s["pending"] != false {
		t.Fatalf("sync after the create: %v", s)
	}
	if addr := opps[0].Opportunity.Customer.Account.Address; addr.CountryCode != "DE" || addr.PostalCode != "10115" {
		t.Errorf("the link's address did not reach ACE: %+v", addr)
	}

	// An edit goes to ACE as an update of the whole opportunity.
	e.do("PATCH", "/v1/ace-records/"+id, key, map[string]any{"target_close_date": time.Now().AddDate(0, 5, 0).Format(time.DateOnly)}).want(t, 200)
	e.runJobs()
	o, _ := sim.Opportunity(opp)
	if o.Opportunity.LifeCycle.TargetCloseDate != time.Now().AddDate(0, 5, 0).Format(time.DateOnly) {
		t.Errorf("the edit did not reach ACE: %+v", o.Opportunity.LifeCycle)
	}

	// Submitted by the partner, the sync associates and submits in ACE.
	e.move(key, id, map[string]any{"to": "submitted"}).want(t, 200)
	e.runJobs()
	o, _ = sim.Opportunity(opp)
	if o.Opportunity.LifeCycle.ReviewStatus != pc.ReviewSubmitted || len(o.Opportunity.RelatedEntityIdentifiers.Solutions) != 1 {
		t.Fatalf("ACE after the submission: %+v %+v", o.Opportunity.LifeCycle, o.Opportunity.RelatedEntityIdentifiers)
	}
	e.poll()
	if s := c.sync(); s["review_status"] != "Submitted" || s["last_pull_at"] == nil {
		t.Fatalf("sync after the poll: %v", s)
	}

	// What AWS decides, the partner cannot.
	for _, m := range []map[string]any{{"to": "validated"}, {"to": "rejected", "reason": "We think AWS will say no."}} {
		p := e.move(key, id, m).problem(t, 409, "invalid_transition")
		if !strings.Contains(p["detail"].(string), "ACE") {
			t.Errorf("the refusal does not name ACE: %v", p)
		}
	}

	// AWS asks for action; the partner's fix goes back and ACE resubmits.
	if err := sim.RequireAction(opp, "Incomplete details", "State the go-live month."); err != nil {
		t.Fatal(err)
	}
	e.poll()
	if ar, _ := c.sync()["action_required"].(map[string]any); ar == nil || !strings.Contains(ar["comments"].(string), "go-live month") {
		t.Fatalf("action required is not shown: %v", c.sync())
	}
	if ed := strings.Join(toStrings(c.record()["editable_fields"]), " "); !strings.Contains(ed, "use_case") {
		t.Fatalf("under Action Required the fix is not editable: %s", ed)
	}
	fixed := strings.Repeat("Fleet telemetry on AWS IoT and Bedrock, live by the end of the second quarter. ", 2)
	e.do("PATCH", "/v1/ace-records/"+id, key, map[string]any{"use_case": fixed}).want(t, 200)
	e.runJobs()
	if o, _ := sim.Opportunity(opp); o.Opportunity.Project.CustomerBusinessProblem != strings.TrimSpace(fixed) {
		t.Fatalf("the fix did not reach ACE: %q", o.Opportunity.Project.CustomerBusinessProblem)
	}
	e.poll()
	if s := c.sync(); s["action_required"] != nil || s["review_status"] != "Submitted" {
		t.Fatalf("after the fix: %v", s)
	}

	// AWS approves: the poll moves the record to validated, as AWS.
	if err := sim.Approve(opp); err != nil {
		t.Fatal(err)
	}
	e.poll()
	rec = c.record()
	if rec["state"] != "validated" || lastTransition(rec)["actor_role"] != "aws" {
		t.Fatalf("after AWS approved: %s, %v", rec["state"], lastTransition(rec))
	}
	// The award is the partner's; the launch is AWS's.
	e.move(key, id, map[string]any{"to": "approved", "approved_usd": 20000}).want(t, 200)
	e.move(key, id, map[string]any{"to": "launched"}).problem(t, 409, "invalid_transition")
	if err := sim.Launch(opp); err != nil {
		t.Fatal(err)
	}
	e.poll()
	rec = c.record()
	if rec["state"] != "launched" || lastTransition(rec)["actor_role"] != "aws" {
		t.Fatalf("after AWS launched: %s, %v", rec["state"], lastTransition(rec))
	}

	// The reconciliation names the launched record once it stays unclosed
	// past the setting.
	findings := func() []any {
		return e.do("GET", "/v1/admin/reconciliation", e.adminKey, nil).want(t, 200).json(t)["ace_findings"].([]any)
	}
	if fs := findings(); len(fs) != 0 {
		t.Fatalf("findings the day it launched: %v", fs)
	}
	e.db.Clock = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	fs := findings()
	if len(fs) != 1 || fs[0].(map[string]any)["kind"] != "ace_launched_unclosed" || fs[0].(map[string]any)["ace_record_id"] != id ||
		fs[0].(map[string]any)["opportunity_id"] != opp {
		t.Fatalf("findings 31 days on: %v", fs)
	}
	m := e.do("GET", "/v1/admin/metrics", e.adminKey, nil).want(t, 200).json(t)["ace_sync"].(map[string]any)
	if m["linked_records"] != 1.0 || m["connections"] != 1.0 || m["findings"].(map[string]any)["ace_launched_unclosed"] != 1.0 {
		t.Errorf("metrics: %v", m)
	}
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"ace_launched_unclosed_days": 60}).want(t, 200)
	if fs := findings(); len(fs) != 0 {
		t.Fatalf("findings with 60 days allowed: %v", fs)
	}
	e.do("PUT", "/v1/admin/settings", e.adminKey, map[string]any{"ace_launched_unclosed_days": 30}).want(t, 200)

	// Closed here: the finding goes. If ACE then shows it lost, that is
	// named too: commission accrued on a record AWS says was lost.
	e.move(key, id, map[string]any{"to": "closed"}).want(t, 200)
	if fs := findings(); len(fs) != 0 {
		t.Fatalf("findings once closed: %v", fs)
	}
	if err := sim.CloseLost(opp, "Price"); err != nil {
		t.Fatal(err)
	}
	e.poll()
	fs = findings()
	if len(fs) != 1 || fs[0].(map[string]any)["kind"] != "closed_here_lost_in_ace" {
		t.Fatalf("findings after Closed Lost in ACE: %v", fs)
	}
	if rec := c.record(); rec["state"] != "closed" {
		t.Fatalf("a closed record moved: %s", rec["state"])
	}
	if n := len(sim.Opportunities()); n != 1 {
		t.Fatalf("%d opportunities in ACE, want 1", n)
	}
	e.noSecretInDatabase(acesim.TestCredential.SecretAccessKey)
	// The log names operations, statuses and ids; never the keys, and none
	// of the customer's data the opportunity carries.
	if !strings.Contains(logs.String(), `"operation":"StartEngagementFromOpportunityTask"`) {
		t.Fatal("the calls were not logged: the log check below would prove nothing")
	}
	noSecretIn(t, "the log", logs.String(), acesim.TestCredential.SecretAccessKey, acesim.TestCredential.AccessKeyID,
		"ada@acme-robotics", "Acme Robotics", "Grace Hopper", "Telemetry ingestion", "Fleet telemetry", "Berlin")
}

// TestACELinkRefusals: a record past identified was filed without the
// sync, and a linked record submitted must meet ACE's rules.
func TestACELinkRefusals(t *testing.T) {
	_, simURL := simulator(t, acesim.Options{})
	e := newEnv(t, allowEndpoints(simURL))
	_, _, _, key, asg := e.engaged(nil)
	e.do("PUT", "/v1/partner/ace-connection", key, connectBody(simURL, nil)).want(t, 201)
	byHand := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, recordFields(map[string]any{
		"funding_source": "build_for_startups", "requested_usd": 10000})).want(t, 201).json(t)["id"].(string)
	e.move(key, byHand, map[string]any{"to": "submitted"}).want(t, 200)
	e.do("POST", "/v1/ace-records/"+byHand+"/ace-link", key, map[string]any{"country_code": "DE", "postal_code": "10115"}).
		problem(t, 409, "conflict")

	// Linked without a postal code: CloudRoute's own rules pass, ACE's do
	// not, so the submission is refused naming ACE's field.
	id := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, recordFields(map[string]any{
		"funding_source": "founders", "requested_usd": 20000})).want(t, 201).json(t)["id"].(string)
	e.do("POST", "/v1/ace-records/"+id+"/ace-link", key, map[string]any{"country_code": "DE"}).want(t, 200)
	r := e.move(key, id, map[string]any{"to": "submitted"})
	r.problem(t, 422, "incomplete_record")
	if got := strings.Join(r.fields(t), " "); got != "Customer.Account.Address.PostalCode" {
		t.Errorf("fields %q", got)
	}
	// Given the postal code, it is submitted.
	e.do("POST", "/v1/ace-records/"+id+"/ace-link", key, map[string]any{"country_code": "DE", "postal_code": "10115"}).want(t, 200)
	e.move(key, id, map[string]any{"to": "submitted"}).want(t, 200)
}

// TestACEThrottlingDrill: Partner Central answers 429 and then 500 for a
// while, and loses the answers of creates it made; the sync catches up
// with nothing duplicated, thanks to the ClientToken. Writes are paced by
// the shared Redis limiter at Partner Central's real quota, which the
// simulator enforces.
func TestACEThrottlingDrill(t *testing.T) {
	sim, simURL := simulator(t, acesim.Options{WriteInterval: time.Second, ReadInterval: 100 * time.Millisecond})
	e := newEnv(t, allowEndpoints(simURL))
	_, _, _, key, asg := e.engaged(nil)
	e.do("PUT", "/v1/partner/ace-connection", key, connectBody(simURL, nil)).want(t, 201)
	e.runJobs()
	id := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, recordFields(map[string]any{
		"funding_source": "founders", "requested_usd": 20000})).want(t, 201).json(t)["id"].(string)

	// Two workers, one Redis: the same limiter paces both.
	conn, err := aceconnect.New(aceconnect.Options{SecretKey: testSecretKey, Endpoints: []string{simURL}, Logger: e.log,
		Limiter: pc.NewRedisLimiter(e.rdb, pc.RedisLimiterOptions{Prefix: "drill:"}),
		Retry:   pc.RetryPolicy{MaxAttempts: 3, BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	workers := []*aceconnect.Syncer{{DB: e.db, Conn: conn, Log: e.log}, {DB: e.db, Conn: conn, Log: e.log}}
	// push runs the record's push as asynq would: again after each
	// failure, on alternate workers, until it succeeds.
	push := func() (failures int, codes []string) {
		t.Helper()
		for attempt := 0; ; attempt++ {
			err := workers[attempt%2].Push(context.Background(), id)
			if err == nil {
				return
			}
			failures++
			if s, _ := e.do("GET", "/v1/ace-records/"+id, key, nil).json(t)["sync"].(map[string]any); s != nil {
				if le, _ := s["last_error"].(map[string]any); le != nil {
					codes = append(codes, le["code"].(string))
				}
			}
			if attempt > 40 {
				t.Fatalf("the push never caught up: %v", err)
			}
			time.Sleep(150 * time.Millisecond)
		}
	}

	sim.InjectFault(acesim.Fault{Status: 429, Until: time.Now().Add(1500 * time.Millisecond)})
	sim.InjectFault(acesim.Fault{Status: 500, Count: 5, AfterCommit: true, Operations: []string{"CreateOpportunity"}})
	e.do("POST", "/v1/ace-records/"+id+"/ace-link", key, map[string]any{"country_code": "DE", "postal_code": "10115"}).want(t, 200)
	failures, codes := push()
	if failures == 0 || !strings.Contains(strings.Join(codes, " "), "retrying") {
		t.Fatalf("the drill drilled nothing: %d failures, codes %v", failures, codes)
	}
	opps := sim.Opportunities()
	if len(opps) != 1 || opps[0].Opportunity.PartnerOpportunityIdentifier != id {
		t.Fatalf("%d opportunities after the drill, want exactly 1: %+v", len(opps), opps)
	}
	c := &aceCase{e: e, recordID: id, key: key}
	if s := c.sync(); s["opportunity_id"] != opps[0].Opportunity.Id || s["last_error"] != nil || s["pending"] != false {
		t.Fatalf("sync after the drill: %v", s)
	}

	// The submission through lost answers and 500s: one engagement task,
	// the opportunity submitted once.
	sim.InjectFault(acesim.Fault{Status: 500, Count: 4, AfterCommit: true, Operations: []string{"StartEngagementFromOpportunityTask"}})
	e.move(key, id, map[string]any{"to": "submitted"}).want(t, 200)
	if failures, _ := push(); failures == 0 {
		t.Error("the submission was not drilled")
	}
	o, _ := sim.Opportunity(opps[0].Opportunity.Id)
	if o.Opportunity.LifeCycle.ReviewStatus != pc.ReviewSubmitted || len(sim.Opportunities()) != 1 {
		t.Fatalf("after the drill: %+v, %d opportunities", o.Opportunity.LifeCycle, len(sim.Opportunities()))
	}
	if s := c.sync(); s["last_error"] != nil {
		t.Fatalf("an error stays after the sync caught up: %v", s)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestACEConflictIsReadAgain: the opportunity changes in ACE between the
// sync's read and its update (AWS's seller moves its stage); the update is
// refused as stale, and the sync reads it again and sends the edit on top,
// keeping what ACE changed.
func TestACEConflictIsReadAgain(t *testing.T) {
	sim := acesim.New(acesim.Options{WriteInterval: -1, ReadInterval: -1})
	var mu sync.Mutex
	opp, updates := "", 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == pc.TargetPrefix+"UpdateOpportunity" {
			mu.Lock()
			if updates++; updates == 1 {
				if err := sim.SetStage(opp, pc.StageTechnicalValidation, ""); err != nil {
					t.Error(err)
				}
			}
			mu.Unlock()
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, allowEndpoints(srv.URL))
	_, _, _, key, asg := e.engaged(nil)
	e.do("PUT", "/v1/partner/ace-connection", key, connectBody(srv.URL, nil)).want(t, 201)
	id := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, recordFields(map[string]any{
		"funding_source": "founders", "requested_usd": 20000})).want(t, 201).json(t)["id"].(string)
	e.do("POST", "/v1/ace-records/"+id+"/ace-link", key, map[string]any{"country_code": "DE", "postal_code": "10115"}).want(t, 200)
	e.runJobs()
	mu.Lock()
	opp = sim.Opportunities()[0].Opportunity.Id
	mu.Unlock()

	closeOn := time.Now().AddDate(0, 7, 0).Format(time.DateOnly)
	e.do("PATCH", "/v1/ace-records/"+id, key, map[string]any{"target_close_date": closeOn}).want(t, 200)
	e.runJobs()
	o, _ := sim.Opportunity(opp)
	if updates != 2 || o.Opportunity.LifeCycle.TargetCloseDate != closeOn || o.Opportunity.LifeCycle.Stage != pc.StageTechnicalValidation {
		t.Fatalf("%d updates; ACE holds %+v", updates, o.Opportunity.LifeCycle)
	}
	if s := (&aceCase{e: e, recordID: id, key: key}).sync(); s["last_error"] != nil || s["pending"] != false {
		t.Fatalf("sync after the conflict: %v", s)
	}
}
