package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// offerPage is one offer: the intake's profile (no contacts, no company
// until accepted), its deadline, accept and decline.
type offerPage struct {
	shell
	Offer   offerView
	Problem string
}

// showOffer is GET /console/offers/{id}. Another partner's offer is the
// not-found page.
func (p *Pages) showOffer(c *gin.Context) {
	o, err := p.partnerOffer(c.Request.Context(), viewerOf(c).partnerID(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/offer", offerPage{shell: p.newShell(c, "Offer"), Offer: o})
}
