package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// releasePage is the confirmation step of releasing an intake's accepted
// partner, with a reason.
type releasePage struct {
	shell
	Intake  postgres.Intake
	Partner string
	Form    *consoleForm
	Problem string
}

var releaseLabels = map[string]string{"reason": "The reason"}

func (p *Pages) releasePage(c *gin.Context, vals url.Values) (releasePage, error) {
	ctx := c.Request.Context()
	in, err := p.db.Intake(ctx, c.Param("id"))
	if err != nil {
		return releasePage{}, err
	}
	eng, err := p.db.IntakeEngagement(ctx, in.ID)
	return releasePage{shell: p.newShell(c, "Release the partner"), Intake: in, Partner: eng.PartnerName, Form: newForm(vals, releaseLabels)}, err
}

// showRelease is GET /console/intakes/{id}/release.
func (p *Pages) showRelease(c *gin.Context) {
	pg, err := p.releasePage(c, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	if pg.Intake.Status != domain.IntakeEngaged {
		pg.Problem = "No partner holds this intake: it is " + label(intakeStatusLabels, pg.Intake.Status) + "."
	}
	p.render(c, http.StatusOK, "c/release", pg)
}

// saveRelease is POST /console/intakes/{id}/release: the reason is held to
// domain.CheckReason, then postgres.ReleaseAssignment releases the partner
// (refused while a record is under review with AWS) and the intake is
// routed again.
func (p *Pages) saveRelease(c *gin.Context) {
	vals := url.Values{"reason": {c.Request.PostFormValue("reason")}}
	pg, err := p.releasePage(c, vals)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	var check domain.FieldCheck
	if !domain.CheckReason(&check, "reason", vals.Get("reason")) {
		pg.Form.addErrors(check.Err(domain.ECodeValidation, ""), nil, "reason")
		p.render(c, http.StatusUnprocessableEntity, "c/release", pg)
		return
	}
	if _, err := p.db.ReleaseAssignment(c.Request.Context(), viewerOf(c).principal(), pg.Intake.ID, vals.Get("reason")); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		pg.Problem = sentence(domain.ErrorMessage(err))
		p.render(c, statusOf(err), "c/release", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/intakes/"+pg.Intake.ID+"?done=released")
}
