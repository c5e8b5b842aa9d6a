package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/acesync"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
)

// ACERecord is a stored ACE opportunity record.
type ACERecord struct {
	ID                    string          `db:"id"`
	IntakeID              string          `db:"intake_id"`
	AssignmentID          string          `db:"assignment_id"`
	PartnerID             string          `db:"partner_id"`
	CustomerDomain        string          `db:"customer_domain"`
	FundingSource         string          `db:"funding_source"`
	State                 string          `db:"state"`
	RequestedUSD          int64           `db:"requested_usd"`
	ApprovedUSD           *int64          `db:"approved_usd"`
	ApprovedFundingSource *string         `db:"approved_funding_source"`
	Fields                json.RawMessage `db:"fields"`
	TargetCloseDate       *string         `db:"target_close_date"`
	CreatedAt             time.Time       `db:"created_at"`
	UpdatedAt             time.Time       `db:"updated_at"`
	SubmittedAt           *time.Time      `db:"submitted_at"`
	DecidedAt             *time.Time      `db:"decided_at"`
	ClosedAt              *time.Time      `db:"closed_at"`
	// AssignmentStatus is the status of the record's assignment: whether
	// its partner still holds the engagement.
	AssignmentStatus string `db:"assignment_status"`
}

const recordCols = `id, intake_id, assignment_id, partner_id, customer_domain, funding_source, state, requested_usd,
	approved_usd, approved_funding_source, fields, to_char(target_close_date, 'YYYY-MM-DD') AS target_close_date,
	created_at, updated_at, submitted_at, decided_at, closed_at,
	(SELECT a.status FROM assignments a WHERE a.id = ace_records.assignment_id) AS assignment_status`

// RecordFields decodes the stored fields.
func (r ACERecord) RecordFields() ace.RecordFields {
	var f ace.RecordFields
	_ = json.Unmarshal(r.Fields, &f)
	return f
}

// Transition is one recorded move of a record.
type Transition struct {
	ID                    int64     `db:"id"`
	FromState             *string   `db:"from_state"`
	ToState               string    `db:"to_state"`
	ActorRole             string    `db:"actor_role"`
	ActorKeyID            *string   `db:"actor_key_id"`
	Reason                *string   `db:"reason"`
	ApprovedUSD           *int64    `db:"approved_usd"`
	ApprovedFundingSource *string   `db:"approved_funding_source"`
	At                    time.Time `db:"at"`
}

// partnerScope is the partner whose records and assignments actor may
// reach: a partner its own, anyone else (an admin; later the sync) every
// partner's (""). A partner principal without a partner reaches nothing.
func partnerScope(actor domain.Principal) string {
	if actor.Role != domain.RolePartner {
		return ""
	}
	if actor.PartnerID == "" {
		return "-" // matches no partner_id
	}
	return actor.PartnerID
}

// recordForUpdate reads and locks one record; with a partnerID, only that
// partner's, so another partner's record is not_found rather than a hint
// that it exists.
func recordForUpdate(ctx context.Context, tx *Tx, id, partnerID string) (ACERecord, error) {
	if !validUUID(id) {
		return ACERecord{}, domain.NotFound()
	}
	var r ACERecord
	err := tx.GetContext(ctx, &r, `SELECT `+recordCols+` FROM ace_records WHERE id = $1 AND ($2 = '' OR partner_id::text = $2) FOR UPDATE`, id, partnerID)
	return r, translate(err)
}

// lockRecordAndCustomer locks the customer (its intake row) and then the
// record, in the order every other change of the customer's records takes
// them (customerSums locks the intake, then the records): taking the record
// first would deadlock two approvals of one customer against each other.
func lockRecordAndCustomer(ctx context.Context, tx *Tx, id, partnerID string) (ACERecord, error) {
	if !validUUID(id) {
		return ACERecord{}, domain.NotFound()
	}
	var intakeID string
	err := tx.GetContext(ctx, &intakeID, `SELECT intake_id FROM ace_records WHERE id = $1 AND ($2 = '' OR partner_id::text = $2)`, id, partnerID)
	if err != nil {
		return ACERecord{}, translate(err)
	}
	if _, err := lockCustomer(ctx, tx, intakeID); err != nil {
		return ACERecord{}, err
	}
	return recordForUpdate(ctx, tx, id, partnerID)
}

