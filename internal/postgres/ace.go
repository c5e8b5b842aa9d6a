package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"


	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/tasks"
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

func recordForUpdate(ctx context.Context, tx *Tx, id, partnerID string) (ACERecord, error) {
	if !validUUID(id) {
		return ACERecord{}, domain.NotFound()
	}
	var r ACERecord
	err := tx.GetContext(ctx, &r, `SELECT `+recordCols+` FROM ace_records WHERE id = $1 AND ($2 = '' OR partner_id::text = $2) FOR UPDATE`, id, partnerID)
	return r, translate(err)
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
			// takes a stage value.
			round := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(r.Round)))
			if round == "series_c" || round == "series_d" || round == "series_e" {
				round = "series_c_plus"
			}
			if domain.OneOf(round, domain.Stages) {
				f.LastRound.Round = s(round)
			}
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
// the accepted assignment. Fields start from the founder's intake and are
// overlaid with the partner's. Returns not_found (not this partner's
// assignment), duplicate_filing (assignment not accepted), tier_not_permitted,
// amount_out_of_range, stack_ceiling_exceeded, validation_failed, or conflict
// (an open record of this pool exists for the customer).
func (db *DB) CreateACERecord(ctx context.Context, partnerID, assignmentID, actorKeyID, pool string, requestedUSD int64,
	fields ace.RecordFields) (ACERecord, []string, error) {
	var out ACERecord
	var warnings []string
	err := db.inTx(ctx, func(tx *Tx) error {
		a, err := assignmentForUpdate(ctx, tx, assignmentID, partnerID)
		if err != nil {
			return err
		}
		in, err := lockCustomer(ctx, tx, a.IntakeID)
		if err != nil {
			return err
		}
		if a.Status != AssignmentAccepted {
			return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may file records for this customer")
		}
		var tier string
		if err := tx.GetContext(ctx, &tier, `SELECT tier FROM partners WHERE id = $1`, partnerID); err != nil {
			return translate(err)
		}
		if err := ace.CheckTier(tier, pool); err != nil {
			return err
		}
		if err := ace.CheckAmount("requested_usd", pool, requestedUSD); err != nil {
			return err
		}
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
			VALUES ($1, $2, $3, $4, $5, 'identified', $6, $7, $8::date, $9, $9) RETURNING id`
		if err := tx.GetContext(ctx, &id, q, in.ID, a.ID, partnerID, in.CustomerDomain, pool, requestedUSD, fb,
			merged.TargetCloseDate, now); err != nil {
			if domain.ErrorCode(translate(err)) == domain.ECodeConflict {
				return domain.Errorf(domain.ECodeConflict, "the customer already has an open %s record", pool)
			}
			return translate(err)
		}
		if err := insertTransition(ctx, tx, id, nil, ace.StateIdentified, "partner", actorKeyID, "", nil, nil, now); err != nil {
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

func insertTransition(ctx context.Context, tx *Tx, recordID string, from *string, to, actorRole, actorKeyID, reason string,
	approvedUSD *int64, approvedPool *string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ace_record_transitions (ace_record_id, from_state, to_state, actor_role,
		actor_key_id, reason, approved_usd, approved_funding_source, at)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, NULLIF($6, ''), $7, $8, $9)`,
		recordID, from, to, actorRole, actorKeyID, reason, approvedUSD, approvedPool, now)
	return translate(err)
}

// moveRecordState changes a record's state and records the move; it checks
// nothing (callers do).
func moveRecordState(ctx context.Context, tx *Tx, id, from, to, actorRole, actorKeyID, reason string,
	approvedUSD *int64, approvedPool *string, now time.Time) error {
	q := `UPDATE ace_records SET state = $2, updated_at = $3`
	switch to {
	case ace.StateSubmitted:
		q += `, submitted_at = $3`
	case ace.StateApproved, ace.StateRejected:
		q += `, decided_at = $3`
	case ace.StateWithdrawn:
		q += `, decided_at = CASE WHEN submitted_at IS NOT NULL THEN $3 ELSE decided_at END`
	case ace.StateClosed:
		q += `, closed_at = $3, commission_bps_at_close = (SELECT commission_bps FROM partners p WHERE p.id = ace_records.partner_id)`
	}
	if _, err := tx.ExecContext(ctx, q+` WHERE id = $1`, id, to, now); err != nil {
		return translate(err)
	}
	f := from
	return insertTransition(ctx, tx, id, &f, to, actorRole, actorKeyID, reason, approvedUSD, approvedPool, now)
}

// PatchACERecord edits a record's fields while its state allows it (see
// ace.CheckEdit); requested_usd may change only while identified. Returns
// not_found, invalid_transition, validation_failed, amount_out_of_range or
// stack_ceiling_exceeded.
func (db *DB) PatchACERecord(ctx context.Context, partnerID, id string, patch ace.RecordFields, requestedUSD *int64) (ACERecord, []string, error) {
	var out ACERecord
	var warnings []string
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := recordForUpdate(ctx, tx, id, partnerID)
		if err != nil {
			return err
		}
		if _, err := lockCustomer(ctx, tx, r.IntakeID); err != nil {
			return err
		}
		if r.AssignmentStatus != AssignmentAccepted {
			return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may edit records for this customer")
		}
		if err := ace.CheckEdit(r.State, patch); err != nil {
			return err
		}
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
		if _, err := tx.ExecContext(ctx, `UPDATE ace_records SET fields = $2, requested_usd = $3, target_close_date = $4::date,
			updated_at = $5 WHERE id = $1`, r.ID, fb, req, merged.TargetCloseDate, tx.now); err != nil {
			return translate(err)
		}
		if w := ace.PlausibilityWarning(req, ace.MonthlySpendUSD(merged)); w != "" {
			warnings = append(warnings, w)
		}
		if err := refreshFlags(ctx, tx, r.AssignmentID, tx.now); err != nil {
			return err
		}
		out, err = recordForUpdate(ctx, tx, r.ID, "")
		return err
	})
	return out, warnings, err
}

