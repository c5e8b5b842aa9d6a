package postgres

import (
	"context"
	"time"


	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/tasks"
)

// Assignment statuses (domain.AssignmentStatuses).
const (
	AssignmentOffered   = domain.AssignmentOffered
	AssignmentAccepted  = domain.AssignmentAccepted
	AssignmentDeclined  = domain.AssignmentDeclined
	AssignmentExpired   = domain.AssignmentExpired
	AssignmentReleased  = domain.AssignmentReleased
	AssignmentCancelled = domain.AssignmentCancelled
	AssignmentCompleted = domain.AssignmentCompleted
)

// AssignmentStatuses is the value set of assignment statuses.
var AssignmentStatuses = domain.AssignmentStatuses

// Assignment is an offer of an intake to a partner and what became of it.
type Assignment struct {
	ID         string     `db:"id"`
	IntakeID   string     `db:"intake_id"`
	PartnerID  string     `db:"partner_id"`
	DecisionID *string    `db:"decision_id"`
	Status     string     `db:"status"`
	OfferedAt  time.Time  `db:"offered_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	AcceptedAt *time.Time `db:"accepted_at"`
	EndedAt    *time.Time `db:"ended_at"`
	EndReason  *string    `db:"end_reason"`
	UpdatedAt  time.Time  `db:"updated_at"`
}

const assignmentCols = `id, intake_id, partner_id, decision_id, status, offered_at, expires_at, accepted_at, ended_at, end_reason, updated_at`

// PartnerAssignment returns one of a partner's assignments. Another
// partner's assignment is not_found.
func (db *DB) PartnerAssignment(ctx context.Context, partnerID, id string) (Assignment, error) {
	if !validUUID(id) {
		return Assignment{}, domain.NotFound()
	}
	var a Assignment
	err := db.pool.GetContext(ctx, &a, `SELECT `+assignmentCols+` FROM assignments WHERE id = $1 AND partner_id = $2`, id, partnerID)
	return a, translate(err)
}

// PartnerAssignments lists a partner's assignments, newest first,
// optionally of one status.
func (db *DB) PartnerAssignments(ctx context.Context, partnerID, status string, limit int) ([]Assignment, error) {
	out := []Assignment{}
	err := db.pool.SelectContext(ctx, &out, `SELECT `+assignmentCols+` FROM assignments
		WHERE partner_id = $1 AND ($2 = '' OR status = $2) ORDER BY offered_at DESC, id LIMIT $3`, partnerID, status, limit)
	return out, translate(err)
}

func assignmentForUpdate(ctx context.Context, tx *Tx, id, partnerID string) (Assignment, error) {
	if !validUUID(id) {
		return Assignment{}, domain.NotFound()
	}
	var a Assignment
	q := `SELECT ` + assignmentCols + ` FROM assignments WHERE id = $1 AND ($2 = '' OR partner_id::text = $2) FOR UPDATE`
	err := tx.GetContext(ctx, &a, q, id, partnerID)
	return a, translate(err)
}

func endAssignment(ctx context.Context, tx *Tx, id, status, reason string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE assignments SET status = $2, end_reason = NULLIF($3, ''), ended_at = $4, updated_at = $4 WHERE id = $1`,
		id, status, reason, now)
	return translate(err)
}

// reroute marks the intake as routing again and queues its routing.
func reroute(ctx context.Context, tx *Tx, intakeID, trigger string, now time.Time) error {
	if err := setIntakeStatus(ctx, tx, intakeID, IntakeRouting, now); err != nil {
		return err
	}
	if err := enqueue(ctx, tx, tasks.TypeRouteIntake, tasks.RouteIntake{IntakeID: intakeID, Trigger: trigger}, nil); err != nil {
		return err
	}
	// The previous partner's slot is free again.
	return enqueueDrain(ctx, tx, "capacity_freed")
}

