package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// consoleRoutes are every console route, with the ids of objects partner A
// holds filled in ({a} an assignment, {r} a record, {k} a key, {p} the
// partner, {i} the intake, {u} a user, {s} a statement).
var consoleRoutes = []struct {
	method, path, role string
}{
	{"GET", "/console", ""},
	{"POST", "/console/sign-out", ""},
	{"GET", "/console/password", ""},
	{"POST", "/console/password", ""},
	{"GET", "/console/statements", ""},
	{"GET", "/console/inbox", "partner"},
	{"GET", "/console/offers/{a}", "partner"},
	{"POST", "/console/offers/{a}/accept", "partner"},
	{"GET", "/console/offers/{a}/decline", "partner"},
	{"POST", "/console/offers/{a}/decline", "partner"},
	{"GET", "/console/engagements", "partner"},
	{"GET", "/console/engagements/{a}", "partner"},
	{"POST", "/console/engagements/{a}/records", "partner"},
	{"GET", "/console/records/{r}", "partner"},
	{"POST", "/console/records/{r}", "partner"},
	{"GET", "/console/records/{r}/move?to=withdrawn", "partner"},
	{"POST", "/console/records/{r}/move", "partner"},
	{"GET", "/console/records/{r}/brief", "partner"},
	{"GET", "/console/health", "partner"},
	{"GET", "/console/keys", "partner"},
	{"POST", "/console/keys", "partner"},
	{"GET", "/console/keys/{k}/revoke", "partner"},
	{"POST", "/console/keys/{k}/revoke", "partner"},
	{"GET", "/console/intakes", "admin"},
	{"GET", "/console/intakes/{i}", "admin"},
	{"POST", "/console/intakes/{i}/confirm", "admin"},
	{"GET", "/console/intakes/{i}/assign", "admin"},
	{"POST", "/console/intakes/{i}/assign", "admin"},
	{"GET", "/console/intakes/{i}/release", "admin"},
	{"POST", "/console/intakes/{i}/release", "admin"},
	{"GET", "/console/partners", "admin"},
	{"GET", "/console/partners/new", "admin"},
	{"POST", "/console/partners/new", "admin"},
	{"GET", "/console/partners/{p}", "admin"},
	{"GET", "/console/partners/{p}/edit", "admin"},
	{"POST", "/console/partners/{p}/edit", "admin"},
	{"POST", "/console/partners/{p}/status", "admin"},
	{"POST", "/console/partners/{p}/keys", "admin"},
	{"GET", "/console/partners/{p}/keys/{k}/revoke", "admin"},
	{"POST", "/console/partners/{p}/keys/{k}/revoke", "admin"},
	{"GET", "/console/partners/{p}/invite", "admin"},
	{"POST", "/console/partners/{p}/invite", "admin"},
	{"GET", "/console/partners/{p}/track-record", "admin"},
	{"POST", "/console/partners/{p}/track-record", "admin"},
	{"GET", "/console/partners/{p}/adjustment", "admin"},
	{"POST", "/console/partners/{p}/adjustment", "admin"},
	{"GET", "/console/users", "admin"},
	{"GET", "/console/users/invite", "admin"},
	{"POST", "/console/users/invite", "admin"},
	{"GET", "/console/users/{u}/disable", "admin"},
	{"POST", "/console/users/{u}/disable", "admin"},
	{"GET", "/console/statements/{s}/settle", "admin"},
	{"POST", "/console/statements/{s}/settle", "admin"},
	{"GET", "/console/settings", "admin"},
	{"POST", "/console/settings", "admin"},
	{"GET", "/console/routing-index", "admin"},
	{"GET", "/console/what-if", "admin"},
	{"GET", "/console/metrics", "admin"},
}

// world is two partners, A and B, each with an engaged intake, a record,
// a key, a user and a statement.
type world struct {
	ids        [2]map[string]string
	users      [2]string
	adminEmail string
	partnerA   *browser
	partnerB   *browser
	admin      *browser
}

