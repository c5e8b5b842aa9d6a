package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveInvitation is POST /console/invitation: the invited person's
// password is checked by the account rules (postgres.AcceptInvitation:
// length and guessability, against their email and name), the account
// becomes active and the invitation is used up. The passwords typed are
// never shown again; the link is, so that a mistyped password can be fixed.
func (p *Pages) saveInvitation(c *gin.Context) {
	link := c.Request.PostFormValue("invitation")
	password := c.Request.PostFormValue("password")
	pg := invitationPage{shell: p.newShell(c, "Set your password"), Form: newForm(url.Values{"invitation": {link}}, invitationLabels)}
	pg.Scripts = []string{"invitation.js"}
	token := invitationToken(link)
	if token == "" {
		pg.Form.add("invitation", "is required: paste the link from your invitation")
	}
	if password == "" {
		pg.Form.add("password", "is required")
	} else if c.Request.PostFormValue("password_again") != password {
		pg.Form.set("password_again", "The two passwords differ: type the same new password twice")
	}
	if pg.Form.HasErrors() {
		p.render(c, http.StatusUnprocessableEntity, "c/invitation", pg)
		return
	}
	_, err := p.db.AcceptInvitation(c.Request.Context(), token, password)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/console/sign-in?done=password-set")
	case domain.ErrorCode(err) == domain.ECodeNotFound:
		pg.Problem = "This invitation link does not work: it was used already, has expired (links last 7 days), or a newer one replaced it. Ask your CloudRoute admin for a new link."
		p.render(c, http.StatusNotFound, "c/invitation", pg)
	case pg.Form.addErrors(err, nil, "password"):
		p.render(c, http.StatusUnprocessableEntity, "c/invitation", pg)
	default:
		p.fail(c, err)
	}
}

// invitationToken reads the token from what was pasted: the whole link
// (the part after #) or the token alone.
func invitationToken(s string) string {
	s = strings.TrimSpace(s)
	if _, after, ok := strings.Cut(s, "#"); ok {
		s = after
	}
	if len(s) > 200 {
		return ""
	}
	return s
}
