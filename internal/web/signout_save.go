package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
)

// saveSignOut is POST /console/sign-out: the session ends on the server,
// so its cookie opens nothing any more, even if it was copied.
func (p *Pages) saveSignOut(c *gin.Context) {
	if err := p.db.SignOut(c.Request.Context(), viewerOf(c).token); err != nil {
		p.fail(c, err)
		return
	}
	api.SetSessionCookie(c, "")
	c.Redirect(http.StatusSeeOther, "/console/sign-in?done=signed-out")
}
