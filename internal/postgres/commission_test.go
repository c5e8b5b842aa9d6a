package postgres_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// closedRecord walks a new engagement of p to a closed founders record
// awarded usd, at the current clock.
func (e *env) closedRecord(p domain.Partner, usd int64) postgres.ACERecord {
	e.t.Helper()
	_, asg := e.engaged(p)
	return e.walk(p, e.record(p, asg, ace.PoolFounders, usd), ace.StateClosed)
}

// accrue runs the commission accrual of a closed record, as its job does.
func accrue(e *env, r postgres.ACERecord) (bool, error) {
	var closedAt time.Time
	if r.ClosedAt != nil {
		closedAt = *r.ClosedAt
	}
	return e.db.AccrueCommission(e.ctx, postgres.Accrual{RecordID: r.ID, CommissionBPS: 1, ClosedAt: closedAt})
}

// ledgerEntry is an entry without its generated id and statement.
type ledgerEntry struct {
	Kind   string
	Record string
	Cents  int64
	BPS    int
	Reason string
}

func entriesOf(s postgres.Statement) []ledgerEntry {
	out := []ledgerEntry{}
	for _, en := range s.Entries {
		le := ledgerEntry{Kind: en.Kind, Cents: en.AmountCents}
		if en.ACERecordID != nil {
			le.Record = *en.ACERecordID
		}
		if en.CommissionBPS != nil {
			le.BPS = *en.CommissionBPS
		}
		if en.Reason != nil {
			le.Reason = *en.Reason
		}
		out = append(out, le)
	}
	return out
}

// statement returns the partner's statement of month (YYYY-MM).
func (e *env) statement(partnerID, month string) postgres.Statement {
	e.t.Helper()
	ss, err := e.db.ListStatements(e.ctx, postgres.StatementFilter{PartnerID: partnerID, Month: month})
	must(e.t, "statements", err)
	if len(ss) != 1 {
		e.t.Fatalf("%d statements of %s for the partner, want 1", len(ss), month)
	}
	return ss[0]
}

func (e *env) reconciled(what string) {
	e.t.Helper()
	r, err := e.db.Reconcile(e.ctx)
	must(e.t, "reconcile", err)
	if !r.Balanced {
		e.t.Errorf("%s: the ledger and the statements do not reconcile: %+v", what, r)
	}
}

func TestAccrueCommission(t *testing.T) {
	e := newEnv(t)
	jan := time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC)
	e.setClock(jan)
	a := e.partner("Alpha", withBPS(1500))
	r := e.closedRecord(a, 20000)
	// The rate that applies is the one when the record closed.
	_, err := e.db.UpdatePartner(e.ctx, a.ID, domain.PartnerPatch{CommissionBPS: ptr(500)})
	must(t, "change the rate", err)

	t.Run("unaccrued until the job runs", func(t *testing.T) {
		e := e.in(t)
		ids, err := e.db.UnaccruedRecords(e.ctx, jan.Add(time.Minute), 10)
		must(t, "unaccrued", err)
		if d := cmp.Diff([]string{r.ID}, ids); d != "" {
			t.Errorf("unaccrued (-want +got):\n%s", d)
		}
		ids, err = e.db.UnaccruedRecords(e.ctx, jan, 10)
		must(t, "unaccrued", err)
		if len(ids) != 0 {
			t.Errorf("records closed before their close: %v", ids)
		}
	})
	t.Run("accrued once", func(t *testing.T) {
		e := e.in(t)
		wrote, err := accrue(e, r)
		if err != nil || !wrote {
			t.Fatalf("accrue: %v, %v; want true", wrote, err)
		}
		wrote, err = accrue(e, r)
		if err != nil || wrote {
			t.Errorf("accrue again: %v, %v; want false", wrote, err)
		}
		s := e.statement(a.ID, "2026-01")
		// 20,000 USD at 1,500 bps is 3,000 USD.
		want := []ledgerEntry{{Kind: "accrual", Record: r.ID, Cents: 300000, BPS: 1500}}
		if d := cmp.Diff(want, entriesOf(s)); d != "" || s.TotalCents != 300000 || s.State != "open" {
			t.Errorf("January: total %d, %s; entries (-want +got):\n%s", s.TotalCents, s.State, d)
		}
		n, err := e.db.CommissionAccruedCents(e.ctx)
		must(t, "accrued", err)
		if n != 300000 {
			t.Errorf("accrued %d cents, want 300000", n)
		}
		ids, err := e.db.UnaccruedRecords(e.ctx, jan.Add(time.Hour), 10)
		must(t, "unaccrued", err)
		if len(ids) != 0 {
			t.Errorf("unaccrued after the accrual: %v", ids)
		}
		e.reconciled("after the accrual")
	})
	t.Run("nothing for a record not closed", func(t *testing.T) {
		e := e.in(t)
		_, asg := e.engaged(a)
		open := e.walk(a, e.record(a, asg, ace.PoolFounders, 10000), ace.StateLaunched)
		wrote, err := accrue(e, open)
		if err != nil || wrote {
			t.Errorf("accrue a launched record: %v, %v; want false", wrote, err)
		}
	})
	t.Run("unknown record", func(t *testing.T) {
		_, err := accrue(e, postgres.ACERecord{ID: "00000000-0000-4000-8000-000000000000"})
		wantCode(t, "accrue", err, domain.ECodeNotFound)
	})
}

