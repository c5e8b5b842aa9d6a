package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveReroute is POST /status/{id}/reroute: "we did not connect". The
// reason is held to the API's rule (domain.CheckReason); the partner is
// released and the intake routed again, never back to it. A refusal
// (nothing accepted to release, a record under review with AWS) is said on
// the confirmation page, and nothing is written.
func (p *Pages) saveReroute(c *gin.Context) {
	in, ok := p.gate(c, http.StatusForbidden)
	if !ok {
		return
	}
	pg, err := p.reroutePage(c, in)
	if err != nil {
		p.fail(c, err)
		return
	}
	pg.Reason = c.Request.PostFormValue("reason")
	var check domain.FieldCheck
	if !domain.CheckReason(&check, "reason", pg.Reason) {
		pg.Error = "Your reason " + check.Fields[0].Message + "."
		p.render(c, http.StatusUnprocessableEntity, "reroute", pg)
		return
	}
	principal := domain.Principal{Role: domain.RoleFounder, IntakeID: in.ID}
	if _, err := p.db.ReleaseAssignment(c.Request.Context(), principal, in.ID, pg.Reason); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) || isUnavailable(err) || de.Code == domain.ECodeInternal {
			p.fail(c, err)
			return
		}
		pg.Problem = sentence(de.Message)
		p.render(c, http.StatusConflict, "reroute", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, statusPath(in.ID)+"?done=rerouted")
}
