package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// env is one test's fresh, migrated database, seen from one test or
// subtest: helpers report their failures on t.
type env struct {
	t *testing.T
	*store
}

// store is the database of an env: storage, a plain connection to the
// same database for what the test sets up or checks behind storage's back,
// and a counter that makes every customer it submits a new one.
type store struct {
	ctx context.Context
	db  *postgres.DB
	x   *sqlx.DB

	mu        sync.Mutex
	customers int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, x := testenv.MustOpenDBWithSQL(t)
	return &env{t: t, store: &store{ctx: context.Background(), db: db, x: x}}
}

// in returns the env for a subtest, so that a helper that fails stops the
// subtest that called it (t.FailNow belongs to the goroutine running t).
func (e *env) in(t *testing.T) *env { return &env{t: t, store: e.store} }

// t0 is the time most tests start at: a Monday, so that business days
// count plainly.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// setClock fixes storage's clock. Never call it while goroutines use the
// store: the clock is read without a lock.
func (e *env) setClock(at time.Time) {
	e.db.Clock = func() time.Time { return at }
}

func ptr[T any](v T) *T { return &v }

// sortStrings compares string slices as sets.
var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// wantCode fails the test unless err carries code ("" for no error).
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Errorf("%s: %v, want no error", what, err)
		}
		return
	}
	if got := domain.ErrorCode(err); got != code {
		t.Errorf("%s: %v (code %q), want code %q", what, err, got, code)
	}
}