func TestStatements(t *testing.T) {
	e := newEnv(t)
	a, b := e.partner("Alpha", withBPS(1000)), e.partner("Beta", withBPS(1000))
	e.setClock(time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC))
	onTime := e.closedRecord(a, 20000)
	_, err := accrue(e, onTime)
	must(t, "accrue", err)
	e.setClock(time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC))
	late := e.closedRecord(a, 10000)
	other := e.closedRecord(b, 10000)
	_, err = accrue(e, other)
	must(t, "accrue", err)

	e.setClock(time.Date(2026, 2, 1, 0, 5, 0, 0, time.UTC))
	t.Run("the month closes once", func(t *testing.T) {
		e := e.in(t)
		n, claimed, err := e.db.CloseMonth(e.ctx)
		if err != nil || !claimed || n != 2 {
			t.Errorf("close January: %d, %v, %v; want 2 statements closed", n, claimed, err)
		}
		n, claimed, err = e.db.CloseMonth(e.ctx)
		if err != nil || claimed || n != 0 {
			t.Errorf("close January again: %d, %v, %v; want nothing", n, claimed, err)
		}
	})
	t.Run("an accrual after the close goes on the next month", func(t *testing.T) {
		e := e.in(t)
		_, err := accrue(e, late)
		must(t, "accrue", err)
		jan, feb := e.statement(a.ID, "2026-01"), e.statement(a.ID, "2026-02")
		if jan.TotalCents != 200000 || jan.ClosedAt == nil || feb.TotalCents != 100000 || feb.ClosedAt != nil {
			t.Errorf("January %d cents (closed %v), February %d cents (closed %v); want 200000 closed, 100000 open",
				jan.TotalCents, jan.ClosedAt, feb.TotalCents, feb.ClosedAt)
		}
		e.reconciled("after the late accrual")
	})
	t.Run("an adjustment", func(t *testing.T) {
		e := e.in(t)
		en, err := adjust(e, a.ID, -5000, "credit note 7")
		must(t, "adjust", err)
		if en.Kind != "adjustment" || en.AmountCents != -5000 || en.ID == 0 {
			t.Errorf("entry %+v", en)
		}
		feb := e.statement(a.ID, "2026-02")
		want := []ledgerEntry{{Kind: "accrual", Record: late.ID, Cents: 100000, BPS: 1000}, {Kind: "adjustment", Cents: -5000, Reason: "credit note 7"}}
		if d := cmp.Diff(want, entriesOf(feb)); d != "" || feb.TotalCents != 95000 {
			t.Errorf("February: total %d; entries (-want +got):\n%s", feb.TotalCents, d)
		}
		_, err = adjust(e, "00000000-0000-4000-8000-000000000000", 100, "x")
		wantCode(t, "adjust an unknown partner", err, domain.ECodeNotFound)
		before := e.count(`SELECT count(*) FROM commission_entries`)
		if _, err := adjust(e, a.ID, 100, ""); err == nil {
			t.Error("an adjustment without a reason was booked")
		} else {
			t.Logf("an adjustment without a reason: code %s", domain.ErrorCode(err))
		}
		if after := e.count(`SELECT count(*) FROM commission_entries`); after != before {
			t.Errorf("a refused adjustment wrote %d entries", after-before)
		}
		e.reconciled("after the adjustment")
	})
	t.Run("listed and filtered", func(t *testing.T) {
		e := e.in(t)
		for _, c := range []struct {
			name string
			f    postgres.StatementFilter
			want []string // partner:month, newest month first
		}{
			{"all", postgres.StatementFilter{}, []string{a.ID + ":2026-02", a.ID + ":2026-01", b.ID + ":2026-01"}},
			{"a partner", postgres.StatementFilter{PartnerID: b.ID}, []string{b.ID + ":2026-01"}},
			{"a month", postgres.StatementFilter{Month: "2026-02"}, []string{a.ID + ":2026-02"}},
			{"a state", postgres.StatementFilter{State: "invoiced"}, nil},
			{"a malformed partner id", postgres.StatementFilter{PartnerID: "x"}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := e.in(t)
				ss, err := e.db.ListStatements(e.ctx, c.f)
				must(t, "list", err)
				var got []string
				for _, s := range ss {
					got = append(got, s.PartnerID+":"+s.Month)
				}
				if d := cmp.Diff(c.want, got, cmpopts.SortSlices(func(x, y string) bool { return x < y })); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			})
		}
		_, err := e.db.ListStatements(e.ctx, postgres.StatementFilter{Month: "January"})
		wantCode(t, "a bad month", err, domain.ECodeValidation)
		if d := cmp.Diff([]string{"month"}, fields(err)); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
	})
	t.Run("settled", func(t *testing.T) {
		e := e.in(t)
		jan, feb := e.statement(a.ID, "2026-01"), e.statement(a.ID, "2026-02")
		_, err := settle(e, feb.ID, "invoiced", "INV-2")
		wantCode(t, "invoice an open month", err, domain.ECodeInvalidTransition)
		_, err = settle(e, jan.ID, "paid", "PAY-1")
		wantCode(t, "pay before invoicing", err, domain.ECodeInvalidTransition)
		s, err := settle(e, jan.ID, "invoiced", "INV-1")
		must(t, "invoice", err)
		if s.State != "invoiced" || s.Reference == nil || *s.Reference != "INV-1" || s.InvoicedAt == nil || len(s.Entries) != 1 {
			t.Errorf("invoiced statement %+v", s)
		}
		paid, err := e.db.CommissionPaidCents(e.ctx)
		must(t, "paid", err)
		if paid != 0 {
			t.Errorf("%d cents paid before payment", paid)
		}
		s, err = settle(e, jan.ID, "paid", "PAY-1")
		must(t, "pay", err)
		if s.State != "paid" || s.PaidAt == nil {
			t.Errorf("paid statement %+v", s)
		}
		_, err = settle(e, jan.ID, "invoiced", "INV-1")
		wantCode(t, "invoice a paid statement", err, domain.ECodeInvalidTransition)
		_, err = settle(e, "00000000-0000-4000-8000-000000000000", "invoiced", "x")
		wantCode(t, "unknown statement", err, domain.ECodeNotFound)
		_, err = settle(e, "x", "invoiced", "x")
		wantCode(t, "malformed id", err, domain.ECodeNotFound)
		paid, err = e.db.CommissionPaidCents(e.ctx)
		must(t, "paid", err)
		if paid != 200000 {
			t.Errorf("%d cents paid, want 200000", paid)
		}
	})
}

