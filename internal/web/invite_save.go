package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveInvite is POST /console/partners/{id}/invite and
// POST /console/users/invite: postgres.InviteUser, in the admin's name,
// then the page with the invitation's link (api.InvitationURL: the token
// in the fragment), shown on this answer only.
func (p *Pages) saveInvite(c *gin.Context) {
	vals := url.Values{"email": {c.Request.PostFormValue("email")}, "name": {c.Request.PostFormValue("name")}}
	pg, err := p.invitePage(c, vals)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	role := domain.RoleAdmin
	if pg.Partner.ID != "" {
		role = domain.RolePartner
	}
	u, inv, err := p.db.InviteUser(c.Request.Context(), viewerOf(c).principal(), vals.Get("email"), vals.Get("name"), role, pg.Partner.ID)
	if err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		if !pg.Form.addErrors(err, nil, "email") {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/invite", pg)
		return
	}
	pg.Link, pg.Email, pg.Expires = api.InvitationURL(c.Request, inv.Token), u.Email, inv.ExpiresAt
	pg.Form = newForm(nil, inviteLabels)
	p.render(c, http.StatusCreated, "c/invite", pg)
}
