package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// RoutingIntake is the routing profile of a stored intake: the five axes
// and the pools, nothing that names the customer.
func (in Intake) RoutingIntake() routing.Intake {
	return routing.Intake{Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
		EngagementType: in.EngagementType, RequestedFundingSources: in.RequestedFundingSources}
}

// windowStart is the start of the trailing window over which outcomes and
// offers count (the window_days setting).
func windowStart(now time.Time, settings domain.Settings) time.Time {
	return now.AddDate(0, 0, -settings.WindowDays)
}

// PreviewRouting returns the decision a real routing of this profile would
// make now, writing nothing.
func (db *DB) PreviewRouting(ctx context.Context, in routing.Intake) (routing.Decision, error) {
	settings, err := db.Settings(ctx)
	if err != nil {
		return routing.Decision{}, err
	}
	ps, err := db.routingInputs(ctx, nil, in, "")
	if err != nil {
		return routing.Decision{}, err
	}
	defer releaseInputs(ps)
	d := routing.Decide(in, ps, routing.Params{Threshold: settings.CloseRateThreshold})
	d.CandidatesTotal = len(d.Candidates)
	return d, nil
}

// RouteResult is what one routing run did.
type RouteResult struct {
	IntakeID string
	// Outcome is offered, pending_review, unroutable, or "" when the intake
	// needed no routing (already routed, withdrawn...).
	Outcome      string
	DecisionID   string
	PartnerID    string
	AssignmentID string
}

// RouteIntake routes one intake: it scores the partners, stores the decision
// with its explanation, and either offers the intake to the top partner
// (auto mode), holds the proposal for an admin (review mode), or leaves the
// intake unroutable. It is idempotent: an intake that is not waiting for
// routing, or already has an active assignment, is left alone.
func (db *DB) RouteIntake(ctx context.Context, intakeID, trigger string) (RouteResult, error) {
	if !validUUID(intakeID) {
		return RouteResult{}, domain.NotFound()
	}
	res, err := db.RouteIntakes(ctx, []string{intakeID}, trigger)
	if err != nil {
		return RouteResult{}, err
	}
	for _, r := range res {
		if r.IntakeID == intakeID {
			return r, nil
		}
	}
	return RouteResult{}, domain.NotFound()
}

