package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// showNewPartner is GET /console/partners/new.
func (p *Pages) showNewPartner(c *gin.Context) {
	vals := url.Values{"status": {"active"}, "capacity": {"10"}}
	p.render(c, http.StatusOK, "c/partner-form", newPartnerForm(p.newShell(c, "New partner"), domain.Partner{}, vals))
}

// saveNewPartner is POST /console/partners/new: the form becomes the
// API's patch (form.PartnerPatch) and postgres.CreatePartner holds it to
// domain.ValidatePartnerPatch. On a refusal the form comes back with what
// was typed and each field's message; nothing is written.
func (p *Pages) saveNewPartner(c *gin.Context) {
	vals := c.Request.PostForm
	pg := newPartnerForm(p.newShell(c, "New partner"), domain.Partner{}, vals)
	patch, bad := form.PartnerPatch(vals)
	if len(bad) > 0 {
		pg.Form.addErrors(&domain.Error{Code: domain.ECodeValidation, Fields: bad}, nil, "name")
		p.render(c, http.StatusUnprocessableEntity, "c/partner-form", pg)
		return
	}
	pt, err := p.db.CreatePartner(c.Request.Context(), patch)
	if err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		if !pg.Form.addErrors(err, nil, "name") {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/partner-form", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/partners/"+pt.ID+"?done=partner")
}
