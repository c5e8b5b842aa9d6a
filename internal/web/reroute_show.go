package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// showReroute is GET /status/{id}/reroute: the confirmation step of "we
// did not connect", which asks for the reason.
func (p *Pages) showReroute(c *gin.Context) {
	in, ok := p.gate(c, http.StatusOK)
	if !ok {
		return
	}
	pg, err := p.reroutePage(c, in)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "reroute", pg)
}

func (p *Pages) reroutePage(c *gin.Context, in postgres.Intake) (confirmPage, error) {
	pg := confirmPage{layout: layout{Title: "Ask for another partner"}, ID: in.ID, Company: in.CompanyName,
		CSRF: p.csrfToken(c), Allowed: in.Status == postgres.IntakeEngaged}
	if !pg.Allowed {
		pg.Refusal = "There is no accepted partner to move away from. " + statusSentence(in.Status)
		return pg, nil
	}
	eng, err := p.db.IntakeEngagement(c.Request.Context(), in.ID)
	pg.Partner = eng.PartnerName
	return pg, err
}
