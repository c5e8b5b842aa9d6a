package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudroute/cloudroute/internal/creditplan"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// The reads behind what a founder is shown of their intake beyond its
// status: the profile the credit plan is computed from, and the decision
// that offered the intake to the partner who accepted it.

// CreditProfile is the profile of a stored intake that the credit plan
// reads (creditplan.For). The round and spend lines are stored as the JSON
// of the validated intake body.
func (in Intake) CreditProfile() (creditplan.Profile, error) {
	p := creditplan.Profile{Stage: in.Stage, ServiceProfile: in.ServiceProfile, EngagementType: in.EngagementType,
		CompetingCloud: in.CompetingCloud, RequestedFundingSources: append([]string(nil), in.RequestedFundingSources...)}
	if len(in.LastRound) > 0 && string(in.LastRound) != "null" {
		var r intake.Round
		if err := json.Unmarshal(in.LastRound, &r); err != nil {
			return p, fmt.Errorf("intake %s: last_round: %w", in.ID, err)
		}
		p.LastRound = &creditplan.Round{Round: r.Round, AmountUSD: r.AmountUSD, LeadInvestor: r.LeadInvestor}
	}
	var lines []intake.SpendLine
	if len(in.ProjectedMonthlySpend) > 0 {
		if err := json.Unmarshal(in.ProjectedMonthlySpend, &lines); err != nil {
			return p, fmt.Errorf("intake %s: projected_monthly_spend: %w", in.ID, err)
		}
	}
	for _, l := range lines {
		p.ProjectedMonthlySpend = append(p.ProjectedMonthlySpend, creditplan.SpendLine{Service: l.Service, USD: l.USD})
	}
	return p, nil
}

// EngagedOffer is the offer that the founder's partner accepted, with the
// routing decision that made it.
type EngagedOffer struct {
	PartnerID   string
	PartnerName string
	// Decision is the router's decision stored with the offer. For an
	// admin's assignment (an override, or a review proposal confirmed) it
	// is the router's decision kept beside the override, which may not
	// have scored the assigned partner. Zero when the offer has no
	// decision.
	Decision routing.Decision
	// AssignedByAdmin is true when an admin picked the partner.
	AssignedByAdmin bool
	// DecidedAt is when the decision was made; zero without one.
	DecidedAt time.Time
	// WindowDays is the trailing window, in days, of the close rates: the
	// setting as it is now.
	WindowDays int
}

type engagedOfferRow struct {
	PartnerID   string          `db:"partner_id"`
	PartnerName string          `db:"partner_name"`
	Mode        *string         `db:"mode"`
	Decision    json.RawMessage `db:"decision"`
	DecidedAt   *time.Time      `db:"decided_at"`
	WindowDays  int             `db:"window_days"`
}

// EngagedOffer returns the intake's accepted (or completed) assignment and
// the decision behind it; ok is false while no partner has accepted. It
// returns unavailable when the database is.
func (db *DB) EngagedOffer(ctx context.Context, intakeID string) (EngagedOffer, bool, error) {
	if !validUUID(intakeID) {
		return EngagedOffer{}, false, nil
	}
	// An admin's explanation wraps the router's decision under "router".
	const q = `SELECT a.partner_id, p.name AS partner_name, d.mode,
		COALESCE(d.explanation->'router', d.explanation) AS decision, d.created_at AS decided_at,
		(SELECT window_days FROM settings) AS window_days
		FROM assignments a
		JOIN partners p ON p.id = a.partner_id
		LEFT JOIN routing_decisions d ON d.id = a.decision_id
		WHERE a.intake_id = $1 AND a.status IN ('accepted','completed')
		ORDER BY a.offered_at DESC LIMIT 1`
	var rows []engagedOfferRow
	if err := db.pool.SelectContext(ctx, &rows, q, intakeID); err != nil {
		return EngagedOffer{}, false, translate(err)
	}
	if len(rows) == 0 {
		return EngagedOffer{}, false, nil
	}
	r := rows[0]
	out := EngagedOffer{PartnerID: r.PartnerID, PartnerName: r.PartnerName, WindowDays: r.WindowDays}
	if r.Mode != nil {
		out.AssignedByAdmin = *r.Mode == "admin"
	}
	if r.DecidedAt != nil {
		out.DecidedAt = r.DecidedAt.UTC()
	}
	if len(r.Decision) > 0 && string(r.Decision) != "null" {
		if err := json.Unmarshal(r.Decision, &out.Decision); err != nil {
			return EngagedOffer{}, false, fmt.Errorf("routing decision of intake %s: %w", intakeID, err)
		}
	}
	return out, true, nil
}
