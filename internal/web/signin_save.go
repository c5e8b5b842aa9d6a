package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/account"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveSignIn is POST /console/sign-in. It takes one count from the
// sign-in limits (per client IP and per email, shared with POST
// /v1/session), checks the password (postgres.SignIn, which starts a new
// session id and ends the one the browser had), sets the session cookie
// and sends the browser on. A wrong password and an unknown email get the
// same answer; the password typed is never shown again.
func (p *Pages) saveSignIn(c *gin.Context) {
	ctx := c.Request.Context()
	email := c.Request.PostFormValue("email")
	password := c.Request.PostFormValue("password")
	pg := signInPage{shell: p.newShell(c, "Sign in"), Form: newForm(url.Values{"email": {email}}, signInLabels),
		Next: safeNext(c.Request.PostFormValue("next"))}
	email = account.NormalizeEmail(email)
	if email == "" {
		pg.Form.add("email", "is required")
	}
	if password == "" {
		pg.Form.add("password", "is required")
	}
	if pg.Form.HasErrors() {
		p.render(c, http.StatusUnprocessableEntity, "c/sign-in", pg)
		return
	}
	ok, wait, err := p.signIn.Allow(ctx, c.ClientIP(), email)
	if err != nil {
		p.log.WarnContext(ctx, "rate limiter unavailable; failing open", "err", err.Error())
	}
	if !ok {
		secs := max(int((wait+time.Second-1)/time.Second), 1)
		c.Header("Retry-After", strconv.Itoa(secs))
		pg.Problem = "Too many sign-in attempts. Try again in " + strconv.Itoa(secs) + " seconds."
		p.render(c, http.StatusTooManyRequests, "c/sign-in", pg)
		return
	}
	u, token, err := p.db.SignIn(ctx, email, password, sessionToken(c))
	switch {
	case domain.ErrorCode(err) == domain.ECodeUnauthenticated:
		pg.Problem = "The email or the password is wrong."
		p.render(c, http.StatusForbidden, "c/sign-in", pg)
		return
	case err != nil:
		p.fail(c, err)
		return
	}
	api.SetSessionCookie(c, token)
	c.Redirect(http.StatusSeeOther, or(pg.Next, homeOf(u.Role)))
}
