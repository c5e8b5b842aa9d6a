package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// invitationPage sets the password of an invited account. The invitation's
// token arrives in the link's fragment (/console/invitation#<token>),
// which never reaches a server: invitation.js moves it into the form and
// out of the address bar. Without JavaScript the person pastes the link.
type invitationPage struct {
	shell
	Form    *consoleForm
	Problem string
}

var invitationLabels = map[string]string{"invitation": "Invitation link", "password": "New password",
	"password_again": "The new password again"}

// showInvitation is GET /console/invitation.
func (p *Pages) showInvitation(c *gin.Context) {
	pg := invitationPage{shell: p.newShell(c, "Set your password"), Form: newForm(nil, invitationLabels)}
	pg.Scripts = []string{"invitation.js"}
	p.render(c, http.StatusOK, "c/invitation", pg)
}