func newWorld(t *testing.T, e *env) world {
	t.Helper()
	ctx := context.Background()
	var w world
	for i, name := range []string{"Alpha Partners", "Beta Partners"} {
		pid, key := e.createPartner(t, name, 0, 0)
		// Each partner is the only active one while its intake routes.
		id := e.browser(t).submit(nil)
		res, err := e.db.RouteIntake(ctx, id, "test")
		if err != nil || res.PartnerID != pid {
			t.Fatalf("routing to %s: %+v %v", name, res, err)
		}
		e.apiDo(t, "POST", "/v1/assignments/"+res.AssignmentID+"/accept", key, nil, 200)
		rec := e.apiDo(t, "POST", "/v1/assignments/"+res.AssignmentID+"/ace-records", key,
			map[string]any{"funding_source": "founders", "requested_usd": 20000}, 201)
		k := e.apiDo(t, "POST", "/v1/admin/partners/"+pid+"/api-keys", e.adminKey, nil, 201)
		if _, err := e.db.AddAdjustment(ctx, domain.Principal{Role: domain.RoleAdmin}, pid, 100, "test"); err != nil {
			t.Fatal(err)
		}
		var sid string
		e.sql.Get(&sid, `SELECT id FROM statements WHERE partner_id = $1`, pid)
		w.users[i] = e.user(t, domain.RolePartner, pid)
		var uid string
		e.sql.Get(&uid, `SELECT id FROM users WHERE email = $1`, w.users[i])
		w.ids[i] = map[string]string{"{a}": res.AssignmentID, "{r}": rec["id"].(string), "{k}": k["id"].(string), "{p}": pid,
			"{i}": id, "{u}": uid, "{s}": sid}
		// Pause it, so that the next intake routes to the other.
		e.apiDo(t, "PATCH", "/v1/admin/partners/"+pid, e.adminKey, map[string]any{"status": "paused"}, 200)
	}
	w.partnerA, w.partnerB = e.browser(t), e.browser(t)
	w.partnerA.signIn(w.users[0])
	w.partnerB.signIn(w.users[1])
	w.adminEmail = e.user(t, domain.RoleAdmin, "")
	w.admin = e.browser(t)
	w.admin.signIn(w.adminEmail)
	return w
}

func fill(path string, ids map[string]string) string {
	for k, v := range ids {
		path = strings.ReplaceAll(path, k, v)
	}
	return path
}

