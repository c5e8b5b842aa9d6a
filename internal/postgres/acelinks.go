package postgres

import (
	"context"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/acesync"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// ACELink is a record's link to its ACE opportunity: what ACE last said,
// and where the push stands.
type ACELink struct {
	RecordID        string     `db:"ace_record_id"`
	PartnerID       string     `db:"partner_id"`
	Catalog         string     `db:"catalog"`
	Extra           []byte     `db:"extra"`
	OpportunityID   *string    `db:"opportunity_id"`
	PendingCreate   []byte     `db:"pending_create"`
	ACEModifiedAt   *time.Time `db:"ace_modified_at"`
	ReviewStatus    *string    `db:"review_status"`
	Stage           *string    `db:"stage"`
	Associated      bool       `db:"associated"`
	SubmittedAt     *time.Time `db:"submitted_at"`
	PushPending     bool       `db:"push_pending"`
	PushSeq         int64      `db:"push_seq"`
	PushedDigest    []byte     `db:"pushed_digest"`
	LastPushAt      *time.Time `db:"last_push_at"`
	LastPullAt      *time.Time `db:"last_pull_at"`
	LastErrorCode   *string    `db:"last_error_code"`
	LastError       *string    `db:"last_error"`
	LastErrorFields []byte     `db:"last_error_fields"`
	LastErrorAt     *time.Time `db:"last_error_at"`
	ActionRequired  bool       `db:"action_required"`
	ActionComments  *string    `db:"action_comments"`
	LaunchedAt      *time.Time `db:"launched_at"`
	Finding         *string    `db:"finding"`
	LinkedAt        time.Time  `db:"linked_at"`
}

const aceLinkCols = `ace_record_id, partner_id, catalog, extra, opportunity_id, pending_create, ace_modified_at,
	review_status, stage, associated, submitted_at, push_pending, push_seq, pushed_digest, last_push_at, last_pull_at,
	last_error_code, last_error, last_error_fields, last_error_at, action_required, action_comments, launched_at, finding,
	linked_at`

// ExtraFields decodes what the partner gave when linking.
func (l ACELink) ExtraFields() acesync.Extra {
	var x acesync.Extra
	_ = json.Unmarshal(l.Extra, &x)
	return x
}

// ErrorFields decodes the field list of the last error.
func (l ACELink) ErrorFields() []pc.FieldError {
	var f []pc.FieldError
	_ = json.Unmarshal(l.LastErrorFields, &f)
	return f
}

// LifeCycle is ACE's review status and stage as last read.
func (l ACELink) LifeCycle() pc.LifeCycleSummary {
	var lc pc.LifeCycleSummary
	if l.ReviewStatus != nil {
		lc.ReviewStatus = *l.ReviewStatus
	}
	if l.Stage != nil {
		lc.Stage = *l.Stage
	}
	return lc
}

// ACELinkOf returns a record's link; ok is false when the record is not
// linked.
func (db *DB) ACELinkOf(ctx context.Context, recordID string) (ACELink, bool, error) {
	return aceLinkOf(ctx, db.pool, recordID, false)
}

func aceLinkOf(ctx context.Context, q sqlx.QueryerContext, recordID string, lock bool) (ACELink, bool, error) {
	var ls []ACELink
	sql := `SELECT ` + aceLinkCols + ` FROM ace_links WHERE ace_record_id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	if err := sqlx.SelectContext(ctx, q, &ls, sql, recordID); err != nil {
		return ACELink{}, false, translate(err)
	}
	if len(ls) == 0 {
		return ACELink{}, false, nil
	}
	return ls[0], true, nil
}

// syncRecord is what the sync's mapping reads of a record: the record, its
// intake and the link's details.
func syncRecord(ctx context.Context, q sqlx.QueryerContext, r ACERecord, extra acesync.Extra) (acesync.Record, error) {
	var in Intake
	if err := sqlx.GetContext(ctx, q, &in, `SELECT `+intakeCols+` FROM intakes WHERE id = $1`, r.IntakeID); err != nil {
		return acesync.Record{}, translate(err)
	}
	out := acesync.Record{ID: r.ID, FundingSource: r.FundingSource, RequestedUSD: r.RequestedUSD, Fields: r.RecordFields(),
		Extra: extra, Intake: acesync.Intake{CompanyName: in.CompanyName, Website: in.Website, Stage: in.Stage,
			Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile, EngagementType: in.EngagementType,
			UseCase: in.UseCase, CompetingCloud: in.CompetingCloud}}
	var spend []intake.SpendLine
	if json.Unmarshal(in.ProjectedMonthlySpend, &spend) == nil {
		for _, l := range spend {
			out.Intake.ProjectedMonthlySpend = append(out.Intake.ProjectedMonthlySpend, ace.SpendLine{Service: l.Service, USD: l.USD})
		}
	}
	return out, nil
}

// preflightError is the pre-flight of a record as a sync error, or nil
// when the record may be filed.
func preflightError(catalog string, rec acesync.Record, now time.Time) *acesync.SyncError {
	errs := acesync.Preflight(catalog, rec, now)
	if len(errs) == 0 {
		return nil
	}
	return &acesync.SyncError{Code: acesync.SyncPreflight, Fields: errs,
		Message: "the record does not meet ACE's rules yet; nothing was sent to ACE. Fix the fields listed and it is sent"}
}

// setLinkError records e on the link, or, with e nil, clears an error an
// edit can fix (acesync.FixedByEdit).
func setLinkError(ctx context.Context, q sqlx.ExecerContext, recordID string, e *acesync.SyncError, now time.Time) error {
	if e == nil {
		_, err := q.ExecContext(ctx, `UPDATE ace_links SET last_error_code = NULL, last_error = NULL, last_error_fields = NULL,
			last_error_at = NULL WHERE ace_record_id = $1 AND last_error_code = ANY($2)`, recordID,
			pq.Array([]string{acesync.SyncPreflight, acesync.SyncACEValidation, acesync.SyncSubmissionFailed}))
		return translate(err)
	}
	var fields []byte
	if len(e.Fields) > 0 {
		fields, _ = json.Marshal(e.Fields)
	}
	_, err := q.ExecContext(ctx, `UPDATE ace_links SET last_error_code = $2, last_error = $3, last_error_fields = $4,
		last_error_at = $5 WHERE ace_record_id = $1`, recordID, e.Code, truncate(e.Message, 2000), fields, now)
	return translate(err)
}

// SetACELinkError records what stopped a push of the record (nil clears an
// error an edit can fix).
func (db *DB) SetACELinkError(ctx context.Context, recordID string, e *acesync.SyncError) error {
	return setLinkError(ctx, db.pool, recordID, e, db.Now())
}

// lockCustomerThenRecord locks the customer (its intake row), then the
// record: the order in which a new record's filing takes them
// (CreateACERecord, customerSums), so that the sync's changes and the
// partner's never wait on each other in a circle.
func lockCustomerThenRecord(ctx context.Context, tx *Tx, id, partnerID string) (ACERecord, error) {
	if !validUUID(id) {
		return ACERecord{}, domain.NotFound()
	}
	var intakeID string
	if err := tx.GetContext(ctx, &intakeID, `SELECT intake_id FROM ace_records WHERE id = $1 AND ($2 = '' OR partner_id::text = $2)`,
		id, partnerID); err != nil {
		return ACERecord{}, translate(err)
	}
	if _, err := lockCustomer(ctx, tx, intakeID); err != nil {
		return ACERecord{}, err
	}
	return recordForUpdate(ctx, tx, id, partnerID)
}

// LinkACERecord links a record of actor's partner to ACE, with the details
// ACE needs that the record does not hold (checked by acesync.CheckExtra
// before), or gives those details again for a linked record. The record is
// checked against ACE's rules at once (acesync.Preflight) and the result is
// kept on its sync state; ace_record.linked sets off the push. Returns
// not_found (not the actor's record), conflict (no connection to ACE; a
// record past identified, acesync.CheckLinkable), duplicate_filing (the
// partner no longer holds the engagement).
func (db *DB) LinkACERecord(ctx context.Context, actor domain.Principal, recordID string, extra acesync.Extra) (ACERecord, error) {
	var out ACERecord
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := lockCustomerThenRecord(ctx, tx, recordID, partnerScope(actor))
		if err != nil {
			return err
		}
		link, linked, err := aceLinkOf(ctx, tx, r.ID, true)
		if err != nil {
			return err
		}
		var catalogs []string
		if err := tx.SelectContext(ctx, &catalogs, `SELECT catalog FROM ace_connections WHERE partner_id = $1`, r.PartnerID); err != nil {
			return translate(err)
		}
		if len(catalogs) == 0 {
			return domain.Errorf(domain.ECodeConflict, "connect CloudRoute to AWS Partner Central first (PUT /v1/partner/ace-connection)")
		}
		if r.AssignmentStatus != AssignmentAccepted {
			return domain.Errorf(domain.ECodeDuplicateFiling, "only the partner holding the accepted assignment may file records for this customer")
		}
		catalog := catalogs[0]
		if linked && ace.IsTerminal(r.State) {
			return domain.Errorf(domain.ECodeConflict, "a %s record is not synced with ACE any more", r.State)
		}
		if linked {
			// The opportunity lives in the catalog it was filed in.
			catalog = link.Catalog
		} else if err := acesync.CheckLinkable(r.State); err != nil {
			return err
		}
		xb, _ := json.Marshal(extra)
		if linked {
			_, err = tx.ExecContext(ctx, `UPDATE ace_links SET extra = $2, push_pending = true, push_seq = push_seq + 1
				WHERE ace_record_id = $1`, r.ID, xb)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO ace_links (ace_record_id, partner_id, catalog, extra, linked_at)
				VALUES ($1, $2, $3, $4, $5)`, r.ID, r.PartnerID, catalog, xb, tx.now)
		}
		if err != nil {
			return translate(err)
		}
		rec, err := syncRecord(ctx, tx, r, extra)
		if err != nil {
			return err
		}
		if err := setLinkError(ctx, tx, r.ID, preflightError(catalog, rec, tx.now), tx.now); err != nil {
			return err
		}
		if err := emit(ctx, tx, events.RecordLinked{RecordID: r.ID, PartnerID: r.PartnerID}); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// linkedEdit is what an edit of a linked record does to its link: the
