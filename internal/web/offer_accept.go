package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveAccept is POST /console/offers/{id}/accept: postgres.AcceptAssignment,
// then the engagement's page with the customer's contacts. An offer that
// can no longer be accepted (expired, declined) is said on the offer's
// page, and nothing changes.
func (p *Pages) saveAccept(c *gin.Context) {
	v := viewerOf(c)
	ctx := c.Request.Context()
	_, err := p.db.AcceptAssignment(ctx, v.partnerID(), c.Param("id"))
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/console/engagements/"+c.Param("id")+"?done=accepted")
		return
	}
	if !refusal(err) {
		p.consoleFail(c, err)
		return
	}
	o, rerr := p.partnerOffer(ctx, v.partnerID(), c.Param("id"))
	if rerr != nil {
		p.consoleFail(c, rerr)
		return
	}
	p.render(c, statusOf(err), "c/offer", offerPage{shell: p.newShell(c, "Offer"), Offer: o, Problem: sentence(domain.ErrorMessage(err))})
}

// refusal reports whether err is the rules refusing a request (a
// conflict, a bad field, a missing right) rather than a missing object or
// a failure: something to say on the page.
func refusal(err error) bool {
	switch domain.ErrorCode(err) {
	case "", domain.ECodeNotFound, domain.ECodeUnavailable, domain.ECodeInternal, domain.ECodeUnauthenticated:
		return false
	}
	return true
}

// statusOf is the HTTP status of a refusal, as the API answers it.
func statusOf(err error) int {
	switch domain.ErrorCode(err) {
	case domain.ECodeForbidden, domain.ECodeTierNotPermitted:
		return http.StatusForbidden
	case domain.ECodeDuplicateIntake, domain.ECodeDuplicateFiling, domain.ECodeInvalidTransition, domain.ECodeConflict:
		return http.StatusConflict
	case domain.ECodeRateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusUnprocessableEntity
}
