package web

import (
	"context"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// offerView is an assignment as its partner sees it: what intake.SeenByPartner
// lets it see of the intake, the profile alone until it accepts.
type offerView struct {
	postgres.Assignment
	Intake intake.PartnerView
}

// partnerOffer reads one of the viewer's partner's assignments (another
// partner's is not_found) with what it may see of the intake.
func (p *Pages) partnerOffer(ctx context.Context, partnerID, id string) (offerView, error) {
	a, err := p.db.PartnerAssignment(ctx, partnerID, id)
	if err != nil {
		return offerView{}, err
	}
	in, err := p.db.Intake(ctx, a.IntakeID)
	if err != nil {
		return offerView{}, err
	}
	return seenByPartner(a, in), nil
}

// seenByPartner applies intake.SeenByPartner to an assignment's intake.
func seenByPartner(a postgres.Assignment, in postgres.Intake) offerView {
	prof, cust := api.IntakeParts(in)
	return offerView{Assignment: a, Intake: intake.SeenByPartner(prof, cust, a.Status)}
}

// partnerOffers reads a page of the viewer's partner's assignments with
// what it may see of each intake.
func (p *Pages) partnerOffers(ctx context.Context, partnerID string, statuses []string, l *listView) ([]offerView, error) {
	as, total, err := p.db.PartnerAssignmentList(ctx, partnerID, statuses, l.order())
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.IntakeID
	}
	intakes, err := p.db.IntakesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]offerView, len(as))
	for i, a := range as {
		out[i] = seenByPartner(a, intakes[a.IntakeID])
	}
	l.setTotal(total, len(out))
	return out, nil
}
