package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// invitePage invites a person: a partner's staff (from the partner's
// page) or an admin (from the users page). Until mail sends it, the
// answer shows the single-use link for the admin to pass on.
type invitePage struct {
	shell
	// Partner is the partner of the person invited; empty for an admin.
	Partner domain.Partner
	Form    *consoleForm
	Problem string
	// Link and Expires are the invitation just made.
	Link, Email string
	Expires     time.Time
}

var inviteLabels = map[string]string{"email": "Email", "name": "Name"}

// showInvite is GET /console/partners/{id}/invite and
// GET /console/users/invite.
func (p *Pages) showInvite(c *gin.Context) {
	pg, err := p.invitePage(c, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/invite", pg)
}

func (p *Pages) invitePage(c *gin.Context, vals url.Values) (invitePage, error) {
	pg := invitePage{shell: p.newShell(c, "Invite an admin"), Form: newForm(vals, inviteLabels)}
	if id := c.Param("id"); id != "" {
		pt, err := p.db.Partner(c.Request.Context(), id)
		if err != nil {
			return pg, err
		}
		pg.Partner = pt
		pg.Title = "Invite a user of " + pt.Name
	}
	return pg, nil
}
