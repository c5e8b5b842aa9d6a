package web

import (
	"cmp"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// indexPage browses the routing index: the cells of close rates by
// partner, axis and value, with wins, decided outcomes and the rate.
type indexPage struct {
	shell
	List     listView
	Cells    []indexRow
	Partner  string
	Axis     string
	Partners []option
	Axes     []option
}

type indexRow struct {
	postgres.IndexCell
	PartnerName string
	ValueLabel  string
}

// indexLimit bounds the cells one view reads.
const indexLimit = 10000

var indexSorts = map[string]func(a, b indexRow) int{
	"partner": byString(func(r indexRow) string { return r.PartnerName }),
	"axis": func(a, b indexRow) int {
		return cmp.Compare(postgresAxis(a.Axis), postgresAxis(b.Axis))
	},
	"value":   byString(func(r indexRow) string { return r.ValueLabel }),
	"wins":    byInt(func(r indexRow) int64 { return int64(r.Wins) }),
	"decided": byInt(func(r indexRow) int64 { return int64(r.Decided) }),
	"rate": func(a, b indexRow) int {
		ra, rb := -1.0, -1.0
		if a.Rate != nil {
			ra = *a.Rate
		}
		if b.Rate != nil {
			rb = *b.Rate
		}
		return cmp.Compare(ra, rb)
	},
}

// postgresAxis orders axes as domain.Axes does.
func postgresAxis(axis string) int {
	for i, a := range domain.Axes {
		if a == axis {
			return i
		}
	}
	return len(domain.Axes)
}

// showIndex is GET /console/routing-index?partner_id=&axis=&sort=&page=.
func (p *Pages) showIndex(c *gin.Context) {
	ctx := c.Request.Context()
	pg := indexPage{shell: p.newShell(c, "Routing index"), Partner: c.Query("partner_id"), Axis: c.Query("axis")}
	if !domain.OneOf(pg.Axis, domain.Axes) {
		pg.Axis = ""
	}
	for _, a := range domain.Axes {
		pg.Axes = append(pg.Axes, option{Value: a, Label: label(axisLabels, a)})
	}
	var err error
	if pg.Partners, err = p.partnerOptions(c); err != nil {
		p.fail(c, err)
		return
	}
	var cells []postgres.IndexCell
	if pg.Partner == "" || validPartner(pg.Partners, pg.Partner) {
		if cells, err = p.db.RoutingIndex(ctx, pg.Partner, pg.Axis, indexLimit); err != nil {
			p.fail(c, err)
			return
		}
	}
	names := map[string]string{}
	for _, o := range pg.Partners {
		names[o.Value] = o.Label
	}
	rows := make([]indexRow, len(cells))
	for i, cell := range cells {
		rows[i] = indexRow{IndexCell: cell, PartnerName: names[cell.PartnerID], ValueLabel: axisValueLabel(cell.Axis, cell.Value)}
	}
	pg.List = newList(c, []string{"partner", "axis", "value", "wins", "decided", "rate"}, "partner", false, 50)
	pg.Cells = sortPage(&pg.List, rows, indexSorts)
	p.render(c, http.StatusOK, "c/routing-index", pg)
}

func validPartner(opts []option, id string) bool {
	for _, o := range opts {
		if o.Value == id {
			return true
		}
	}
	return false
}
