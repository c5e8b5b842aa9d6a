package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/commission"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
)

// Statement is a partner's monthly commission statement.
type Statement struct {
	ID         string     `db:"id"`
	PartnerID  string     `db:"partner_id"`
	Month      string     `db:"month"`
	State      string     `db:"state"`
	ClosedAt   *time.Time `db:"closed_at"`
	TotalCents int64      `db:"total_cents"`
	Reference  *string    `db:"reference"`
	InvoicedAt *time.Time `db:"invoiced_at"`
	PaidAt     *time.Time `db:"paid_at"`
	Entries    []Entry    `db:"-"`
}

// Entry is one line of the commission ledger.
type Entry struct {
	ID            int64     `db:"id"`
	Kind          string    `db:"kind"`
	ACERecordID   *string   `db:"ace_record_id"`
	AmountCents   int64     `db:"amount_cents"`
	ApprovedUSD   *int64    `db:"approved_usd"`
	CommissionBPS *int      `db:"commission_bps"`
	Reason        *string   `db:"reason"`
	OccurredAt    time.Time `db:"occurred_at"`
	StatementID   string    `db:"statement_id"`
}

const statementCols = `id, partner_id, to_char(month, 'YYYY-MM') AS month, state, closed_at, total_cents, reference, invoiced_at, paid_at`

// openStatement returns, locked, the statement an entry dated at belongs
// on: its month's, unless that month is already closed, in which case the
// current month's (the next open one). It creates the statement if needed.
func openStatement(ctx context.Context, tx *Tx, partnerID string, at, now time.Time) (string, error) {
	months := []time.Time{commission.MonthOf(at), commission.MonthOf(now)}
	for _, m := range months {
		// A month already closed for everyone takes no new statement.
		var closed bool
		if err := tx.GetContext(ctx, &closed, `SELECT EXISTS (SELECT 1 FROM periodic_runs WHERE job = $1 AND period = $2)`,
			periodCloseStatements, m.Format("2006-01")); err != nil {
			return "", translate(err)
		}
		if closed && m.Before(commission.MonthOf(now)) {
			continue
		}
		// Insert-then-lock rather than lock-then-insert: two accruals for a
		// new month must end up on one statement, not race to create two.
		if _, err := tx.ExecContext(ctx, `INSERT INTO statements (partner_id, month) VALUES ($1, $2) ON CONFLICT DO NOTHING`, partnerID, m); err != nil {
			return "", translate(err)
		}
		var s struct {
			ID     string     `db:"id"`
			Closed *time.Time `db:"closed_at"`
		}
		if err := tx.GetContext(ctx, &s, `SELECT id, closed_at FROM statements WHERE partner_id = $1 AND month = $2 FOR UPDATE`, partnerID, m); err != nil {
			return "", translate(err)
		}
		if s.Closed == nil {
			return s.ID, nil
		}
	}
	// The current month is closed only if the clock went backwards; use the
	// month after it.
	next := commission.MonthOf(now).AddDate(0, 1, 0)
	var id string
	err := tx.GetContext(ctx, &id, `INSERT INTO statements (partner_id, month) VALUES ($1, $2)
		ON CONFLICT (partner_id, month) DO UPDATE SET month = EXCLUDED.month RETURNING id`, partnerID, next)
	return id, translate(err)
}

