package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveWithdraw is POST /status/{id}/withdraw: the intake is withdrawn, an
// open offer cancelled and an accepted partner released. The optional
// reason is held to the API's rule (domain.CheckOptionalReason). A
// refusal (a record under review with AWS) is said on the confirmation
// page, and nothing is written.
func (p *Pages) saveWithdraw(c *gin.Context) {
	in, ok := p.gate(c, http.StatusForbidden)
	if !ok {
		return
	}
	pg, err := p.withdrawPage(c, in)
	if err != nil {
		p.fail(c, err)
		return
	}
	pg.Reason = c.Request.PostFormValue("reason")
	var check domain.FieldCheck
	if !domain.CheckOptionalReason(&check, "reason", pg.Reason) {
		pg.Error = "Your reason " + check.Fields[0].Message + "."
		p.render(c, http.StatusUnprocessableEntity, "withdraw", pg)
		return
	}
	if _, err := p.db.WithdrawIntake(c.Request.Context(), in.ID, pg.Reason); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) || isUnavailable(err) || de.Code == domain.ECodeInternal {
			p.fail(c, err)
			return
		}
		pg.Problem = sentence(de.Message)
		p.render(c, http.StatusConflict, "withdraw", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, statusPath(in.ID)+"?done=withdrawn")
}
