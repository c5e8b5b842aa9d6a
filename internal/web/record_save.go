package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// saveRecord is POST /console/records/{id}: the fields the state lets the
// partner edit, as a patch (form.RecordPatch), through
// postgres.PatchACERecord, which holds them to ace.CheckEdit and
// ace.ValidateFields and the amount to its pool's range and the stacked
// ceiling. On a refusal the editor comes back with what was typed and each
// field's message; nothing is saved.
func (p *Pages) saveRecord(c *gin.Context) {
	r, err := p.loadRecord(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	vals := c.Request.PostForm
	pg, err := p.recordPage(c, r, vals)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	editable := make([]string, 0, len(pg.Editable))
	for f := range pg.Editable {
		editable = append(editable, f)
	}
	patch, requested, bad := form.RecordPatch(vals, editable, pg.AmountEditable)
	if len(bad) > 0 {
		pg.Form.addErrors(&domain.Error{Code: domain.ECodeValidation, Fields: bad}, recordControl, "")
		p.render(c, http.StatusUnprocessableEntity, "c/record", pg)
		return
	}
	if _, _, err := p.db.PatchACERecord(c.Request.Context(), viewerOf(c).partnerID(), r.ID, patch, requested); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		if !pg.Form.addErrors(err, recordControl, form.RequestedUSD) {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/record", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, recordHref(r.ID)+"?done=record-saved")
}