// writes counts the rows a console form could write, to show that a
// refused request wrote nothing.
func (e *env) writes(t testing.TB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT count(*) FROM partners`, `SELECT count(*) FROM partners WHERE status = 'paused'`,
		`SELECT count(*) FROM users`, `SELECT count(*) FROM users WHERE status = 'disabled'`, `SELECT count(*) FROM invitations`,
		`SELECT count(*) FROM api_keys`, `SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL`,
		`SELECT count(*) FROM assignments`, `SELECT count(*) FROM assignments WHERE status = 'accepted'`,
		`SELECT count(*) FROM ace_records`, `SELECT count(*) FROM ace_record_transitions`,
		`SELECT COALESCE(max(updated_at)::text, '') FROM ace_records`, `SELECT count(*) FROM outcomes`,
		`SELECT count(*) FROM commission_entries`, `SELECT count(*) FROM statement_events`, `SELECT count(*) FROM settings_audit`,
		`SELECT count(*) FROM routing_decisions`, `SELECT COALESCE(max(password_changed_at)::text, '') FROM users`,
	} {
		var v string
		if err := e.sql.Get(&v, q); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return strings.Join(out, ",")
}

// A form of each post route that would be taken if the request were
// allowed, so that a refusal is the guard's doing, not the form's.
var postForms = map[string]url.Values{
	"/console/password":                {"current_password": {consolePassword}, "new_password": {"copper-lantern-orchid-harbor-93"}, "new_password_again": {"copper-lantern-orchid-harbor-93"}},
	"/console/offers/{a}/decline":      {"reason": {"No capacity."}},
	"/console/engagements/{a}/records": {"funding_source": {"bedrock_poc"}, "requested_usd": {"20000"}},
	"/console/records/{r}":             {"partner_role": {"Changed."}},
	"/console/records/{r}/move":        {"to": {"withdrawn"}, "reason": {"Changed our mind."}},
	"/console/keys":                    {"label": {"x"}},
	"/console/intakes/{i}/assign":      {"partner_id": {"{p}"}, "reason": {"Because."}},
	"/console/intakes/{i}/release":     {"reason": {"Because."}},
	"/console/partners/new":            {"name": {"New"}, "tier": {"advanced"}, "regions": {"eu"}, "status": {"active"}, "contact_email": {"n@new.example"}},
	"/console/partners/{p}/edit":       {"name": {"Renamed"}, "tier": {"advanced"}, "regions": {"eu"}, "status": {"active"}, "contact_email": {"n@new.example"}},
	"/console/partners/{p}/status":     {"status": {"active"}},
	"/console/partners/{p}/invite":     {"email": {"someone@new.example"}},
	"/console/users/invite":            {"email": {"admin2@new.example"}},
	"/console/partners/{p}/adjustment": {"amount": {"10"}, "reason": {"Because."}},
	"/console/statements/{s}/settle":   {"state": {"invoiced"}, "reference": {"INV"}},
	"/console/settings":                {"routing_mode": {"review"}},
}

func TestConsoleSecurity(t *testing.T) {
	e := newEnv(t, 0)
	w := newWorld(t, e)
	a, bIDs := w.ids[0], w.ids[1]

	t.Run("no session: every route sends to sign-in, nothing written", func(t *testing.T) {
		b := e.browser(t)
		tok := formOf(t, b.get("/console/sign-in"))
		before := e.writes(t)
		for _, r := range consoleRoutes {
			path := fill(r.path, a)
			var p page
			if r.method == "GET" {
				p = b.get(path)
			} else {
				p = b.post(path, merge(tok, fillForm(postForms[r.path], a)))
			}
			if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/sign-in") {
				t.Errorf("%s %s: %d %q", r.method, path, p.status, p.header.Get("Location"))
			}
		}
		if after := e.writes(t); after != before {
			t.Errorf("written without a session:\n%s\n%s", before, after)
		}
	})

	t.Run("the wrong role: 403, nothing written", func(t *testing.T) {
		before := e.writes(t)
		for _, r := range consoleRoutes {
			var b *browser
			var ids map[string]string
			switch r.role {
			case "admin":
				b, ids = w.partnerA, a
			case "partner":
				b, ids = w.admin, a
			default:
				continue
			}
			path := fill(r.path, ids)
			var p page
			if r.method == "GET" {
				p = b.get(path)
			} else {
				p = b.postForm(path, fillForm(postForms[r.path], ids))
			}
			if p.status != http.StatusForbidden {
				t.Errorf("%s %s as the wrong role: %d", r.method, path, p.status)
			}
			mustSee(t, p, "This page is not for your account")
		}
		if after := e.writes(t); after != before {
			t.Errorf("written by the wrong role:\n%s\n%s", before, after)
		}
	})

	t.Run("partner A's user: 404 on partner B's pages and API objects", func(t *testing.T) {
		before := e.writes(t)
		for _, r := range consoleRoutes {
			if r.role != "partner" || !strings.Contains(r.path, "{") {
				continue
			}
			path := fill(r.path, bIDs)
			var p page
			if r.method == "GET" {
				p = w.partnerA.get(path)
			} else {
				p = w.partnerA.postForm(path, fillForm(postForms[r.path], bIDs))
			}
			if p.status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", r.method, path, p.status)
			}
		}
		if after := e.writes(t); after != before {
			t.Errorf("written on another partner's objects:\n%s\n%s", before, after)
		}
		// The same through the JSON API with the session's cookie.
		for _, path := range []string{"/v1/assignments/" + bIDs["{a}"], "/v1/ace-records/" + bIDs["{r}"], "/v1/ace-records/" + bIDs["{r}"] + "/pdm-brief"} {
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			if res := w.partnerA.do(req); res.status != http.StatusNotFound {
				t.Errorf("GET %s with A's session: %d", path, res.status)
			}
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/v1/ace-records/"+a["{r}"], nil)
		if res := w.partnerA.do(req); res.status != http.StatusOK {
			t.Errorf("GET its own record with A's session: %d", res.status)
		}
		// And the pages of its own objects work.
		for _, path := range []string{"/console/engagements/" + a["{a}"], "/console/records/" + a["{r}"], "/console/keys/" + a["{k}"] + "/revoke"} {
			if p := w.partnerA.get(path); p.status != 200 {
				t.Errorf("%s: %d", path, p.status)
			}
		}
	})

	t.Run("no CSRF token, or a forged one: refused, nothing written", func(t *testing.T) {
		before := e.writes(t)
		for _, r := range consoleRoutes {
			if r.method != "POST" {
				continue
			}
			b := w.admin
			if r.role == "partner" {
				b = w.partnerA
			}
			path := fill(r.path, a)
			for _, tok := range []url.Values{{}, {"csrf_token": {"forged"}}} {
				p := b.post(path, merge(tok, fillForm(postForms[r.path], a)))
				if p.status != http.StatusForbidden {
					t.Errorf("%s %s with %v: %d", r.method, path, tok, p.status)
				}
			}
			// A cross-site post is refused even with the token.
			p := b.post(path, merge(b.csrf(), fillForm(postForms[r.path], a)), "Sec-Fetch-Site", "cross-site")
			if p.status != http.StatusForbidden {
				t.Errorf("%s %s cross-site: %d", r.method, path, p.status)
			}
		}
		if after := e.writes(t); after != before {
			t.Errorf("written without the CSRF token:\n%s\n%s", before, after)
		}
		// The API refuses the session's state change without its header.
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/ace-records/"+a["{r}"]+"/transitions", strings.NewReader(`{"to":"withdrawn","reason":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		if res := w.partnerA.do(req); res.status != http.StatusForbidden {
			t.Errorf("API without X-CSRF-Token: %d", res.status)
		}
		if e.count(t, `SELECT count(*) FROM ace_records WHERE state = 'withdrawn'`) != 0 {
			t.Error("withdrawn without the token")
		}
	})

	t.Run("a record of B moved through A's console: never", func(t *testing.T) {
		p := w.partnerA.postForm("/console/records/"+bIDs["{r}"]+"/move", url.Values{"to": {ace.StateWithdrawn}, "reason": {"x y z"}})
		if p.status != http.StatusNotFound {
			t.Errorf("%d", p.status)
		}
	})

	t.Run("the session cookie is HttpOnly, SameSite=Lax, and Secure away from loopback", func(t *testing.T) {
		b := e.browser(t)
		p := b.get("/console/sign-in")
		req, _ := http.NewRequest("POST", e.srv.URL+"/console/sign-in", strings.NewReader(merge(formOf(t, p),
			url.Values{"email": {w.adminEmail}, "password": {consolePassword}}).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "console.cloudroute.example"
		for _, c := range b.client.Jar.Cookies(mustURL(e.srv.URL)) {
			req.AddCookie(c)
		}
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var found bool
		for _, c := range res.Cookies() {
			if c.Name == api.SessionCookie {
				found = true
				if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode {
					t.Errorf("session cookie %+v", c)
				}
			}
		}
		if !found {
			t.Errorf("no session cookie (status %d)", res.StatusCode)
		}
	})
}

func fillForm(v url.Values, ids map[string]string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		for _, s := range vs {
			out.Add(k, fill(s, ids))
		}
	}
	return out
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return u
}