// TransitionRequest is a requested move of a record.
type TransitionRequest struct {
	To                    string
	Reason                string
	ApprovedUSD           *int64
	ApprovedFundingSource *string
	TargetCloseDate       *string
}

// TransitionACERecord moves a record for its partner. Forward moves need
// the accepted assignment (duplicate_filing) and the tier's right to the
// pool (tier_not_permitted); submission needs every field of its pool
// (incomplete_record); approval records the award, possibly in a
// downgraded pool (amount_out_of_range, stack_ceiling_exceeded). Decided
// outcomes feed the routing index; closing with an award queues the
// commission accrual, and may close the engagement. Returns not_found,
// invalid_transition, validation_failed too.
func (db *DB) TransitionACERecord(ctx context.Context, partnerID, actorKeyID, id string, req TransitionRequest) (ACERecord, []string, error) {
	var out ACERecord
	var warnings []string
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := recordForUpdate(ctx, tx, id, partnerID)
		if err != nil {
			return err
		}
		in, err := lockCustomer(ctx, tx, r.IntakeID)
		if err != nil {
			return err
		}
		if err := ace.CheckTransition(r.State, req.To); err != nil {
			return err
		}
		var p struct {
			Tier string `db:"tier"`
			BPS  int    `db:"commission_bps"`
		}
		if err := tx.GetContext(ctx, &p, `SELECT tier, commission_bps FROM partners WHERE id = $1`, r.PartnerID); err != nil {
			return translate(err)
		}
		if ace.IsForward(r.State, req.To) {
			var status string
			if err := tx.GetContext(ctx, &status, `SELECT status FROM assignments WHERE id = $1 FOR UPDATE`, r.AssignmentID); err != nil {
				return translate(err)
			}
			held := status == AssignmentAccepted || status == AssignmentCompleted
			if !held && !(status == AssignmentReleased && ace.CloseOutAfterRelease(r.State, req.To)) {
				return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may move records for this customer")
			}
			if !held && req.TargetCloseDate != nil {
				return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may edit records for this customer")
			}
		}
		if err := ace.CheckMove(p.Tier, r.FundingSource, r.State, req.To); err != nil {
			return err
		}
		var pr domain.FieldCheck
		if (req.To == ace.StateRejected || req.To == ace.StateWithdrawn) && strings.TrimSpace(req.Reason) == "" {
			pr.Add("reason", "is required to move a record to %s", req.To)
		}
		if req.To != ace.StateApproved && (req.ApprovedUSD != nil || req.ApprovedFundingSource != nil) {
			pr.Add("approved_usd", "is only given when moving to approved")
		}
		if req.To == ace.StateApproved && req.ApprovedUSD == nil {
			pr.Add("approved_usd", "is required to approve a record")
		}
		if req.ApprovedFundingSource != nil && !domain.OneOf(*req.ApprovedFundingSource, domain.FundingSources) {
			pr.Add("approved_funding_source", "must be one of the funding sources")
		}
		if req.TargetCloseDate != nil {
			if _, err := time.Parse("2006-01-02", *req.TargetCloseDate); err != nil {
				pr.Add("target_close_date", "must be a date YYYY-MM-DD")
			}
		}
		if err := pr.Err(domain.ECodeValidation, "the transition has invalid fields"); err != nil {
			return err
		}
		fields := r.RecordFields()
		now := tx.now
		var approvedUSD *int64
		var approvedPool *string
		switch req.To {
		case ace.StateSubmitted:
			if err := ace.MissingForSubmission(r.FundingSource, r.RequestedUSD, fields); err != nil {
				return err
			}
			if w := ace.PlausibilityWarning(r.RequestedUSD, ace.MonthlySpendUSD(fields)); w != "" {
				warnings = append(warnings, w)
			}
		case ace.StateApproved:
			pool := r.FundingSource
			if req.ApprovedFundingSource != nil {
				pool = *req.ApprovedFundingSource
			}
			if err := ace.CheckAward(r.RequestedUSD, pool, *req.ApprovedUSD); err != nil {
				return err
			}
			others, _, err := customerSums(ctx, tx, r.CustomerDomain, r.ID)
			if err != nil {
				return err
			}
			if err := ace.CheckApprovalCeiling(others, *req.ApprovedUSD); err != nil {
				return err
			}
			approvedUSD, approvedPool = req.ApprovedUSD, &pool
			if _, err := tx.ExecContext(ctx, `UPDATE ace_records SET approved_usd = $2, approved_funding_source = $3 WHERE id = $1`,
				r.ID, *approvedUSD, pool); err != nil {
				return translate(err)
			}
		}
		if req.TargetCloseDate != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE ace_records SET target_close_date = $2::date WHERE id = $1`, r.ID, *req.TargetCloseDate); err != nil {
				return translate(err)
			}
		}
		if err := moveRecordState(ctx, tx, r.ID, r.State, req.To, "partner", actorKeyID, req.Reason, approvedUSD, approvedPool, now); err != nil {
			return err
		}
		// Decided outcomes feed the routing index: approved is a win;
		// rejected, or withdrawn after submission, a loss.
		outcome := ""
		switch {
		case req.To == ace.StateApproved:
			outcome = "approved"
		case req.To == ace.StateRejected:
			outcome = "rejected"
		case req.To == ace.StateWithdrawn && r.SubmittedAt != nil:
			outcome = "withdrawn"
		}
		if outcome != "" {
			var award int64
			if approvedUSD != nil {
				award = *approvedUSD
			}
			submitted := now
			if r.SubmittedAt != nil {
				submitted = *r.SubmittedAt
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outcomes (partner_id, source, ace_record_id, decided_at, submitted_at,
				stage, region, vertical, service_profile, engagement_type, funding_source, outcome, requested_usd, approved_usd)
				VALUES ($1, 'platform', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (ace_record_id) DO NOTHING`,
				r.PartnerID, r.ID, now, submitted, in.Stage, in.Region, in.Vertical, in.ServiceProfile, in.EngagementType,
				r.FundingSource, outcome, r.RequestedUSD, award); err != nil {
				return translate(err)
			}
			if err := enqueue(ctx, tx, tasks.TypeUpdateIndex, tasks.UpdateIndex{PartnerID: r.PartnerID}, nil); err != nil {
				return err
			}
		}
		if req.To == ace.StateClosed {
			if r.ApprovedUSD != nil && *r.ApprovedUSD > 0 {
				// The rate that applies is the partner's rate at closing.
				if err := enqueue(ctx, tx, tasks.TypeAccrueCommission, tasks.AccrueCommission{ACERecordID: r.ID,
					CommissionBPS: p.BPS, ClosedAt: now}, nil); err != nil {
					return err
				}
			}
			if err := maybeCloseEngagement(ctx, tx, r.AssignmentID, in.ID, now); err != nil {
				return err
			}
		}
		if err := refreshFlags(ctx, tx, r.AssignmentID, now); err != nil {
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
func maybeCloseEngagement(ctx context.Context, tx *Tx, assignmentID, intakeID string, now time.Time) error {
	var c struct {
		Open   int `db:"open"`
		Closed int `db:"closed"`
	}
	if err := tx.GetContext(ctx, &c, `SELECT count(*) FILTER (WHERE state NOT IN ('closed','rejected','withdrawn')) AS open,
		count(*) FILTER (WHERE state = 'closed') AS closed FROM ace_records WHERE assignment_id = $1`, assignmentID); err != nil {
		return translate(err)
	}
	if c.Open > 0 || c.Closed == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE assignments SET status = 'completed', ended_at = $2, updated_at = $2,
		end_reason = 'engagement closed' WHERE id = $1 AND status = 'accepted'`, assignmentID, now)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// A released partner closing out its award: the intake has moved
		// on to another partner and stays as it is.
		return nil
	}
	if err := setIntakeStatus(ctx, tx, intakeID, IntakeClosed, now); err != nil {
		return err
	}
	return enqueueDrain(ctx, tx, "capacity_freed")
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
	var names []string
	if err := db.pool.SelectContext(ctx, &names, `SELECT p.name FROM assignments a JOIN partners p ON p.id = a.partner_id
		WHERE a.intake_id = $1 AND a.status IN ('accepted','completed') ORDER BY a.offered_at DESC LIMIT 1`, intakeID); err != nil {
		return e, translate(err)
	}
	if len(names) > 0 {
		e.PartnerName = names[0]
	}
	e.Records = []EngagementRecord{}
	err := db.pool.SelectContext(ctx, &e.Records, `SELECT id, funding_source, state, requested_usd, approved_usd, approved_funding_source
		FROM ace_records WHERE intake_id = $1 ORDER BY created_at, id`, intakeID)
	return e, translate(err)
}
