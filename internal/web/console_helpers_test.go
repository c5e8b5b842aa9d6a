package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// consolePassword passes the account rules (length and guessability).
const consolePassword = "violet-anchor-quartz-meadow-71"

var userSeq int

// user creates an active console user of role (with partnerID for a
// partner user) through storage, as an accepted invitation does, and
// returns its email.
func (e *env) user(t testing.TB, role, partnerID string) string {
	t.Helper()
	userSeq++
	email := fmt.Sprintf("%s%d@console.example.com", role, userSeq)
	ctx := context.Background()
	_, inv, err := e.db.InviteUser(ctx, domain.Principal{Role: domain.RoleAdmin}, email, "Test "+role, role, partnerID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AcceptInvitation(ctx, inv.Token, consolePassword); err != nil {
		t.Fatal(err)
	}
	return email
}

// signIn signs the browser in through the sign-in page.
func (b *browser) signIn(email string) {
	b.t.Helper()
	p := b.get("/console/sign-in")
	res := b.post("/console/sign-in", merge(formOf(b.t, p), url.Values{"email": {email}, "password": {consolePassword}}))
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: %d, want 303:\n%s", email, res.status, excerpt(res.body))
	}
}

// console is a browser signed in as a new user of role.
func (e *env) console(t testing.TB, role, partnerID string) *browser {
	t.Helper()
	b := e.browser(t)
	b.signIn(e.user(t, role, partnerID))
	return b
}

// csrf is a CSRF token of the browser, read from any console page.
func (b *browser) csrf() url.Values {
	b.t.Helper()
	return formOf(b.t, b.get("/console/password"))
}

// postForm posts a console form with the browser's CSRF token.
func (b *browser) postForm(path string, v url.Values) page {
	b.t.Helper()
	return b.post(path, merge(b.csrf(), v))
}

// mustSee fails unless the page holds every text (HTML-escaped as a page
// writes it).
func mustSee(t testing.TB, p page, texts ...string) {
	t.Helper()
	body := collapse(html.UnescapeString(p.body))
	for _, s := range texts {
		if !strings.Contains(body, collapse(s)) {
			t.Errorf("the page (status %d) lacks %q:\n%s", p.status, s, excerpt(stripTags(p.body)))
		}
	}
}

// mustNotSee fails when the page holds any of texts.
func mustNotSee(t testing.TB, p page, texts ...string) {
	t.Helper()
	body := html.UnescapeString(p.body)
	for _, s := range texts {
		if strings.Contains(body, s) {
			t.Errorf("the page shows %q", s)
		}
	}
}

var (
	spaces = regexp.MustCompile(`\s+`)
	tags   = regexp.MustCompile(`<[^>]*>`)
)

func collapse(s string) string     { return spaces.ReplaceAllString(s, " ") }
func htmlUnescape(s string) string { return html.UnescapeString(s) }
func stripTags(s string) string    { return collapse(tags.ReplaceAllString(s, " ")) }

// offer submits an intake as a founder and routes it to the only active
// partner; it returns the intake's id.
func (e *env) offer(t testing.TB, over url.Values) string {
	t.Helper()
	id := e.browser(t).submit(over)
	res, err := e.db.RouteIntake(context.Background(), id, "test")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != "offered" {
		t.Fatalf("routing: %+v", res)
	}
	return id
}

// assignmentOf is the active assignment of an intake.
func (e *env) assignmentOf(t testing.TB, intakeID string) string {
	t.Helper()
	var id string
	if err := e.sql.Get(&id, `SELECT id FROM assignments WHERE intake_id = $1 AND status IN ('offered','accepted')`, intakeID); err != nil {
		t.Fatal(err)
	}
	return id
}

// redirectsToSignIn fails unless p sends the browser to the sign-in page.
func redirectsToSignIn(t testing.TB, p page) {
	t.Helper()
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/sign-in") {
		t.Errorf("status %d, Location %q: want 303 to the sign-in page", p.status, p.header.Get("Location"))
	}
}

var _ = postgres.IntakeOffered
