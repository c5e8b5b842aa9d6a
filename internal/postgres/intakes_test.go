package postgres_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

func TestSubmitIntake(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	b, dom := e.body()
	s, err := e.db.SubmitIntake(e.ctx, b, dom, "", nil)
	must(t, "submit", err)

	t.Run("stored as submitted", func(t *testing.T) {
		e := e.in(t)
		in, err := e.db.Intake(e.ctx, s.IntakeID)
		must(t, "read", err)
		type view struct {
			Status, Domain, Company, Website, Region string
			Account                                  *string
			Sources                                  []string
			MonthlyUSD                               int64
			Created                                  time.Time
			Ended                                    *time.Time
		}
		got := view{in.Status, in.CustomerDomain, in.CompanyName, in.Website, in.Region, in.AWSAccountID,
			in.RequestedFundingSources, in.ProjectedMonthlyUSD, in.CreatedAt.UTC(), in.EndedAt}
		want := view{postgres.IntakeReceived, dom, b.CompanyName, b.Website, b.Region, b.AWSAccountID,
			b.RequestedFundingSources, b.MonthlySpendUSD(), t0, nil}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("stored intake (-want +got):\n%s", d)
		}
		if s.Status != postgres.IntakeReceived || s.Replayed {
			t.Errorf("submission %+v, want received and not replayed", s)
		}
	})

	t.Run("the token finds the intake and is not stored", func(t *testing.T) {
		e := e.in(t)
		if !strings.HasPrefix(s.AccessToken, postgres.FounderTokenPrefix) {
			t.Errorf("token %q lacks the prefix %q", s.AccessToken, postgres.FounderTokenPrefix)
		}
		id, err := e.db.IntakeByToken(e.ctx, s.AccessToken)
		wantCode(t, "by token", err, "")
		if id != s.IntakeID {
			t.Errorf("token names %s, want %s", id, s.IntakeID)
		}
		if n := e.count(`SELECT count(*) FROM intakes i WHERE i::text LIKE '%' || $1 || '%'`, s.AccessToken); n != 0 {
			t.Errorf("the plaintext token is stored in %d intake rows", n)
		}
	})

	t.Run("not found", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.IntakeByToken(e.ctx, postgres.NewSecret(postgres.FounderTokenPrefix))
		wantCode(t, "unknown token", err, domain.ECodeNotFound)
		_, err = e.db.Intake(e.ctx, "not-a-uuid")
		wantCode(t, "malformed id", err, domain.ECodeNotFound)
		_, err = e.db.Intake(e.ctx, "00000000-0000-4000-8000-000000000000")
		wantCode(t, "unknown id", err, domain.ECodeNotFound)
	})
}

func TestSubmitIntakeOneOpenPerCustomer(t *testing.T) {
	e := newEnv(t)
	b, dom := e.body()
	first, err := e.db.SubmitIntake(e.ctx, b, dom, "", nil)
	must(t, "first", err)

	t.Run("same registrable domain", func(t *testing.T) {
		e := e.in(t)
		again, _ := e.body()
		again.Website = "https://app." + dom + "/signup"
		_, err := e.db.SubmitIntake(e.ctx, again, dom, "", nil)
		wantCode(t, "second intake of "+dom, err, domain.ECodeDuplicateIntake)
		if !strings.Contains(domain.ErrorMessage(err), "customer") || strings.Contains(domain.ErrorMessage(err), first.IntakeID) {
			t.Errorf("message %q: it must name the rule and nothing of the first intake", domain.ErrorMessage(err))
		}
	})
	t.Run("same AWS account", func(t *testing.T) {
		e := e.in(t)
		other, otherDom := e.body()
		other.AWSAccountID = b.AWSAccountID
		_, err := e.db.SubmitIntake(e.ctx, other, otherDom, "", nil)
		wantCode(t, "second intake of the account", err, domain.ECodeDuplicateIntake)
	})
	t.Run("again once the first has ended", func(t *testing.T) {
		e := e.in(t)
		_, err := e.db.WithdrawIntake(e.ctx, first.IntakeID, "")
		must(t, "withdraw", err)
		_, err = e.db.SubmitIntake(e.ctx, b, dom, "", nil)
		wantCode(t, "after the withdrawal", err, "")
	})
}

func TestSubmitIntakeIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	e.setClock(t0)
	b, dom := e.body()
	raw, err := json.Marshal(b)
	must(t, "marshal", err)
	const key = "5f0c1f6e-7d1a-4c53-9a57-0d3b8e2f4c11"
	first, err := e.db.SubmitIntake(e.ctx, b, dom, key, raw)
	must(t, "first", err)

	t.Run("a replay gets the first submission back", func(t *testing.T) {
		e := e.in(t)
		again, err := e.db.SubmitIntake(e.ctx, b, dom, key, raw)
		must(t, "replay", err)
		want := first
		want.Replayed = true
		if d := cmp.Diff(want, again); d != "" {
			t.Errorf("replay (-want +got):\n%s", d)
		}
		if n := e.count(`SELECT count(*) FROM intakes`); n != 1 {
			t.Errorf("%d intakes, want 1", n)
		}
	})
	t.Run("another body under the key", func(t *testing.T) {
		e := e.in(t)
		other, otherDom := e.body()
		otherRaw, err := json.Marshal(other)
		must(t, "marshal", err)
		_, err = e.db.SubmitIntake(e.ctx, other, otherDom, key, otherRaw)
		wantCode(t, "reused key", err, domain.ECodeIdempotencyReused)
	})
	t.Run("nothing at rest reveals the key or the token", func(t *testing.T) {
		e := e.in(t)
		n := e.count(`SELECT count(*) FROM idempotency_keys k WHERE k::text LIKE '%' || $1 || '%'
			OR position(convert_to($1, 'UTF8') IN k.token_sealed) > 0 OR position(convert_to($2, 'UTF8') IN k.key_hash) > 0
			OR k::text LIKE '%' || $2 || '%'`, first.AccessToken, key)
		if n != 0 {
			t.Errorf("%d idempotency rows hold the token or the key in the clear", n)
		}
	})
	t.Run("a key is forgotten after its lifetime", func(t *testing.T) {
		e := e.in(t)
		e.setClock(t0.Add(postgres.IdempotencyTTL + time.Minute))
		other, otherDom := e.body()
		otherRaw, err := json.Marshal(other)
		must(t, "marshal", err)
		s, err := e.db.SubmitIntake(e.ctx, other, otherDom, key, otherRaw)
		wantCode(t, "expired key, new body", err, "")
		if s.IntakeID == first.IntakeID || s.Replayed {
			t.Errorf("an expired key replayed its old submission: %+v", s)
		}
	})
}

func TestPurgeIdempotencyKeys(t *testing.T) {
	e := newEnv(t)
	submitAt := func(at time.Time, key string) {
		t.Helper()
		e.setClock(at)
		b, dom := e.body()
		_, err := e.db.SubmitIntake(e.ctx, b, dom, key, []byte(key))
		must(t, "submit with "+key, err)
	}
	submitAt(t0, "old")
	submitAt(t0.Add(20*time.Hour), "young")
	e.setClock(t0.Add(postgres.IdempotencyTTL + time.Hour))
	must(t, "purge", e.db.PurgeIdempotencyKeys(e.ctx))
	var left [][]byte
	must(t, "read keys", e.x.Select(&left, `SELECT key_hash FROM idempotency_keys`))
	if d := cmp.Diff([][]byte{postgres.IdempotencyKeyHash("young")}, left); d != "" {
		t.Errorf("keys left after the purge (-want +got):\n%s", d)
	}
}

