package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// showRecord is GET /console/records/{id}: the ACE record editor. Another
// partner's record is the not-found page.
func (p *Pages) showRecord(c *gin.Context) {
	r, err := p.loadRecord(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	pg, err := p.recordPage(c, r, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/record", pg)
}