// addEntry books e on its statement and adds it to the statement's total
// in the same transaction: the ledger and the statements reconcile by
// construction, and Reconcile checks that they still do.
func addEntry(ctx context.Context, tx *Tx, e Entry, partnerID string, actor domain.Principal) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO commission_entries (partner_id, kind, ace_record_id, amount_cents, approved_usd,
		commission_bps, reason, actor_key_id, actor_user_id, statement_id, occurred_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::uuid, NULLIF($11, '')::uuid, $9, $10)`,
		partnerID, e.Kind, e.ACERecordID, e.AmountCents, e.ApprovedUSD, e.CommissionBPS, e.Reason, actor.KeyID, e.StatementID, e.OccurredAt,
		actor.UserID); err != nil {
		return translate(err)
	}
	_, err := tx.ExecContext(ctx, `UPDATE statements SET total_cents = total_cents + $2 WHERE id = $1`, e.StatementID, e.AmountCents)
	return translate(err)
}

// Accrual is what the commission accrual of one closed record is told by
// the event that closed it. CommissionBPS and ClosedAt are fallbacks: the
// record's own rate at closing and closing time win when it has them, and
// the sweep, which has no event, leaves them zero.
type Accrual struct {
	RecordID      string
	CommissionBPS int
	ClosedAt      time.Time
}

// AccrueCommission writes the ledger entry of a closed record, once: the
// unique index on ace_record_id and the record's row lock make a second run
// (or a concurrent one) a no-op. It returns false when nothing was written.
func (db *DB) AccrueCommission(ctx context.Context, p Accrual) (bool, error) {
	wrote := false
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := recordForUpdate(ctx, tx, p.RecordID, "")
		if err != nil {
			return err
		}
		// Commission is earned on an award, when its record closes.
		if r.State != ace.StateClosed || r.ApprovedUSD == nil || *r.ApprovedUSD <= 0 {
			return nil
		}
		// The record's row lock serialises deliveries of one accrual; the
		// first writes, every later one finds its entry here.
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM commission_entries WHERE ace_record_id = $1)`, r.ID); err != nil {
			return translate(err)
		}
		if exists {
			return nil
		}
		// The accrual is dated when the record closed, not when the job
		// ran, so it lands on the month it was earned in.
		at := p.ClosedAt
		if r.ClosedAt != nil {
			at = *r.ClosedAt
		}
		sid, err := openStatement(ctx, tx, r.PartnerID, at, tx.now)
		if err != nil {
			return err
		}
		bps := p.CommissionBPS
		var atClose *int
		if err := tx.GetContext(ctx, &atClose, `SELECT commission_bps_at_close FROM ace_records WHERE id = $1`, r.ID); err != nil {
			return translate(err)
		}
		if atClose != nil {
			bps = *atClose // the rate recorded when the record closed
		}
		e := Entry{Kind: "accrual", ACERecordID: &r.ID, AmountCents: commission.AmountCents(*r.ApprovedUSD, bps),
			ApprovedUSD: r.ApprovedUSD, CommissionBPS: &bps, OccurredAt: at, StatementID: sid}
		// No one asked for an accrual: the ledger entry carries no actor.
		if err := addEntry(ctx, tx, e, r.PartnerID, domain.Principal{}); err != nil {
			return err
		}
		wrote = true
		return nil
	})
	return wrote, err
}

// UnaccruedRecords lists closed records with an award but no ledger entry,
// closed before the given time: accruals whose task was lost.
func (db *DB) UnaccruedRecords(ctx context.Context, closedBefore time.Time, limit int) ([]string, error) {
	var ids []string
	err := db.pool.SelectContext(ctx, &ids, unaccruedSQL, closedBefore, limit)
	return ids, translate(err)
}

const unaccruedSQL = `SELECT r.id FROM ace_records r
	WHERE r.state = 'closed' AND r.approved_usd > 0 AND r.closed_at < $1
	AND NOT EXISTS (SELECT 1 FROM commission_entries e WHERE e.ace_record_id = r.id)
	ORDER BY r.closed_at LIMIT $2`