// ACERecord returns one record; with a partnerID, only that partner's.
// Returns not_found.
func (db *DB) ACERecord(ctx context.Context, partnerID, id string) (ACERecord, error) {
	if !validUUID(id) {
		return ACERecord{}, domain.NotFound()
	}
	var r ACERecord
	err := db.pool.GetContext(ctx, &r, `SELECT `+recordCols+` FROM ace_records WHERE id = $1 AND ($2 = '' OR partner_id::text = $2)`, id, partnerID)
	return r, translate(err)
}

// RecordTransitions lists a record's moves in order.
func (db *DB) RecordTransitions(ctx context.Context, id string) ([]Transition, error) {
	out := []Transition{}
	err := db.pool.SelectContext(ctx, &out, `SELECT id, from_state, to_state, actor_role, actor_key_id, reason, approved_usd,
		approved_funding_source, at FROM ace_record_transitions WHERE ace_record_id = $1 ORDER BY id`, id)
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, translate(err)
}

// prefill builds a record's starting fields from the founder's intake, so a
// partner files what the founder already told CloudRoute.
func prefill(in Intake) ace.RecordFields {
	s := func(v string) *string { return &v }
	f := ace.RecordFields{CompanyName: s(in.CompanyName), Website: s(in.Website), UseCase: s(in.UseCase),
		EngagementType: s(in.EngagementType), FundingStage: s(in.Stage), Vertical: s(in.Vertical),
		CompetingCloud: s(in.CompetingCloud), AWSAccountID: in.AWSAccountID}
	// The intake's JSON columns were validated on submission; a column
	// that does not decode leaves its field for the partner to fill.
	var spend []intake.SpendLine
	if json.Unmarshal(in.ProjectedMonthlySpend, &spend) == nil {
		for _, l := range spend {
			f.ProjectedMonthlySpend = append(f.ProjectedMonthlySpend, ace.SpendLine{Service: l.Service, USD: l.USD})
		}
	}
	for _, c := range []struct {
		raw []byte
		dst **ace.Contact
	}{{in.TechnicalContact, &f.TechnicalContact}, {in.BusinessContact, &f.BusinessContact}} {
		var ic intake.Contact
		if json.Unmarshal(c.raw, &ic) == nil && ic.Email != "" {
			*c.dst = &ace.Contact{Name: s(ic.Name), Email: s(ic.Email)}
		}
	}
	if len(in.LastRound) > 0 {
		var r intake.Round
		if json.Unmarshal(in.LastRound, &r) == nil {
			f.LastRound = &ace.Round{AmountUSD: &r.AmountUSD, LeadInvestor: s(r.LeadInvestor), ClosedOn: s(r.ClosedOn)}
			// The form takes the round as free text ("Series A"); the record
			// takes a stage value, or leaves it for the partner.
			if round := ace.RoundStage(r.Round); round != "" {
				f.LastRound.Round = s(round)
			}
			// Empty strings would count as given; the submission check must
			// still name them as missing.
			if r.LeadInvestor == "" {
				f.LastRound.LeadInvestor = nil
			}
			if r.ClosedOn == "" {
				f.LastRound.ClosedOn = nil
			}
		}
	}
	return f
}

