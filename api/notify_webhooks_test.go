package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// Tests of partners' webhooks: the endpoints' API, the SSRF rules when an
// endpoint is saved and when it is delivered to, and deliveries to a real
// HTTP receiver on loopback, verified as a partner's verifier would.

// insecureLoopback lets endpoints use http and loopback, as the
// development setting does: the receivers of these tests listen on
// 127.0.0.1.
func insecureLoopback(c *config.Config) { c.WebhookAllowInsecureLoopback = true }

// hookRequest is one request a receiver got.
type hookRequest struct {
	header http.Header
	body   []byte
}

// receiver is a partner's webhook endpoint on loopback. It answers the
// statuses of fail in turn, then 204.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []hookRequest
	fail []int
}

func newReceiver(t *testing.T, fail ...int) *receiver {
	t.Helper()
	r := &receiver{fail: fail}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, hookRequest{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		if n < len(r.fail) {
			w.WriteHeader(r.fail[n])
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookRequest(nil), r.got...)
}

// ofType returns the requests whose body is an event of type typ.
func (r *receiver) ofType(typ string) []hookRequest {
	var out []hookRequest
	for _, h := range r.requests() {
		var b struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(h.body, &b) == nil && b.Type == typ {
			out = append(out, h)
		}
	}
	return out
}

// verifyByHand checks a request's signature without the webhook package:
// HMAC-SHA256 under the key after whsec_, over "id.timestamp.body", as any
// Standard Webhooks library does.
func verifyByHand(secret string, h hookRequest) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.header.Get("webhook-id") + "." + h.header.Get("webhook-timestamp") + "."))
	mac.Write(h.body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.header.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

// createEndpoint adds an endpoint through the partner API and returns its
// id and secret.
func (e *env) createEndpoint(key, url string, types ...string) (string, string) {
	e.t.Helper()
	body := map[string]any{"url": url}
	if types != nil {
		body["event_types"] = types
	}
	m := e.do("POST", "/v1/partner/webhooks", key, body).want(e.t, 201).json(e.t)
	return m["id"].(string), m["secret"].(string)
}

// deliveries reads an endpoint's delivery log through the partner API.
func (e *env) deliveries(key, endpointID string) []map[string]any {
	e.t.Helper()
	var l struct {
		Items []map[string]any `json:"items"`
	}
	e.do("GET", "/v1/partner/webhooks/"+endpointID+"/deliveries?limit=200", key, nil).want(e.t, 200).decode(e.t, &l)
	return l.Items
}

func TestWebhookEndpointsAPI(t *testing.T) {
	e := newEnv(t)
	pid, key := e.createPartner(nil)
	otherID, otherKey := e.createPartner(nil)
	_, founderToken := e.submit(nil)
	const hookURL = "https://hooks.partner.test/cloudroute"

	var id, secret string
	t.Run("create", func(t *testing.T) {
		r := e.do("POST", "/v1/partner/webhooks", key, map[string]any{"url": hookURL}).want(t, 201)
		m := r.json(t)
		id, secret = m["id"].(string), m["secret"].(string)
		if _, err := webhook.ParseSecret(secret); err != nil {
			t.Fatalf("secret %q: %v", secret, err)
		}
		if m["partner_id"] != pid || m["url"] != hookURL || m["enabled"] != true || len(m["event_types"].([]any)) != 9 {
			t.Fatalf("created: %v", m)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("the answer with the secret may be cached: %q", r.header.Get("Cache-Control"))
		}
		// The secret is kept sealed, never as it is.
		if n := e.count(`SELECT count(*) FROM webhook_endpoints WHERE position(convert_to('` + secret + `', 'UTF8') in secret_sealed) > 0`); n != 0 {
			t.Fatal("the secret is stored in the clear")
		}
	})
	t.Run("read without the secret", func(t *testing.T) {
		one := e.do("GET", "/v1/partner/webhooks/"+id, key, nil).want(t, 200)
		list := e.do("GET", "/v1/partner/webhooks", key, nil).want(t, 200)
		for _, b := range [][]byte{one.body, list.body} {
			if strings.Contains(string(b), secret) || strings.Contains(string(b), `"secret"`) {
				t.Fatalf("a read shows the secret: %s", b)
			}
		}
		if items := list.json(t)["items"].([]any); len(items) != 1 {
			t.Fatalf("list: %v", items)
		}
	})
	t.Run("change", func(t *testing.T) {
		m := e.do("PATCH", "/v1/partner/webhooks/"+id, key, map[string]any{"url": "https://hooks.partner.test/v2",
			"event_types": []string{"assignment.offered", "assignment.offered", "statement.paid"}, "enabled": false}).want(t, 200).json(t)
		if m["url"] != "https://hooks.partner.test/v2" || len(m["event_types"].([]any)) != 2 || m["enabled"] != false ||
			m["disabled_reason"] != "disabled by the partner" {
			t.Fatalf("patched: %v", m)
		}
		m = e.do("PATCH", "/v1/partner/webhooks/"+id, key, map[string]any{"enabled": true}).want(t, 200).json(t)
		if m["enabled"] != true || m["disabled_reason"] != nil || m["disabled_at"] != nil {
			t.Fatalf("enabled again: %v", m)
		}
	})
	t.Run("rotate the secret", func(t *testing.T) {
		m := e.do("POST", "/v1/partner/webhooks/"+id+"/rotate-secret", key, nil).want(t, 200).json(t)
		if m["secret"] == secret || m["previous_secret_expires_at"] == nil {
			t.Fatalf("rotated: %v", m)
		}
		until, _ := time.Parse(time.RFC3339, m["previous_secret_expires_at"].(string))
		if d := until.Sub(e.db.Now()); d < 23*time.Hour || d > 25*time.Hour {
			t.Fatalf("the overlap ends in %v, want 24 h", d)
		}
		m = e.do("POST", "/v1/partner/webhooks/"+id+"/rotate-secret", key, map[string]any{"overlap_hours": 0}).want(t, 200).json(t)
		if m["previous_secret_expires_at"] != nil {
			t.Fatalf("overlap 0: %v", m)
		}
	})
	t.Run("an admin manages them too", func(t *testing.T) {
		base := "/v1/admin/partners/" + pid + "/webhooks"
		m := e.do("POST", base, e.adminKey, map[string]any{"url": "https://hooks.partner.test/admin", "event_types": []string{"statement.invoiced"}}).
			want(t, 201).json(t)
		aid := m["id"].(string)
		if m["secret"] == nil {
			t.Fatal("no secret")
		}
		if items := e.do("GET", base, e.adminKey, nil).want(t, 200).json(t)["items"].([]any); len(items) != 2 {
			t.Fatalf("admin list: %v", items)
		}
		e.do("GET", base+"/"+aid, e.adminKey, nil).want(t, 200)
		m = e.do("PATCH", base+"/"+aid, e.adminKey, map[string]any{"enabled": false}).want(t, 200).json(t)
		if m["disabled_reason"] != "disabled by a CloudRoute admin" {
			t.Fatalf("admin disabled: %v", m)
		}
		e.do("POST", base+"/"+aid+"/rotate-secret", e.adminKey, map[string]any{"overlap_hours": 1}).want(t, 200)
		if l := e.do("GET", base+"/"+aid+"/deliveries", e.adminKey, nil).want(t, 200).json(t)["items"].([]any); len(l) != 0 {
			t.Fatalf("deliveries: %v", l)
		}
		e.do("DELETE", base+"/"+aid, e.adminKey, nil).want(t, 204)
		e.do("GET", base+"/"+aid, e.adminKey, nil).problem(t, 404, "not_found")
	})

	t.Run("bad input writes nothing", func(t *testing.T) {
		snapshot := func() string {
			var s string
			e.sql.Get(&s, `SELECT COALESCE(json_agg(w ORDER BY id)::text, '') FROM webhook_endpoints w`)
			return s
		}
		before := snapshot()
		for _, c := range []struct {
			name   string
			body   any
			status int
			code   string
			fields []string
		}{
			{"no body", nil, 400, "malformed_request", nil},
			{"not JSON", "{", 400, "malformed_request", nil},
			{"url of the wrong type", map[string]any{"url": 7}, 400, "malformed_request", []string{"url"}},
			{"no url", map[string]any{"event_types": []string{"assignment.offered"}}, 422, "validation_failed", []string{"url"}},
			{"not a URL", map[string]any{"url": "hooks"}, 422, "validation_failed", []string{"url"}},
			{"ftp", map[string]any{"url": "ftp://hooks.partner.test/x"}, 422, "validation_failed", []string{"url"}},
			{"http", map[string]any{"url": "http://hooks.partner.test/x"}, 422, "validation_failed", []string{"url"}},
			{"user info", map[string]any{"url": "https://me:pw@hooks.partner.test/x"}, 422, "validation_failed", []string{"url"}},
			{"a control character", map[string]any{"url": "https://hooks.partner.test/\x1b"}, 422, "validation_failed", []string{"url"}},
			{"no event types", map[string]any{"url": hookURL, "event_types": []string{}}, 422, "validation_failed", []string{"event_types"}},
			{"an event a partner may not get", map[string]any{"url": hookURL, "event_types": []string{"assignment.offered", "intake.received"}},
				422, "validation_failed", []string{"event_types[1]"}},
			{"created disabled", map[string]any{"url": hookURL, "enabled": false}, 422, "validation_failed", []string{"enabled"}},
			{"every bad field at once", map[string]any{"url": "http://x", "event_types": []string{"nope"}}, 422, "validation_failed",
				[]string{"url", "event_types[0]"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("POST", "/v1/partner/webhooks", key, c.body)
				r.problem(t, c.status, c.code)
				if c.fields != nil {
					if got := strings.Join(r.fields(t), ","); got != strings.Join(c.fields, ",") {
						t.Fatalf("fields %s, want %v", got, c.fields)
					}
				}
			})
		}
		e.do("POST", "/v1/partner/webhooks", key, "url=x", "Content-Type", "application/x-www-form-urlencoded").problem(t, 415, "unsupported_media_type")
		e.do("PATCH", "/v1/partner/webhooks/"+id, key, map[string]any{"url": "https://10.0.0.1/"}).problem(t, 422, "validation_failed")
		e.do("PATCH", "/v1/partner/webhooks/"+id, key, map[string]any{"event_types": []string{}}).problem(t, 422, "validation_failed")
		e.do("PATCH", "/v1/partner/webhooks/"+id, key, map[string]any{"enabled": "yes"}).problem(t, 400, "malformed_request")
		for _, h := range []any{-1, 169, "24"} {
			r := e.do("POST", "/v1/partner/webhooks/"+id+"/rotate-secret", key, map[string]any{"overlap_hours": h})
			if r.status != 422 && r.status != 400 {
				t.Errorf("overlap_hours %v: %d", h, r.status)
			}
		}
		for _, q := range []string{"limit=0", "limit=201", "cursor=nope"} {
			e.do("GET", "/v1/partner/webhooks/"+id+"/deliveries?"+q, key, nil).problem(t, 422, "validation_failed")
		}
		e.do("POST", "/v1/partner/webhooks/"+id+"/deliveries/6f1c7a52-0000-4000-8000-000000000000/redeliver", key, nil).problem(t, 404, "not_found")
		if after := snapshot(); after != before {
			t.Fatalf("refused requests changed the endpoints:\n%s\n%s", before, after)
		}
	})

	t.Run("an admin's bad input writes nothing", func(t *testing.T) {
		base := "/v1/admin/partners/" + pid + "/webhooks"
		before := e.count("webhook_endpoints")
		r := e.do("POST", base, e.adminKey, map[string]any{"url": "https://10.0.0.1/hook"})
		r.problem(t, 422, "validation_failed")
		if f := r.fields(t); len(f) != 1 || f[0] != "url" {
			t.Fatalf("fields %v", f)
		}
		e.do("POST", base, e.adminKey, `{"url":`).problem(t, 400, "malformed_request")
		e.do("PATCH", base+"/"+id, e.adminKey, map[string]any{"event_types": []string{"intake.received"}}).problem(t, 422, "validation_failed")
		e.do("POST", base+"/"+id+"/rotate-secret", e.adminKey, map[string]any{"overlap_hours": 1000}).problem(t, 422, "validation_failed")
		e.do("GET", base+"/"+id+"/deliveries?limit=0", e.adminKey, nil).problem(t, 422, "validation_failed")
		if n := e.count("webhook_endpoints"); n != before {
			t.Fatalf("refused admin requests wrote %d endpoints", n-before)
		}
	})
	t.Run("roles", func(t *testing.T) {
		for _, c := range []struct {
			name, method, path, key string
			status                  int
			code                    string
		}{
			{"no key", "GET", "/v1/partner/webhooks", "", 401, "unauthenticated"},
			{"an admin on the partner's routes", "GET", "/v1/partner/webhooks", e.adminKey, 403, "forbidden"},
			{"a founder", "POST", "/v1/partner/webhooks", founderToken, 403, "forbidden"},
			{"a partner on the admin's routes", "GET", "/v1/admin/partners/" + pid + "/webhooks", key, 403, "forbidden"},
			{"a partner creating for another", "POST", "/v1/admin/partners/" + otherID + "/webhooks", key, 403, "forbidden"},
			{"no key on the admin's routes", "DELETE", "/v1/admin/partners/" + pid + "/webhooks/" + id, "", 401, "unauthenticated"},
		} {
			t.Run(c.name, func(t *testing.T) {
				var body any
				if c.method == "POST" {
					body = map[string]any{"url": hookURL}
				}
				e.do(c.method, c.path, c.key, body).problem(t, c.status, c.code)
			})
		}
	})

	t.Run("another partner's endpoint is 404", func(t *testing.T) {
		one := "/v1/partner/webhooks/" + id
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", one, nil},
			{"PATCH", one, map[string]any{"enabled": false}},
			{"DELETE", one, nil},
			{"POST", one + "/rotate-secret", nil},
			{"GET", one + "/deliveries", nil},
			{"POST", one + "/deliveries/6f1c7a52-0000-4000-8000-000000000000/redeliver", nil},
		} {
			e.do(c.method, c.path, otherKey, c.body).problem(t, 404, "not_found")
		}
		if items := e.do("GET", "/v1/partner/webhooks", otherKey, nil).want(t, 200).json(t)["items"].([]any); len(items) != 0 {
			t.Fatalf("another partner lists %v", items)
		}
		// Under the admin routes, an endpoint of another partner than the path's.
		e.do("GET", "/v1/admin/partners/"+otherID+"/webhooks/"+id, e.adminKey, nil).problem(t, 404, "not_found")
		e.do("GET", "/v1/admin/partners/6f1c7a52-0000-4000-8000-000000000000/webhooks", e.adminKey, nil).problem(t, 404, "not_found")
		e.do("POST", "/v1/admin/partners/nope/webhooks", e.adminKey, map[string]any{"url": hookURL}).problem(t, 404, "not_found")
		var enabled bool
		e.sql.Get(&enabled, `SELECT enabled FROM webhook_endpoints WHERE id = $1`, id)
		if !enabled {
			t.Fatal("another partner's PATCH disabled the endpoint")
		}
	})

	t.Run("at most 10 per partner", func(t *testing.T) {
		for i := e.count(`SELECT count(*) FROM webhook_endpoints WHERE partner_id = '` + pid + `'`); i < postgres.MaxWebhookEndpoints; i++ {
			e.createEndpoint(key, fmt.Sprintf("https://hooks.partner.test/%d", i))
		}
		e.do("POST", "/v1/partner/webhooks", key, map[string]any{"url": hookURL}).problem(t, 409, "conflict")
	})

	t.Run("delete", func(t *testing.T) {
		e.do("DELETE", "/v1/partner/webhooks/"+id, key, nil).want(t, 204)
		e.do("GET", "/v1/partner/webhooks/"+id, key, nil).problem(t, 404, "not_found")
		e.do("DELETE", "/v1/partner/webhooks/"+id, key, nil).problem(t, 404, "not_found")
	})
}

