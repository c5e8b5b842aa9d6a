package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// acctUser invites a user through the admin API, accepts the invitation
// with password and signs in; it returns the user's id and the session's
// cookie and CSRF token.
func (e *env) acctUser(role, partnerID, email, password string) (id, cookie, csrf string) {
	e.t.Helper()
	body := map[string]any{"email": email, "name": "Test Person", "role": role}
	if partnerID != "" {
		body["partner_id"] = partnerID
	}
	inv := e.do("POST", "/v1/admin/users", e.adminKey, body).want(e.t, 201).json(e.t)
	link := inv["invitation_url"].(string)
	_, token, _ := strings.Cut(link, "#")
	e.do("POST", "/v1/invitations/accept", "", map[string]any{"token": token, "password": password}).want(e.t, 200)
	cookie, csrf = e.acctSignIn(email, password)
	return inv["user"].(map[string]any)["id"].(string), cookie, csrf
}

func (e *env) acctSignIn(email, password string, hdr ...string) (cookie, csrf string) {
	e.t.Helper()
	r := e.do("POST", "/v1/session", "", map[string]any{"email": email, "password": password}, hdr...).want(e.t, 201)
	return acctCookie(e.t, r), r.json(e.t)["csrf_token"].(string)
}

func acctCookie(t *testing.T, r resp) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "cr_session" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie is not HttpOnly and SameSite=Lax: %+v", c)
			}
			return "cr_session=" + c.Value
		}
	}
	t.Fatalf("no session cookie in %v", r.header)
	return ""
}

const acctPassword = "correct horse battery staple 42"

func TestAccountInvitation(t *testing.T) {
	e := newEnv(t)
	pid, pkey := e.createPartner(nil)

	t.Run("bad input writes nothing", func(t *testing.T) {
		before := e.count("users")
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"email": "not an email", "role": "admin"}, "email"},
			{map[string]any{"email": "a@b.example", "role": "owner"}, "role"},
			{map[string]any{"email": "a@b.example", "role": "partner"}, "partner_id"},
			{map[string]any{"email": "a@b.example", "role": "partner", "partner_id": "00000000-0000-0000-0000-000000000000"}, "partner_id"},
			{map[string]any{"email": "a@b.example", "role": "admin", "partner_id": pid}, "partner_id"},
			{map[string]any{"email": "a@b.example", "role": "admin", "name": "x\u0000"}, "name"},
		} {
			r := e.do("POST", "/v1/admin/users", e.adminKey, tc.body)
			r.problem(t, 422, "validation_failed")
			if f := r.fields(t); len(f) == 0 || f[0] != tc.field {
				t.Errorf("%v: fields %v, want %s", tc.body, f, tc.field)
			}
		}
		if n := e.count("users"); n != before {
			t.Errorf("%d users written by refused invitations", n-before)
		}
	})
	t.Run("roles", func(t *testing.T) {
		e.do("POST", "/v1/admin/users", "", map[string]any{"email": "x@y.example", "role": "admin"}).problem(t, 401, "unauthenticated")
		e.do("POST", "/v1/admin/users", pkey, map[string]any{"email": "x@y.example", "role": "admin"}).problem(t, 403, "forbidden")
		e.do("GET", "/v1/admin/users", pkey, nil).problem(t, 403, "forbidden")
	})
	t.Run("accept once, with a strong password", func(t *testing.T) {
		inv := e.do("POST", "/v1/admin/users", e.adminKey, map[string]any{"email": "Dana@Partner.example", "name": "Dana",
			"role": "partner", "partner_id": pid}).want(t, 201).json(t)
		link := inv["invitation_url"].(string)
		if !strings.Contains(link, "/console/invitation#") {
			t.Fatalf("invitation link %q does not carry its token in the fragment", link)
		}
		_, token, _ := strings.Cut(link, "#")
		if where := e.itkFindAtRest(token); len(where) > 0 {
			t.Errorf("the invitation token is stored in plaintext in %v", where)
		}
		for _, weak := range []string{"short", "password1234", "dana@partner.example", "qwertyuiopasdf"} {
			r := e.do("POST", "/v1/invitations/accept", "", map[string]any{"token": token, "password": weak})
			r.problem(t, 422, "validation_failed")
		}
		var status string
		e.sql.Get(&status, `SELECT status FROM users WHERE email = 'dana@partner.example'`)
		if status != "invited" {
			t.Fatalf("status %s after refused passwords, want invited", status)
		}
		u := e.do("POST", "/v1/invitations/accept", "", map[string]any{"token": token, "password": acctPassword}).want(t, 200).json(t)
		if u["status"] != "active" || u["email"] != "dana@partner.example" {
			t.Fatalf("accepted user %v", u)
		}
		var hash string
		e.sql.Get(&hash, `SELECT password_hash FROM users WHERE email = 'dana@partner.example'`)
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("password stored as %q, want an argon2id hash", hash[:min(12, len(hash))])
		}
		e.do("POST", "/v1/invitations/accept", "", map[string]any{"token": token, "password": acctPassword}).problem(t, 404, "not_found")
		e.do("POST", "/v1/admin/users", e.adminKey, map[string]any{"email": "dana@partner.example", "role": "admin"}).problem(t, 409, "conflict")
	})
	t.Run("an expired invitation", func(t *testing.T) {
		inv := e.do("POST", "/v1/admin/users", e.adminKey, map[string]any{"email": "late@partner.example", "role": "admin"}).want(t, 201).json(t)
		_, token, _ := strings.Cut(inv["invitation_url"].(string), "#")
		e.db.Clock = func() time.Time { return time.Now().UTC().Add(8 * 24 * time.Hour) }
		defer func() { e.db.Clock = func() time.Time { return time.Now().UTC() } }()
		e.do("POST", "/v1/invitations/accept", "", map[string]any{"token": token, "password": acctPassword}).problem(t, 404, "not_found")
	})
}