// customerSums returns the customer's approved awards and open requested
// amounts over its records other than exceptID, after locking them.
func customerSums(ctx context.Context, tx *Tx, customer, exceptID string) (approved, requestedOpen int64, err error) {
	var rows []struct {
		State    string `db:"state"`
		Req      int64  `db:"requested_usd"`
		Approved *int64 `db:"approved_usd"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT state, requested_usd, approved_usd FROM ace_records
		WHERE customer_domain = $1 AND id::text <> $2 FOR UPDATE`, customer, exceptID); err != nil {
		return 0, 0, translate(err)
	}
	others := make([]ace.CeilingRecord, len(rows))
	for i, r := range rows {
		others[i] = ace.CeilingRecord{State: r.State, RequestedUSD: r.Req}
		if r.Approved != nil {
			others[i].ApprovedUSD = *r.Approved
		}
	}
	a, o := ace.SumForCeiling(others)
	return a, o, nil
}

// lockCustomer serialises every record change of one customer behind its
// intake row, so ceiling sums cannot race.
func lockCustomer(ctx context.Context, tx *Tx, intakeID string) (Intake, error) {
	return intakeForUpdate(ctx, tx, intakeID)
}

// CreateACERecord files a new record in identified for the partner holding
// the accepted assignment, on behalf of actor (a partner reaches only its
// own assignments). Fields start from the founder's intake and are
// overlaid with the partner's. Returns not_found (not this partner's
// assignment), duplicate_filing (assignment not accepted), tier_not_permitted,
// amount_out_of_range, stack_ceiling_exceeded, validation_failed, or conflict
// (an open record of this pool exists for the customer).
func (db *DB) CreateACERecord(ctx context.Context, actor domain.Principal, assignmentID, pool string, requestedUSD int64,
	fields ace.RecordFields) (ACERecord, []string, error) {
	var out ACERecord
	var warnings []string
	err := db.inTx(ctx, func(tx *Tx) error {
		a, err := assignmentForUpdate(ctx, tx, assignmentID, partnerScope(actor))
		if err != nil {
			return err
		}
		in, err := lockCustomer(ctx, tx, a.IntakeID)
		if err != nil {
			return err
		}
		// An offer, or an engagement that ended, gives no right to file:
		// two partners filing for one customer make AWS reject both.
		if a.Status != AssignmentAccepted {
			return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may file records for this customer")
		}
		var tier string
		if err := tx.GetContext(ctx, &tier, `SELECT tier FROM partners WHERE id = $1`, a.PartnerID); err != nil {
			return translate(err)
		}
		if err := ace.CheckTier(tier, pool); err != nil {
			return err
		}
		if err := ace.CheckAmount("requested_usd", pool, requestedUSD); err != nil {
			return err
		}
		// A new request counts against the ceiling with the customer's
		// awards and its other open requests.
		approved, open, err := customerSums(ctx, tx, in.CustomerDomain, "")
		if err != nil {
			return err
		}
		if err := ace.CheckStackCeiling(approved, open, requestedUSD); err != nil {
			return err
		}
		merged := ace.MergeFields(prefill(in), fields)
		if err := ace.ValidateFields(merged); err != nil {
			return err
		}
		fb, _ := json.Marshal(merged)
		now := tx.now
		var id string
		const q = `INSERT INTO ace_records (intake_id, assignment_id, partner_id, customer_domain, funding_source, state,
			requested_usd, fields, target_close_date, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'identified', $6, $7, NULLIF(btrim($8), '')::date, $9, $9) RETURNING id`
		if err := tx.GetContext(ctx, &id, q, in.ID, a.ID, a.PartnerID, in.CustomerDomain, pool, requestedUSD, fb,
			merged.TargetCloseDate, now); err != nil {
			// The partial unique index on open records per customer and pool
			// is the rule's last word when two filings race.
			if domain.ErrorCode(translate(err)) == domain.ECodeConflict {
				return domain.Errorf(domain.ECodeConflict, "the customer already has an open %s record", pool)
			}
			return translate(err)
		}
		if err := insertTransition(ctx, tx, id, nil, recordMove{to: ace.StateIdentified, actor: actor}); err != nil {
			return err
		}
		if w := ace.PlausibilityWarning(requestedUSD, ace.MonthlySpendUSD(merged)); w != "" {
			warnings = append(warnings, w)
		}
		if err := refreshFlags(ctx, tx, a.ID, now); err != nil {
			return err
		}
		out, err = recordForUpdate(ctx, tx, id, "")
		return err
	})
	return out, warnings, err
}