// TestWebhookSSRFWhenSaved: an endpoint that is, or resolves to, an
// address deliveries may not reach is refused by name (422 on url), and
// the development setting allows http and loopback but nothing else.
func TestWebhookSSRFWhenSaved(t *testing.T) {
	e := newEnv(t)
	_, key := e.createPartner(nil)
	for _, u := range []string{
		"http://127.0.0.1/hook",
		"https://127.0.0.1/hook",
		"https://10.0.0.1/hook",
		"https://[::1]/hook",
		"https://[::ffff:10.0.0.1]/hook",
		"https://169.254.169.254/latest/meta-data",
		"https://192.168.0.10:8443/hook",
		"https://localhost/hook",     // a real name of the system's resolver, resolving to loopback
		"https://internal.test/hook", // a name resolving to a private address
		"https://metadata.test/hook", // ... to the metadata address
		"https://mixed.test/hook",    // one private address among public ones
		"https://no-such-host.invalid/hook",
	} {
		t.Run(u, func(t *testing.T) {
			r := e.do("POST", "/v1/partner/webhooks", key, map[string]any{"url": u})
			r.problem(t, 422, "validation_failed")
			if f := r.fields(t); len(f) != 1 || f[0] != "url" {
				t.Fatalf("fields %v, want url", f)
			}
		})
	}
	if n := e.count("webhook_endpoints"); n != 0 {
		t.Fatalf("%d endpoints saved", n)
	}

	dev := newEnv(t, insecureLoopback)
	_, devKey := dev.createPartner(nil)
	dev.createEndpoint(devKey, "http://127.0.0.1:8099/hook")
	dev.createEndpoint(devKey, "http://localhost:8099/hook")
	for _, u := range []string{"http://10.0.0.1/hook", "https://internal.test/hook", "http://169.254.169.254/"} {
		dev.do("POST", "/v1/partner/webhooks", devKey, map[string]any{"url": u}).problem(t, 422, "validation_failed")
	}
}