// AcceptAssignment accepts an offer. Returns not_found (not this
// partner's), invalid_transition (not offered, or past its deadline).
func (db *DB) AcceptAssignment(ctx context.Context, partnerID, id string) (Assignment, error) {
	var out Assignment
	err := db.inTx(ctx, func(tx *Tx) error {
		a, err := assignmentForUpdate(ctx, tx, id, partnerID)
		if err != nil {
			return err
		}
		now := tx.now
		if a.Status != AssignmentOffered {
			return domain.Errorf(domain.ECodeInvalidTransition, "the assignment is %s; only an offered assignment can be accepted", a.Status)
		}
		if !now.Before(a.ExpiresAt) {
			return domain.Errorf(domain.ECodeInvalidTransition, "the offer expired at %s", a.ExpiresAt.UTC().Format(time.RFC3339))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET status = 'accepted', accepted_at = $2, updated_at = $2 WHERE id = $1`, a.ID, now); err != nil {
			return translate(err)
		}
		if err := setIntakeStatus(ctx, tx, a.IntakeID, IntakeEngaged, now); err != nil {
			return err
		}
		out, err = assignmentForUpdate(ctx, tx, id, partnerID)
		return err
	})
	return out, err
}

// DeclineAssignment declines an offer with a reason and re-routes the
// intake to the next partner. Returns not_found or invalid_transition.
func (db *DB) DeclineAssignment(ctx context.Context, partnerID, id, reason string) (Assignment, error) {
	var out Assignment
	err := db.inTx(ctx, func(tx *Tx) error {
		a, err := assignmentForUpdate(ctx, tx, id, partnerID)
		if err != nil {
			return err
		}
		if a.Status != AssignmentOffered {
			return domain.Errorf(domain.ECodeInvalidTransition, "the assignment is %s; only an offered assignment can be declined", a.Status)
		}
		now := tx.now
		if !now.Before(a.ExpiresAt) {
			// Past its deadline the offer is expired, whether or not the
			// expiry task has run yet: it can be neither accepted nor declined.
			return domain.Errorf(domain.ECodeInvalidTransition, "the offer expired at %s", a.ExpiresAt.UTC().Format(time.RFC3339))
		}
		if err := endAssignment(ctx, tx, a.ID, AssignmentDeclined, reason, now); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, tasks.TypeUpdateIndex, tasks.UpdateIndex{PartnerID: a.PartnerID}, nil); err != nil {
			return err
		}
		if err := reroute(ctx, tx, a.IntakeID, "declined", now); err != nil {
			return err
		}
		out, err = assignmentForUpdate(ctx, tx, id, partnerID)
		return err
	})
	return out, err
}

// ExpireAssignment expires an offer whose deadline has passed and re-routes
// the intake. It does nothing (and returns false) for an offer that was
// answered or is not yet due, so it is safe to run twice.
func (db *DB) ExpireAssignment(ctx context.Context, id string) (bool, error) {
	expired := false
	err := db.inTx(ctx, func(tx *Tx) error {
		a, err := assignmentForUpdate(ctx, tx, id, "")
		if err != nil {
			return err
		}
		now := tx.now
		if a.Status != AssignmentOffered || now.Before(a.ExpiresAt) {
			return nil
		}
		if err := endAssignment(ctx, tx, a.ID, AssignmentExpired, "no answer before the deadline", now); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, tasks.TypeUpdateIndex, tasks.UpdateIndex{PartnerID: a.PartnerID}, nil); err != nil {
			return err
		}
		expired = true
		return reroute(ctx, tx, a.IntakeID, "expired", now)
	})
	return expired, err
}

// OverdueOffers lists offers past their deadline (the sweeper's backstop for
// expiry tasks that Redis lost).
func (db *DB) OverdueOffers(ctx context.Context, limit int) ([]string, error) {
	var ids []string
	err := db.pool.SelectContext(ctx, &ids, `SELECT id FROM assignments WHERE status = 'offered' AND expires_at <= $1
		ORDER BY expires_at LIMIT $2`, db.Now(), limit)
	return ids, translate(err)
}

// releaseAccepted ends the intake's accepted assignment for its founder or
// an admin. It is refused with duplicate_filing while the partner has a
// record under review with AWS (ace.UnderReview); for the founder, also
// while an award is live (ace.HoldsFounder), which only an admin may
// release: the partner then keeps the right to launch and close that award
// (ace.CloseOutAfterRelease). Identified drafts are withdrawn. Returns
// whether there was an accepted assignment.
func releaseAccepted(ctx context.Context, tx *Tx, intakeID, endStatus string, actor domain.Principal, reason string, now time.Time) (bool, error) {
	var a Assignment
	err := tx.GetContext(ctx, &a, `SELECT `+assignmentCols+` FROM assignments WHERE intake_id = $1 AND status = 'accepted' FOR UPDATE`, intakeID)
	if err != nil {
		if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
			return false, nil
		}
		return false, translate(err)
	}
	var states []string
	if err := tx.SelectContext(ctx, &states, `SELECT state FROM ace_records WHERE assignment_id = $1 FOR UPDATE`, a.ID); err != nil {
		return false, translate(err)
	}
	for _, st := range states {
		if ace.UnderReview(st) {
			return false, domain.Errorf(domain.ECodeDuplicateFiling,
				"the current partner has a record under review with AWS; it must be decided or withdrawn before the customer can move")
		}
		if actor.Role != domain.RoleAdmin && ace.HoldsFounder(st) {
			return false, domain.Errorf(domain.ECodeDuplicateFiling,
				"the current partner holds approved credits for this customer that it must launch and close; ask CloudRoute to release the engagement")
		}
	}
	var drafts []string
	if err := tx.SelectContext(ctx, &drafts, `SELECT id FROM ace_records WHERE assignment_id = $1 AND state = 'identified'`, a.ID); err != nil {
		return false, translate(err)
	}
	for _, d := range drafts {
		if err := moveRecordState(ctx, tx, d, "identified", "withdrawn", "system", "", "assignment released: "+reason, nil, nil, now); err != nil {
			return false, err
		}
	}
	if err := endAssignment(ctx, tx, a.ID, endStatus, reason, now); err != nil {
		return false, err
	}
	return true, refreshFlags(ctx, tx, a.ID, now)
}

// ReleaseAssignment releases the intake's accepted assignment ("we did not
// connect" from the founder, or an admin release) and re-routes the
// intake. Returns not_found, invalid_transition (nothing accepted to
// release) or duplicate_filing (a record is under review).
func (db *DB) ReleaseAssignment(ctx context.Context, intakeID string, actor domain.Principal, reason string) (Intake, error) {
	var out Intake
	err := db.inTx(ctx, func(tx *Tx) error {
		in, err := intakeForUpdate(ctx, tx, intakeID)
		if err != nil {
			return err
		}
		now := tx.now
		ok, err := releaseAccepted(ctx, tx, in.ID, AssignmentReleased, actor, reason, now)
		if err != nil {
			return err
		}
		if !ok {
			return domain.Errorf(domain.ECodeInvalidTransition, "the intake has no accepted assignment to release (status %s)", in.Status)
		}
		if err := reroute(ctx, tx, in.ID, "released", now); err != nil {
			return err
		}
		out, err = intakeForUpdate(ctx, tx, in.ID)
		return err
	})
	return out, err
}

// WithdrawIntake withdraws an intake for its founder: an open offer is
// cancelled, an accepted assignment released (refused with
// duplicate_filing while a record is under review), and the customer is
// free to submit again later. Returns not_found or invalid_transition.
func (db *DB) WithdrawIntake(ctx context.Context, intakeID, reason string) (Intake, error) {
	var out Intake
	err := db.inTx(ctx, func(tx *Tx) error {
		in, err := intakeForUpdate(ctx, tx, intakeID)
		if err != nil {
			return err
		}
		if in.Status == IntakeWithdrawn || in.Status == IntakeClosed {
			return domain.Errorf(domain.ECodeInvalidTransition, "the intake is already %s", in.Status)
		}
		now := tx.now
		if reason == "" {
			reason = "withdrawn by the founder"
		}
		if _, err := releaseAccepted(ctx, tx, in.ID, AssignmentReleased, domain.Principal{Role: domain.RoleFounder, IntakeID: in.ID}, reason, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET status = 'cancelled', end_reason = $2, ended_at = $3, updated_at = $3
			WHERE intake_id = $1 AND status = 'offered'`, in.ID, reason, now); err != nil {
			return translate(err)
		}
		if err := setIntakeStatus(ctx, tx, in.ID, IntakeWithdrawn, now); err != nil {
			return err
		}
		// The partner's capacity may have freed up.
		if err := enqueueDrain(ctx, tx, "intake_withdrawn"); err != nil {
			return err
		}
		out, err = intakeForUpdate(ctx, tx, in.ID)
		return err
	})
	return out, err
}

