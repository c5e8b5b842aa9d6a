package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// showWithdraw is GET /status/{id}/withdraw: the confirmation step of a
// withdrawal, with an optional reason.
func (p *Pages) showWithdraw(c *gin.Context) {
	in, ok := p.gate(c, http.StatusOK)
	if !ok {
		return
	}
	pg, err := p.withdrawPage(c, in)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "withdraw", pg)
}

func (p *Pages) withdrawPage(c *gin.Context, in postgres.Intake) (confirmPage, error) {
	pg := confirmPage{layout: layout{Title: "Withdraw this intake"}, ID: in.ID, Company: in.CompanyName,
		CSRF: p.csrfToken(c), Allowed: !isFinal(in.Status)}
	if !pg.Allowed {
		pg.Refusal = "This intake cannot be withdrawn any more. " + statusSentence(in.Status)
		return pg, nil
	}
	eng, err := p.db.IntakeEngagement(c.Request.Context(), in.ID)
	pg.Partner = eng.PartnerName
	return pg, err
}
