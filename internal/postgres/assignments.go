package postgres

import (
	"context"
	"time"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
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
	// RemindAt is when an unanswered offer is reminded; nil when reminders
	// were off. RemindedAt is when the reminder was written.
	RemindAt   *time.Time `db:"remind_at"`
	RemindedAt *time.Time `db:"reminded_at"`
}

const assignmentCols = `id, intake_id, partner_id, decision_id, status, offered_at, expires_at, accepted_at, ended_at, end_reason,
	updated_at, remind_at, reminded_at`

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

// Assignment returns one assignment, whichever partner's: for the jobs
// that tell people about it, never for a caller (PartnerAssignment scopes
// it to the caller). Returns not_found.
func (db *DB) Assignment(ctx context.Context, id string) (Assignment, error) {
	if !validUUID(id) {
		return Assignment{}, domain.NotFound()
	}
	var a Assignment
	err := db.pool.GetContext(ctx, &a, `SELECT `+assignmentCols+` FROM assignments WHERE id = $1`, id)
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

// assignmentForUpdate reads and locks one assignment; with a partnerID,
// only that partner's (another's is not_found).
func assignmentForUpdate(ctx context.Context, tx *Tx, id, partnerID string) (Assignment, error) {
	if !validUUID(id) {
		return Assignment{}, domain.NotFound()
	}
	var a Assignment
	q := `SELECT ` + assignmentCols + ` FROM assignments WHERE id = $1 AND ($2 = '' OR partner_id::text = $2) FOR UPDATE`
	err := tx.GetContext(ctx, &a, q, id, partnerID)
	return a, translate(err)
}

// endAssignment ends an assignment in status (declined, expired,
// released) with the reason given; its partner's open count falls with it
// (a trigger keeps partners.open_assignments).
func endAssignment(ctx context.Context, tx *Tx, id, status, reason string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE assignments SET status = $2, end_reason = NULLIF($3, ''), ended_at = $4, updated_at = $4 WHERE id = $1`,
		id, status, reason, now)
	return translate(err)
}

// reroute marks the intake as waiting for routing again. The event of the
// change that ended its assignment (declined, expired, released) is what
// sets the routing off, and the drain that the freed slot allows.
func reroute(ctx context.Context, tx *Tx, intakeID string) error {
	return setIntakeStatus(ctx, tx, intakeID, IntakeRouting, tx.now)
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
		// The deadline holds even before the expiry task has run.
		if !now.Before(a.ExpiresAt) {
			return domain.Errorf(domain.ECodeInvalidTransition, "the offer expired at %s", a.ExpiresAt.UTC().Format(time.RFC3339))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET status = 'accepted', accepted_at = $2, updated_at = $2 WHERE id = $1`, a.ID, now); err != nil {
			return translate(err)
		}
		if err := setIntakeStatus(ctx, tx, a.IntakeID, IntakeEngaged, now); err != nil {
			return err
		}
		if err := emit(ctx, tx, events.AssignmentAccepted{AssignmentID: a.ID, IntakeID: a.IntakeID, PartnerID: a.PartnerID}); err != nil {
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
		if err := reroute(ctx, tx, a.IntakeID); err != nil {
			return err
		}
		if err := emit(ctx, tx, events.AssignmentDeclined{AssignmentID: a.ID, IntakeID: a.IntakeID, PartnerID: a.PartnerID}); err != nil {
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
		// Answered already, or not yet due (the task ran early, or the
		// clock moved): nothing to do, and asking again is harmless.
		now := tx.now
		if a.Status != AssignmentOffered || now.Before(a.ExpiresAt) {
			return nil
		}
		if err := endAssignment(ctx, tx, a.ID, AssignmentExpired, "no answer before the deadline", now); err != nil {
			return err
		}
		if err := reroute(ctx, tx, a.IntakeID); err != nil {
			return err
		}
		expired = true
		return emit(ctx, tx, events.AssignmentExpired{AssignmentID: a.ID, IntakeID: a.IntakeID, PartnerID: a.PartnerID})
	})
	return expired, err
}

