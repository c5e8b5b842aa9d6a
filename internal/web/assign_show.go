package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// assignPage offers an intake to a partner an admin picks, with a reason:
// an override of the router, or another choice than a review's proposal.
type assignPage struct {
	shell
	Intake   postgres.Intake
	Partners []option
	Form     *consoleForm
	Problem  string
}

var assignLabels = map[string]string{"partner_id": "Partner", "reason": "The reason"}

// showAssign is GET /console/intakes/{id}/assign.
func (p *Pages) showAssign(c *gin.Context) {
	pg, err := p.assignPage(c, nil)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/assign", pg)
}

func (p *Pages) assignPage(c *gin.Context, vals url.Values) (assignPage, error) {
	in, err := p.db.Intake(c.Request.Context(), c.Param("id"))
	if err != nil {
		return assignPage{}, err
	}
	opts, err := p.partnerOptions(c)
	pg := assignPage{shell: p.newShell(c, "Assign a partner"), Intake: in, Partners: opts, Form: newForm(vals, assignLabels)}
	return pg, err
}

// saveAssign is POST /console/intakes/{id}/assign: the reason is held to
// domain.CheckReason, then postgres.AdminAssign (routing.CheckAssignable
// decides which partner may be picked) offers the intake, in the admin's
// name.
func (p *Pages) saveAssign(c *gin.Context) {
	vals := url.Values{"partner_id": {c.Request.PostFormValue("partner_id")}, "reason": {c.Request.PostFormValue("reason")}}
	pg, err := p.assignPage(c, vals)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	var check domain.FieldCheck
	if vals.Get("partner_id") == "" {
		check.Add("partner_id", "is required: choose a partner")
	}
	domain.CheckReason(&check, "reason", vals.Get("reason"))
	if !check.Empty() {
		pg.Form.addErrors(check.Err(domain.ECodeValidation, ""), nil, "reason")
		p.render(c, http.StatusUnprocessableEntity, "c/assign", pg)
		return
	}
	if _, err := p.db.AdminAssign(c.Request.Context(), viewerOf(c).principal(), pg.Intake.ID, vals.Get("partner_id"), vals.Get("reason")); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		if !pg.Form.addErrors(err, nil, "partner_id") {
			pg.Problem = sentence(domain.ErrorMessage(err))
		}
		p.render(c, statusOf(err), "c/assign", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/intakes/"+pg.Intake.ID+"?done=assigned")
}

// saveConfirmReview is POST /console/intakes/{id}/confirm: the partner the
// review proposal names is offered the intake (postgres.AdminAssign, in
// the admin's name). A proposal that is no longer open is said on the
// intake's page.
func (p *Pages) saveConfirmReview(c *gin.Context) {
	pg, err := p.adminIntakePage(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	if pg.Proposed == "" {
		pg.Problem = "There is no proposal to confirm: the intake is " + label(intakeStatusLabels, pg.Intake.Status) + "."
		p.render(c, http.StatusConflict, "c/intake", pg)
		return
	}
	if _, err := p.db.AdminAssign(c.Request.Context(), viewerOf(c).principal(), pg.Intake.ID, pg.Proposed,
		"confirmed the review proposal"); err != nil {
		if !refusal(err) {
			p.consoleFail(c, err)
			return
		}
		pg.Problem = sentence(domain.ErrorMessage(err))
		p.render(c, statusOf(err), "c/intake", pg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/intakes/"+pg.Intake.ID+"?done=confirmed")
}
