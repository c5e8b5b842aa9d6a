package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// tokenFrom reads an access token out of what a founder pasted: the whole
// private link (the token is its fragment) or the token alone.
func tokenFrom(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// createSession is POST /status/{id}/session: it exchanges the private
// link (or its token), posted in the form body, for the access cookie,
// and sends the browser to the status page. The page's script posts the
// link's fragment here by itself; without JavaScript the founder pastes
// it. A token that does not open this intake, whether the intake exists or
// not, gets the same answer.
func (p *Pages) createSession(c *gin.Context) {
	id := c.Param("id")
	if !canonicalID(id) {
		p.notFound(c)
		return
	}
	tok := tokenFrom(c.Request.PostFormValue("token"))
	if !wellFormedToken(tok) {
		p.showAccess(c, http.StatusUnprocessableEntity, id,
			"That is not a CloudRoute private link or access token. Copy the whole link, or the part after the #, and try again.")
		return
	}
	opens, err := p.tokenOpens(c, id, tok)
	if err != nil {
		p.fail(c, err)
		return
	}
	if !opens {
		p.showAccess(c, http.StatusForbidden, id, "This link or token does not open this intake. Check that you copied all of it.")
		return
	}
	p.grantAccess(c, id, tok)
	c.Redirect(http.StatusSeeOther, statusPath(id))
}