// AddAdjustment books a signed adjustment with a reason on the partner's
// current open statement, in actor's name. Returns not_found or
// validation_failed.
func (db *DB) AddAdjustment(ctx context.Context, actor domain.Principal, partnerID string, amountCents int64, reason string) (Entry, error) {
	var p domain.FieldCheck
	if domain.CheckReason(&p, "reason", reason) {
		reason = strings.TrimSpace(reason)
	}
	if amountCents == 0 {
		p.Add("amount_cents", "must not be zero")
	}
	if err := p.Err(domain.ECodeValidation, "the adjustment has invalid fields"); err != nil {
		return Entry{}, err
	}
	var out Entry
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := partnerForUpdate(ctx, tx, partnerID); err != nil {
			return err
		}
		now := tx.now
		sid, err := openStatement(ctx, tx, partnerID, now, now)
		if err != nil {
			return err
		}
		// An adjustment is dated now and so always goes on the current
		// open statement; a closed month is never reopened.
		out = Entry{Kind: "adjustment", AmountCents: amountCents, Reason: &reason, OccurredAt: now, StatementID: sid}
		if err := addEntry(ctx, tx, out, partnerID, actor); err != nil {
			return err
		}
		return translate(tx.GetContext(ctx, &out.ID, `SELECT max(id) FROM commission_entries WHERE statement_id = $1`, sid))
	})
	return out, err
}

// CloseMonth closes every partner's statement of the month before now's,
// once per month (the period is claimed in the same transaction). Returns
// how many statements it closed, and false when the month was already done.
func (db *DB) CloseMonth(ctx context.Context) (int, bool, error) {
	n := 0
	now := db.Now()
	prev := commission.PreviousMonth(now)
	claimed, err := db.inPeriod(ctx, periodCloseStatements, prev.Format("2006-01"), func(tx *Tx) error {
		// "<=": a month a lost run left open closes with this one.
		res, err := tx.ExecContext(ctx, `UPDATE statements SET closed_at = $2 WHERE month <= $1 AND closed_at IS NULL`, prev, now)
		if err != nil {
			return translate(err)
		}
		c, _ := res.RowsAffected()
		n = int(c)
		return nil
	})
	return n, claimed, err
}

// StatementFilter narrows ListStatements; empty fields do not filter.
type StatementFilter struct {
	PartnerID string
	Month     string // YYYY-MM
	State     string
}

// ListStatements returns statements with their entries, newest month first.
func (db *DB) ListStatements(ctx context.Context, f StatementFilter) ([]Statement, error) {
	out := []Statement{}
	// A malformed partner id matches nothing, as an unknown one does.
	if f.PartnerID != "" && !validUUID(f.PartnerID) {
		return out, nil
	}
	var month *time.Time
	if f.Month != "" {
		m, err := time.Parse("2006-01", f.Month)
		if err != nil {
			return nil, &domain.Error{Code: domain.ECodeValidation, Message: "bad month",
				Fields: []domain.FieldError{{Field: "month", Message: "must be YYYY-MM"}}}
		}
		month = &m
	}
	if err := db.pool.SelectContext(ctx, &out, `SELECT `+statementCols+` FROM statements
		WHERE ($1 = '' OR partner_id::text = $1) AND ($2::date IS NULL OR month = $2::date) AND ($3 = '' OR state = $3)
		ORDER BY month DESC, partner_id LIMIT 500`, f.PartnerID, month, f.State); err != nil {
		return nil, translate(err)
	}
	// Every listed statement's entries in one query, then dealt out.
	ids := make([]string, len(out))
	byID := make(map[string]*Statement, len(out))
	for i := range out {
		out[i].Entries = []Entry{}
		ids[i] = out[i].ID
		byID[out[i].ID] = &out[i]
	}
	var entries []Entry
	if err := db.pool.SelectContext(ctx, &entries, `SELECT id, kind, ace_record_id, amount_cents, approved_usd, commission_bps,
		reason, occurred_at, statement_id FROM commission_entries WHERE statement_id = ANY($1::uuid[]) ORDER BY id`, pq.Array(ids)); err != nil {
		return nil, translate(err)
	}
	for _, e := range entries {
		byID[e.StatementID].Entries = append(byID[e.StatementID].Entries, e)
	}
	return out, nil
}

// MaxReferenceChars bounds a settlement's reference (an invoice or payment
// number).
const MaxReferenceChars = 200

