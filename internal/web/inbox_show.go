package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// inboxPage lists the partner's open offers.
type inboxPage struct {
	shell
	List   listView
	Offers []offerView
}

// showInbox is GET /console/inbox: the offers waiting for an answer, the
// soonest to expire first, each with the intake's profile only and a
// countdown to its deadline.
func (p *Pages) showInbox(c *gin.Context) {
	v := viewerOf(c)
	l := newList(c, []string{"expires", "offered"}, "expires", false, 25)
	offers, err := p.partnerOffers(c.Request.Context(), v.partnerID(), []string{domain.AssignmentOffered}, &l)
	if err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/inbox", inboxPage{shell: p.newShell(c, "Inbox"), List: l, Offers: offers})
}
