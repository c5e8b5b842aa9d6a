package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// blankDB returns storage on an empty database, dropped at the end of the
// test, and a plain connection to it for the test's own rows and checks.
func blankDB(t *testing.T) (*postgres.DB, *sqlx.DB) {
	t.Helper()
	admin, err := sqlx.Open("postgres", testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "cloudroute_mig_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database (is Postgres running? see scripts/services.sh): %v", err)
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("postgres", testenv.AdminURL())
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer a.Close()
		if _, err := a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := postgres.Open(context.Background(), u.String(), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, testenv.MustOpenSQL(t, u.String())
}

// TestMigrateRegistrableDomain loads intakes and records under the old
// identity (the full host) in the schema before 0011, migrates, and checks
// the recompute and the rule for customers that now have two open rows:
// both stay open, the later is marked duplicate_of the older, and nothing
// new is accepted for the customer while either is open.
func TestMigrateRegistrableDomain(t *testing.T) {
	ctx := context.Background()
	db, x := blankDB(t)
	if _, err := db.MigrateTo(ctx, 10); err != nil {
		t.Fatal(err)
	}

	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	// The intakes are written as they were in that schema, by hand:
	// storage writes the schema of today (its outbox holds events).
	submit := func(stored, status string, age int) string {
		t.Helper()
		b := intake.Example()
		spend, _ := json.Marshal(b.ProjectedMonthlySpend)
		tc, _ := json.Marshal(b.TechnicalContact)
		bc, _ := json.Marshal(b.BusinessContact)
		var lastRound []byte
		if b.LastRound != nil {
			lastRound, _ = json.Marshal(b.LastRound)
		}
		var id string
		if err := x.Get(&id, `INSERT INTO intakes (status, customer_domain, company_name, website, stage, last_round, region,
			vertical, service_profile, engagement_type, team_size, projected_monthly_spend, projected_monthly_usd, use_case,
			competing_cloud, requested_funding_sources, technical_contact, business_contact, access_token_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
				sha256(gen_random_uuid()::text::bytea), $19, $19) RETURNING id`,
			status, stored, b.CompanyName, b.Website, b.Stage, lastRound, b.Region, b.Vertical, b.ServiceProfile,
			b.EngagementType, *b.TeamSize, spend, b.MonthlySpendUSD(), b.UseCase, b.CompetingCloud,
			pq.Array(b.RequestedFundingSources), tc, bc, t0.Add(time.Duration(age)*time.Hour)); err != nil {
			t.Fatalf("submit %s: %v", stored, err)
		}
		return id
	}
	var p1, p2 string
	for _, p := range []*string{&p1, &p2} {
		if err := x.Get(p, `INSERT INTO partners (name, tier, regions, capacity, commission_bps, contact_email)
			VALUES ('Partner', 'advanced', '{eu}', 10, 1000, 'p@partner.example') RETURNING id`); err != nil {
			t.Fatal(err)
		}
	}
	accept := func(intakeID, partnerID string) string {
		t.Helper()
		var id string
		if err := x.Get(&id, `INSERT INTO assignments (intake_id, partner_id, status, expires_at, accepted_at)
			VALUES ($1, $2, 'accepted', now() + interval '2 days', now()) RETURNING id`, intakeID, partnerID); err != nil {
			t.Fatal(err)
		}
		return id
	}
	file := func(intakeID, assignmentID, partnerID, stored, state string, usd int64, age int) string {
		t.Helper()
		var id string
		if err := x.Get(&id, `INSERT INTO ace_records (intake_id, assignment_id, partner_id, customer_domain,
			funding_source, state, requested_usd, created_at) VALUES ($1, $2, $3, $4, 'founders', $5, $6, $7) RETURNING id`,
			intakeID, assignmentID, partnerID, stored, state, usd, t0.Add(time.Duration(age)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		return id
	}

	// Two customers that the full host kept apart, each engaged with its
	// own partner and each with an open founders record.
	a := submit("example.com", "engaged", 1)
	b := submit("app.example.com", "engaged", 2)
	asgA, asgB := accept(a, p1), accept(b, p2)
	recA := file(a, asgA, p1, "example.com", "submitted", 25000, 1)
	recB := file(b, asgB, p2, "app.example.com", "identified", 20000, 2)
	// Ended intakes count for nobody's open slot.
	c := submit("shop.example.co.uk", "withdrawn", 0)
	d := submit("example.co.uk", "received", 3)
	// Apps under a private-section suffix stay apart.
	e := submit("acme.herokuapp.com", "received", 4)
	f := submit("other.herokuapp.com", "unroutable", 5)
	// A bare suffix was accepted before; it keeps its value.
	g := submit("herokuapp.com", "received", 6)
	// Two open intakes without partners.
	h := submit("beta.acme.test", "received", 7)
	i := submit("www2.acme.test", "routing", 8)

	var updatedB time.Time
	if err := x.Get(&updatedB, `SELECT updated_at FROM intakes WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}

	ran, err := db.Migrate(ctx, nil)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if len(ran) == 0 || ran[0] != 11 {
		t.Fatalf("migrate ran %v, want 11 first", ran)
	}

	type row struct {
		Domain      string  `db:"customer_domain"`
		Status      string  `db:"status"`
		DuplicateOf *string `db:"duplicate_of"`
	}
	want := map[string]row{
		a: {"example.com", "engaged", nil},
		b: {"example.com", "engaged", &a},
		c: {"example.co.uk", "withdrawn", nil},
		d: {"example.co.uk", "received", nil},
		e: {"acme.herokuapp.com", "received", nil},
		f: {"other.herokuapp.com", "unroutable", nil},
		g: {"herokuapp.com", "received", nil},
		h: {"acme.test", "received", nil},
		i: {"acme.test", "routing", &h},
	}
	got := map[string]row{}
	var rows []struct {
		ID string `db:"id"`
		row
	}
	if err := x.Select(&rows, `SELECT id, customer_domain, status, duplicate_of FROM intakes`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		got[r.ID] = r.row
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("intakes after the migration (-want +got):\n%s", d)
	}
	var records []struct {
		ID          string  `db:"id"`
		Domain      string  `db:"customer_domain"`
		State       string  `db:"state"`
		DuplicateOf *string `db:"duplicate_of"`
	}
	if err := x.Select(&records, `SELECT id, customer_domain, state, duplicate_of FROM ace_records ORDER BY created_at`); err != nil {
		t.Fatal(err)
	}
	wantRecords := []struct {
		ID          string  `db:"id"`
		Domain      string  `db:"customer_domain"`
		State       string  `db:"state"`
		DuplicateOf *string `db:"duplicate_of"`
	}{{recA, "example.com", "submitted", nil}, {recB, "example.com", "identified", &recA}}
	if d := cmp.Diff(wantRecords, records); d != "" {
		t.Errorf("records after the migration (-want +got):\n%s", d)
	}
	var updatedAfter time.Time
	if err := x.Get(&updatedAfter, `SELECT updated_at FROM intakes WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}
	if !updatedAfter.Equal(updatedB) {
		t.Errorf("updated_at moved from %v to %v: the customer did not change", updatedB, updatedAfter)
	}

	newIntake := func(website string) error {
		t.Helper()
		dom, err := intake.NormalizeDomain(website)
		if err != nil {
			t.Fatal(err)
		}
		b := intake.Example()
		b.AWSAccountID = nil
		_, err = db.SubmitIntake(ctx, b, dom, "", nil)
		return err
	}
	wantCode := func(what string, err error, code string) {
		t.Helper()
		if got := domain.ErrorCode(err); got != code {
			t.Errorf("%s: %v (code %q), want %s", what, err, got, code)
		}
	}

	wantCode("a new intake for app.example.com", newIntake("https://app.example.com"), domain.ECodeDuplicateIntake)
	wantCode("a new intake for acme.herokuapp.com", newIntake("api.acme.herokuapp.com"), domain.ECodeDuplicateIntake)
	if err := newIntake("third.herokuapp.com"); err != nil {
		t.Errorf("a third app under herokuapp.com: %v", err)
	}

	// The older record ends; the marked one, still open, holds the pool.
	if _, err := x.Exec(`UPDATE ace_records SET state = 'rejected' WHERE id = $1`, recA); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.CreateACERecord(ctx, domain.Principal{Role: domain.RolePartner, PartnerID: p2}, asgB, "founders", 5000, ace.RecordFields{})
	wantCode("a new founders record for example.com beside the marked one", err, domain.ECodeConflict)

	// The older intake ends; the marked one, still open, holds the customer.
	if _, err := x.Exec(`UPDATE intakes SET status = 'withdrawn', ended_at = now() WHERE id IN ($1, $2)`, a, h); err != nil {
		t.Fatal(err)
	}
	wantCode("a new intake for example.com beside the marked one", newIntake("example.com"), domain.ECodeDuplicateIntake)
	wantCode("a new intake for acme.test beside the marked one", newIntake("acme.test"), domain.ECodeDuplicateIntake)

	// Once every open row of the customer has ended, it may come back.
	if _, err := x.Exec(`UPDATE intakes SET status = 'withdrawn', ended_at = now() WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}
	if err := newIntake("www.example.com"); err != nil {
		t.Errorf("example.com after both intakes ended: %v", err)
	}
	wantCode("and then a second one", newIntake("example.com"), domain.ECodeDuplicateIntake)
}

// TestMigrateFreshHasNoGuards: a database that never held a collision
// carries no guard triggers, so submissions pay nothing for them.
func TestMigrateFreshHasNoGuards(t *testing.T) {
	_, x := testenv.MustOpenDBWithSQL(t)
	var n int
	if err := x.Get(&n, `SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%guard_open_duplicates'`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d guard triggers on a fresh database, want 0", n)
	}
}