func TestReconcile(t *testing.T) {
	e := newEnv(t)
	a := e.partner("Alpha")
	e.setClock(t0)
	r := e.closedRecord(a, 20000)
	t.Run("empty", func(t *testing.T) {
		e := e.in(t)
		got, err := e.db.Reconcile(e.ctx)
		must(t, "reconcile", err)
		if d := cmp.Diff(postgres.Reconciliation{Balanced: true, Differences: []postgres.Discrepancy{}, Unaccrued: []string{}, ACEFindings: []postgres.ACEFinding{}}, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("a record left unaccrued", func(t *testing.T) {
		e := e.in(t)
		e.setClock(t0.Add(10 * time.Minute))
		got, err := e.db.Reconcile(e.ctx)
		must(t, "reconcile", err)
		if got.Balanced || !cmp.Equal([]string{r.ID}, got.Unaccrued) {
			t.Errorf("reconciliation %+v, want unbalanced naming %s", got, r.ID)
		}
	})
	t.Run("a statement that is not the sum of its entries", func(t *testing.T) {
		e := e.in(t)
		_, err := accrue(e, r)
		must(t, "accrue", err)
		e.reconciled("after the accrual")
		s := e.statement(a.ID, "2026-03")
		e.exec(`UPDATE statements SET total_cents = total_cents + 1 WHERE id = $1`, s.ID)
		got, err := e.db.Reconcile(e.ctx)
		must(t, "reconcile", err)
		want := postgres.Reconciliation{LedgerCents: 200000, StatementsCents: 200001, OpenCents: 200001,
			Differences: []postgres.Discrepancy{{StatementID: s.ID, TotalCents: 200001, EntryCents: 200000}}, Unaccrued: []string{},
			ACEFindings: []postgres.ACEFinding{}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}

// TestAccrueCommissionRace delivers the accrual of two records of one
// partner eight times each, at once: each record is accrued exactly once,
// on one statement whose total is the sum of its entries.
func TestAccrueCommissionRace(t *testing.T) {
	const deliveries = 8
	e := newEnv(t)
	a := e.partner("Alpha", withBPS(1000))
	for round := 0; round < 3; round++ {
		e.setClock(t0.AddDate(0, round, 0))
		recs := []postgres.ACERecord{e.closedRecord(a, 20000), e.closedRecord(a, 10000)}
		type result struct {
			wrote bool
			err   error
		}
		res := race(2*deliveries, func(i int) result {
			w, err := accrue(e, recs[i%2])
			return result{w, err}
		})
		wrote := map[string]int{}
		for i, r := range res {
			if r.err != nil {
				t.Errorf("round %d: accrue: %v", round, r.err)
			}
			if r.wrote {
				wrote[recs[i%2].ID]++
			}
		}
		if d := cmp.Diff(map[string]int{recs[0].ID: 1, recs[1].ID: 1}, wrote); d != "" {
			t.Errorf("round %d: accruals written per record (-want +got):\n%s", round, d)
		}
		if n := e.count(`SELECT count(*) FROM commission_entries WHERE ace_record_id = ANY(ARRAY[$1, $2]::uuid[])`, recs[0].ID, recs[1].ID); n != 2 {
			t.Errorf("round %d: %d ledger entries, want 2", round, n)
		}
		s := e.statement(a.ID, t0.AddDate(0, round, 0).Format("2006-01"))
		if s.TotalCents != 300000 || len(s.Entries) != 2 {
			t.Errorf("round %d: statement of %d cents with %d entries, want 300000 and 2", round, s.TotalCents, len(s.Entries))
		}
	}
	e.reconciled("after the races")
}

// TestCloseMonthRace: schedulers closing the month at once close it once.
func TestCloseMonthRace(t *testing.T) {
	const n = 6
	e := newEnv(t)
	a, b := e.partner("Alpha"), e.partner("Beta")
	e.setClock(t0)
	for _, p := range []domain.Partner{a, b} {
		_, err := accrue(e, e.closedRecord(p, 10000))
		must(t, "accrue", err)
	}
	e.setClock(t0.AddDate(0, 1, 0))
	type result struct {
		closed  int
		claimed bool
		err     error
	}
	res := race(n, func(int) result {
		c, ok, err := e.db.CloseMonth(e.ctx)
		return result{c, ok, err}
	})
	claims, closed := 0, 0
	for _, r := range res {
		if r.err != nil {
			t.Errorf("close: %v", r.err)
		}
		if r.claimed {
			claims++
		}
		closed += r.closed
	}
	if claims != 1 || closed != 2 {
		t.Errorf("%d claims closing %d statements, want 1 closing 2", claims, closed)
	}
	if c := e.count(`SELECT count(*) FROM periodic_runs`); c != 1 {
		t.Errorf("%d periods claimed, want 1", c)
	}
}