// Responsiveness is how a partner answers offers over the routing window,
// tracked apart from its close rate (SPEC §3 routing 7).
type Responsiveness struct {
	WindowDays     int `db:"-"`
	OffersReceived int `db:"offers"`
	Accepted       int `db:"accepted"`
	Declined       int `db:"declined"`
	Expired        int `db:"expired"`
	Pending        int `db:"pending"`
	// DeclineOrExpiryRate is (declined + expired) / answered offers; null
	// before any offer was answered.
	DeclineOrExpiryRate *float64 `db:"-"`
}

// PartnerResponsiveness counts a partner's offers in the window and what
// became of them.
func (db *DB) PartnerResponsiveness(ctx context.Context, partnerID string) (Responsiveness, error) {
	st, err := db.Settings(ctx)
	if err != nil {
		return Responsiveness{}, err
	}
	r := Responsiveness{WindowDays: st.WindowDays}
	if err := db.pool.GetContext(ctx, &r, `SELECT count(*) AS offers,
		count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
		count(*) FILTER (WHERE status = 'declined') AS declined,
		count(*) FILTER (WHERE status = 'expired') AS expired,
		count(*) FILTER (WHERE status = 'offered') AS pending
		FROM assignments WHERE partner_id = $1 AND offered_at >= $2`, partnerID, windowStart(db.Now(), st)); err != nil {
		return r, translate(err)
	}
	if answered := r.Accepted + r.Declined + r.Expired; answered > 0 {
		v := float64(r.Declined+r.Expired) / float64(answered)
		r.DeclineOrExpiryRate = &v
	}
	return r, nil
}