// recordMove is one move of a record: where to, who made it and why, and
// for an approval the award.
type recordMove struct {
	to           string
	actor        domain.Principal
	reason       string
	approvedUSD  *int64
	approvedPool *string
}

// insertTransition adds a move to the record's history, with who made it.
func insertTransition(ctx context.Context, tx *Tx, recordID string, from *string, m recordMove) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ace_record_transitions (ace_record_id, from_state, to_state, actor_role,
		actor_key_id, actor_user_id, reason, approved_usd, approved_funding_source, at)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, NULLIF($10, '')::uuid, NULLIF($6, ''), $7, $8, $9)`,
		recordID, from, m.to, m.actor.Role, m.actor.KeyID, m.reason, m.approvedUSD, m.approvedPool, tx.now, m.actor.UserID)
	return translate(err)
}

// moveRecordState writes one move of the locked record r: its new state
// (and award), the move in its history, the decided outcome the move
// records for routing, and the ace_record.transitioned event. It checks
// nothing: callers have applied the rules (ace.CheckTransitionRequest).
func moveRecordState(ctx context.Context, tx *Tx, r ACERecord, m recordMove) error {
	q := `UPDATE ace_records SET state = $2, updated_at = $3`
	args := []any{r.ID, m.to, tx.now}
	switch m.to {
	case ace.StateSubmitted:
		q += `, submitted_at = $3`
	case ace.StateApproved:
		q += `, decided_at = $3, approved_usd = $4, approved_funding_source = $5`
		args = append(args, m.approvedUSD, m.approvedPool)
	case ace.StateRejected:
		q += `, decided_at = $3`
	case ace.StateWithdrawn:
		// Only a submitted record was decided; a draft withdrawn was not.
		q += `, decided_at = CASE WHEN submitted_at IS NOT NULL THEN $3 ELSE decided_at END`
	case ace.StateClosed:
		// Commission is earned at the partner's rate when the record closes,
		// whatever the rate is when the accrual runs.
		q += `, closed_at = $3, commission_bps_at_close = (SELECT commission_bps FROM partners p WHERE p.id = ace_records.partner_id)`
	}
	var after struct {
		ApprovedUSD *int64 `db:"approved_usd"`
		BPSAtClose  *int   `db:"commission_bps_at_close"`
	}
	if err := tx.GetContext(ctx, &after, q+` WHERE id = $1 RETURNING approved_usd, commission_bps_at_close`, args...); err != nil {
		return translate(err)
	}
	from := r.State
	if err := insertTransition(ctx, tx, r.ID, &from, m); err != nil {
		return err
	}
	ev := events.RecordTransitioned{RecordID: r.ID, AssignmentID: r.AssignmentID, IntakeID: r.IntakeID, PartnerID: r.PartnerID,
		FundingSource: r.FundingSource, From: from, To: m.to, ActorRole: m.actor.Role,
		Outcome: ace.OutcomeOf(from, m.to, r.SubmittedAt != nil)}
	if err := tx.GetContext(ctx, &ev.ACELinked, `SELECT EXISTS (SELECT 1 FROM ace_links WHERE ace_record_id = $1)`, r.ID); err != nil {
		return translate(err)
	}
	if after.ApprovedUSD != nil {
		ev.ApprovedUSD = *after.ApprovedUSD
	}
	if m.to == ace.StateClosed {
		now := tx.now
		ev.ClosedAt = &now
		if after.BPSAtClose != nil {
			ev.CommissionBPS = *after.BPSAtClose
		}
	}
	if ev.Outcome != "" {
		// A decided outcome feeds the routing index like an imported one,
		// on the intake's axis values. A record is decided once: the
		// unique ace_record_id keeps a second outcome out.
		if _, err := tx.ExecContext(ctx, `INSERT INTO outcomes (partner_id, source, ace_record_id, decided_at, submitted_at,
			stage, region, vertical, service_profile, engagement_type, funding_source, outcome, requested_usd, approved_usd)
			SELECT r.partner_id, 'platform', r.id, $2, COALESCE(r.submitted_at, $2), i.stage, i.region, i.vertical,
				i.service_profile, i.engagement_type, r.funding_source, $3, r.requested_usd, COALESCE(r.approved_usd, 0)
			FROM ace_records r JOIN intakes i ON i.id = r.intake_id WHERE r.id = $1
			ON CONFLICT (ace_record_id) DO NOTHING`, r.ID, tx.now, ev.Outcome); err != nil {
			return translate(err)
		}
	}
	return emit(ctx, tx, ev)
}

// PatchACERecord edits a record's fields while its state allows it (see
// ace.CheckEdit, and acesync.CheckEdit for a linked record AWS asks to
// fix); requested_usd may change only while identified. A linked record's
// edit is checked against ACE's rules and written as ace_record.edited,
// which the sync sends to ACE. Returns
// not_found, invalid_transition, validation_failed, amount_out_of_range or
// stack_ceiling_exceeded.
func (db *DB) PatchACERecord(ctx context.Context, partnerID, id string, patch ace.RecordFields, requestedUSD *int64) (ACERecord, []string, error) {
	var out ACERecord
	var warnings []string
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := lockRecordAndCustomer(ctx, tx, id, partnerID)
		if err != nil {
			return err
		}
		if r.AssignmentStatus != AssignmentAccepted {
			return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may edit records for this customer")
		}
		link, linked, err := aceLinkOf(ctx, tx, r.ID, true)
		if err != nil {
			return err
		}
		if err := acesync.CheckEdit(r.State, linked && link.ActionRequired, patch); err != nil {
			return err
		}
		// AWS reviews the amount as submitted: it is fixed from then on.
		req := r.RequestedUSD
		if requestedUSD != nil {
			if r.State != ace.StateIdentified {
				return &domain.Error{Code: domain.ECodeValidation, Message: "the requested amount is locked once submitted",
					Fields: []domain.FieldError{{Field: "requested_usd", Message: "cannot be changed once the record is " + r.State}}}
			}
			if err := ace.CheckAmount("requested_usd", r.FundingSource, *requestedUSD); err != nil {
				return err
			}
			approved, open, err := customerSums(ctx, tx, r.CustomerDomain, r.ID)
			if err != nil {
				return err
			}
			if err := ace.CheckStackCeiling(approved, open, *requestedUSD); err != nil {
				return err
			}
			req = *requestedUSD
		}
		merged := ace.MergeFields(r.RecordFields(), patch)
		if err := ace.ValidateFields(merged); err != nil {
			return err
		}
		fb, _ := json.Marshal(merged)
		if _, err := tx.ExecContext(ctx, `UPDATE ace_records SET fields = $2, requested_usd = $3, target_close_date = NULLIF(btrim($4), '')::date,
			updated_at = $5 WHERE id = $1`, r.ID, fb, req, merged.TargetCloseDate, tx.now); err != nil {
			return translate(err)
		}
		if w := ace.PlausibilityWarning(req, ace.MonthlySpendUSD(merged)); w != "" {
			warnings = append(warnings, w)
		}
		if err := refreshFlags(ctx, tx, r.AssignmentID, tx.now); err != nil {
			return err
		}
		if out, err = recordForUpdate(ctx, tx, r.ID, ""); err != nil {
			return err
		}
		// A linked record's edit goes to ACE.
		if !linked {
			return nil
		}
		return linkedEdit(ctx, tx, out, link)
	})
	return out, warnings, err
}

// TransitionACERecord moves a record on behalf of actor (a partner moves
// only its own records), under the rules of ace.CheckTransitionRequest:
// invalid_transition, duplicate_filing (the engagement), tier_not_permitted,
// validation_failed, incomplete_record, amount_out_of_range,
// stack_ceiling_exceeded; not_found for a record the actor cannot see.
// The move is recorded with the actor; a decided outcome feeds the routing
// index, and closing the last open record closes the engagement. The
// ace_record.transitioned event carries what the jobs need to update the
// index and accrue the commission.
//
// A record linked to ACE also follows acesync.CheckLinkedMove: a partner
// cannot make the moves AWS's review makes (invalid_transition). Its
// submission must also meet ACE's rules (incomplete_record, naming ACE's
// fields), and asks the sync to submit it; after the partner's move, what
// ACE last said is applied at once (an award recorded after ACE showed the
// opportunity Launched moves on to launched, as AWS's move).
func (db *DB) TransitionACERecord(ctx context.Context, actor domain.Principal, id string, req ace.TransitionRequest) (ACERecord, []string, error) {
	var out ACERecord
	var warnings []string
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := lockRecordAndCustomer(ctx, tx, id, partnerScope(actor))
		if err != nil {
			return err
		}
		rec := ace.TransitionRecord{State: r.State, FundingSource: r.FundingSource, RequestedUSD: r.RequestedUSD,
			Fields: r.RecordFields(), AssignmentStatus: r.AssignmentStatus}
		if err := tx.GetContext(ctx, &rec.Tier, `SELECT tier FROM partners WHERE id = $1`, r.PartnerID); err != nil {
			return translate(err)
		}
		if ace.IsForward(r.State, req.To) {
			// Lock the assignment: a forward move must not slip past a
			// release committing at the same time.
			if err := tx.GetContext(ctx, &rec.AssignmentStatus, `SELECT status FROM assignments WHERE id = $1 FOR UPDATE`,
				r.AssignmentID); err != nil {
				return translate(err)
			}
		}
		if req.To == ace.StateApproved {
			if rec.OtherApprovedUSD, _, err = customerSums(ctx, tx, r.CustomerDomain, r.ID); err != nil {
				return err
			}
		}
		link, linked, err := aceLinkOf(ctx, tx, r.ID, true)
		if err != nil {
			return err
		}
		if linked {
			if err := ace.CheckTransition(r.State, req.To); err != nil {
				return err
			}
			if err := acesync.CheckLinkedMove(actor.Role, r.State, req.To); err != nil {
				return err
			}
		}
		if err := ace.CheckTransitionRequest(rec, req); err != nil {
			return err
		}
		if linked && req.To == ace.StateSubmitted {
			if err := checkLinkedSubmission(ctx, tx, r, link); err != nil {
				return err
			}
		}
		warnings = ace.TransitionWarnings(rec, req)
		if req.TargetCloseDate != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE ace_records SET target_close_date = $2::date WHERE id = $1`, r.ID, *req.TargetCloseDate); err != nil {
				return translate(err)
			}
		}
		m := recordMove{to: req.To, actor: actor, reason: req.Reason}
		if req.To == ace.StateApproved {
			pool := req.AwardPool(r.FundingSource)
			m.approvedUSD, m.approvedPool = req.ApprovedUSD, &pool
		}
		if err := moveRecordState(ctx, tx, r, m); err != nil {
			return err
		}
		if req.To == ace.StateClosed {
			if err := maybeCloseEngagement(ctx, tx, r.AssignmentID, r.IntakeID); err != nil {
				return err
			}
		}
		if linked {
			if req.To == ace.StateSubmitted {
				if _, err := tx.ExecContext(ctx, `UPDATE ace_links SET push_pending = true, push_seq = push_seq + 1
					WHERE ace_record_id = $1`, r.ID); err != nil {
					return translate(err)
				}
			}
			moved, err := recordForUpdate(ctx, tx, r.ID, "")
			if err != nil {
				return err
			}
			if _, err := catchUpWithACE(ctx, tx, moved, link); err != nil {
				return err
			}
		}
		if err := refreshFlags(ctx, tx, r.AssignmentID, tx.now); err != nil {
			return err
		}
		out, err = recordForUpdate(ctx, tx, r.ID, "")
		return err
	})
	return out, warnings, err
}