// record is checked against ACE's rules again, a push is asked for, and
// ace_record.edited is written. r is the record after the edit.
func linkedEdit(ctx context.Context, tx *Tx, r ACERecord, link ACELink) error {
	if _, err := tx.ExecContext(ctx, `UPDATE ace_links SET push_pending = true, push_seq = push_seq + 1 WHERE ace_record_id = $1`,
		r.ID); err != nil {
		return translate(err)
	}
	rec, err := syncRecord(ctx, tx, r, link.ExtraFields())
	if err != nil {
		return err
	}
	if err := setLinkError(ctx, tx, r.ID, preflightError(link.Catalog, rec, tx.now), tx.now); err != nil {
		return err
	}
	return emit(ctx, tx, events.RecordEdited{RecordID: r.ID, PartnerID: r.PartnerID})
}

// checkLinkedSubmission applies, to a linked record the partner submits,
// ACE's rules on top of CloudRoute's: the sync submits it to ACE, so a
// record ACE would refuse is refused here (incomplete_record, 422), each
// field named by its ACE path with the CloudRoute field to fix.
func checkLinkedSubmission(ctx context.Context, tx *Tx, r ACERecord, link ACELink) error {
	rec, err := syncRecord(ctx, tx, r, link.ExtraFields())
	if err != nil {
		return err
	}
	errs := acesync.Preflight(link.Catalog, rec, tx.now)
	if len(errs) == 0 {
		return nil
	}
	var p domain.FieldCheck
	for _, e := range errs {
		if from := acesync.CloudRouteField(e.Field); from != "" {
			p.Add(e.Field, "%s (CloudRoute: %s)", e.Message, from)
		} else {
			p.Add(e.Field, "%s", e.Message)
		}
	}
	return p.Err(domain.ECodeIncompleteRecord, "the record is linked to ACE and does not meet ACE's rules yet")
}