func TestAccountSessions(t *testing.T) {
	e := newEnv(t)
	pa, _ := e.createPartner(map[string]any{"name": "Partner A"})
	pb, _ := e.createPartner(map[string]any{"name": "Partner B"})
	_, cookieA, csrfA := e.acctUser("partner", pa, "ann@a.example", acctPassword)
	_, cookieB, _ := e.acctUser("partner", pb, "bob@b.example", acctPassword)

	t.Run("a wrong password and an unknown email answer alike", func(t *testing.T) {
		r1 := e.do("POST", "/v1/session", "", map[string]any{"email": "ann@a.example", "password": "wrong " + acctPassword})
		r2 := e.do("POST", "/v1/session", "", map[string]any{"email": "nobody@a.example", "password": acctPassword})
		p1, p2 := r1.problem(t, 401, "unauthenticated"), r2.problem(t, 401, "unauthenticated")
		if p1["detail"] != p2["detail"] {
			t.Errorf("the answers differ: %q and %q", p1["detail"], p2["detail"])
		}
	})
	t.Run("the session has its user's rights", func(t *testing.T) {
		r := e.do("GET", "/v1/session", "", nil, "Cookie", cookieA).want(t, 200).json(t)
		if r["user"].(map[string]any)["email"] != "ann@a.example" {
			t.Fatalf("session %v", r)
		}
		e.do("GET", "/v1/partner/assignments", "", nil, "Cookie", cookieA).want(t, 200)
		e.do("GET", "/v1/admin/partners", "", nil, "Cookie", cookieA).problem(t, 403, "forbidden")
		// Partner A's user gets 404 on partner B's objects, as A's key does.
		e.db.Clock = func() time.Time { return time.Now().UTC() }
		_, _, _, _, asgB := e.engaged(map[string]any{"name": "B2"})
		e.do("GET", "/v1/assignments/"+asgB, "", nil, "Cookie", cookieA).problem(t, 404, "not_found")
		e.do("GET", "/v1/assignments/"+asgB, "", nil, "Cookie", cookieB).problem(t, 404, "not_found")
	})
	t.Run("state changes need the CSRF token", func(t *testing.T) {
		before := e.count("api_keys")
		e.do("POST", "/v1/session/password", "", map[string]any{"current_password": acctPassword, "new_password": "another long phrase of words 77"},
			"Cookie", cookieA).problem(t, 403, "forbidden")
		e.do("DELETE", "/v1/session", "", nil, "Cookie", cookieA, "X-CSRF-Token", "forged").problem(t, 403, "forbidden")
		if e.count("api_keys") != before {
			t.Error("a refused request wrote")
		}
		e.do("GET", "/v1/session", "", nil, "Cookie", cookieA).want(t, 200)
		_ = csrfA
	})
	t.Run("a password change signs out the other sessions", func(t *testing.T) {
		other, _ := e.acctSignIn("ann@a.example", acctPassword)
		cookie, csrf := e.acctSignIn("ann@a.example", acctPassword)
		e.do("POST", "/v1/session/password", "", map[string]any{"current_password": "not it at all 123", "new_password": "another long phrase of words 77"},
			"Cookie", cookie, "X-CSRF-Token", csrf).problem(t, 422, "validation_failed")
		e.do("POST", "/v1/session/password", "", map[string]any{"current_password": acctPassword, "new_password": "another long phrase of words 77"},
			"Cookie", cookie, "X-CSRF-Token", csrf).want(t, 204)
		e.do("GET", "/v1/session", "", nil, "Cookie", other).problem(t, 401, "unauthenticated")
		e.do("GET", "/v1/session", "", nil, "Cookie", cookieA).problem(t, 401, "unauthenticated")
		e.do("GET", "/v1/session", "", nil, "Cookie", cookie).want(t, 200)
		e.do("POST", "/v1/session", "", map[string]any{"email": "ann@a.example", "password": acctPassword}).problem(t, 401, "unauthenticated")
		e.acctSignIn("ann@a.example", "another long phrase of words 77")
	})
	t.Run("sign-out ends the session", func(t *testing.T) {
		cookie, csrf := e.acctSignIn("bob@b.example", acctPassword)
		e.do("DELETE", "/v1/session", "", nil, "Cookie", cookie, "X-CSRF-Token", csrf).want(t, 204)
		e.do("GET", "/v1/session", "", nil, "Cookie", cookie).problem(t, 401, "unauthenticated")
		e.do("GET", "/v1/partner/assignments", "", nil, "Cookie", cookie).problem(t, 401, "unauthenticated")
	})
	t.Run("sign-in rotates the session id", func(t *testing.T) {
		old, _ := e.acctSignIn("bob@b.example", acctPassword)
		fresh, _ := e.acctSignIn("bob@b.example", acctPassword, "Cookie", old)
		if old == fresh {
			t.Fatal("the session id did not change at sign-in")
		}
		e.do("GET", "/v1/session", "", nil, "Cookie", old).problem(t, 401, "unauthenticated")
		e.do("GET", "/v1/session", "", nil, "Cookie", fresh).want(t, 200)
	})
	t.Run("an idle session ends", func(t *testing.T) {
		cookie, _ := e.acctSignIn("bob@b.example", acctPassword)
		e.db.Clock = func() time.Time { return time.Now().UTC().Add(3 * time.Hour) }
		defer func() { e.db.Clock = func() time.Time { return time.Now().UTC() } }()
		e.do("GET", "/v1/session", "", nil, "Cookie", cookie).problem(t, 401, "unauthenticated")
	})
	t.Run("a disabled user is signed out", func(t *testing.T) {
		id, cookie, _ := e.acctUser("partner", pb, "carl@b.example", acctPassword)
		e.do("POST", "/v1/admin/users/"+id+"/disable", "", nil).problem(t, 401, "unauthenticated")
		e.do("POST", "/v1/admin/users/00000000-0000-0000-0000-000000000000/disable", e.adminKey, nil).problem(t, 404, "not_found")
		e.do("POST", "/v1/admin/users/"+id+"/disable", e.adminKey, nil).want(t, 200)
		e.do("GET", "/v1/session", "", nil, "Cookie", cookie).problem(t, 401, "unauthenticated")
		e.do("POST", "/v1/session", "", map[string]any{"email": "carl@b.example", "password": acctPassword}).problem(t, 401, "unauthenticated")
	})
}

