package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// partnerPage is one partner for admins: its fields, responsiveness and
// pipeline health, its API keys and users, and what may be done with it.
type partnerPage struct {
	shell
	Partner        domain.Partner
	Responsiveness postgres.Responsiveness
	Health         healthView
	Keys           []postgres.APIKey
	Users          []postgres.User
	// NewKey is the secret of a key just issued, shown on this answer
	// only.
	NewKey  string
	KeyForm *consoleForm
}

// showPartner is GET /console/partners/{id}.
func (p *Pages) showPartner(c *gin.Context) {
	pg, err := p.partnerPage(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/partner", pg)
}

func (p *Pages) partnerPage(c *gin.Context) (partnerPage, error) {
	ctx := c.Request.Context()
	pt, err := p.db.Partner(ctx, c.Param("id"))
	if err != nil {
		return partnerPage{}, err
	}
	pg := partnerPage{shell: p.newShell(c, pt.Name), Partner: pt, KeyForm: newForm(nil, keyLabels)}
	if pg.Responsiveness, err = p.db.PartnerResponsiveness(ctx, pt.ID); err != nil {
		return pg, err
	}
	if pg.Health, err = p.partnerHealth(ctx, pt.ID, false); err != nil {
		return pg, err
	}
	if pg.Keys, err = p.db.PartnerKeys(ctx, pt.ID); err != nil {
		return pg, err
	}
	pg.Users, err = p.db.Users(ctx, pt.ID)
	return pg, err
}

// savePartnerKey is POST /console/partners/{id}/keys: a key for the
// partner, its secret shown once on the answer.
func (p *Pages) savePartnerKey(c *gin.Context) {
	label := c.Request.PostFormValue("label")
	_, secret, err := p.db.CreatePartnerKey(c.Request.Context(), c.Param("id"), label)
	if err != nil && !refusal(err) {
		p.consoleFail(c, err)
		return
	}
	pg, perr := p.partnerPage(c)
	if perr != nil {
		p.consoleFail(c, perr)
		return
	}
	if err != nil {
		pg.KeyForm.vals.Set("label", label)
		pg.KeyForm.addErrors(err, nil, "label")
		p.render(c, statusOf(err), "c/partner", pg)
		return
	}
	pg.NewKey = secret
	p.render(c, http.StatusCreated, "c/partner", pg)
}

// showRevokePartnerKey is GET /console/partners/{id}/keys/{key}/revoke.
func (p *Pages) showRevokePartnerKey(c *gin.Context) {
	pt, err := p.db.Partner(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	k, err := p.findKey(c, pt.ID)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	back := "/console/partners/" + pt.ID
	p.render(c, http.StatusOK, "c/revoke", revokePage{shell: p.newShell(c, "Revoke an API key"), Key: k, Partner: pt.Name,
		Action: back + "/keys/" + k.ID + "/revoke", Back: back})
}

// saveRevokePartnerKey is POST /console/partners/{id}/keys/{key}/revoke.
func (p *Pages) saveRevokePartnerKey(c *gin.Context) {
	if _, err := p.db.RevokePartnerKey(c.Request.Context(), c.Param("id"), c.Param("key")); err != nil {
		p.consoleFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/partners/"+c.Param("id")+"?done=key-revoked")
}