// catchUpWithACE applies what ACE last said to a linked record the
// partner just moved: an award recorded after ACE showed the opportunity
// Launched moves on to launched at once, as AWS's move.
func catchUpWithACE(ctx context.Context, tx *Tx, r ACERecord, link ACELink) (ACERecord, error) {
	if link.ReviewStatus == nil && link.Stage == nil {
		return r, nil
	}
	d := acesync.Decide(r.State, link.LifeCycle())
	for _, to := range d.Moves {
		if !ace.IsForward(r.State, to) {
			break // a partner's move never sets off AWS's rejection
		}
		if err := moveRecordState(ctx, tx, r, recordMove{to: to, actor: domain.Principal{Role: domain.RoleAWS}}); err != nil {
			return r, err
		}
		next, err := recordForUpdate(ctx, tx, r.ID, "")
		if err != nil {
			return r, err
		}
		r = next
	}
	_, err := tx.ExecContext(ctx, `UPDATE ace_links SET finding = NULLIF($2, '') WHERE ace_record_id = $1`, r.ID, d.Finding)
	return r, translate(err)
}

// ACEPushItem is everything a push of one record reads: the record, its
// link, what the mapping reads, and the partner's connection.
type ACEPushItem struct {
	Record        ACERecord
	Link          ACELink
	Sync          acesync.Record
	Connection    ACEConnection
	HasConnection bool
}