// maybeCloseEngagement closes the intake and completes its assignment once
// at least one of the assignment's records is closed and none is open: the
// partner has closed out its engagement with the customer.
func maybeCloseEngagement(ctx context.Context, tx *Tx, assignmentID, intakeID string) error {
	var c struct {
		Open   int `db:"open"`
		Closed int `db:"closed"`
	}
	if err := tx.GetContext(ctx, &c, `SELECT count(*) FILTER (WHERE state <> ALL($2)) AS open,
		count(*) FILTER (WHERE state = $3) AS closed FROM ace_records WHERE assignment_id = $1`,
		assignmentID, pq.Array(ace.TerminalStates), ace.StateClosed); err != nil {
		return translate(err)
	}
	if c.Open > 0 || c.Closed == 0 {
		return nil
	}
	var partnerIDs []string
	if err := tx.SelectContext(ctx, &partnerIDs, `UPDATE assignments SET status = 'completed', ended_at = $2, updated_at = $2,
		end_reason = 'engagement closed' WHERE id = $1 AND status = 'accepted' RETURNING partner_id`, assignmentID, tx.now); err != nil {
		return translate(err)
	}
	if len(partnerIDs) == 0 {
		// A released partner closing out its award: the intake has moved
		// on to another partner and stays as it is.
		return nil
	}
	if err := setIntakeStatus(ctx, tx, intakeID, IntakeClosed, tx.now); err != nil {
		return err
	}
	return emit(ctx, tx, events.IntakeClosed{IntakeID: intakeID, AssignmentID: assignmentID, PartnerID: partnerIDs[0]})
}