// RemindOffer writes the reminder of an offer still unanswered at its
// reminder time: the assignment.expiring event, once per offer
// (domain.OfferReminderDue). It does nothing, and returns false, for an
// offer answered, lapsed, already reminded or not yet due, so it is safe to
// run twice and early. Returns not_found.
func (db *DB) RemindOffer(ctx context.Context, id string) (bool, error) {
	reminded := false
	err := db.inTx(ctx, func(tx *Tx) error {
		a, err := assignmentForUpdate(ctx, tx, id, "")
		if err != nil {
			return err
		}
		if !domain.OfferReminderDue(a.Status, a.RemindAt, a.RemindedAt != nil, a.ExpiresAt, tx.now) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET reminded_at = $2 WHERE id = $1`, a.ID, tx.now); err != nil {
			return translate(err)
		}
		reminded = true
		return emit(ctx, tx, events.AssignmentExpiring{AssignmentID: a.ID, IntakeID: a.IntakeID, PartnerID: a.PartnerID,
			ExpiresAt: a.ExpiresAt.UTC()})
	})
	return reminded, err
}

// DueReminders lists unanswered offers whose reminder is due and not yet
// written (the sweep's backstop for reminder tasks that Redis lost).
func (db *DB) DueReminders(ctx context.Context, limit int) ([]string, error) {
	var ids []string
	now := db.Now()
	err := db.pool.SelectContext(ctx, &ids, `SELECT id FROM assignments WHERE status = 'offered' AND reminded_at IS NULL
		AND remind_at IS NOT NULL AND remind_at <= $1 AND expires_at > $1 ORDER BY remind_at LIMIT $2`, now, limit)
	return ids, translate(err)
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
// an admin (actor). It is refused with duplicate_filing while the partner
// has a record under review with AWS (ace.UnderReview); for the founder,
// also while an award is live (ace.HoldsFounder), which only an admin may
// release: the partner then keeps the right to launch and close that award
// (ace.CloseOutAfterRelease). Identified drafts are withdrawn in actor's
// name, since the release is what ended them. It returns the released
// assignment, or nil when none was accepted.
func releaseAccepted(ctx context.Context, tx *Tx, intakeID string, actor domain.Principal, reason string) (*Assignment, error) {
	var a Assignment
	err := tx.GetContext(ctx, &a, `SELECT `+assignmentCols+` FROM assignments WHERE intake_id = $1 AND status = 'accepted' FOR UPDATE`, intakeID)
	if err != nil {
		if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
			return nil, nil
		}
		return nil, translate(err)
	}
	var records []ACERecord
	if err := tx.SelectContext(ctx, &records, `SELECT `+recordCols+` FROM ace_records WHERE assignment_id = $1 ORDER BY created_at, id FOR UPDATE`, a.ID); err != nil {
		return nil, translate(err)
	}
	for _, r := range records {
		if ace.UnderReview(r.State) {
			return nil, domain.Errorf(domain.ECodeDuplicateFiling,
				"the current partner has a record under review with AWS; it must be decided or withdrawn before the customer can move")
		}
		if actor.Role != domain.RoleAdmin && ace.HoldsFounder(r.State) {
			return nil, domain.Errorf(domain.ECodeDuplicateFiling,
				"the current partner holds approved credits for this customer that it must launch and close; ask CloudRoute to release the engagement")
		}
	}
	// A draft never reached AWS: nothing holds the customer, and it would
	// only block the pool for the next partner.
	for _, r := range records {
		if r.State != ace.StateIdentified {
			continue
		}
		m := recordMove{to: ace.StateWithdrawn, actor: actor, reason: "assignment released: " + reason}
		if err := moveRecordState(ctx, tx, r, m); err != nil {
			return nil, err
		}
	}
	if err := endAssignment(ctx, tx, a.ID, AssignmentReleased, reason, tx.now); err != nil {
		return nil, err
	}
	return &a, refreshFlags(ctx, tx, a.ID, tx.now)
}

// ReleaseAssignment releases the intake's accepted assignment, for actor:
// the founder ("we did not connect") or an admin; the intake goes back to
// routing. Returns not_found, invalid_transition (nothing accepted to
// release) or duplicate_filing (a record is under review, or, for the
// founder, an award is live).
func (db *DB) ReleaseAssignment(ctx context.Context, actor domain.Principal, intakeID, reason string) (Intake, error) {
	var out Intake
	err := db.inTx(ctx, func(tx *Tx) error {
		in, err := intakeForUpdate(ctx, tx, intakeID)
		if err != nil {
			return err
		}
		a, err := releaseAccepted(ctx, tx, in.ID, actor, reason)
		if err != nil {
			return err
		}
		if a == nil {
			return domain.Errorf(domain.ECodeInvalidTransition, "the intake has no accepted assignment to release (status %s)", in.Status)
		}
		if err := reroute(ctx, tx, in.ID); err != nil {
			return err
		}
		if err := emit(ctx, tx, events.AssignmentReleased{AssignmentID: a.ID, IntakeID: in.ID, PartnerID: a.PartnerID,
			ActorRole: actor.Role}); err != nil {
			return err
		}
		out, err = intakeForUpdate(ctx, tx, in.ID)
		return err
	})
	return out, err
}

// WithdrawIntake withdraws an intake for its founder: an open offer is
// cancelled, an accepted assignment released (refused with
// duplicate_filing while a record is under review or an award is live),
// and the customer is free to submit again later. Returns not_found or
// invalid_transition.
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
		founder := domain.Principal{Role: domain.RoleFounder, IntakeID: in.ID}
		released, err := releaseAccepted(ctx, tx, in.ID, founder, reason)
		if err != nil {
			return err
		}
		// An open offer is cancelled, not declined: the partner did not
		// refuse it, and its responsiveness must not suffer.
		var ended []string
		if err := tx.SelectContext(ctx, &ended, `UPDATE assignments SET status = 'cancelled', end_reason = $2, ended_at = $3, updated_at = $3
			WHERE intake_id = $1 AND status = 'offered' RETURNING id`, in.ID, reason, now); err != nil {
			return translate(err)
		}
		if released != nil {
			ended = append(ended, released.ID)
		}
		if err := setIntakeStatus(ctx, tx, in.ID, IntakeWithdrawn, now); err != nil {
			return err
		}
		// An empty list, not null, in the payload.
		if ended == nil {
			ended = []string{}
		}
		if err := emit(ctx, tx, events.IntakeWithdrawn{IntakeID: in.ID, AssignmentIDs: ended}); err != nil {
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
	settings, err := db.Settings(ctx)
	if err != nil {
		return Responsiveness{}, err
	}
	r := Responsiveness{WindowDays: settings.WindowDays}
	if err := db.pool.GetContext(ctx, &r, `SELECT count(*) AS offers,
		count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
		count(*) FILTER (WHERE status = 'declined') AS declined,
		count(*) FILTER (WHERE status = 'expired') AS expired,
		count(*) FILTER (WHERE status = 'offered') AS pending
		FROM assignments WHERE partner_id = $1 AND offered_at >= $2`, partnerID, windowStart(db.Now(), settings)); err != nil {
		return r, translate(err)
	}
	if answered := r.Accepted + r.Declined + r.Expired; answered > 0 {
		v := float64(r.Declined+r.Expired) / float64(answered)
		r.DeclineOrExpiryRate = &v
	}
	return r, nil
}