// ACEPushItem reads what a push of the record needs; not_found when the
// record is not linked.
func (db *DB) ACEPushItem(ctx context.Context, recordID string) (ACEPushItem, error) {
	var it ACEPushItem
	var err error
	if it.Record, err = db.ACERecord(ctx, "", recordID); err != nil {
		return it, err
	}
	link, ok, err := db.ACELinkOf(ctx, recordID)
	if err != nil {
		return it, err
	}
	if !ok {
		return it, domain.NotFound()
	}
	it.Link = link
	if it.Sync, err = syncRecord(ctx, db.pool, it.Record, link.ExtraFields()); err != nil {
		return it, err
	}
	it.Connection, err = db.ACEConnectionOf(ctx, link.PartnerID)
	switch {
	case err == nil:
		it.HasConnection = true
	case domain.ErrorCode(err) != domain.ECodeNotFound:
		return it, err
	}
	return it, nil
}

// ClaimACEPush takes the record's push lease for d, so that two pushes of
// one record never run at once; false when another push holds it. It
// returns the push sequence the push answers to.
func (db *DB) ClaimACEPush(ctx context.Context, recordID string, d time.Duration) (int64, bool, error) {
	var seqs []int64
	now := db.Now()
	err := db.pool.SelectContext(ctx, &seqs, `UPDATE ace_links SET push_lease_until = $2 WHERE ace_record_id = $1
		AND (push_lease_until IS NULL OR push_lease_until < $3) RETURNING push_seq`, recordID, now.Add(d), now)
	if err != nil || len(seqs) == 0 {
		return 0, false, translate(err)
	}
	return seqs[0], true, nil
}

// ReleaseACEPush gives the lease back. done says the push did all there
// was to do for sequence seq: push_pending is cleared unless a change
// asked for another push meanwhile.
func (db *DB) ReleaseACEPush(ctx context.Context, recordID string, seq int64, done bool) error {
	_, err := db.pool.ExecContext(ctx, `UPDATE ace_links SET push_lease_until = NULL,
		push_pending = CASE WHEN $3 AND push_seq = $2 THEN false ELSE push_pending END WHERE ace_record_id = $1`,
		recordID, seq, done)
	return translate(err)
}

