package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// adjustmentPage books a signed adjustment with a reason on a partner's
// open statement.
type adjustmentPage struct {
	shell
	Partner domain.Partner
	Form    *consoleForm
	Problem string
}

var adjustmentLabels = map[string]string{"amount": "Amount", "amount_cents": "Amount", "reason": "The reason"}

// showAdjustment is GET /console/partners/{id}/adjustment.
func (p *Pages) showAdjustment(c *gin.Context) {
	pg, err := p.adjustmentPage(c, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/adjustment", pg)
}

func (p *Pages) adjustmentPage(c *gin.Context, vals url.Values) (adjustmentPage, error) {
	pt, err := p.db.Partner(c.Request.Context(), c.Param("id"))
	if err != nil {
		return adjustmentPage{}, err
	}
	return adjustmentPage{shell: p.newShell(c, "Commission adjustment"), Partner: pt, Form: newForm(vals, adjustmentLabels)}, nil
}
