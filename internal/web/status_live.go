package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// showLive is GET /status/{id}/live: the live section of the status page
// alone, which the page's script fetches to refresh itself while routing
// runs. Without access it is a bare 404, whether the intake exists or not.
func (p *Pages) showLive(c *gin.Context) {
	id, a, err := p.checkAccess(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	if a != accessGranted {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
		return
	}
	in, err := p.db.Intake(c.Request.Context(), id)
	if err != nil {
		p.fail(c, err)
		return
	}
	live, err := p.loadStatus(c.Request.Context(), in)
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Header("X-Intake-Status", live.Status)
	c.Header("X-Intake-Polling", strconv.FormatBool(live.Polling))
	p.renderPart(c, http.StatusOK, "status", "live", live)
}
