package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveSettle is POST /console/statements/{id}/settle:
// postgres.SettleStatement, in the admin's name, holds the move and the
// reference to their rules. A refusal comes back on the confirmation page
// with the reference kept; nothing changes.
func (p *Pages) saveSettle(c *gin.Context) {
	vals := url.Values{"reference": {c.Request.PostFormValue("reference")}}
	pg, err := p.settlePage(c, vals)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	to := c.Request.PostFormValue("state")
	if _, err := p.db.SettleStatement(c.Request.Context(), viewerOf(c).principal(), pg.Statement.ID, to, vals.Get("reference")); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		if !pg.Form.addErrors(err, nil, "reference") {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/settle", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/statements?done=settled&partner_id="+url.QueryEscape(pg.Statement.PartnerID))
}
