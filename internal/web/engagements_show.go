package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// engagementsPage lists the partner's engagements: the offers it accepted,
// and, filtered, those that ended.
type engagementsPage struct {
	shell
	List        listView
	Engagements []offerView
	Status      string
	Statuses    []option
}

// engagementStatuses are the statuses the engagements list filters on;
// "" is the accepted ones and those completed.
var engagementStatuses = []string{domain.AssignmentAccepted, domain.AssignmentCompleted, domain.AssignmentReleased,
	domain.AssignmentDeclined, domain.AssignmentExpired, domain.AssignmentCancelled}

// showEngagements is GET /console/engagements?status=…&sort=…&page=….
func (p *Pages) showEngagements(c *gin.Context) {
	v := viewerOf(c)
	status := c.Query("status")
	statuses := []string{domain.AssignmentAccepted, domain.AssignmentCompleted}
	if domain.OneOf(status, engagementStatuses) {
		statuses = []string{status}
	} else {
		status = ""
	}
	l := newList(c, []string{"accepted", "offered", "updated", "status"}, "accepted", true, 25)
	es, err := p.partnerOffers(c.Request.Context(), v.partnerID(), statuses, &l)
	if err != nil {
		p.fail(c, err)
		return
	}
	opts := make([]option, len(engagementStatuses))
	for i, s := range engagementStatuses {
		opts[i] = option{Value: s, Label: label(assignmentStatusLabels, s)}
	}
	p.render(c, http.StatusOK, "c/engagements", engagementsPage{shell: p.newShell(c, "Engagements"), List: l, Engagements: es,
		Status: status, Statuses: opts})
}
