package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// importPage uploads a partner's track record as a CSV file: all or
// nothing, every bad row named by its line.
type importPage struct {
	shell
	Partner domain.Partner
	// Rows are the bad rows of the file sent, each with its line.
	Rows    []badRow
	Problem string
	// File is the name of the file sent, to say which one failed.
	File string
}

// badRow is one refused row: its line and what is wrong with it.
type badRow struct {
	Line     int
	Problems []string
}

// showImport is GET /console/partners/{id}/track-record.
func (p *Pages) showImport(c *gin.Context) {
	pt, err := p.db.Partner(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/import", importPage{shell: p.newShell(c, "Import a track record"), Partner: pt})
}
