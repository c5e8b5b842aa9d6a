package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// The founder's access to an intake's pages is the intake's access token,
// kept in the browser in an HttpOnly, SameSite=Strict cookie scoped to the
// intake's own path (/status/{id}), so that it reaches no other page and no
// script. It is set when the intake is submitted, or when the founder
// opens the private link (/status/{id}#<token>) in another browser: the
// fragment never reaches a server, and a small script posts it (in a form
// body, never a URL) to /status/{id}/session, which checks it and sets the
// cookie. A token is never in a URL the server sees, a log line or a
// Referer.
const (
	accessCookie = "cr_intake"
	// accessMaxAge keeps the cookie for as long as an engagement usually
	// runs, from routing to closed credits.
	accessMaxAge = 180 * 24 * time.Hour
	// newCookie marks the first view after submission, the one that shows
	// the private link; it is cleared by that view.
	newCookie = "cr_new"
	newMaxAge = 10 * time.Minute
	// maxTokenLen bounds what is looked up as a token.
	maxTokenLen = 128
)

func statusPath(id string) string { return "/status/" + id }

// canonicalID reports whether id is an intake id as the pages write it: a
// UUID in lower case with dashes. Anything else names no intake.
func canonicalID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// wellFormedToken reports whether s can be an access token at all, so that
// nothing else is looked up.
func wellFormedToken(s string) bool {
	if !strings.HasPrefix(s, postgres.FounderTokenPrefix) || len(s) > maxTokenLen {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (p *Pages) setCookie(c *gin.Context, name, value, path string, maxAge time.Duration) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: secure(c.Request), SameSite: http.SameSiteStrictMode})
}

func (p *Pages) clearCookie(c *gin.Context, name, path string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: secure(c.Request), SameSite: http.SameSiteStrictMode})
}

// grantAccess gives this browser the founder's access to intake id.
func (p *Pages) grantAccess(c *gin.Context, id, token string) {
	p.setCookie(c, accessCookie, token, statusPath(id), accessMaxAge)
}

// token returns the access token the browser holds for the requested path.
func token(c *gin.Context) (string, bool) {
	ck, err := c.Request.Cookie(accessCookie)
	if err != nil || !wellFormedToken(ck.Value) {
		return "", false
	}
	return ck.Value, true
}

// tokenOpens reports whether tok is the access token of intake id. An
// unknown token and another intake's token are alike: false.
func (p *Pages) tokenOpens(c *gin.Context, id, tok string) (bool, error) {
	got, err := p.db.IntakeByToken(c.Request.Context(), tok)
	if err != nil {
		if domain.ErrorCode(err) == domain.ECodeNotFound {
			return false, nil
		}
		return false, err
	}
	return got == id, nil
}

// access is the outcome of checking a request against the intake it names.
type access int

const (
	accessMalformed access = iota // the id is not an intake id: 404
	accessDenied                  // no access token for this intake in this browser
	accessGranted
)

// checkAccess reads :id and the browser's access cookie. An unknown intake
// and a known one without the cookie are alike (accessDenied), so that
// nothing tells whether an intake exists.
func (p *Pages) checkAccess(c *gin.Context) (string, access, error) {
	id := c.Param("id")
	if !canonicalID(id) {
		return id, accessMalformed, nil
	}
	tok, ok := token(c)
	if !ok {
		return id, accessDenied, nil
	}
	opens, err := p.tokenOpens(c, id, tok)
	if err != nil || !opens {
		return id, accessDenied, err
	}
	return id, accessGranted, nil
}

// accessPage is the page of a browser without access: it asks for the
// private link or the access token.
type accessPage struct {
	layout
	ID   string
	CSRF string
	// Error says why what was pasted did not open the intake. What was
	// pasted is never shown again.
	Error string
}

// showAccess answers a request without access: the page that asks for the
// private link. Its script finishes the job when the address carries the
// link's fragment.
func (p *Pages) showAccess(c *gin.Context, status int, id, errText string) {
	p.render(c, status, "access", accessPage{layout: layout{Title: "Open your intake", Scripts: []string{"status.js"}},
		ID: id, CSRF: p.csrfToken(c), Error: errText})
}

// gate resolves the intake of a page: 404 for an id that is not one, the
// access page (with status denied) for a browser without access, and the
// intake otherwise. ok false means the answer is written.
func (p *Pages) gate(c *gin.Context, denied int) (postgres.Intake, bool) {
	id, a, err := p.checkAccess(c)
	switch {
	case err != nil:
		p.fail(c, err)
		return postgres.Intake{}, false
	case a == accessMalformed:
		p.notFound(c)
		return postgres.Intake{}, false
	case a == accessDenied:
		p.showAccess(c, denied, id, "")
		return postgres.Intake{}, false
	}
	in, err := p.db.Intake(c.Request.Context(), id)
	switch {
	case domain.ErrorCode(err) == domain.ECodeNotFound:
		p.showAccess(c, denied, id, "")
		return postgres.Intake{}, false
	case err != nil:
		p.fail(c, err)
		return postgres.Intake{}, false
	}
	return in, true
}