// TestWebhookDeliveredAndVerified is the "done" for webhooks: the
// partner's endpoint receives the signed assignment.offered and, after
// acceptance, assignment.accepted, each verifying with the Standard
// Webhooks scheme (the webhook package and an HMAC by hand); the offer
// names no one, the acceptance names the customer.
func TestWebhookDeliveredAndVerified(t *testing.T) {
	e := newEnv(t, insecureLoopback)
	rcv := newReceiver(t)
	pid, key := e.createPartner(nil)
	e.sql.MustExec(`UPDATE partners SET status = 'paused' WHERE id <> $1`, pid)
	hook, secret := e.createEndpoint(key, rcv.URL+"/hooks")
	e.startWorker()
	intakeID, _ := e.submit(nil)
	e.waitFor("the assignment.offered webhook", 15*time.Second, func() bool { return len(rcv.ofType("assignment.offered")) == 1 })
	sec, _ := webhook.ParseSecret(secret)

	offered := rcv.ofType("assignment.offered")[0]
	if err := webhook.Verify(offered.header, offered.body, time.Now(), sec); err != nil {
		t.Fatalf("webhook.Verify: %v", err)
	}
	if !verifyByHand(secret, offered) {
		t.Fatal("the signature does not verify by hand")
	}
	var body struct {
		Type      string         `json:"type"`
		Timestamp string         `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
	json.Unmarshal(offered.body, &body)
	var asg, domainName string
	e.sql.Get(&asg, `SELECT id FROM assignments WHERE intake_id = $1`, intakeID)
	e.sql.Get(&domainName, `SELECT customer_domain FROM intakes WHERE id = $1`, intakeID)
	if body.Data["assignment_id"] != asg || body.Data["intake_id"] != intakeID || body.Data["expires_at"] == nil ||
		body.Data["axes"].(map[string]any)["region"] != "eu" {
		t.Fatalf("offered data: %v", body.Data)
	}
	for _, secret := range []string{"Ada", "Grace", "acme", "Acme", domainName, "@"} {
		if strings.Contains(string(offered.body), secret) {
			t.Errorf("the offer's webhook carries %q before acceptance: %s", secret, offered.body)
		}
	}
	if offered.header.Get("Content-Type") != "application/json" || offered.header.Get("User-Agent") != webhook.DefaultUserAgent {
		t.Errorf("headers: %v", offered.header)
	}

	e.do("POST", "/v1/assignments/"+asg+"/accept", key, nil).want(t, 200)
	e.waitFor("the assignment.accepted webhook", 15*time.Second, func() bool { return len(rcv.ofType("assignment.accepted")) == 1 })
	accepted := rcv.ofType("assignment.accepted")[0]
	if !verifyByHand(secret, accepted) {
		t.Fatal("assignment.accepted does not verify")
	}
	json.Unmarshal(accepted.body, &body)
	cust, _ := body.Data["customer"].(map[string]any)
	if cust == nil || cust["customer_domain"] != domainName || cust["business_contact"].(map[string]any)["email"] != "grace@acme-robotics.example.com" {
		t.Fatalf("accepted data: %v", body.Data)
	}

	// The log shows each delivery once. The receiver has the body before
	// the worker writes its log row, so wait for the row.
	var log []map[string]any
	e.waitFor("both deliveries in the log", 15*time.Second, func() bool { log = e.deliveries(key, hook); return len(log) == 2 })
	if len(log) != 2 || log[0]["delivered"] != true || log[0]["status_code"] != 204.0 || log[0]["attempt"] != 1.0 {
		t.Fatalf("delivery log: %v", log)
	}
	if offered.header.Get("webhook-id") != log[1]["event_id"] {
		t.Fatalf("webhook-id %q, logged event %v", offered.header.Get("webhook-id"), log[1]["event_id"])
	}
}

// TestWebhookRetriedThenDeliveredOnce: a receiver that fails three times
// and then succeeds gets the same event four times, with the same id and
// body; the log has one row per attempt and one delivery; the task run
// again sends nothing; a manual redelivery sends it once more, logged as
// manual.
func TestWebhookRetriedThenDeliveredOnce(t *testing.T) {
	e := newEnv(t, insecureLoopback)
	rcv := newReceiver(t, 500, 503, 500)
	pid, key := e.createPartner(nil)
	e.sql.MustExec(`UPDATE partners SET status = 'paused' WHERE id <> $1`, pid)
	hook, secret := e.createEndpoint(key, rcv.URL, "assignment.offered")
	e.startWorker()
	e.submit(nil)
	e.waitFor("the fourth attempt", 20*time.Second, func() bool { return len(rcv.requests()) == 4 })
	e.waitFor("the fourth attempt's log row", 5*time.Second, func() bool { return len(e.deliveries(key, hook)) == 4 })
	time.Sleep(300 * time.Millisecond) // room for a fifth attempt, which must not come

	got := rcv.requests()
	if len(got) != 4 {
		t.Fatalf("%d requests, want 4", len(got))
	}
	for _, r := range got {
		if r.header.Get("webhook-id") != got[0].header.Get("webhook-id") || string(r.body) != string(got[0].body) {
			t.Fatal("the attempts differ in id or body")
		}
		if !verifyByHand(secret, r) {
			t.Fatal("an attempt does not verify")
		}
	}
	log := e.deliveries(key, hook)
	for i, row := range log {
		attempt := 4 - i // newest first
		wantDelivered := attempt == 4
		if row["attempt"] != float64(attempt) || row["delivered"] != wantDelivered || row["manual"] != false {
			t.Fatalf("log row %d: %v", i, row)
		}
		if !wantDelivered && (row["error_class"] != "http_status" || row["status_code"] == nil) {
			t.Fatalf("failed attempt %d: %v", attempt, row)
		}
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries WHERE delivered`); n != 1 {
		t.Fatalf("%d deliveries marked delivered, want 1", n)
	}

	// The delivery task, run again (asynq delivers at least once): nothing.
	eventID := log[0]["event_id"].(string)
	if err := e.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: eventID, EndpointID: hook}); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.requests()); n != 4 {
		t.Fatalf("the task run again sent again: %d requests", n)
	}

	// A manual redelivery sends it once more.
	r := e.do("POST", "/v1/partner/webhooks/"+hook+"/deliveries/"+log[0]["id"].(string)+"/redeliver", key, nil).want(t, 202).json(t)
	if r["event_id"] != eventID || r["endpoint_id"] != hook {
		t.Fatalf("redeliver: %v", r)
	}
	e.waitFor("the redelivery", 15*time.Second, func() bool { return len(rcv.requests()) == 5 })
	e.waitFor("the redelivery's log row", 5*time.Second, func() bool { return len(e.deliveries(key, hook)) == 5 })
	if last := rcv.requests()[4]; last.header.Get("webhook-id") != eventID || string(last.body) != string(got[0].body) {
		t.Fatalf("the redelivery differs: %s %s", last.header.Get("webhook-id"), last.body)
	}
	if row := e.deliveries(key, hook)[0]; row["manual"] != true || row["attempt"] != 5.0 || row["delivered"] != true {
		t.Fatalf("redelivery row: %v", row)
	}
	// An admin may redeliver too.
	e.do("POST", "/v1/admin/partners/"+pid+"/webhooks/"+hook+"/deliveries/"+log[0]["id"].(string)+"/redeliver", e.adminKey, nil).want(t, 202)
	e.waitFor("the admin's redelivery", 15*time.Second, func() bool { return len(rcv.requests()) == 6 })
}

