package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// adminIntakePage is one intake for admins: who it is, its offers, every
// routing decision rendered readably, and what an admin may do: confirm a
// review proposal, assign another partner, release the partner.
type adminIntakePage struct {
	shell
	Intake      postgres.Intake
	Profile     intake.Profile
	Customer    intake.Customer
	Assignments []postgres.IntakeAssignment
	Decisions   []decisionRow
	// Proposed is the partner a review proposal names, while the intake is
	// pending review.
	Proposed, ProposedName string
	// CanAssign: the intake waits for a partner; CanRelease: a partner
	// holds or is offered it.
	CanAssign, CanRelease bool
	Problem               string
}

// decisionRow is one stored routing decision.
type decisionRow struct {
	postgres.RoutingDecision
	ChosenName string
	// Override says who an admin assigned, beside what the router would
	// have done.
	Override string
	View     decisionView
}

// showAdminIntake is GET /console/intakes/{id}.
func (p *Pages) showAdminIntake(c *gin.Context) {
	pg, err := p.adminIntakePage(c)
	if err != nil {
		p.consoleFail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/intake", pg)
}

func (p *Pages) adminIntakePage(c *gin.Context) (adminIntakePage, error) {
	ctx := c.Request.Context()
	in, err := p.db.Intake(ctx, c.Param("id"))
	if err != nil {
		return adminIntakePage{}, err
	}
	pg := adminIntakePage{shell: p.newShell(c, in.CompanyName), Intake: in}
	pg.Profile, pg.Customer = api.IntakeParts(in)
	if pg.Assignments, err = p.db.IntakeAssignments(ctx, in.ID); err != nil {
		return pg, err
	}
	for _, a := range pg.Assignments {
		if a.Status == domain.AssignmentOffered || a.Status == domain.AssignmentAccepted {
			pg.CanRelease = a.Status == domain.AssignmentAccepted
		}
	}
	pg.CanAssign = routing.WaitsForRouting(in.Status) || in.Status == domain.IntakePendingReview
	ds, err := p.db.RoutingDecisions(ctx, in.ID)
	if err != nil {
		return pg, err
	}
	var ids []string
	for _, d := range ds {
		if d.ChosenPartnerID != nil {
			ids = append(ids, *d.ChosenPartnerID)
		}
	}
	names, err := p.db.PartnerNames(ctx, ids)
	if err != nil {
		return pg, err
	}
	for _, d := range ds {
		e, err := routing.ParseExplanation(d.Explanation)
		if err != nil {
			return pg, err
		}
		row := decisionRow{RoutingDecision: d, View: toDecisionView(e.Decision, "Candidates ranked")}
		if d.ChosenPartnerID != nil {
			row.ChosenName = names[*d.ChosenPartnerID]
		}
		if e.Override != nil {
			row.Override = *e.Override
			row.View.Caption = "What the router would have ranked"
		}
		pg.Decisions = append(pg.Decisions, row)
	}
	if in.Status == domain.IntakePendingReview {
		for i := len(ds) - 1; i >= 0; i-- {
			if ds[i].Outcome == domain.IntakePendingReview && ds[i].ChosenPartnerID != nil {
				pg.Proposed, pg.ProposedName = *ds[i].ChosenPartnerID, names[*ds[i].ChosenPartnerID]
				break
			}
		}
	}
	return pg, nil
}
