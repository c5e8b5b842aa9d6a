package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// disablePage is the confirmation step of disabling a person's account.
type disablePage struct {
	shell
	User    postgres.User
	Partner string
	Back    string
	Problem string
}

// findUser is one user by id; not_found when there is none.
func (p *Pages) findUser(c *gin.Context) (postgres.User, error) {
	us, err := p.db.Users(c.Request.Context(), "")
	if err != nil {
		return postgres.User{}, err
	}
	for _, u := range us {
		if u.ID == c.Param("user") {
			return u, nil
		}
	}
	return postgres.User{}, domain.NotFound()
}

func (p *Pages) disablePage(c *gin.Context) (disablePage, error) {
	u, err := p.findUser(c)
	if err != nil {
		return disablePage{}, err
	}
	pg := disablePage{shell: p.newShell(c, "Disable a user"), User: u, Back: "/console/users"}
	if u.PartnerID != nil {
		pg.Back = "/console/partners/" + *u.PartnerID
		names, err := p.db.PartnerNames(c.Request.Context(), []string{*u.PartnerID})
		if err != nil {
			return pg, err
		}
		pg.Partner = names[*u.PartnerID]
	}
	if u.ID == viewerOf(c).ID {
		pg.Problem = "You cannot disable your own account."
	}
	return pg, nil
}

// showDisable is GET /console/users/{user}/disable.
func (p *Pages) showDisable(c *gin.Context) {
	pg, err := p.disablePage(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/disable", pg)
}

// saveDisable is POST /console/users/{user}/disable: postgres.DisableUser
// stops the account from signing in and ends its sessions.
func (p *Pages) saveDisable(c *gin.Context) {
	pg, err := p.disablePage(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	if _, err := p.db.DisableUser(c.Request.Context(), viewerOf(c).principal(), pg.User.ID, ""); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		pg.Problem = sentence(domain.ErrorMessage(err))
		p.render(c, statusOf(err), "c/disable", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, pg.Back+"?done=disabled")
}