// offeredEvent makes an offer to a partner with an endpoint and runs the
// jobs (no worker), so that its webhook body is kept and its delivery
// task may be run by hand. It returns the event id.
func (e *env) offeredEvent(partnerID string) string {
	e.t.Helper()
	e.sql.MustExec(`UPDATE partners SET status = CASE WHEN id = $1 THEN 'active' ELSE 'paused' END`, partnerID)
	e.submit(nil)
	e.runJobs()
	var id string
	if err := e.sql.Get(&id, `SELECT event_id FROM webhook_messages WHERE event_type = 'assignment.offered' ORDER BY created_at DESC LIMIT 1`); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// TestWebhookSSRFWhenDelivered: the rules hold at connect time, whatever
// the URL looked like when it was saved: a name that now resolves inside,
// a loopback URL saved under the development setting, and a redirect,
// which is not followed.
func TestWebhookSSRFWhenDelivered(t *testing.T) {
	e := newEnv(t)
	pid, key := e.createPartner(nil)
	rebind, _ := e.createEndpoint(key, "https://rebind.partner.test/hook")
	// A loopback URL in the table, as if saved under the development
	// setting: storage takes what the API checked.
	loop, err := e.db.CreateWebhookEndpoint(t.Context(), domain.Principal{Role: domain.RoleAdmin}, pid,
		postgres.NewWebhookEndpoint{URL: "https://127.0.0.1:9/hook", EventTypes: []string{"assignment.offered"},
			Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
	if err != nil {
		t.Fatal(err)
	}
	ev := e.offeredEvent(pid)
	for _, ep := range []string{rebind, loop.ID} {
		if err := e.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: ev, EndpointID: ep}); err == nil {
			t.Fatalf("a delivery to %s succeeded", ep)
		}
		log := e.deliveries(key, ep)
		if len(log) != 1 || log[0]["error_class"] != "forbidden_address" || log[0]["status_code"] != nil {
			t.Fatalf("log of %s: %v", ep, log)
		}
	}

	// A redirect is a failure, and its target is never asked.
	dev := newEnv(t, insecureLoopback)
	target := newReceiver(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	dpid, dkey := dev.createPartner(nil)
	hook, _ := dev.createEndpoint(dkey, redirect.URL)
	dev.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: dev.offeredEvent(dpid), EndpointID: hook})
	log := dev.deliveries(dkey, hook)
	if len(log) != 1 || log[0]["error_class"] != "redirect" || log[0]["status_code"] != 302.0 {
		t.Fatalf("redirect log: %v", log)
	}
	if n := len(target.requests()); n != 0 {
		t.Fatalf("the redirect was followed: %d requests", n)
	}
}

