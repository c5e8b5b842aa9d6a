package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// declinePage is the confirmation step of a decline, with its reason.
type declinePage struct {
	shell
	Offer   offerView
	Form    *consoleForm
	Problem string
}

var declineLabels = map[string]string{"reason": "The reason"}

// showDecline is GET /console/offers/{id}/decline.
func (p *Pages) showDecline(c *gin.Context) {
	o, err := p.partnerOffer(c.Request.Context(), viewerOf(c).partnerID(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	pg := declinePage{shell: p.newShell(c, "Decline the offer"), Offer: o, Form: newForm(nil, declineLabels)}
	if o.Status != domain.AssignmentOffered {
		pg.Problem = "This offer is " + label(assignmentStatusLabels, o.Status) + ": there is nothing to decline."
	}
	p.render(c, http.StatusOK, "c/decline", pg)
}