// TestAccountSignInLockout: repeated attempts on one email are refused
// with 429, whether or not the email has an account.
func TestAccountSignInLockout(t *testing.T) {
	e := newEnv(t)
	pid, _ := e.createPartner(nil)
	e.acctUser("partner", pid, "eve@p.example", acctPassword)
	for _, email := range []string{"eve@p.example", "ghost@p.example"} {
		var last resp
		for i := 0; i < 11; i++ {
			last = e.do("POST", "/v1/session", "", map[string]any{"email": email, "password": "guess number " + string(rune('a'+i)) + " xyz"})
		}
		last.problem(t, 429, "rate_limited")
		if last.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// Even the right password is refused while locked.
		if email == "eve@p.example" {
			e.do("POST", "/v1/session", "", map[string]any{"email": email, "password": acctPassword}).problem(t, 429, "rate_limited")
		}
	}
}

// TestAccountActionsAudited: a person's change names the person.
func TestAccountActionsAudited(t *testing.T) {
	e := newEnv(t)
	id, cookie, csrf := e.acctUser("admin", "", "ada@cloudroute.example", acctPassword)
	e.do("PUT", "/v1/admin/settings", "", map[string]any{"offer_ttl_hours": 36}, "Cookie", cookie, "X-CSRF-Token", csrf).want(t, 200)
	var who string
	if err := e.sql.Get(&who, `SELECT actor_user_id::text FROM settings_audit WHERE field = 'offer_ttl_hours' ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if who != id {
		t.Errorf("settings change attributed to %q, want the user %s", who, id)
	}
}