// TestWebhookDisabledAfterThreeDays: an endpoint whose deliveries fail for
// 3 days without a success is disabled and the partner is mailed; one that
// answers 410 at once; enabling it again starts afresh. During a secret
// rotation both secrets sign.
func TestWebhookDisabledAfterThreeDays(t *testing.T) {
	e := newEnv(t, insecureLoopback)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.at(start)
	rcv := newReceiver(t, 503, 503, 503, 503, 503, 503)
	pid, key := e.createPartner(nil)
	hook, _ := e.createEndpoint(key, rcv.URL)
	ev := e.offeredEvent(pid)
	deliver := func(at time.Duration) {
		t.Helper()
		e.at(start.Add(at))
		e.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: ev, EndpointID: hook})
	}
	enabled := func() bool {
		return e.do("GET", "/v1/partner/webhooks/"+hook, key, nil).want(t, 200).json(t)["enabled"] == true
	}
	for _, at := range []time.Duration{0, time.Hour, 30 * time.Hour, 71 * time.Hour} {
		deliver(at)
		if !enabled() {
			t.Fatalf("disabled after failures spanning %v", at)
		}
	}
	deliver(72 * time.Hour)
	m := e.do("GET", "/v1/partner/webhooks/"+hook, key, nil).want(t, 200).json(t)
	if m["enabled"] != false || !strings.Contains(m["disabled_reason"].(string), "without a success") {
		t.Fatalf("after 3 days of failures: %v", m)
	}
	e.runJobs()
	ms := e.mails("partner.webhook_disabled")
	if len(ms) != 1 || !strings.Contains(ms[0].Text, rcv.URL) {
		t.Fatalf("disabled mails: %+v", recipients(ms))
	}
	// Disabled: nothing is sent, and a redelivery must wait.
	n := len(rcv.requests())
	deliver(73 * time.Hour)
	if len(rcv.requests()) != n {
		t.Fatal("a disabled endpoint got a delivery")
	}
	row := e.deliveries(key, hook)[0]["id"].(string)
	e.do("POST", "/v1/partner/webhooks/"+hook+"/deliveries/"+row+"/redeliver", key, nil).problem(t, 409, "conflict")

	// Enabled again, its failure count starts afresh; the receiver is back.
	e.do("PATCH", "/v1/partner/webhooks/"+hook, key, map[string]any{"enabled": true}).want(t, 200)
	rotated := e.do("POST", "/v1/partner/webhooks/"+hook+"/rotate-secret", key, map[string]any{"overlap_hours": 24}).want(t, 200).json(t)
	deliver(74 * time.Hour)
	deliver(75 * time.Hour)
	if !enabled() {
		t.Fatal("disabled again right after being enabled")
	}
	last := rcv.requests()[len(rcv.requests())-1]
	if sigs := strings.Fields(last.header.Get("webhook-signature")); len(sigs) != 2 {
		t.Fatalf("during the overlap, %d signatures, want 2", len(sigs))
	}
	if !verifyByHand(rotated["secret"].(string), last) {
		t.Fatal("the new secret does not verify during the overlap")
	}

	// A 410 disables at once.
	gone := newReceiver(t, http.StatusGone)
	hook2, _ := e.createEndpoint(key, gone.URL)
	e.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: ev, EndpointID: hook2})
	if m := e.do("GET", "/v1/partner/webhooks/"+hook2, key, nil).want(t, 200).json(t); m["enabled"] != false ||
		m["disabled_reason"] != "the receiver answered 410 Gone" {
		t.Fatalf("after a 410: %v", m)
	}
}

