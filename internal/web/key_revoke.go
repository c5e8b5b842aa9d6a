package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// revokePage is the confirmation step of revoking an API key.
type revokePage struct {
	shell
	Key postgres.APIKey
	// Action is where the form posts; Back where cancelling goes.
	Action, Back string
	// Partner names the key's partner for an admin.
	Partner string
}

// findKey is one of a partner's keys; another partner's is not_found.
func (p *Pages) findKey(c *gin.Context, partnerID string) (postgres.APIKey, error) {
	keys, err := p.db.PartnerKeys(c.Request.Context(), partnerID)
	if err != nil {
		return postgres.APIKey{}, err
	}
	for _, k := range keys {
		if k.ID == c.Param("key") {
			return k, nil
		}
	}
	return postgres.APIKey{}, domain.NotFound()
}

// showRevokeOwnKey is GET /console/keys/{key}/revoke.
func (p *Pages) showRevokeOwnKey(c *gin.Context) {
	k, err := p.findKey(c, viewerOf(c).partnerID())
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/revoke", revokePage{shell: p.newShell(c, "Revoke an API key"), Key: k,
		Action: "/console/keys/" + k.ID + "/revoke", Back: "/console/keys"})
}

// saveRevokeOwnKey is POST /console/keys/{key}/revoke: the key stops
// working at once (postgres.RevokePartnerKey; another partner's key is
// not_found).
func (p *Pages) saveRevokeOwnKey(c *gin.Context) {
	if _, err := p.db.RevokePartnerKey(c.Request.Context(), viewerOf(c).partnerID(), c.Param("key")); err != nil {
		p.consoleFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/keys?done=key-revoked")
}
