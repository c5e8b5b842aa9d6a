package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/domain"
)

// saveImport is POST /console/partners/{id}/track-record, a multipart
// form with the CSV file: the API's own import (api.ImportTrackRecord,
// each row held to ace.CheckTrackRecordRow, all or nothing). A refused
// file comes back with every bad row named by its line in the file, and
// nothing imported.
func (p *Pages) saveImport(c *gin.Context) {
	pt, err := p.db.Partner(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	pg := importPage{shell: p.newShell(c, "Import a track record"), Partner: pt}
	file, hdr, err := c.Request.FormFile("file")
	if err != nil {
		pg.Problem = "Choose a CSV file to upload."
		p.render(c, http.StatusUnprocessableEntity, "c/import", pg)
		return
	}
	defer file.Close()
	pg.File = hdr.Filename
	res, err := api.ImportTrackRecord(c.Request.Context(), p.db, pt.ID, true, file)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/console/partners/"+pt.ID+"?done=imported")
		return
	}
	if !refusal(err) {
		p.consoleFail(c, err)
		return
	}
	var de *domain.Error
	errors.As(err, &de)
	pg.Rows = badRows(de.Fields, res.Lines)
	switch n := len(pg.Rows); {
	case n == 1:
		pg.Problem = "Nothing was imported: 1 line is wrong."
	case n > 1:
		pg.Problem = fmt.Sprintf("Nothing was imported: %d lines are wrong.", n)
	default:
		pg.Problem = "Nothing was imported: " + sentence(de.Message)
	}
	p.render(c, statusOf(err), "c/import", pg)
}

var rowField = regexp.MustCompile(`^rows\[(\d+)\]\.(.+)$`)

// badRows groups an import's field errors by row, each row named by the
// line it starts on in the file. Errors not about a row (the header) come
// first, on line 1.
func badRows(fields []domain.FieldError, lines []int) []badRow {
	var out []badRow
	byRow := map[int]int{}
	for _, f := range fields {
		line := 1
		text := f.Field + " " + f.Message
		if m := rowField.FindStringSubmatch(f.Field); m != nil {
			i, _ := strconv.Atoi(m[1])
			line = i + 2
			if i < len(lines) {
				line = lines[i]
			}
			text = m[2] + " " + f.Message
		} else if col, ok := strings.CutPrefix(f.Field, "header."); ok {
			text = fmt.Sprintf("the header lacks the column %s", col)
		} else if f.Field == "rows" {
			text = "the file holds no rows"
		}
		k, ok := byRow[line]
		if !ok {
			k = len(out)
			byRow[line] = k
			out = append(out, badRow{Line: line})
		}
		out[k].Problems = append(out[k].Problems, text)
	}
	return out
}