// TestNotifyPipelineFlags: the daily scan writes one pipeline.flags_raised
// per partner (not one per flag, and none when it raised nothing), which
// reaches the partner's webhook; the partner's staff get the weekly digest
// once.
func TestNotifyPipelineFlags(t *testing.T) {
	e := newEnv(t, insecureLoopback)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.at(start)
	_, _, pid, key, asg := e.engaged(nil)
	rcv := newReceiver(t)
	hook, secret := e.createEndpoint(key, rcv.URL, "pipeline.flags_raised")
	// Accepted, and nothing filed in 5 business days: follow_up_overdue.
	e.at(start.Add(9 * 24 * time.Hour))
	e.scan()
	e.scan()
	var payloads []string
	e.sql.Select(&payloads, `SELECT payload::text FROM outbox WHERE kind = 'pipeline.flags_raised'`)
	if len(payloads) != 1 || !strings.Contains(payloads[0], `"flag": "follow_up_overdue"`) || !strings.Contains(payloads[0], asg) ||
		!strings.Contains(payloads[0], pid) {
		t.Fatalf("flags_raised events: %v", payloads)
	}
	e.runJobs()
	var ev string
	e.sql.Get(&ev, `SELECT event_id FROM webhook_messages WHERE event_type = 'pipeline.flags_raised'`)
	if err := e.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: ev, EndpointID: hook}); err != nil {
		t.Fatal(err)
	}
	got := rcv.ofType("pipeline.flags_raised")
	if len(got) != 1 || !verifyByHand(secret, got[0]) || !strings.Contains(string(got[0].body), `"open_flags":1`) {
		t.Fatalf("flags webhook: %d requests", len(got))
	}

	for i := 0; i < 2; i++ {
		if err := e.runTask(tasks.TypeHygieneDigest, tasks.Periodic{}); err != nil {
			t.Fatal(err)
		}
	}
	ms := e.mails("partner.hygiene_digest")
	if len(ms) != 1 || ms[0].ListUnsubscribe == nil || !strings.Contains(ms[0].Text, "Acme Robotics") ||
		!strings.Contains(ms[0].Subject, "1 record needs attention") {
		t.Fatalf("weekly digests: %+v", ms)
	}
}

