package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// briefPage is the paragraph a partner sends its Partner Development
// Manager about a record (ace.Brief), with a copy button.
type briefPage struct {
	shell
	Record  postgres.ACERecord
	Company string
	Brief   string
}

// showBrief is GET /console/records/{id}/brief. It names the customer, so
// a partner that no longer holds the engagement gets the not-found page,
// as from the API.
func (p *Pages) showBrief(c *gin.Context) {
	r, err := p.loadRecord(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	if !domain.PartnerSeesCustomer(r.AssignmentStatus) {
		p.consoleNotFound(c)
		return
	}
	in, err := p.db.Intake(c.Request.Context(), r.IntakeID)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/brief", briefPage{shell: p.newShell(c, "PDM brief · "+in.CompanyName), Record: r,
		Company: in.CompanyName, Brief: ace.Brief(api.BriefInput(r, in))})
}