func TestListIntakes(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := 0; i < 5; i++ {
		e.setClock(t0.Add(time.Duration(i) * time.Minute))
		ids = append(ids, e.submit())
	}
	_, err := e.db.WithdrawIntake(e.ctx, ids[3], "")
	must(t, "withdraw", err)

	idsOf := func(in []postgres.Intake) []string {
		out := []string{}
		for _, i := range in {
			out = append(out, i.ID)
		}
		return out
	}
	t.Run("pages, oldest first", func(t *testing.T) {
		e := e.in(t)
		var pages [][]string
		after := ""
		for range 4 {
			rows, next, err := e.db.ListIntakes(e.ctx, postgres.IntakeFilter{After: after, Limit: 2})
			must(t, "list", err)
			pages = append(pages, idsOf(rows))
			if next == "" {
				break
			}
			after = next
		}
		want := [][]string{ids[0:2], ids[2:4], ids[4:5]}
		if d := cmp.Diff(want, pages); d != "" {
			t.Errorf("pages (-want +got):\n%s", d)
		}
	})
	t.Run("by status", func(t *testing.T) {
		e := e.in(t)
		rows, next, err := e.db.ListIntakes(e.ctx, postgres.IntakeFilter{Status: postgres.IntakeWithdrawn, Limit: 10})
		must(t, "list", err)
		if d := cmp.Diff([]string{ids[3]}, idsOf(rows)); d != "" || next != "" {
			t.Errorf("withdrawn intakes (-want +got):\n%s (next %q)", d, next)
		}
	})
	t.Run("a cursor that is not one", func(t *testing.T) {
		e := e.in(t)
		_, _, err := e.db.ListIntakes(e.ctx, postgres.IntakeFilter{After: "page-2", Limit: 2})
		wantCode(t, "bad cursor", err, domain.ECodeValidation)
		if d := cmp.Diff([]string{"cursor"}, fields(err)); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
	})
	t.Run("by id", func(t *testing.T) {
		e := e.in(t)
		got, err := e.db.IntakesByID(e.ctx, []string{ids[1], ids[4], "00000000-0000-4000-8000-000000000000"})
		must(t, "by id", err)
		var keys []string
		for k, in := range got {
			if k != in.ID {
				t.Errorf("intake %s filed under %s", in.ID, k)
			}
			keys = append(keys, k)
		}
		if d := cmp.Diff([]string{ids[1], ids[4]}, keys, sortStrings); d != "" {
			t.Errorf("ids found (-want +got):\n%s", d)
		}
	})
}

// TestSubmitIntakeRaceOneOpenPerCustomer: submissions for one customer at
// once, whether they share the registrable domain or the AWS account,
// leave exactly one open intake; every other is duplicate_intake.
func TestSubmitIntakeRaceOneOpenPerCustomer(t *testing.T) {
	const n = 8
	e := newEnv(t)
	t.Run("one registrable domain", func(t *testing.T) {
		e := e.in(t)
		bodies := make([]intake.Body, n)
		for i := range bodies {
			bodies[i], _ = e.body()
		}
		hosts := []string{"https://acme-race.test", "https://www.acme-race.test/", "https://app.acme-race.test/x", "http://eu.api.acme-race.test:8443"}
		errs := race(n, func(i int) error {
			b := bodies[i]
			b.Website = hosts[i%len(hosts)]
			dom, err := intake.NormalizeDomain(b.Website)
			if err != nil {
				return err
			}
			_, err = e.db.SubmitIntake(e.ctx, b, dom, "", nil)
			return err
		})
		if d := cmp.Diff(map[string]int{"": 1, domain.ECodeDuplicateIntake: n - 1}, codes(errs)); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
		if c := e.count(`SELECT count(*) FROM intakes WHERE customer_domain = 'acme-race.test'`); c != 1 {
			t.Errorf("%d intakes stored for acme-race.test, want 1", c)
		}
	})
	t.Run("one AWS account", func(t *testing.T) {
		e := e.in(t)
		bodies := make([]intake.Body, n)
		doms := make([]string, n)
		for i := range bodies {
			bodies[i], doms[i] = e.body()
			bodies[i].AWSAccountID = ptr("999988887777")
		}
		errs := race(n, func(i int) error {
			_, err := e.db.SubmitIntake(e.ctx, bodies[i], doms[i], "", nil)
			return err
		})
		if d := cmp.Diff(map[string]int{"": 1, domain.ECodeDuplicateIntake: n - 1}, codes(errs)); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
		if c := e.count(`SELECT count(*) FROM intakes WHERE aws_account_id = '999988887777'`); c != 1 {
			t.Errorf("%d intakes stored for the account, want 1", c)
		}
	})
}

