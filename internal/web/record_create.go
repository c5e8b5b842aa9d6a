package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/web/form"
)

// saveNewRecord is POST /console/engagements/{id}/records: a record in
// identified, its fields filled from the founder's intake, by
// postgres.CreateACERecord, which holds the pool, the amount, the tier, the
// stacked ceiling and one open record per pool to the rules. A refusal
// comes back on the engagement's page with the form kept.
func (p *Pages) saveNewRecord(c *gin.Context) {
	v := viewerOf(c)
	vals := url.Values{"funding_source": {c.Request.PostFormValue("funding_source")},
		"requested_usd": {c.Request.PostFormValue("requested_usd")}}
	pg, err := p.engagementPage(c, vals)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	pool := vals.Get("funding_source")
	var check domain.FieldCheck
	if !domain.OneOf(pool, domain.FundingSources) {
		check.Add("funding_source", "is required: choose a pool")
	}
	var usd int64
	if s := vals.Get("requested_usd"); s != "" {
		n, ok := form.WholeUSD(s)
		if !ok {
			check.Add("requested_usd", "must be a whole number of USD")
		}
		usd = n
	} else if pool != ace.PoolMAP {
		check.Add("requested_usd", "is required")
	}
	if !check.Empty() {
		pg.Form.addErrors(check.Err(domain.ECodeValidation, ""), nil, "requested_usd")
		p.render(c, http.StatusUnprocessableEntity, "c/engagement", pg)
		return
	}
	r, _, err := p.db.CreateACERecord(c.Request.Context(), v.principal(), pg.Offer.ID, pool, usd, ace.RecordFields{})
	if err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		if !pg.Form.addErrors(err, recordCreateControl, "requested_usd") {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/engagement", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/records/"+r.ID+"?done=record-created")
}

// recordCreateControl puts a creation error on the pool or the amount.
func recordCreateControl(field string) string {
	if field == "funding_source" {
		return field
	}
	return "requested_usd"
}
