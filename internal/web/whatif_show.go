package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// whatIfPage is the routing what-if: an intake profile in, and the ranked
// table a real routing of it would make now, written nowhere. The profile
// is in the address (a GET form), so a what-if can be bookmarked.
type whatIfPage struct {
	shell
	Form                                                     *consoleForm
	Asked                                                    bool
	Decision                                                 decisionView
	Chosen                                                   string
	Stages, Regions, Verticals, Profiles, Engagements, Pools []option
}

var whatIfLabels = map[string]string{"stage": "Stage", "region": "Region", "vertical": "Vertical",
	"service_profile": "Service profile", "engagement_type": "Engagement type", "pools": "Pools requested"}

// showWhatIf is GET /console/what-if?stage=&region=&vertical=&service_profile=&engagement_type=&pools=.
// The profile is held to the intake form's own rules (intake.CheckAxis,
// intake.CheckFundingSource) and routed by postgres.PreviewRouting.
func (p *Pages) showWhatIf(c *gin.Context) {
	q := c.Request.URL.Query()
	pg := whatIfPage{shell: p.newShell(c, "What-if routing"), Form: newForm(url.Values(q), whatIfLabels),
		Stages: stageOptions, Regions: regionOptions, Verticals: verticalOptions, Profiles: profileOptions,
		Engagements: engagementOptions, Pools: poolOptions}
	if q.Get("stage") == "" && q.Get("region") == "" && q.Get("vertical") == "" {
		p.render(c, http.StatusOK, "c/what-if", pg)
		return
	}
	in := routing.Intake{Stage: q.Get("stage"), Region: q.Get("region"), Vertical: q.Get("vertical"),
		ServiceProfile: q.Get("service_profile"), EngagementType: q.Get("engagement_type"), RequestedFundingSources: q["pools"]}
	var check domain.FieldCheck
	for _, axis := range domain.Axes {
		intake.CheckAxis(&check, axis, in.AxisValue(axis))
	}
	for i, fs := range in.RequestedFundingSources {
		intake.CheckFundingSource(&check, fmt.Sprintf("pools[%d]", i), fs)
	}
	if !check.Empty() {
		pg.Form.addErrors(check.Err(domain.ECodeValidation, ""), func(f string) string {
			if len(f) > 5 && f[:5] == "pools" {
				return "pools"
			}
			return f
		}, "stage")
		p.render(c, http.StatusUnprocessableEntity, "c/what-if", pg)
		return
	}
	d, err := p.db.PreviewRouting(c.Request.Context(), in)
	if err != nil {
		p.fail(c, err)
		return
	}
	pg.Asked = true
	pg.Decision = toDecisionView(d, "Candidates ranked, as a real routing would rank them now")
	if ch, ok := d.Chosen(); ok {
		pg.Chosen = ch.Name
	}
	p.render(c, http.StatusOK, "c/what-if", pg)
}