// TestSubmitIntakeRaceIdempotencyKey: concurrent requests under one
// Idempotency-Key create one intake. With one body every request gets that
// submission, with one token; with two bodies the loser's requests are
// idempotency_key_reused.
func TestSubmitIntakeRaceIdempotencyKey(t *testing.T) {
	const n = 8
	e := newEnv(t)
	type result struct {
		s   postgres.Submission
		err error
	}
	t.Run("one body", func(t *testing.T) {
		e := e.in(t)
		b, dom := e.body()
		raw, err := json.Marshal(b)
		must(t, "marshal", err)
		res := race(n, func(int) result {
			s, err := e.db.SubmitIntake(e.ctx, b, dom, "key-one-body", raw)
			return result{s, err}
		})
		ids, tokens, replayed := map[string]bool{}, map[string]bool{}, 0
		for _, r := range res {
			if r.err != nil {
				t.Errorf("submission: %v", r.err)
				continue
			}
			ids[r.s.IntakeID], tokens[r.s.AccessToken] = true, true
			if r.s.Replayed {
				replayed++
			}
		}
		if len(ids) != 1 || len(tokens) != 1 || replayed != n-1 {
			t.Errorf("%d intake ids, %d tokens, %d replays; want 1, 1, %d", len(ids), len(tokens), replayed, n-1)
		}
		if c := e.count(`SELECT count(*) FROM intakes WHERE customer_domain = $1`, dom); c != 1 {
			t.Errorf("%d intakes stored, want 1", c)
		}
	})
	t.Run("two bodies", func(t *testing.T) {
		e := e.in(t)
		var bodies [2]intake.Body
		var doms [2]string
		var raws [2][]byte
		for i := range bodies {
			bodies[i], doms[i] = e.body()
			var err error
			raws[i], err = json.Marshal(bodies[i])
			must(t, "marshal", err)
		}
		res := race(n, func(i int) result {
			k := i % 2
			s, err := e.db.SubmitIntake(e.ctx, bodies[k], doms[k], "key-two-bodies", raws[k])
			return result{s, err}
		})
		won := map[int]map[string]int{0: {}, 1: {}}
		ids := map[string]bool{}
		for i, r := range res {
			if r.err != nil {
				won[i%2][domain.ErrorCode(r.err)]++
				continue
			}
			won[i%2][""]++
			ids[r.s.IntakeID] = true
		}
		all, none := map[string]int{"": n / 2}, map[string]int{domain.ECodeIdempotencyReused: n / 2}
		if !(cmp.Equal(won[0], all) && cmp.Equal(won[1], none) || cmp.Equal(won[1], all) && cmp.Equal(won[0], none)) {
			t.Errorf("outcomes by body %v: want one body's requests all to succeed and the other's all to be %s",
				won, domain.ECodeIdempotencyReused)
		}
		if c := e.count(`SELECT count(*) FROM intakes WHERE customer_domain = ANY($1)`, pq.Array(doms[:])); c != 1 || len(ids) != 1 {
			t.Errorf("%d intakes stored, %d ids returned; want 1 and 1", c, len(ids))
		}
	})
}
