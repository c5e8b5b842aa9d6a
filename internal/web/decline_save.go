package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveDecline is POST /console/offers/{id}/decline: the reason is held to
// the API's rule (domain.CheckReason), then postgres.DeclineAssignment
// records it and CloudRoute routes the intake to another partner. On a
// problem the confirmation page comes back with the reason kept, and
// nothing is written.
func (p *Pages) saveDecline(c *gin.Context) {
	v := viewerOf(c)
	ctx := c.Request.Context()
	o, err := p.partnerOffer(ctx, v.partnerID(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	reason := c.Request.PostFormValue("reason")
	pg := declinePage{shell: p.newShell(c, "Decline the offer"), Offer: o, Form: newForm(url.Values{"reason": {reason}}, declineLabels)}
	var check domain.FieldCheck
	if !domain.CheckReason(&check, "reason", reason) {
		pg.Form.addErrors(check.Err(domain.ECodeValidation, ""), nil, "reason")
		p.render(c, http.StatusUnprocessableEntity, "c/decline", pg)
		return
	}
	if _, err := p.db.DeclineAssignment(ctx, v.partnerID(), o.ID, reason); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		pg.Problem = sentence(domain.ErrorMessage(err))
		p.render(c, statusOf(err), "c/decline", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/inbox?done=declined")
}
