package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// movePage is the page of a move that needs input: an approval (the
// award), a rejection or a withdrawal (the reason, and a confirmation,
// since the record's life ends).
type movePage struct {
	shell
	Record  postgres.ACERecord
	Company string
	To      string
	Form    *consoleForm
	Pools   []option
	Problem string
}

// showMove is GET /console/records/{id}/move?to=…. A move the record may
// not make now is the record's page.
func (p *Pages) showMove(c *gin.Context) {
	r, err := p.loadRecord(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	pg, ok, err := p.movePage(c, r, c.Query("to"), nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	if !ok {
		c.Redirect(http.StatusSeeOther, recordHref(r.ID))
		return
	}
	p.render(c, http.StatusOK, "c/move", pg)
}

// movePage builds the page of moving r to to; ok is false when that move
// is not legal from the record's state now.
func (p *Pages) movePage(c *gin.Context, r postgres.ACERecord, to string, vals url.Values) (movePage, bool, error) {
	pt, err := p.db.Partner(c.Request.Context(), viewerOf(c).partnerID())
	if err != nil {
		return movePage{}, false, err
	}
	fields, _ := ace.SeenByPartner(r.RecordFields(), r.State, r.AssignmentStatus)
	legal := false
	for _, m := range legalMoves(r, fields, pt.Tier) {
		legal = legal || m.To == to
	}
	if !legal {
		return movePage{}, false, nil
	}
	pg := movePage{shell: p.newShell(c, label(moveLabels, to)), Record: r, To: to, Form: newForm(vals, recordLabels)}
	if domain.PartnerSeesCustomer(r.AssignmentStatus) {
		in, err := p.db.Intake(c.Request.Context(), r.IntakeID)
		if err != nil {
			return pg, false, err
		}
		pg.Company = in.CompanyName
	}
	if vals == nil && to == ace.StateApproved {
		pg.Form.vals.Set("approved_usd", usd(r.RequestedUSD))
	}
	for _, pool := range domain.FundingSources {
		pg.Pools = append(pg.Pools, option{Value: pool, Label: label(poolLabels, pool) + " (" + poolRange(pool) + ")"})
	}
	return pg, true, nil
}
