package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestConsoleSignIn(t *testing.T) {
	e := newEnv(t, 0)
	email := e.user(t, domain.RoleAdmin, "")

	t.Run("no session: every page sends to the sign-in page, and back", func(t *testing.T) {
		b := e.browser(t)
		for _, path := range []string{"/console", "/console/intakes?status=unroutable", "/console/inbox", "/console/password"} {
			p := b.get(path)
			redirectsToSignIn(t, p)
			if got := p.header.Get("Location"); got != "/console/sign-in?next="+url.QueryEscape(path) {
				t.Errorf("%s: Location %q", path, got)
			}
		}
		p := b.get("/console/sign-in?next=" + url.QueryEscape("/console/intakes?status=unroutable"))
		mustSee(t, p, "Sign in to the console")
		res := b.post("/console/sign-in", merge(formOf(t, p), url.Values{"email": {strings.ToUpper(email)},
			"password": {consolePassword}, "next": {"/console/intakes?status=unroutable"}}))
		if res.status != 303 || res.header.Get("Location") != "/console/intakes?status=unroutable" {
			t.Fatalf("sign in: %d %q", res.status, res.header.Get("Location"))
		}
		ck := b.cookie("/console", api.SessionCookie)
		if ck == "" {
			t.Fatal("no session cookie")
		}
	})

	t.Run("next never leaves the console", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example/console", "/v1/admin/partners", "/console\\x"} {
			b := e.browser(t)
			p := b.get("/console/sign-in")
			res := b.post("/console/sign-in", merge(formOf(t, p), url.Values{"email": {email}, "password": {consolePassword}, "next": {next}}))
			if res.header.Get("Location") != "/console/intakes" {
				t.Errorf("next %q: Location %q", next, res.header.Get("Location"))
			}
		}
	})

	t.Run("wrong password and unknown email: the same answer, the email kept", func(t *testing.T) {
		var bodies []string
		for _, em := range []string{email, "nobody@console.example.com"} {
			b := e.browser(t)
			p := b.get("/console/sign-in")
			res := b.post("/console/sign-in", merge(formOf(t, p), url.Values{"email": {em}, "password": {"not the password at all"}}))
			if res.status != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", em, res.status)
			}
			mustSee(t, res, "The email or the password is wrong.", `value="`+em+`"`)
			mustNotSee(t, res, "not the password at all")
			bodies = append(bodies, strings.ReplaceAll(stripTags(res.body), em, "EMAIL"))
		}
		if bodies[0] != bodies[1] {
			t.Error("a wrong password and an unknown email read differently")
		}
	})

	t.Run("empty fields", func(t *testing.T) {
		b := e.browser(t)
		res := b.post("/console/sign-in", formOf(t, b.get("/console/sign-in")))
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%d", res.status)
		}
		mustSee(t, res, "Email is required.", "Password is required.", `href="#email"`)
	})

	t.Run("no CSRF token: refused", func(t *testing.T) {
		b := e.browser(t)
		b.get("/console/sign-in")
		res := b.post("/console/sign-in", url.Values{"email": {email}, "password": {consolePassword}})
		if res.status != http.StatusForbidden || b.cookie("/console", api.SessionCookie) != "" {
			t.Errorf("%d, cookie %q", res.status, b.cookie("/console", api.SessionCookie))
		}
		mustSee(t, res, "This form has expired")
	})

	t.Run("lockout after repeated failures, shared with the API", func(t *testing.T) {
		locked := e.user(t, domain.RoleAdmin, "")
		b := e.browser(t)
		tok := formOf(t, b.get("/console/sign-in"))
		for i := 0; i < 10; i++ {
			res := b.post("/console/sign-in", merge(tok, url.Values{"email": {locked}, "password": {"wrong password number x"}}))
			if res.status != http.StatusForbidden {
				t.Fatalf("attempt %d: %d", i+1, res.status)
			}
		}
		res := b.post("/console/sign-in", merge(tok, url.Values{"email": {locked}, "password": {consolePassword}}))
		if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
			t.Fatalf("the 11th attempt: %d, Retry-After %q", res.status, res.header.Get("Retry-After"))
		}
		mustSee(t, res, "Too many sign-in attempts. Try again in "+res.header.Get("Retry-After")+" seconds.")
		if b.cookie("/console", api.SessionCookie) != "" {
			t.Error("signed in despite the lockout")
		}
		// The API counts the same attempts.
		e.apiDo(t, "POST", "/v1/session", "", map[string]string{"email": locked, "password": consolePassword}, 429)
	})
}