// SaveACEPendingCreate keeps the create request decided for the record
// until ACE answers it, so that a retry sends the same body.
func (db *DB) SaveACEPendingCreate(ctx context.Context, recordID string, req []byte) error {
	_, err := db.pool.ExecContext(ctx, `UPDATE ace_links SET pending_create = $2 WHERE ace_record_id = $1`, recordID, req)
	return translate(err)
}

// ACEPushStep is what one step of a push learnt; zero fields change
// nothing.
type ACEPushStep struct {
	// OpportunityID is the opportunity ACE created; the pending create is
	// then forgotten.
	OpportunityID string
	// ForgetCreate forgets the pending create without an opportunity
	// (ACE refused it).
	ForgetCreate bool
	// ModifiedAt is the opportunity's LastModifiedDate after the step.
	ModifiedAt *time.Time
	// ReviewStatus and Stage are ACE's, when the step read them.
	ReviewStatus, Stage string
	// Digest is the digest of the opportunity the step sent.
	Digest     []byte
	Associated bool
	Submitted  bool
}

// RecordACEPushStep records a step of a push on the record's link. A step
// that sent something clears the last error.
func (db *DB) RecordACEPushStep(ctx context.Context, recordID string, s ACEPushStep) error {
	const q = `UPDATE ace_links SET
		opportunity_id = COALESCE(NULLIF($2, ''), opportunity_id),
		pending_create = CASE WHEN $2 <> '' OR $3 THEN NULL ELSE pending_create END,
		ace_modified_at = CASE WHEN $4::timestamptz IS NULL THEN ace_modified_at ELSE GREATEST(ace_modified_at, $4::timestamptz) END,
		review_status = COALESCE(NULLIF($5, ''), review_status),
		stage = COALESCE(NULLIF($6, ''), stage),
		pushed_digest = COALESCE($7, pushed_digest),
		associated = associated OR $8,
		submitted_at = CASE WHEN $9 THEN COALESCE(submitted_at, $10) ELSE submitted_at END,
		last_push_at = CASE WHEN $2 <> '' OR $7::bytea IS NOT NULL OR $8 OR $9 THEN $10 ELSE last_push_at END,
		last_error_code = CASE WHEN $2 <> '' OR $7::bytea IS NOT NULL OR $8 OR $9 THEN NULL ELSE last_error_code END,
		last_error = CASE WHEN $2 <> '' OR $7::bytea IS NOT NULL OR $8 OR $9 THEN NULL ELSE last_error END,
		last_error_fields = CASE WHEN $2 <> '' OR $7::bytea IS NOT NULL OR $8 OR $9 THEN NULL ELSE last_error_fields END,
		last_error_at = CASE WHEN $2 <> '' OR $7::bytea IS NOT NULL OR $8 OR $9 THEN NULL ELSE last_error_at END
		WHERE ace_record_id = $1`
	_, err := db.pool.ExecContext(ctx, q, recordID, s.OpportunityID, s.ForgetCreate, s.ModifiedAt, s.ReviewStatus, s.Stage,
		s.Digest, s.Associated, s.Submitted, db.Now())
	return translate(err)
}

// ACELinkedRecord finds the linked record of a partner that an opportunity
// of catalog stands for: by the opportunity's id, or, for a link whose
// create's answer was lost, by the PartnerOpportunityIdentifier (the
// record's id). ok is false for an opportunity CloudRoute did not file.
func (db *DB) ACELinkedRecord(ctx context.Context, partnerID, catalog, opportunityID, partnerOpportunityID string) (string, bool, error) {
	var ids []string
	err := db.pool.SelectContext(ctx, &ids, `SELECT ace_record_id FROM ace_links WHERE partner_id = $1 AND catalog = $2
		AND (opportunity_id = $3 OR (opportunity_id IS NULL AND ace_record_id::text = $4)) LIMIT 1`,
		partnerID, catalog, opportunityID, partnerOpportunityID)
	if err != nil || len(ids) == 0 {
		return "", false, translate(err)
	}
	return ids[0], true, nil
}

