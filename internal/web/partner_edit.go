package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// showEditPartner is GET /console/partners/{id}/edit.
func (p *Pages) showEditPartner(c *gin.Context) {
	pt, err := p.db.Partner(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/partner-form", newPartnerForm(p.newShell(c, "Edit "+pt.Name), pt, form.PartnerValues(pt)))
}

// saveEditPartner is POST /console/partners/{id}/edit: every field, through
// postgres.UpdatePartner and domain.ValidatePartnerPatch.
func (p *Pages) saveEditPartner(c *gin.Context) {
	pt, err := p.db.Partner(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	vals := c.Request.PostForm
	pg := newPartnerForm(p.newShell(c, "Edit "+pt.Name), pt, vals)
	patch, bad := form.PartnerPatch(vals)
	if len(bad) > 0 {
		pg.Form.addErrors(&domain.Error{Code: domain.ECodeValidation, Fields: bad}, nil, "name")
		p.render(c, http.StatusUnprocessableEntity, "c/partner-form", pg)
		return
	}
	if _, err := p.db.UpdatePartner(c.Request.Context(), pt.ID, patch); err != nil {
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

// savePartnerStatus is POST /console/partners/{id}/status: pause or
// unpause, a patch of the status alone.
func (p *Pages) savePartnerStatus(c *gin.Context) {
	status := c.Request.PostFormValue("status")
	pt, err := p.db.UpdatePartner(c.Request.Context(), c.Param("id"), domain.PartnerPatch{Status: &status})
	if err != nil {
		if refusal(err) {
			c.Redirect(http.StatusSeeOther, "/console/partners/"+c.Param("id"))
			return
		}
		p.consoleFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/partners/"+pt.ID+"?done="+pt.Status)
}
