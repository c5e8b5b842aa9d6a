package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// keysPage is a partner's API keys, for its CRM integration: the list,
// the form that issues one (its secret shown once), and revoke.
type keysPage struct {
	shell
	Keys []postgres.APIKey
	// NewKey is the secret of a key just issued: shown on this answer
	// only, never stored.
	NewKey string
	Form   *consoleForm
}

var keyLabels = map[string]string{"label": "Label"}

// showOwnKeys is GET /console/keys.
func (p *Pages) showOwnKeys(c *gin.Context) {
	pg, err := p.keysPage(c, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/keys", pg)
}

func (p *Pages) keysPage(c *gin.Context, vals url.Values) (keysPage, error) {
	keys, err := p.db.PartnerKeys(c.Request.Context(), viewerOf(c).partnerID())
	return keysPage{shell: p.newShell(c, "API keys"), Keys: keys, Form: newForm(vals, keyLabels)}, err
}