// EngagementRecord is a record as the founder sees it.
type EngagementRecord struct {
	ID                    string  `db:"id"`
	FundingSource         string  `db:"funding_source"`
	State                 string  `db:"state"`
	RequestedUSD          int64   `db:"requested_usd"`
	ApprovedUSD           *int64  `db:"approved_usd"`
	ApprovedFundingSource *string `db:"approved_funding_source"`
}

// Engagement is the founder's view of who works with them and what was
// filed.
type Engagement struct {
	PartnerName string
	Records     []EngagementRecord
}

// IntakeEngagement returns the partner's name once it has accepted, and
// the records filed for the intake.
func (db *DB) IntakeEngagement(ctx context.Context, intakeID string) (Engagement, error) {
	var e Engagement
	// The founder learns the partner's name once it accepted (SPEC §3), and
	// keeps it after the engagement completes.
	var names []string
	if err := db.pool.SelectContext(ctx, &names, `SELECT p.name FROM assignments a JOIN partners p ON p.id = a.partner_id
		WHERE a.intake_id = $1 AND a.status IN ('accepted','completed') ORDER BY a.offered_at DESC LIMIT 1`, intakeID); err != nil {
		return e, translate(err)
	}
	if len(names) > 0 {
		e.PartnerName = names[0]
	}
	// Every record, ended ones included: the founder sees what was filed
	// and what became of it.
	e.Records = []EngagementRecord{}
	err := db.pool.SelectContext(ctx, &e.Records, `SELECT id, funding_source, state, requested_usd, approved_usd, approved_funding_source
		FROM ace_records WHERE intake_id = $1 ORDER BY created_at, id`, intakeID)
	return e, translate(err)
}