// ACEPendingPushes lists a partner's linked records that wait for a push.
func (db *DB) ACEPendingPushes(ctx context.Context, partnerID string, limit int) ([]string, error) {
	out := []string{}
	err := db.pool.SelectContext(ctx, &out, `SELECT ace_record_id FROM ace_links WHERE partner_id = $1 AND push_pending
		ORDER BY linked_at LIMIT $2`, partnerID, limit)
	return out, translate(err)
}

// ACEPull is what applying ACE's view of one opportunity did.
type ACEPull struct {
	// Moves are the record's moves, made as the actor aws.
	Moves []string
	// Finding is the disagreement no move settles (acesync.Finding*).
	Finding string
}

// ApplyACEOpportunity applies ACE's review status and stage of the
// opportunity a linked record is filed as (acesync.Decide): the record
// moves as AWS decides, each move recorded with the actor aws, in the same
// transaction as the link's new state; an Action Required flag carries
// AWS's comments; a disagreement no move can settle is kept as a finding
// for the reconciliation. A move the record's engagement no longer allows
// (the partner was released) is left to the reconciliation too.
func (db *DB) ApplyACEOpportunity(ctx context.Context, recordID string, s pc.OpportunitySummary) (ACEPull, error) {
	var out ACEPull
	if s.LifeCycle == nil {
		return out, nil
	}
	lc := *s.LifeCycle
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := lockCustomerThenRecord(ctx, tx, recordID, "")
		if err != nil {
			return err
		}
		if _, ok, err := aceLinkOf(ctx, tx, r.ID, true); err != nil || !ok {
			return err
		}
		d := acesync.Decide(r.State, lc)
		out.Finding = d.Finding
		for _, to := range d.Moves {
			held := r.AssignmentStatus == AssignmentAccepted || r.AssignmentStatus == AssignmentCompleted
			if ace.IsForward(r.State, to) && !held && !(r.AssignmentStatus == AssignmentReleased && ace.CloseOutAfterRelease(r.State, to)) {
				out.Finding = acesync.FindingEndedButActive
				break
			}
			m := recordMove{to: to, actor: domain.Principal{Role: domain.RoleAWS}}
			if ace.RequiresReason(to) {
				m.reason = cutReason(d.Reason)
			}
			if err := moveRecordState(ctx, tx, r, m); err != nil {
				return err
			}
			out.Moves = append(out.Moves, to)
			if r, err = recordForUpdate(ctx, tx, r.ID, ""); err != nil {
				return err
			}
		}
		if len(out.Moves) > 0 {
			if err := refreshFlags(ctx, tx, r.AssignmentID, tx.now); err != nil {
				return err
			}
		}
		var comments *string
		if d.ActionRequired {
			comments = &d.Comments
		}
		const q = `UPDATE ace_links SET opportunity_id = COALESCE(opportunity_id, NULLIF($2, '')),
			review_status = NULLIF($3, ''), stage = NULLIF($4, ''),
			ace_modified_at = CASE WHEN $5::timestamptz IS NULL THEN ace_modified_at ELSE GREATEST(ace_modified_at, $5::timestamptz) END,
			last_pull_at = $6, action_required = $7, action_comments = $8, finding = NULLIF($9, ''),
			launched_at = CASE WHEN $4 = 'Launched' THEN COALESCE(launched_at, $5::timestamptz, $6) ELSE launched_at END
			WHERE ace_record_id = $1`
		_, err = tx.ExecContext(ctx, q, r.ID, s.Id, lc.ReviewStatus, lc.Stage, s.LastModifiedDate, tx.now, d.ActionRequired,
			comments, out.Finding)
		return translate(err)
	})
	return out, err
}

// cutReason keeps AWS's reason within what a move's reason may hold.
func cutReason(s string) string {
	if utf8.RuneCountInString(s) <= domain.MaxReasonChars {
		return s
	}
	return string([]rune(s)[:domain.MaxReasonChars-1]) + "…"
}