func TestConsoleSessionEnds(t *testing.T) {
	e := newEnv(t, 0)
	email := e.user(t, domain.RoleAdmin, "")

	t.Run("sign-out: the old cookie opens nothing", func(t *testing.T) {
		b := e.browser(t)
		b.signIn(email)
		old := b.cookie("/console", api.SessionCookie)
		if p := b.get("/console/intakes"); p.status != 200 {
			t.Fatalf("signed in: %d", p.status)
		}
		res := b.postForm("/console/sign-out", nil)
		if res.status != 303 || res.header.Get("Location") != "/console/sign-in?done=signed-out" {
			t.Fatalf("sign out: %d %q", res.status, res.header.Get("Location"))
		}
		other := e.browser(t)
		u, _ := url.Parse(e.srv.URL)
		other.client.Jar.SetCookies(u, []*http.Cookie{{Name: api.SessionCookie, Value: old}})
		redirectsToSignIn(t, other.get("/console/intakes"))
		req, _ := http.NewRequest("GET", e.srv.URL+"/v1/session", nil)
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: old})
		if res := other.do(req); res.status != http.StatusUnauthorized {
			t.Errorf("GET /v1/session with the old cookie: %d", res.status)
		}
	})

	t.Run("password change: other sessions end, this one stays", func(t *testing.T) {
		email := e.user(t, domain.RoleAdmin, "")
		here, there := e.browser(t), e.browser(t)
		here.signIn(email)
		there.signIn(email)
		res := here.postForm("/console/password", url.Values{"current_password": {consolePassword},
			"new_password": {"copper-lantern-orchid-harbor-93"}, "new_password_again": {"copper-lantern-orchid-harbor-93"}})
		if res.status != 303 {
			t.Fatalf("change: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		mustSee(t, here.get("/console/password?done=password"), "Your password is changed")
		redirectsToSignIn(t, there.get("/console/intakes"))
	})

	t.Run("password change: messages, nothing changed", func(t *testing.T) {
		b := e.console(t, domain.RoleAdmin, "")
		res := b.postForm("/console/password", url.Values{"current_password": {"wrong"},
			"new_password": {"password123"}, "new_password_again": {"password123"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "Current password is not your current password.", "New password must be at least 12 characters.")
		res = b.postForm("/console/password", url.Values{"current_password": {consolePassword},
			"new_password": {"copper-lantern-orchid-harbor-93"}, "new_password_again": {"something else"}})
		mustSee(t, res, "The two new passwords differ")
		if p := b.get("/console/intakes"); p.status != 200 {
			t.Errorf("still signed in: %d", p.status)
		}
	})

	t.Run("CSRF missing or wrong on sign-out: refused, still signed in", func(t *testing.T) {
		b := e.console(t, domain.RoleAdmin, "")
		for _, v := range []url.Values{{}, {"csrf_token": {"forged"}}} {
			if res := b.post("/console/sign-out", v); res.status != http.StatusForbidden {
				t.Errorf("%v: %d", v, res.status)
			}
		}
		if p := b.get("/console/intakes"); p.status != 200 {
			t.Errorf("signed out anyway: %d", p.status)
		}
	})
}

func TestConsoleInvitation(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	_, inv, err := e.db.InviteUser(ctx, domain.Principal{Role: domain.RoleAdmin}, "new.admin@console.example.com", "New Admin", domain.RoleAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	p := b.get("/console/invitation")
	mustSee(t, p, "Set your password", "Invitation link")

	// Bad input: messages, the link kept, nothing written.
	link := "http://localhost/console/invitation#" + inv.Token
	res := b.post("/console/invitation", merge(formOf(t, p), url.Values{"invitation": {link}, "password": {"password"}, "password_again": {"password"}}))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("weak password: %d", res.status)
	}
	mustSee(t, res, "New password must be at least 12 characters.", `value="`+link+`"`)
	res = b.post("/console/invitation", merge(formOf(t, p), url.Values{"invitation": {link}, "password": {"passwordpassword"}, "password_again": {"passwordpassword"}}))
	mustSee(t, res, "New password is too common or too easy to guess")
	res = b.post("/console/invitation", merge(formOf(t, p), url.Values{"invitation": {"nope"}, "password": {consolePassword}, "password_again": {consolePassword}}))
	if res.status != http.StatusNotFound {
		t.Errorf("unknown invitation: %d", res.status)
	}
	mustSee(t, res, "This invitation link does not work")
	if n := e.count(t, `SELECT count(*) FROM users WHERE status = 'active' AND email = 'new.admin@console.example.com'`); n != 0 {
		t.Fatal("activated by a bad attempt")
	}
	// Without the CSRF token: refused.
	if res := b.post("/console/invitation", url.Values{"invitation": {link}, "password": {consolePassword}, "password_again": {consolePassword}}); res.status != http.StatusForbidden {
		t.Errorf("no CSRF: %d", res.status)
	}
	// The token alone works as well as the link.
	res = b.post("/console/invitation", merge(formOf(t, p), url.Values{"invitation": {inv.Token}, "password": {consolePassword}, "password_again": {consolePassword}}))
	if res.status != 303 || res.header.Get("Location") != "/console/sign-in?done=password-set" {
		t.Fatalf("accept: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(stripTags(res.body)))
	}
	mustSee(t, b.get("/console/sign-in?done=password-set"), "Your password is set.")
	b.signIn("new.admin@console.example.com")
	// Used once: the link does not work again.
	res = b.post("/console/invitation", merge(formOf(t, p), url.Values{"invitation": {link}, "password": {consolePassword}, "password_again": {consolePassword}}))
	if res.status != http.StatusNotFound {
		t.Errorf("reused invitation: %d", res.status)
	}
}
