package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveAdjustment is POST /console/partners/{id}/adjustment: the amount is
// read in dollars and cents ("-150", "1,250.50"), and
// postgres.AddAdjustment holds it and the reason to their rules and books
// it on the partner's open statement in the admin's name.
func (p *Pages) saveAdjustment(c *gin.Context) {
	vals := url.Values{"amount": {c.Request.PostFormValue("amount")}, "reason": {c.Request.PostFormValue("reason")}}
	pg, err := p.adjustmentPage(c, vals)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	amount, ok := dollarsToCents(vals.Get("amount"))
	if !ok {
		pg.Form.add("amount", "must be an amount in USD, such as -150 or 1,250.50")
		p.render(c, http.StatusUnprocessableEntity, "c/adjustment", pg)
		return
	}
	if _, err := p.db.AddAdjustment(c.Request.Context(), viewerOf(c).principal(), pg.Partner.ID, amount, vals.Get("reason")); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		if !pg.Form.addErrors(err, func(f string) string {
			if f == "amount_cents" {
				return "amount"
			}
			return f
		}, "amount") {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/adjustment", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/statements?done=adjusted&partner_id="+url.QueryEscape(pg.Partner.ID))
}

// dollarsToCents reads a signed amount of USD with up to two decimals.
func dollarsToCents(s string) (int64, bool) {
	s = strings.NewReplacer(",", "", " ", "", "$", "", "USD", "", "usd", "", "\u2212", "-").Replace(strings.TrimSpace(s))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || f < 0 {
		return 0, false
	}
	n := w*100 + f
	if neg {
		n = -n
	}
	return n, true
}
