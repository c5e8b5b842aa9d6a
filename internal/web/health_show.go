package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// healthPage is the partner's pipeline health.
type healthPage struct {
	shell
	Health healthView
}

// showHealth is GET /console/health.
func (p *Pages) showHealth(c *gin.Context) {
	h, err := p.partnerHealth(c.Request.Context(), viewerOf(c).partnerID(), true)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/health", healthPage{shell: p.newShell(c, "Pipeline health"), Health: h})
}
