package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// saveMove is POST /console/records/{id}/move: postgres.TransitionACERecord
// with the viewer as the actor, under ace.CheckTransitionRequest. A
// submission with missing fields comes back on the record's page, naming
// each; a bad award or reason on the move's page, with what was typed;
// nothing moves.
func (p *Pages) saveMove(c *gin.Context) {
	r, err := p.loadRecord(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	f := c.Request.PostForm
	to := f.Get("to")
	req := ace.TransitionRequest{To: to, Reason: strings.TrimSpace(f.Get("reason"))}
	vals := url.Values{"reason": {f.Get("reason")}, "approved_usd": {f.Get("approved_usd")},
		"approved_funding_source": {f.Get("approved_funding_source")}}
	var bad domain.FieldCheck
	if to == ace.StateApproved {
		if s := strings.TrimSpace(f.Get("approved_usd")); s != "" {
			n, ok := form.WholeUSD(s)
			if !ok {
				bad.Add("approved_usd", "must be a whole number of USD")
			}
			req.ApprovedUSD = &n
		}
		if s := f.Get("approved_funding_source"); s != "" {
			req.ApprovedFundingSource = &s
		}
	}
	if bad.Empty() {
		_, _, err = p.db.TransitionACERecord(c.Request.Context(), viewerOf(c).principal(), r.ID, req)
		if err == nil {
			c.Redirect(http.StatusSeeOther, recordHref(r.ID)+"?done=moved")
			return
		}
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
	} else {
		err = bad.Err(domain.ECodeValidation, "the move has invalid fields")
	}
	if needsMovePage(to) && domain.ErrorCode(err) != domain.ECodeInvalidTransition {
		pg, ok, perr := p.movePage(c, r, to, vals)
		if perr != nil {
			p.consoleFail(c, perr)
			return
		}
		if ok {
			if !pg.Form.addErrors(err, nil, "approved_usd") {
				pg.Problem = sentence(domain.ErrorMessage(err))
			}
			p.render(c, statusOf(err), "c/move", pg)
			return
		}
	}
	pg, perr := p.recordPage(c, r, nil)
	if perr != nil {
		p.consoleFail(c, perr)
		return
	}
	pg.Problem = sentence(domain.ErrorMessage(err))
	if domain.ErrorCode(err) == domain.ECodeIncompleteRecord {
		pg.Problem = "The record cannot be submitted yet: the fields listed under \u201cBefore you submit\u201d are missing. Nothing was sent."
	}
	p.render(c, statusOf(err), "c/record", pg)
}
