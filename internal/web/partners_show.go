package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// partnersPage lists the partners, filtered, sorted and paged.
type partnersPage struct {
	shell
	List     listView
	Partners []postgres.PartnerRow
	// The filters, as in the address.
	Tier, Status, Region, Search string
	Tiers, Statuses, Regions     []option
}

// showPartners is GET /console/partners?tier=&status=&region=&q=&sort=&page=.
func (p *Pages) showPartners(c *gin.Context) {
	pg := partnersPage{shell: p.newShell(c, "Partners"), Tier: c.Query("tier"), Status: c.Query("status"), Region: c.Query("region"),
		Search: c.Query("q"), Tiers: tierOptions, Statuses: statusOptions, Regions: regionOptions}
	if !domain.OneOf(pg.Tier, domain.Tiers) {
		pg.Tier = ""
	}
	if !domain.OneOf(pg.Status, domain.PartnerStatuses) {
		pg.Status = ""
	}
	if !domain.OneOf(pg.Region, domain.Regions) {
		pg.Region = ""
	}
	pg.List = newList(c, []string{"name", "tier", "status", "capacity", "commission", "created"}, "name", false, 25)
	rows, total, err := p.db.ConsolePartners(c.Request.Context(), postgres.PartnerQuery{Tier: pg.Tier, Status: pg.Status,
		Region: pg.Region, Search: pg.Search}, pg.List.order())
	if err != nil {
		p.fail(c, err)
		return
	}
	pg.Partners = rows
	pg.List.setTotal(total, len(rows))
	p.render(c, http.StatusOK, "c/partners", pg)
}

var (
	tierOptions   = wordsFor(domain.Tiers, tierLabels, nil)
	statusOptions = wordsFor(domain.PartnerStatuses, map[string]string{"active": "Active", "paused": "Paused"}, nil)
)