// StatementByID returns one statement with its entries. Returns not_found.
func (db *DB) StatementByID(ctx context.Context, id string) (Statement, error) {
	if !validUUID(id) {
		return Statement{}, domain.NotFound()
	}
	var s Statement
	if err := db.pool.GetContext(ctx, &s, `SELECT `+statementCols+` FROM statements WHERE id = $1`, id); err != nil {
		return s, translate(err)
	}
	s.Entries = []Entry{}
	err := db.pool.SelectContext(ctx, &s.Entries, `SELECT id, kind, ace_record_id, amount_cents, approved_usd, commission_bps,
		reason, occurred_at, statement_id FROM commission_entries WHERE statement_id = $1 ORDER BY id`, id)
	return s, translate(err)
}

// SettleStatement moves a statement open → invoiced → paid, with a
// reference (an invoice, then a payment number: text of 1 to
// MaxReferenceChars characters), in actor's name. Invoicing needs the
// month closed. Returns validation_failed, not_found or
// invalid_transition.
func (db *DB) SettleStatement(ctx context.Context, actor domain.Principal, id, to, reference string) (Statement, error) {
	var pr domain.FieldCheck
	if to != "invoiced" && to != "paid" {
		pr.Add("state", "must be invoiced or paid")
	}
	domain.CheckText(&pr, "reference", reference, 1, MaxReferenceChars, false)
	if err := pr.Err(domain.ECodeValidation, "invalid fields"); err != nil {
		return Statement{}, err
	}
	var out Statement
	err := db.inTx(ctx, func(tx *Tx) error {
		if !validUUID(id) {
			return domain.NotFound()
		}
		var s Statement
		if err := tx.GetContext(ctx, &s, `SELECT `+statementCols+` FROM statements WHERE id = $1 FOR UPDATE`, id); err != nil {
			return translate(err)
		}
		now := tx.now
		// open → invoiced → paid, one step at a time; the reference is the
		// invoice's, then the payment's.
		switch {
		case s.State == "open" && to == "invoiced":
			if s.ClosedAt == nil {
				// An open month still takes accruals: its total is not final.
				return domain.Errorf(domain.ECodeInvalidTransition, "the statement's month is not closed yet")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE statements SET state = 'invoiced', invoiced_at = $2, reference = $3 WHERE id = $1`, id, now, reference); err != nil {
				return translate(err)
			}
		case s.State == "invoiced" && to == "paid":
			if _, err := tx.ExecContext(ctx, `UPDATE statements SET state = 'paid', paid_at = $2, reference = $3 WHERE id = $1`, id, now, reference); err != nil {
				return translate(err)
			}
		default:
			return domain.Errorf(domain.ECodeInvalidTransition, "a %s statement cannot become %s", s.State, to)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO statement_events (statement_id, from_state, to_state, reference, actor_key_id, actor_user_id, at)
			VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, NULLIF($7, '')::uuid, $6)`, id, s.State, to, reference, actor.KeyID, now, actor.UserID); err != nil {
			return translate(err)
		}
		if err := tx.GetContext(ctx, &out, `SELECT `+statementCols+` FROM statements WHERE id = $1`, id); err != nil {
			return translate(err)
		}
		// The event carries the totals a notice will need, and no entries.
		var ev events.Payload = events.StatementInvoiced{StatementID: out.ID, PartnerID: out.PartnerID, Month: out.Month,
			TotalCents: out.TotalCents, Reference: reference}
		if to == "paid" {
			ev = events.StatementPaid{StatementID: out.ID, PartnerID: out.PartnerID, Month: out.Month, TotalCents: out.TotalCents,
				Reference: reference}
		}
		if err := emit(ctx, tx, ev); err != nil {
			return err
		}
		out.Entries = []Entry{}
		return translate(tx.SelectContext(ctx, &out.Entries, `SELECT id, kind, ace_record_id, amount_cents, approved_usd,
			commission_bps, reason, occurred_at, statement_id FROM commission_entries WHERE statement_id = $1 ORDER BY id`, id))
	})
	return out, err
}

// Reconciliation compares the ledger with the statements.
type Reconciliation struct {
	LedgerCents     int64
	StatementsCents int64
	OpenCents       int64
	ClosedCents     int64
	Balanced        bool
	Differences     []Discrepancy
	// Unaccrued names closed records with an award but no ledger entry,
	// closed over five minutes ago (the accrual sweep should have run).
	Unaccrued []string
	// ACEFindings are the linked records on which CloudRoute and ACE
	// disagree (acereconcile.go). They do not unbalance the ledger: they
	// name commission at risk, or earned on a record ACE lost.
	ACEFindings []ACEFinding
}

// Discrepancy names a statement whose total is not the sum of its entries.
type Discrepancy struct {
	StatementID string `db:"statement_id"`
	TotalCents  int64  `db:"total_cents"`
	EntryCents  int64  `db:"entry_cents"`
}

// Reconcile proves that the sum of the ledger equals the sum of the
// statements (closed ones plus the open accruals), and names every
// statement whose total differs from its entries. It reads one snapshot,
// so an accrual committing meanwhile cannot make the two sums disagree.
func (db *DB) Reconcile(ctx context.Context) (Reconciliation, error) {
	r := Reconciliation{Differences: []Discrepancy{}, Unaccrued: []string{}}
	err := db.inSnapshot(ctx, func(tx *Tx) (err error) {
		if err := tx.GetContext(ctx, &r.LedgerCents, `SELECT COALESCE(sum(amount_cents), 0) FROM commission_entries`); err != nil {
			return translate(err)
		}
		var sums struct {
			Open   int64 `db:"open"`
			Closed int64 `db:"closed"`
		}
		if err := tx.GetContext(ctx, &sums, `SELECT COALESCE(sum(total_cents) FILTER (WHERE closed_at IS NULL), 0) AS open,
			COALESCE(sum(total_cents) FILTER (WHERE closed_at IS NOT NULL), 0) AS closed FROM statements`); err != nil {
			return translate(err)
		}
		r.OpenCents, r.ClosedCents = sums.Open, sums.Closed
		r.StatementsCents = sums.Open + sums.Closed
		if err := tx.SelectContext(ctx, &r.Differences, `SELECT s.id AS statement_id, s.total_cents, COALESCE(sum(e.amount_cents), 0) AS entry_cents
			FROM statements s LEFT JOIN commission_entries e ON e.statement_id = s.id
			GROUP BY s.id, s.total_cents HAVING s.total_cents <> COALESCE(sum(e.amount_cents), 0) ORDER BY s.id`); err != nil {
			return translate(err)
		}
		if err := tx.SelectContext(ctx, &r.Unaccrued, unaccruedSQL, tx.now.Add(-5*time.Minute), 1000); err != nil {
			return translate(err)
		}
		r.ACEFindings, err = aceFindings(ctx, tx)
		return err
	})
	if err != nil {
		return Reconciliation{}, err
	}
	r.Balanced = r.LedgerCents == r.StatementsCents && len(r.Differences) == 0 && len(r.Unaccrued) == 0
	return r, nil
}

// CommissionAccruedCents is the sum of the ledger's accruals.
func (db *DB) CommissionAccruedCents(ctx context.Context) (int64, error) {
	var n int64
	err := db.pool.GetContext(ctx, &n, `SELECT COALESCE(sum(amount_cents), 0) FROM commission_entries WHERE kind = 'accrual'`)
	return n, translate(err)
}

// CommissionPaidCents is the sum of the paid statements.
func (db *DB) CommissionPaidCents(ctx context.Context) (int64, error) {
	var n int64
	err := db.pool.GetContext(ctx, &n, `SELECT COALESCE(sum(total_cents), 0) FROM statements WHERE state = 'paid'`)
	return n, translate(err)
}