// insertDecision stores a routing decision with its explanation. Only the
// top candidates are kept (routing.StoredCandidates): with thousands of
// partners the full list would make every decision row megabytes. Callers
// make the decision with routing.DecideTop, which keeps no more; trimming
// it again keeps its count of candidates.
func insertDecision(ctx context.Context, tx *Tx, intakeID, trigger, mode, outcome string, partnerID *string,
	d any, actor domain.Principal, reason string, now time.Time) (string, error) {
	switch v := d.(type) {
	case routing.Decision:
		d = v.Trimmed(routing.StoredCandidates)
	case adminExplanation:
		v.Router = v.Router.Trimmed(routing.StoredCandidates)
		d = v
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	var id string
	const q = `INSERT INTO routing_decisions (intake_id, trigger, mode, outcome, chosen_partner_id, explanation, actor_key_id,
		actor_user_id, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, '')::uuid, NULLIF($10, '')::uuid, NULLIF($8, ''), $9) RETURNING id`
	err = tx.GetContext(ctx, &id, q, intakeID, trigger, mode, outcome, partnerID, b, actor.KeyID, reason, now, actor.UserID)
	return id, translate(err)
}

// offer creates the offered assignment with its deadline and marks the
// intake offered. Its assignment.offered event carries the deadline, at
// which the jobs expire the offer if it is still unanswered, and the
// reminder time (the offer_reminder_pct setting's share of the TTL), at
// which they remind the partner.
func offer(ctx context.Context, tx *Tx, intakeID, partnerID, decisionID string, settings domain.Settings) (string, error) {
	now := tx.now
	expires := now.Add(time.Duration(settings.OfferTTLHours) * time.Hour)
	var remindAt *time.Time
	if at, ok := domain.OfferReminderAt(now, expires, settings.OfferReminderPct); ok {
		remindAt = &at
	}
	var id string
	const q = `INSERT INTO assignments (intake_id, partner_id, decision_id, status, offered_at, expires_at, remind_at, updated_at)
		VALUES ($1, $2, $3, 'offered', $4, $5, $6, $4) RETURNING id`
	if err := tx.GetContext(ctx, &id, q, intakeID, partnerID, decisionID, now, expires, remindAt); err != nil {
		return "", translate(err)
	}
	// Fair rotation ranks the least recently offered partner first.
	if _, err := tx.ExecContext(ctx, `UPDATE partners SET last_offered_at = $2 WHERE id = $1`, partnerID, now); err != nil {
		return "", translate(err)
	}
	if err := setIntakeStatus(ctx, tx, intakeID, IntakeOffered, now); err != nil {
		return "", err
	}
	return id, emit(ctx, tx, events.AssignmentOffered{AssignmentID: id, IntakeID: intakeID, PartnerID: partnerID,
		DecisionID: decisionID, ExpiresAt: expires, RemindAt: remindAt})
}

// UnroutableIntakes returns the intakes waiting for a partner, oldest
// first: the unroutable ones, and any left in received or routing for over
// a minute (their routing task was lost), so nothing waits forever.
func (db *DB) UnroutableIntakes(ctx context.Context, limit int) ([]string, error) {
	var ids []string
	err := db.pool.SelectContext(ctx, &ids, `SELECT id FROM intakes
		WHERE status = 'unroutable' OR (status IN ('received','routing') AND updated_at < $2)
		ORDER BY created_at, id LIMIT $1`, limit, db.Now().Add(-time.Minute))
	return ids, translate(err)
}

// RoutingDecision is one stored decision.
type RoutingDecision struct {
	ID              string          `db:"id"`
	IntakeID        string          `db:"intake_id"`
	Trigger         string          `db:"trigger"`
	Mode            string          `db:"mode"`
	Outcome         string          `db:"outcome"`
	ChosenPartnerID *string         `db:"chosen_partner_id"`
	Explanation     json.RawMessage `db:"explanation"`
	ActorKeyID      *string         `db:"actor_key_id"`
	Reason          *string         `db:"reason"`
	CreatedAt       time.Time       `db:"created_at"`
}

// RoutingDecisions lists an intake's decisions, oldest first. Returns
// not_found for an unknown intake.
func (db *DB) RoutingDecisions(ctx context.Context, intakeID string) ([]RoutingDecision, error) {
	if _, err := db.Intake(ctx, intakeID); err != nil {
		return nil, err
	}
	out := []RoutingDecision{}
	err := db.pool.SelectContext(ctx, &out, `SELECT id, intake_id, trigger, mode, outcome, chosen_partner_id, explanation,
		actor_key_id, reason, created_at FROM routing_decisions WHERE intake_id = $1 ORDER BY created_at, id`, intakeID)
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, translate(err)
}

// AdminAssign offers the intake to a partner an admin (actor) picked,
// overriding the router or confirming a review proposal, and records the
// decision with the admin's key and reason. What the admin may pick is
// routing.CheckAssignable's rule. Returns not_found (the intake),
// validation_failed (an unknown partner, or one the rule refuses),
// invalid_transition (the intake is not waiting for a partner) or conflict.
func (db *DB) AdminAssign(ctx context.Context, actor domain.Principal, intakeID, partnerID, reason string) (RouteResult, error) {
	var res RouteResult
	err := db.inTx(ctx, func(tx *Tx) error {
		in, err := intakeForUpdate(ctx, tx, intakeID)
		if err != nil {
			return err
		}
		p, err := partnerForUpdate(ctx, tx, partnerID)
		if err != nil {
			if domain.ErrorCode(err) == domain.ECodeNotFound {
				// The intake is the resource; the partner is a field of
				// the request, and an unknown one is a bad field.
				return &domain.Error{Code: domain.ECodeValidation, Message: "the partner does not exist",
					Fields: []domain.FieldError{{Field: "partner_id", Message: "is not a known partner"}}}
			}
			return err
		}
		check := routing.Assignable{PartnerTier: p.Tier, PartnerStatus: p.Status, IntakeStatus: in.Status}
		if err := tx.GetContext(ctx, &check.HasActiveAssignment, `SELECT EXISTS (SELECT 1 FROM assignments
			WHERE intake_id = $1 AND status IN ('offered','accepted'))`, in.ID); err != nil {
			return translate(err)
		}
		if err := tx.GetContext(ctx, &check.PreviouslyAssigned, `SELECT EXISTS (SELECT 1 FROM assignments
			WHERE intake_id = $1 AND partner_id = $2)`, in.ID, p.ID); err != nil {
			return translate(err)
		}
		if err := routing.CheckAssignable(check); err != nil {
			return err
		}
		settings, err := settingsTx(ctx, tx)
		if err != nil {
			return err
		}
		// The decision keeps what the router would have done, so an
		// override can be judged against it later.
		profile := in.RoutingIntake()
		partners, err := db.routingInputs(ctx, tx, profile, in.ID)
		if err != nil {
			return err
		}
		defer releaseInputs(partners)
		d := routing.DecideTop(profile, partners, routing.Params{Threshold: settings.CloseRateThreshold}, routing.StoredCandidates)
		expl := adminExplanation{Override: "admin assigned partner " + p.ID, Router: d}
		id, err := insertDecision(ctx, tx, in.ID, "admin_assign", "admin", "assigned", &p.ID, expl, actor, reason, tx.now)
		if err != nil {
			return err
		}
		aid, err := offer(ctx, tx, in.ID, p.ID, id, settings)
		if err != nil {
			return err
		}
		res = RouteResult{Outcome: "offered", DecisionID: id, PartnerID: p.ID, AssignmentID: aid}
		return nil
	})
	return res, err
}

// adminExplanation is stored with an admin's assignment: the override and
// what the router would have done. Its stored encoding belongs to the
// routing package, beside Decision's.
type adminExplanation = routing.AdminOverride

// partnerForUpdate reads and locks a partner, so its tier and status
// cannot change under a decision that depends on them.
func partnerForUpdate(ctx context.Context, tx *Tx, id string) (domain.Partner, error) {
	if !validUUID(id) {
		return domain.Partner{}, domain.NotFound()
	}
	var r partnerRow
	if err := tx.GetContext(ctx, &r, `SELECT `+partnerCols+` FROM partners WHERE id = $1 FOR UPDATE`, id); err != nil {
		return domain.Partner{}, translate(err)
	}
	return r.toDomain(), nil
}