// TestWebhookSecretUnderAnotherKey: a secret sealed under another
// CLOUDROUTE_SECRET_KEY (a process started without the deployment's key)
// does not open; the delivery log says so, nothing is sent unsigned, and
// rotating the secret mends it.
func TestWebhookSecretUnderAnotherKey(t *testing.T) {
	e := newEnv(t, insecureLoopback)
	rcv := newReceiver(t)
	pid, key := e.createPartner(nil)
	hook, _ := e.createEndpoint(key, rcv.URL)
	ev := e.offeredEvent(pid)
	if err := e.db.SetSecretKey([]byte(strings.Repeat("z", 32))); err != nil {
		t.Fatal(err)
	}
	if err := e.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: ev, EndpointID: hook}); err == nil {
		t.Fatal("a delivery without a readable secret succeeded")
	}
	if log := e.deliveries(key, hook); len(log) != 1 || log[0]["error_class"] != "no_secret" || len(rcv.requests()) != 0 {
		t.Fatalf("log %v, %d requests", log, len(rcv.requests()))
	}
	rotated := e.do("POST", "/v1/partner/webhooks/"+hook+"/rotate-secret", key, nil).want(t, 200).json(t)
	if err := e.runTask(tasks.TypeDeliverWebhook, tasks.DeliverWebhook{EventID: ev, EndpointID: hook}); err != nil {
		t.Fatal(err)
	}
	if got := rcv.requests(); len(got) != 1 || !verifyByHand(rotated["secret"].(string), got[0]) {
		t.Fatalf("after the rotation: %d requests", len(got))
	}
}
