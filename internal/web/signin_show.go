package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// signInPage is the console's sign-in form.
type signInPage struct {
	shell
	Form *consoleForm
	// Next is the console page to go to after signing in.
	Next    string
	Problem string
}

var signInLabels = map[string]string{"email": "Email", "password": "Password"}

// showSignIn is GET /console/sign-in. A browser with a live session goes
// straight on to its page.
func (p *Pages) showSignIn(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if tok := sessionToken(c); tok != "" {
		if u, err := p.db.Session(c.Request.Context(), tok); err == nil {
			c.Redirect(http.StatusSeeOther, or(next, homeOf(u.Role)))
			return
		}
	}
	p.render(c, http.StatusOK, "c/sign-in", signInPage{shell: p.newShell(c, "Sign in"), Form: newForm(nil, signInLabels), Next: next})
}

// or is a, or b when a is empty.
func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