// must fails the test now on an error, for setup that a test depends on.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// fields names the fields of a validation error, in order.
func fields(err error) []string {
	var e *domain.Error
	if err == nil || !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// count runs a count query on the plain connection.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.x.Get(&n, q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// exec runs a statement on the plain connection.
func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.x.Exec(q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// get runs a one-row query on the plain connection into dst.
func (e *env) get(dst any, q string, args ...any) {
	e.t.Helper()
	if err := e.x.Get(dst, q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// partner creates an active advanced partner serving eu, with capacity 10
// and the default commission, changed by opts.
func (e *env) partner(name string, opts ...func(*domain.PartnerPatch)) domain.Partner {
	e.t.Helper()
	p := domain.PartnerPatch{Name: ptr(name), Tier: ptr("advanced"), Regions: ptr([]string{"eu"}),
		ContactEmail: ptr(strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@partner.example.com")}
	for _, o := range opts {
		o(&p)
	}
	out, err := e.db.CreatePartner(e.ctx, p)
	must(e.t, "create partner "+name, err)
	return out
}

func withTier(tier string) func(*domain.PartnerPatch) {
	return func(p *domain.PartnerPatch) { p.Tier = &tier }
}

func withCapacity(n int) func(*domain.PartnerPatch) {
	return func(p *domain.PartnerPatch) { p.Capacity = &n }
}

func withRegions(r ...string) func(*domain.PartnerPatch) {
	return func(p *domain.PartnerPatch) { p.Regions = &r }
}

func withBPS(bps int) func(*domain.PartnerPatch) {
	return func(p *domain.PartnerPatch) { p.CommissionBPS = &bps }
}

func withStatus(s string) func(*domain.PartnerPatch) {
	return func(p *domain.PartnerPatch) { p.Status = &s }
}

// body returns the example intake for a new customer, with its own
// website and AWS account, and that customer's registrable domain.
func (e *env) body() (intake.Body, string) {
	e.t.Helper()
	e.mu.Lock()
	e.customers++
	n := e.customers
	e.mu.Unlock()
	b := intake.Example()
	b.Website = fmt.Sprintf("https://www.customer-%d.test/", n)
	b.AWSAccountID = ptr(fmt.Sprintf("%012d", 100000000000+n))
	dom, err := intake.NormalizeDomain(b.Website)
	must(e.t, "normalise "+b.Website, err)
	return b, dom
}

// submit files a new customer's intake and returns its id.
func (e *env) submit() string {
	e.t.Helper()
	b, dom := e.body()
	s, err := e.db.SubmitIntake(e.ctx, b, dom, "", nil)
	must(e.t, "submit "+dom, err)
	return s.IntakeID
}

// offered submits a new intake and has an admin offer it to p; it returns
// the intake and the assignment.
func (e *env) offered(p domain.Partner) (intakeID, assignmentID string) {
	e.t.Helper()
	intakeID = e.submit()
	res, err := adminAssign(e, intakeID, p.ID, "picked for the test")
	must(e.t, "assign to "+p.Name, err)
	return intakeID, res.AssignmentID
}

// engaged is offered, then accepted by p.
func (e *env) engaged(p domain.Partner) (intakeID, assignmentID string) {
	e.t.Helper()
	intakeID, assignmentID = e.offered(p)
	_, err := e.db.AcceptAssignment(e.ctx, p.ID, assignmentID)
	must(e.t, p.Name+" accepts", err)
	return intakeID, assignmentID
}

// complete are the fields a record needs, beyond what the example
// intake prefills, to be submitted in founders, build_for_startups or
// portfolio (the example's last round names its lead investor).
func complete() ace.RecordFields {
	return ace.RecordFields{
		UseCase:                 ptr(strings.Repeat("Telemetry ingestion and a maintenance assistant. ", 3)),
		EstimatedAnnualSpendUSD: ptr(int64(120000)),
		PartnerRole:             ptr("We design and build the ingestion pipeline and the assistant."),
		EngagementStartDate:     ptr("2026-04-01"),
		GoLiveDate:              ptr("2026-07-01"),
	}
}

// record files a complete record in pool for the partner holding the
// assignment.
func (e *env) record(p domain.Partner, assignmentID, pool string, usd int64) postgres.ACERecord {
	e.t.Helper()
	r, _, err := createRecord(e, p, assignmentID, pool, usd, complete())
	must(e.t, "file a "+pool+" record", err)
	return r
}

// walk moves a record along the main line up to state to; an approval
// awards what was requested.
func (e *env) walk(p domain.Partner, r postgres.ACERecord, to string) postgres.ACERecord {
	e.t.Helper()
	line := []string{ace.StateIdentified, ace.StateSubmitted, ace.StateValidated, ace.StateApproved, ace.StateLaunched, ace.StateClosed}
	for i := slices.Index(line, r.State) + 1; i > 0 && i < len(line) && r.State != to; i++ {
		s := line[i]
		req := ace.TransitionRequest{To: s}
		if s == ace.StateApproved {
			req.ApprovedUSD = ptr(r.RequestedUSD)
		}
		var err error
		r, _, err = transition(e, p, r.ID, req)
		must(e.t, "move the record to "+s, err)
	}
	if r.State != to {
		e.t.Fatalf("record is %s, want %s", r.State, to)
	}
	return r
}

// The store methods below take who acts on them. Every test calls them
// through these helpers, so that a change in how the actor is passed is
// made here once.

// adminActor is an admin acting without a key (storage records who acts).
var adminActor = domain.Principal{Role: domain.RoleAdmin}

// partnerActor is partner p acting, with its key when keyID is given.
func partnerActor(p domain.Partner, keyID string) domain.Principal {
	return domain.Principal{Role: domain.RolePartner, PartnerID: p.ID, KeyID: keyID}
}

// adminAssign has an admin offer the intake to a partner.
func adminAssign(e *env, intakeID, partnerID, reason string) (postgres.RouteResult, error) {
	return e.db.AdminAssign(e.ctx, adminActor, intakeID, partnerID, reason)
}

// createRecord has partner p file a record on its assignment.
func createRecord(e *env, p domain.Partner, assignmentID, pool string, usd int64, f ace.RecordFields) (postgres.ACERecord, []string, error) {
	return e.db.CreateACERecord(e.ctx, partnerActor(p, ""), assignmentID, pool, usd, f)
}

// createRecordByKey is createRecord with the partner's API key as the
// actor recorded on the record's history.
func createRecordByKey(e *env, p domain.Partner, keyID, assignmentID, pool string, usd int64, f ace.RecordFields) (postgres.ACERecord, []string, error) {
	return e.db.CreateACERecord(e.ctx, partnerActor(p, keyID), assignmentID, pool, usd, f)
}

// transition has partner p move its record.
func transition(e *env, p domain.Partner, recordID string, req ace.TransitionRequest) (postgres.ACERecord, []string, error) {
	return e.db.TransitionACERecord(e.ctx, partnerActor(p, ""), recordID, req)
}

// transitionByKey is transition with the partner's API key as the actor.
func transitionByKey(e *env, p domain.Partner, keyID, recordID string, req ace.TransitionRequest) (postgres.ACERecord, []string, error) {
	return e.db.TransitionACERecord(e.ctx, partnerActor(p, keyID), recordID, req)
}

// settle has an admin move a statement to state to.
func settle(e *env, statementID, to, reference string) (postgres.Statement, error) {
	return e.db.SettleStatement(e.ctx, adminActor, statementID, to, reference)
}

// adjust has an admin book an adjustment on a partner's open statement.
func adjust(e *env, partnerID string, cents int64, reason string) (postgres.Entry, error) {
	return e.db.AddAdjustment(e.ctx, adminActor, partnerID, cents, reason)
}

// race runs n goroutines that start together (a closed channel is the
// starting gun) and returns what each returned, by index. fn must not call
// t.Fatal or t.FailNow: it reports through its return value.
func race[T any](n int, fn func(i int) T) []T {
	out := make([]T, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// codes counts the error codes of errs ("" for success).
func codes(errs []error) map[string]int {
	m := map[string]int{}
	for _, err := range errs {
		if err == nil {
			m[""]++
		} else {
			m[domain.ErrorCode(err)]++
		}
	}
	return m
}

// overAssigned returns, for every intake with more than one active
// (offered or accepted) assignment, how many it has.
func (e *env) overAssigned() map[string]int {
	e.t.Helper()
	var rows []struct {
		IntakeID string `db:"intake_id"`
		N        int    `db:"n"`
	}
	if err := e.x.Select(&rows, `SELECT intake_id::text, count(*) AS n FROM assignments
		WHERE status IN ('offered','accepted') GROUP BY intake_id HAVING count(*) > 1`); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.IntakeID] = r.N
	}
	return out
}

// openCountDrift names every partner whose stored open_assignments differs
// from its offered and accepted assignments, with the two numbers.
func (e *env) openCountDrift() []string {
	e.t.Helper()
	var rows []string
	if err := e.x.Select(&rows, `SELECT p.name || ': stored ' || p.open_assignments || ', counted ' || count(a.id)
		FROM partners p LEFT JOIN assignments a ON a.partner_id = p.id AND a.status IN ('offered','accepted')
		GROUP BY p.id HAVING p.open_assignments <> count(a.id)`); err != nil {
		e.t.Fatal(err)
	}
	return rows
}
