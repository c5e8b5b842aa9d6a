package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// queuePage is the admin's intake queue: the unroutable intakes, those
// pending review, or all of them, filtered, sorted and paged.
type queuePage struct {
	shell
	List    listView
	Intakes []postgres.Intake
	// The filters, as in the address: view is unroutable, review or all;
	// status narrows "all" to one status.
	View, Status, Region, Search string
	Statuses, Regions            []option
	Views                        []navLink
}

// queueViews are the queue's tabs.
var queueViews = []struct{ key, label, status string }{
	{"unroutable", "Unroutable", domain.IntakeUnroutable},
	{"review", "Pending review", domain.IntakePendingReview},
	{"all", "All intakes", ""},
}

// showQueue is GET /console/intakes?view=&status=&region=&q=&sort=&page=.
func (p *Pages) showQueue(c *gin.Context) {
	pg := queuePage{shell: p.newShell(c, "Intakes"), View: c.Query("view"), Status: c.Query("status"), Region: c.Query("region"),
		Search: c.Query("q"), Regions: regionOptions}
	var statuses []string
	switch pg.View {
	case "unroutable":
		statuses = []string{domain.IntakeUnroutable}
	case "review":
		statuses = []string{domain.IntakePendingReview}
	default:
		pg.View = "all"
		if domain.OneOf(pg.Status, domain.IntakeStatuses) {
			statuses = []string{pg.Status}
		} else {
			pg.Status = ""
		}
	}
	if !domain.OneOf(pg.Region, domain.Regions) {
		pg.Region = ""
	}
	for _, s := range domain.IntakeStatuses {
		pg.Statuses = append(pg.Statuses, option{Value: s, Label: label(intakeStatusLabels, s)})
	}
	pg.List = newList(c, []string{"received", "updated", "company", "status", "region", "stage"}, "received", pg.View == "all", 25)
	for _, v := range queueViews {
		pg.Views = append(pg.Views, navLink{Href: "/console/intakes?view=" + v.key, Label: v.label, Current: v.key == pg.View})
	}
	rows, total, err := p.db.ConsoleIntakes(c.Request.Context(), postgres.IntakeQuery{Statuses: statuses, Region: pg.Region,
		Search: pg.Search}, pg.List.order())
	if err != nil {
		p.fail(c, err)
		return
	}
	pg.Intakes = rows
	pg.List.setTotal(total, len(rows))
	p.render(c, http.StatusOK, "c/intakes", pg)
}
