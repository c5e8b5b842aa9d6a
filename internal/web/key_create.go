package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// saveOwnKey is POST /console/keys: a new key for the viewer's partner
// (postgres.CreatePartnerKey holds the label to its rule). The answer is
// the keys page with the secret, shown this once: it is not a redirect,
// since the secret must not travel in an address, and the page is never
// cached.
func (p *Pages) saveOwnKey(c *gin.Context) {
	label := c.Request.PostFormValue("label")
	_, secret, err := p.db.CreatePartnerKey(c.Request.Context(), viewerOf(c).partnerID(), label)
	if err != nil && !refusal(err) {
		p.consoleFail(c, err)
		return
	}
	pg, perr := p.keysPage(c, url.Values{"label": {label}})
	if perr != nil {
		p.consoleFail(c, perr)
		return
	}
	if err != nil {
		pg.Form.addErrors(err, nil, "label")
		p.render(c, statusOf(err), "c/keys", pg)
		return
	}
	pg.NewKey = secret
	pg.Form = newForm(nil, keyLabels)
	p.render(c, http.StatusCreated, "c/keys", pg)
}
