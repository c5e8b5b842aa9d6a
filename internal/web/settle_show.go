package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// settlePage is the confirmation step of settling a statement: open →
// invoiced with the invoice's reference, invoiced → paid with the
// payment's.
type settlePage struct {
	shell
	Statement statementRow
	Form      *consoleForm
	Problem   string
}

var settleLabels = map[string]string{"reference": "Reference", "state": "The next state"}

// showSettle is GET /console/statements/{id}/settle.
func (p *Pages) showSettle(c *gin.Context) {
	pg, err := p.settlePage(c, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/settle", pg)
}

func (p *Pages) settlePage(c *gin.Context, vals url.Values) (settlePage, error) {
	s, err := p.db.StatementByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		return settlePage{}, err
	}
	names, err := p.db.PartnerNames(c.Request.Context(), []string{s.PartnerID})
	if err != nil {
		return settlePage{}, err
	}
	row := statementRow{Statement: s, PartnerName: names[s.PartnerID], Next: nextSettlement(s.State)}
	pg := settlePage{shell: p.newShell(c, "Settle a statement"), Statement: row, Form: newForm(vals, settleLabels)}
	switch {
	case row.Next == "":
		pg.Problem = "This statement is paid: there is nothing left to settle."
	case s.State == "open" && s.ClosedAt == nil:
		pg.Problem = "This statement's month is not closed yet: it still takes accruals, so it cannot be invoiced. The month closes by itself after it ends."
	}
	return pg, nil
}
