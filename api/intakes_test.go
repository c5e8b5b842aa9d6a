package api_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/jobs"
)

// Tests of the founder intake (SPEC §3 "One partner per customer", §4 the
// intake body and the founder endpoints), through the real server, against
// real Postgres and Redis. Helpers carry the itk prefix so that they cannot
// collide with other files of package api_test.

var itkUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// itkDomain is a customer domain no other test run has used.
func itkDomain(prefix string) string {
	return fmt.Sprintf("%s%d.example", prefix, time.Now().UnixNano())
}

// itkMarshal encodes v as JSON once, so that the same bytes can be sent
// twice (idempotency compares bodies byte for byte).
func itkMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// itkFindAtRest lists the tables of the database whose rows, as text,
// contain s (bytea columns are compared as bytes too).
func (e *env) itkFindAtRest(s string) []string {
	e.t.Helper()
	var tables []string
	if err := e.sql.Select(&tables, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`); err != nil {
		e.t.Fatal(err)
	}
	var found []string
	for _, tb := range tables {
		var n int
		q := `SELECT count(*) FROM ` + tb + ` t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, encode(convert_to($1, 'UTF8'), 'hex')) > 0`
		if err := e.sql.Get(&n, q, s); err != nil {
			e.t.Fatal(err)
		}
		if n > 0 {
			found = append(found, tb)
		}
	}
	return found
}

// itkCounts is the number of rows of every table a submission writes.
type itkCounts struct {
	Intakes, Outbox, IdempotencyKeys int
}

func (e *env) itkCounts() itkCounts {
	e.t.Helper()
	return itkCounts{Intakes: e.count("intakes"), Outbox: e.count("outbox"), IdempotencyKeys: e.count("idempotency_keys")}
}

// itkNothingWritten fails when a refused request changed any of the tables
// a submission writes.
func (e *env) itkNothingWritten(t *testing.T, before itkCounts) {
	t.Helper()
	if d := cmp.Diff(before, e.itkCounts()); d != "" {
		t.Errorf("a refused request wrote rows (-before +after):\n%s", d)
	}
}

// itkStatus is the intake's status column.
func (e *env) itkStatus(id string) string {
	e.t.Helper()
	var s string
	if err := e.sql.Get(&s, `SELECT status FROM intakes WHERE id = $1`, id); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// itkSent is one request sent outside the test goroutine.
type itkSent struct {
	req *http.Request
	r   resp
	err error
}

// itkSend posts body to /v1/intakes without touching testing.T, so that it
// may run in any goroutine; checkContract runs later, in the test's.
func itkSend(base string, body []byte, hdr ...string) itkSent {
	req, err := http.NewRequest("POST", base+"/v1/intakes", bytes.NewReader(body))
	if err != nil {
		return itkSent{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return itkSent{req: req, err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return itkSent{req: req, r: resp{status: res.StatusCode, header: res.Header, body: b}, err: err}
}

// itkRace posts every body at once (released together by one barrier) and
// returns the answers in the order of bodies.
func (e *env) itkRace(bodies [][]byte, hdr ...string) []resp {
	e.t.Helper()
	start := make(chan struct{})
	out := make([]itkSent, len(bodies))
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = itkSend(e.srv.URL, b, hdr...)
		}()
	}
	close(start)
	wg.Wait()
	rs := make([]resp, len(out))
	for i, o := range out {
		if o.err != nil {
			e.t.Fatalf("request %d: %v", i, o.err)
		}
		checkContract(e.t, o.req, o.r)
		rs[i] = o.r
	}
	return rs
}

// itkPadded is a valid intake of exactly n bytes, padded with a field the
// server ignores.
func itkPadded(t *testing.T, n int) []byte {
	t.Helper()
	b := itkMarshal(t, intakeBody(nil))
	head := append(b[:len(b)-1:len(b)-1], `,"pad":"`...)
	const tail = `"}`
	pad := n - len(head) - len(tail)
	if pad < 0 {
		t.Fatal("n is too small")
	}
	out := append(head, strings.Repeat("a", pad)...)
	out = append(out, tail...)
	if len(out) != n {
		t.Fatalf("padded body is %d bytes, want %d", len(out), n)
	}
	return out
}

// TestIntakeSubmit is the happy path: 201 with {id, status, access_token},
// the customer's domain normalised, the routing task written in the same
// transaction as the intake, and the access token stored only as a hash.
func TestIntakeSubmit(t *testing.T) {
	e := newEnv(t)
	before := e.itkCounts()
	dom := itkDomain("happy")
	r := e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{
		"website": "  HTTPS://WWW." + strings.ToUpper(dom) + ".:8443/about/us?x=1#team  ",
	})).want(t, 201)
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if h := r.header.Get("Idempotent-Replayed"); h != "" {
		t.Errorf("Idempotent-Replayed %q on a request without a key", h)
	}
	m := r.json(t)
	if len(m) != 3 {
		t.Errorf("want exactly id, status and access_token: %s", r.body)
	}
	id, _ := m["id"].(string)
	token, _ := m["access_token"].(string)
	if !itkUUID.MatchString(id) {
		t.Fatalf("id %q is not a UUID", id)
	}
	if m["status"] != "received" {
		t.Errorf("status %v, want received", m["status"])
	}
	if !strings.HasPrefix(token, "cr_intake_") || len(token) <= len("cr_intake_")+32 {
		t.Fatalf("access_token %q: want cr_intake_ followed by a long secret", token)
	}

	var row struct {
		Status         string  `db:"status"`
		CustomerDomain string  `db:"customer_domain"`
		AWSAccountID   *string `db:"aws_account_id"`
		TokenHash      []byte  `db:"access_token_hash"`
		Xmin           string  `db:"xmin"`
	}
	if err := e.sql.Get(&row, `SELECT status, customer_domain, aws_account_id, access_token_hash, xmin::text AS xmin
		FROM intakes WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if row.Status != "received" || row.CustomerDomain != dom || row.AWSAccountID != nil {
		t.Errorf("row: status %q, customer_domain %q, aws_account_id %v; want received, %q, nil",
			row.Status, row.CustomerDomain, row.AWSAccountID, dom)
	}
	sum := sha256.Sum256([]byte(token))
	if len(row.TokenHash) != 32 || !bytes.Equal(row.TokenHash, sum[:]) {
		t.Errorf("access_token_hash %x, want sha256(token) %x", row.TokenHash, sum)
	}
	// The plaintext token is nowhere in the row, nor in any other table a
	// submission writes.
	for _, q := range []string{
		`SELECT count(*) FROM intakes i WHERE strpos(row_to_json(i)::text, $1) > 0`,
		`SELECT count(*) FROM outbox o WHERE strpos(row_to_json(o)::text, $1) > 0`,
		`SELECT count(*) FROM idempotency_keys k WHERE strpos(row_to_json(k)::text, $1) > 0`,
	} {
		var n int
		if err := e.sql.Get(&n, q, token); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: the plaintext token is stored", q)
		}
	}

	// One intake.received event for this intake, written by the same
	// transaction (same xmin) as the intake row.
	var evs []struct {
		Kind    string `db:"kind"`
		Subject string `db:"subject"`
		Payload string `db:"payload"`
		Xmin    string `db:"xmin"`
	}
	if err := e.sql.Select(&evs, `SELECT kind, subject, payload::text AS payload, xmin::text AS xmin FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(evs) != before.Outbox+1 {
		t.Fatalf("outbox has %d rows, want %d", len(evs), before.Outbox+1)
	}
	ev := evs[len(evs)-1]
	var payload map[string]any
	if err := json.Unmarshal([]byte(ev.Payload), &payload); err != nil {
		t.Fatal(err)
	}
	if ev.Kind != "intake.received" || ev.Subject != id || payload["intake_id"] != id {
		t.Errorf("outbox row %s %s %s, want intake.received for %s", ev.Kind, ev.Subject, ev.Payload, id)
	}
	if ev.Xmin != row.Xmin {
		t.Errorf("outbox row written by transaction %s, intake by %s: want one transaction", ev.Xmin, row.Xmin)
	}
	if d := cmp.Diff(itkCounts{Intakes: before.Intakes + 1, Outbox: before.Outbox + 1}, e.itkCounts()); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}

	// The token is the founder's credential.
	if s := e.do("GET", "/v1/intakes/"+id, token, nil).want(t, 200).json(t)["status"]; s != "received" {
		t.Errorf("GET status %v", s)
	}
}

// TestIntakeSubmitInvalid: every bad field is 422 validation_failed naming
// exactly that field, and nothing is written.
func TestIntakeSubmitInvalid(t *testing.T) {
	e := newEnv(t)
	contact := func(name, email string) map[string]any { return map[string]any{"name": name, "email": email} }
	cases := []struct {
		name   string
		over   map[string]any
		fields []string
	}{
		{"bad stage", map[string]any{"stage": "series_z"}, []string{"stage"}},
		{"missing stage", map[string]any{"stage": nil}, []string{"stage"}},
		{"bad region", map[string]any{"region": "mars"}, []string{"region"}},
		{"bad vertical", map[string]any{"vertical": "crypto"}, []string{"vertical"}},
		{"bad service_profile", map[string]any{"service_profile": "gpu_heavy"}, []string{"service_profile"}},
		{"bad engagement_type", map[string]any{"engagement_type": "consult"}, []string{"engagement_type"}},
		{"bad competing_cloud", map[string]any{"competing_cloud": "ibm"}, []string{"competing_cloud"}},
		{"enum in the wrong case", map[string]any{"region": "EU"}, []string{"region"}},
		{"missing company_name", map[string]any{"company_name": nil}, []string{"company_name"}},
		{"blank company_name", map[string]any{"company_name": "   "}, []string{"company_name"}},
		{"website localhost", map[string]any{"website": "localhost"}, []string{"website"}},
		{"website 127.0.0.1", map[string]any{"website": "127.0.0.1"}, []string{"website"}},
		{"website http://127.0.0.1/", map[string]any{"website": "http://127.0.0.1/"}, []string{"website"}},
		{"website intranet", map[string]any{"website": "intranet"}, []string{"website"}},
		{"website reserved tld", map[string]any{"website": "https://wiki.corp.internal"}, []string{"website"}},
		{"website ftp scheme", map[string]any{"website": "ftp://x.com"}, []string{"website"}},
		{"website with user info", map[string]any{"website": "https://user:pw@x.com"}, []string{"website"}},
		{"missing website", map[string]any{"website": nil}, []string{"website"}},
		{"aws_account_id 12345", map[string]any{"aws_account_id": "12345"}, []string{"aws_account_id"}},
		{"aws_account_id not digits", map[string]any{"aws_account_id": "12345678901a"}, []string{"aws_account_id"}},
		{"spend line with unknown service", map[string]any{"projected_monthly_spend": []map[string]any{
			{"service": "ec2", "usd": 100}, {"service": "quantum_annealer", "usd": 50}}},
			[]string{"projected_monthly_spend[1].service"}},
		{"spend usd 0", map[string]any{"projected_monthly_spend": []map[string]any{{"service": "ec2", "usd": 0}}},
			[]string{"projected_monthly_spend[0].usd"}},
		{"spend usd negative", map[string]any{"projected_monthly_spend": []map[string]any{
			{"service": "s3", "usd": 10}, {"service": "ec2", "usd": -5}}},
			[]string{"projected_monthly_spend[1].usd"}},
		{"spend service repeated", map[string]any{"projected_monthly_spend": []map[string]any{
			{"service": "ec2", "usd": 10}, {"service": "EC2", "usd": 5}}},
			[]string{"projected_monthly_spend[1].service"}},
		{"empty projected_monthly_spend", map[string]any{"projected_monthly_spend": []any{}}, []string{"projected_monthly_spend"}},
		{"missing projected_monthly_spend", map[string]any{"projected_monthly_spend": nil}, []string{"projected_monthly_spend"}},
		{"requested_funding_sources empty", map[string]any{"requested_funding_sources": []string{}}, []string{"requested_funding_sources"}},
		{"requested_funding_sources unknown", map[string]any{"requested_funding_sources": []string{"founders", "lottery"}},
			[]string{"requested_funding_sources[1]"}},
		{"requested_funding_sources duplicate", map[string]any{"requested_funding_sources": []string{"founders", "map", "founders"}},
			[]string{"requested_funding_sources[2]"}},
		{"bad technical contact email", map[string]any{"technical_contact": contact("Ada", "not-an-email")},
			[]string{"technical_contact.email"}},
		{"bad business contact email", map[string]any{"business_contact": contact("Grace", "grace@localhost")},
			[]string{"business_contact.email"}},
		{"contact without a name", map[string]any{"technical_contact": contact("", "ada@example.com")},
			[]string{"technical_contact.name"}},
		{"missing business_contact", map[string]any{"business_contact": nil}, []string{"business_contact"}},
		{"consent_to_share false", map[string]any{"consent_to_share": false}, []string{"consent_to_share"}},
		{"consent_to_share missing", map[string]any{"consent_to_share": nil}, []string{"consent_to_share"}},
		{"team_size 0", map[string]any{"team_size": 0}, []string{"team_size"}},
		{"team_size missing", map[string]any{"team_size": nil}, []string{"team_size"}},
		{"last_round missing for seed", map[string]any{"stage": "seed", "last_round": nil}, []string{"last_round"}},
		{"last_round missing for series_a", map[string]any{"stage": "series_a", "last_round": nil}, []string{"last_round"}},
		{"last_round closed in the future", map[string]any{"last_round": map[string]any{"round": "Seed",
			"amount_usd": 1000000, "lead_investor": "X", "closed_on": "2999-01-01"}}, []string{"last_round.closed_on"}},
		{"use_case too long", map[string]any{"use_case": strings.Repeat("a", intake.MaxUseCaseLen+1)}, []string{"use_case"}},
		{"use_case too short", map[string]any{"use_case": "ml"}, []string{"use_case"}},
		{"many bad fields", map[string]any{
			"company_name": "", "website": "localhost", "stage": "series_z", "region": "", "vertical": "crypto",
			"team_size": 0, "projected_monthly_spend": []any{}, "use_case": strings.Repeat("x", intake.MaxUseCaseLen+1),
			"competing_cloud": "ibm", "aws_account_id": "12345", "requested_funding_sources": []string{"lottery"},
			"technical_contact": contact("Ada", "nope"), "business_contact": nil, "consent_to_share": false,
		}, []string{"company_name", "website", "stage", "region", "vertical", "team_size", "projected_monthly_spend",
			"use_case", "competing_cloud", "aws_account_id", "requested_funding_sources[0]", "technical_contact.email",
			"business_contact", "consent_to_share"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.itkCounts()
			r := e.do("POST", "/v1/intakes", "", intakeBody(tc.over))
			r.problem(t, 422, "validation_failed")
			if d := cmp.Diff(tc.fields, r.fields(t)); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			e.itkNothingWritten(t, before)
		})
	}

	t.Run("last_round is optional for pre_seed", func(t *testing.T) {
		before := e.count("intakes")
		id, _ := e.submit(map[string]any{"stage": "pre_seed", "last_round": nil})
		var lastRound *string
		if err := e.sql.Get(&lastRound, `SELECT last_round::text FROM intakes WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if lastRound != nil {
			t.Errorf("last_round stored as %s, want NULL", *lastRound)
		}
		if n := e.count("intakes"); n != before+1 {
			t.Errorf("intakes %d, want %d", n, before+1)
		}
	})
	t.Run("aws_account_id null is as if omitted", func(t *testing.T) {
		e.submit(map[string]any{"aws_account_id": json.RawMessage("null")})
	})
}

// TestIntakeSubmitMalformed: a body that is not one JSON object, or has a
// field of the wrong type, is 400 malformed_request; too large is 413; a
// too long Idempotency-Key is 422. Nothing is written.
func TestIntakeSubmitMalformed(t *testing.T) {
	e := newEnv(t)
	valid := itkMarshal(t, intakeBody(nil))
	cases := []struct {
		name   string
		body   []byte
		fields []string
	}{
		{"team_size as a string", itkMarshal(t, intakeBody(map[string]any{"team_size": "ten"})), []string{"team_size"}},
		{"usd as a fraction", itkMarshal(t, intakeBody(map[string]any{"projected_monthly_spend": []map[string]any{
			{"service": "ec2", "usd": 100}, {"service": "s3", "usd": 12.5}}})), []string{"projected_monthly_spend[1].usd"}},
		{"consent as a string", itkMarshal(t, intakeBody(map[string]any{"consent_to_share": "yes"})), []string{"consent_to_share"}},
		{"contact as a string", itkMarshal(t, intakeBody(map[string]any{"business_contact": "Grace"})), []string{"business_contact"}},
		{"not JSON", []byte("company_name=Acme&website=acme.com"), nil},
		{"truncated JSON", valid[:len(valid)/2], nil},
		{"trailing data", append(append([]byte{}, valid...), `{}`...), nil},
		{"an array", []byte(`[` + string(valid) + `]`), nil},
		{"a string", []byte(`"intake"`), nil},
		{"empty", []byte(""), nil},
		{"null", []byte("null"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.itkCounts()
			r := e.do("POST", "/v1/intakes", "", tc.body)
			r.problem(t, 400, "malformed_request")
			if d := cmp.Diff(tc.fields, r.fields(t)); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			e.itkNothingWritten(t, before)
		})
	}

	t.Run("body over 1 MiB", func(t *testing.T) {
		const limit = 1 << 20
		for _, tc := range []struct {
			name    string
			size    int
			chunked bool
			status  int
		}{
			{"exactly 1 MiB is accepted", limit, false, 201},
			{"1 MiB + 1 with Content-Length", limit + 1, false, 413},
			{"exactly 1 MiB chunked is accepted", limit, true, 201},
			{"1 MiB + 1 chunked", limit + 1, true, 413},
			{"4 MiB chunked", 4 * limit, true, 413},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := e.itkCounts()
				body := itkPadded(t, tc.size)
				var r resp
				if tc.chunked {
					r = e.chunked("POST", "/v1/intakes", "", body)
				} else {
					r = e.do("POST", "/v1/intakes", "", body)
				}
				if tc.status == 201 {
					r.want(t, 201)
					if n := e.count("intakes"); n != before.Intakes+1 {
						t.Errorf("intakes %d, want %d", n, before.Intakes+1)
					}
					return
				}
				r.problem(t, 413, "payload_too_large")
				e.itkNothingWritten(t, before)
			})
		}
	})

	t.Run("Idempotency-Key longer than 255", func(t *testing.T) {
		before := e.itkCounts()
		r := e.do("POST", "/v1/intakes", "", intakeBody(nil), "Idempotency-Key", strings.Repeat("k", 256))
		r.problem(t, 422, "validation_failed")
		if d := cmp.Diff([]string{"Idempotency-Key"}, r.fields(t)); d != "" {
			t.Errorf("fields (-want +got):\n%s", d)
		}
		e.itkNothingWritten(t, before)
	})
	t.Run("Idempotency-Key of exactly 255", func(t *testing.T) {
		e.do("POST", "/v1/intakes", "", intakeBody(nil), "Idempotency-Key", strings.Repeat("k", 255)).want(t, 201)
	})
}

// TestIntakeDuplicateCustomer: one open intake per customer, by registrable
// domain (a subdomain is the same customer) and by AWS account; the 409 says
// nothing about the first intake; once it is withdrawn, the customer may
// submit again.
func TestIntakeDuplicateCustomer(t *testing.T) {
	e := newEnv(t)
	dom := itkDomain("example-co")
	firstBody := intakeBody(map[string]any{"website": dom, "company_name": "First Submitter Ltd"})
	r := e.do("POST", "/v1/intakes", "", firstBody).want(t, 201)
	first := r.json(t)
	id, token := first["id"].(string), first["access_token"].(string)

	for _, website := range []string{
		dom,
		"https://WWW." + strings.ToUpper(dom) + "/about",
		"http://" + dom + ":8080/pricing?ref=x",
		dom + ".",
		"  www.www." + dom + "  ",
		"https://app." + dom,
		"http://api.eu." + strings.ToUpper(dom) + ":8443/v1",
	} {
		t.Run("same domain as "+website, func(t *testing.T) {
			before := e.itkCounts()
			r := e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"website": website}))
			p := r.problem(t, 409, "duplicate_intake")
			if _, ok := p["errors"]; ok {
				t.Errorf("409 lists errors: %s", r.body)
			}
			for _, secret := range []string{id, "received", "First Submitter", token} {
				if bytes.Contains(r.body, []byte(secret)) {
					t.Errorf("the 409 reveals %q of the first intake: %s", secret, r.body)
				}
			}
			e.itkNothingWritten(t, before)
		})
	}

	t.Run("same aws_account_id on another domain", func(t *testing.T) {
		acctID, _ := e.submit(map[string]any{"aws_account_id": "111122223333"})
		before := e.itkCounts()
		r := e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"aws_account_id": "111122223333"}))
		r.problem(t, 409, "duplicate_intake")
		if bytes.Contains(r.body, []byte(acctID)) {
			t.Errorf("the 409 reveals the first intake: %s", r.body)
		}
		e.itkNothingWritten(t, before)
	})

	t.Run("after withdrawal the customer may submit again", func(t *testing.T) {
		r := e.do("POST", "/v1/intakes/"+id+"/withdraw", token, nil).want(t, 200)
		if d := cmp.Diff(map[string]any{"id": id, "status": "withdrawn"}, r.json(t)); d != "" {
			t.Errorf("withdraw (-want +got):\n%s", d)
		}
		id2, _ := e.submit(map[string]any{"website": "https://WWW." + strings.ToUpper(dom) + "/about"})
		if id2 == id {
			t.Fatal("the new intake has the withdrawn one's id")
		}
		var n int
		if err := e.sql.Get(&n, `SELECT count(*) FROM intakes WHERE customer_domain = $1`, dom); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%d intakes for %s, want 2 (one withdrawn, one open)", n, dom)
		}
		// And the new one blocks a third in turn.
		e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"website": dom})).problem(t, 409, "duplicate_intake")
	})

	t.Run("after withdrawal the aws account may submit again", func(t *testing.T) {
		const acct = "444455556666"
		id, tok := e.submit(map[string]any{"aws_account_id": acct})
		e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"aws_account_id": acct})).problem(t, 409, "duplicate_intake")
		e.do("POST", "/v1/intakes/"+id+"/withdraw", tok, nil).want(t, 200)
		e.submit(map[string]any{"aws_account_id": acct})
	})
}

// TestIntakeRegistrableDomain: the customer is the registrable domain of
// the website (eTLD+1 by the Public Suffix List), so a subdomain cannot
// open a second intake, while apps under a shared hosting suffix are
// customers of their own; a public suffix alone is no customer at all.
func TestIntakeRegistrableDomain(t *testing.T) {
	e := newEnv(t)
	stored := func(id string) string {
		t.Helper()
		var d string
		if err := e.sql.Get(&d, `SELECT customer_domain FROM intakes WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("a subdomain after the domain is duplicate_intake", func(t *testing.T) {
		id, _ := e.submit(map[string]any{"website": "example.com"})
		if d := stored(id); d != "example.com" {
			t.Errorf("customer_domain %q, want example.com", d)
		}
		before := e.itkCounts()
		e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"website": "https://app.example.com"})).
			problem(t, 409, "duplicate_intake")
		e.itkNothingWritten(t, before)
	})
	t.Run("the domain after a subdomain is duplicate_intake", func(t *testing.T) {
		id, _ := e.submit(map[string]any{"website": "www.example.co.uk/x"})
		if d := stored(id); d != "example.co.uk" {
			t.Errorf("customer_domain %q, want example.co.uk", d)
		}
		e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"website": "https://example.co.uk"})).
			problem(t, 409, "duplicate_intake")
	})
	t.Run("apps under a private-section suffix are two customers", func(t *testing.T) {
		a, _ := e.submit(map[string]any{"website": "https://acme.herokuapp.com/"})
		b, _ := e.submit(map[string]any{"website": "other.herokuapp.com"})
		if da, db := stored(a), stored(b); da != "acme.herokuapp.com" || db != "other.herokuapp.com" {
			t.Errorf("customer_domain %q and %q, want acme.herokuapp.com and other.herokuapp.com", da, db)
		}
		e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"website": "api.acme.herokuapp.com"})).
			problem(t, 409, "duplicate_intake")
	})
	t.Run("unicode and punycode spellings are one customer", func(t *testing.T) {
		id, _ := e.submit(map[string]any{"website": "https://www.bücher.example/"})
		if d := stored(id); d != "xn--bcher-kva.example" {
			t.Errorf("customer_domain %q, want xn--bcher-kva.example", d)
		}
		e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"website": "shop.XN--BCHER-KVA.example"})).
			problem(t, 409, "duplicate_intake")
	})
	for _, website := range []string{"co.uk", "https://herokuapp.com/", "github.io", "10.0.0.1", "intranet"} {
		t.Run("no customer in "+website, func(t *testing.T) {
			before := e.itkCounts()
			r := e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"website": website}))
			r.problem(t, 422, "validation_failed")
			if d := cmp.Diff([]string{"website"}, r.fields(t)); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			e.itkNothingWritten(t, before)
		})
	}
}

// TestIntakeDuplicateRace: two submissions of one customer at the same
// instant end as exactly one 201 and one 409, however the race falls.
func TestIntakeDuplicateRace(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 10; i++ {
		dom := itkDomain(fmt.Sprintf("race%d-", i))
		a := itkMarshal(t, intakeBody(map[string]any{"website": dom}))
		b := itkMarshal(t, intakeBody(map[string]any{"website": "https://WWW." + strings.ToUpper(dom) + "/about"}))
		rs := e.itkRace([][]byte{a, b})
		statuses := []int{rs[0].status, rs[1].status}
		var won, lost resp
		switch {
		case statuses[0] == 201 && statuses[1] == 409:
			won, lost = rs[0], rs[1]
		case statuses[0] == 409 && statuses[1] == 201:
			won, lost = rs[1], rs[0]
		default:
			t.Fatalf("round %d: statuses %v, want one 201 and one 409:\n%s\n%s", i, statuses, rs[0].body, rs[1].body)
		}
		lost.problem(t, 409, "duplicate_intake")
		winner := won.json(t)["id"].(string)
		if bytes.Contains(lost.body, []byte(winner)) {
			t.Errorf("round %d: the 409 reveals the winner: %s", i, lost.body)
		}
		var n int
		if err := e.sql.Get(&n, `SELECT count(*) FROM intakes WHERE customer_domain = $1`, dom); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("round %d: %d intakes for %s, want 1", i, n, dom)
		}
	}
	// Every winner has exactly one intake.received event; no loser left one
	// behind.
	if n, m := e.count("intakes"), e.count(`SELECT count(*) FROM outbox WHERE kind = 'intake.received'`); n != 10 || m != 10 {
		t.Errorf("%d intakes and %d intake.received events, want 10 and 10", n, m)
	}
}

// TestIntakeIdempotency: a replay with the same key and body returns the
// first answer byte for byte and creates nothing; another body with the key
// is 409; concurrent replays make one intake.
func TestIntakeIdempotency(t *testing.T) {
	e := newEnv(t)

	t.Run("replay returns the first answer", func(t *testing.T) {
		key := fmt.Sprintf("key-%d", time.Now().UnixNano())
		body := itkMarshal(t, intakeBody(nil))
		first := e.do("POST", "/v1/intakes", "", body, "Idempotency-Key", key).want(t, 201)
		if h := first.header.Get("Idempotent-Replayed"); h != "" {
			t.Errorf("first answer has Idempotent-Replayed %q", h)
		}
		before := e.itkCounts()
		second := e.do("POST", "/v1/intakes", "", body, "Idempotency-Key", key).want(t, 201)
		if !bytes.Equal(first.body, second.body) {
			t.Errorf("replay body differs:\n%s\n%s", first.body, second.body)
		}
		if h := second.header.Get("Idempotent-Replayed"); h != "true" {
			t.Errorf("Idempotent-Replayed %q, want true", h)
		}
		if ct := second.header.Get("Content-Type"); ct != first.header.Get("Content-Type") {
			t.Errorf("replay content type %q, first %q", ct, first.header.Get("Content-Type"))
		}
		e.itkNothingWritten(t, before)
		if before.IdempotencyKeys != 1 {
			t.Errorf("idempotency_keys %d, want 1", before.IdempotencyKeys)
		}
		// The replayed token is the one credential of the one intake.
		m := second.json(t)
		e.do("GET", "/v1/intakes/"+m["id"].(string), m["access_token"].(string), nil).want(t, 200)
	})

	t.Run("no token or key at rest", func(t *testing.T) {
		key := fmt.Sprintf("key-%d", time.Now().UnixNano())
		body := itkMarshal(t, intakeBody(nil))
		first := e.do("POST", "/v1/intakes", "", body, "Idempotency-Key", key).want(t, 201).json(t)
		token := first["access_token"].(string)
		for _, secret := range []string{token, key} {
			if where := e.itkFindAtRest(secret); len(where) > 0 {
				t.Errorf("%q is stored in plaintext in %v", secret, where)
			}
		}
		// A replay still gives the client its token.
		again := e.do("POST", "/v1/intakes", "", body, "Idempotency-Key", key).want(t, 201).json(t)
		if again["access_token"] != token || again["id"] != first["id"] {
			t.Errorf("replay %v, want the first answer %v", again, first)
		}
	})

	t.Run("same key with another body", func(t *testing.T) {
		key := fmt.Sprintf("key-%d", time.Now().UnixNano())
		e.do("POST", "/v1/intakes", "", intakeBody(nil), "Idempotency-Key", key).want(t, 201)
		before := e.itkCounts()
		r := e.do("POST", "/v1/intakes", "", intakeBody(nil), "Idempotency-Key", key)
		r.problem(t, 409, "idempotency_key_reused")
		e.itkNothingWritten(t, before)
	})

	t.Run("a refused first attempt does not use up the key", func(t *testing.T) {
		key := fmt.Sprintf("key-%d", time.Now().UnixNano())
		before := e.itkCounts()
		e.do("POST", "/v1/intakes", "", intakeBody(map[string]any{"consent_to_share": false}), "Idempotency-Key", key).
			problem(t, 422, "validation_failed")
		e.itkNothingWritten(t, before)
		r := e.do("POST", "/v1/intakes", "", intakeBody(nil), "Idempotency-Key", key).want(t, 201)
		if h := r.header.Get("Idempotent-Replayed"); h != "" {
			t.Errorf("Idempotent-Replayed %q on the first success", h)
		}
	})

	t.Run("a duplicate customer does not use up the key", func(t *testing.T) {
		dom := itkDomain("idem-dup")
		id, tok := e.submit(map[string]any{"website": dom})
		key := fmt.Sprintf("key-%d", time.Now().UnixNano())
		body := itkMarshal(t, intakeBody(map[string]any{"website": dom}))
		before := e.itkCounts()
		e.do("POST", "/v1/intakes", "", body, "Idempotency-Key", key).problem(t, 409, "duplicate_intake")
		e.itkNothingWritten(t, before)
		e.do("POST", "/v1/intakes/"+id+"/withdraw", tok, nil).want(t, 200)
		e.do("POST", "/v1/intakes", "", body, "Idempotency-Key", key).want(t, 201)
	})

	t.Run("ten concurrent requests with one key", func(t *testing.T) {
		key := fmt.Sprintf("key-%d", time.Now().UnixNano())
		body := itkMarshal(t, intakeBody(nil))
		bodies := make([][]byte, 10)
		for i := range bodies {
			bodies[i] = body
		}
		before := e.itkCounts()
		rs := e.itkRace(bodies, "Idempotency-Key", key)
		replayed := 0
		for i, r := range rs {
			r.want(t, 201)
			if !bytes.Equal(r.body, rs[0].body) {
				t.Errorf("answer %d differs:\n%s\n%s", i, r.body, rs[0].body)
			}
			if r.header.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
		}
		if replayed != 9 {
			t.Errorf("%d answers replayed, want 9", replayed)
		}
		want := itkCounts{Intakes: before.Intakes + 1, Outbox: before.Outbox + 1, IdempotencyKeys: before.IdempotencyKeys + 1}
		if d := cmp.Diff(want, e.itkCounts()); d != "" {
			t.Errorf("rows (-want +got):\n%s", d)
		}
	})
}

// TestIntakeGet: the founder's view with its token or an admin key; every
// other caller is 401, 403 or 404 as SPEC §1 says (BOLA).
func TestIntakeGet(t *testing.T) {
	e := newEnv(t)
	_, partnerKey := e.createPartner(nil)
	dom := itkDomain("get")
	id, token := e.submit(map[string]any{"website": "https://www." + dom + "/"})
	otherID, otherToken := e.submit(nil)
	want := map[string]any{
		"id": id, "status": "received", "company_name": "Acme Robotics", "customer_domain": dom,
		"stage": "seed", "region": "eu", "vertical": "b2b_saas", "service_profile": "ai_heavy", "engagement_type": "build",
		"requested_funding_sources": []any{"founders", "bedrock_poc"}, "partner": nil, "records": []any{},
		"credits_approved_usd": float64(0), "why_this_partner": nil,
	}
	view := func(t *testing.T, r resp) {
		t.Helper()
		m := r.json(t)
		for _, k := range []string{"created_at", "updated_at"} {
			s, _ := m[k].(string)
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil || !strings.HasSuffix(s, "Z") {
				t.Errorf("%s = %v, want an RFC 3339 time in UTC", k, m[k])
			}
			delete(m, k)
		}
		// The credit plan has a test of its own (TestIntakeCreditPlan).
		if _, ok := m["credit_plan"].(map[string]any); !ok {
			t.Errorf("credit_plan = %v, want an object", m["credit_plan"])
		}
		delete(m, "credit_plan")
		if d := cmp.Diff(want, m); d != "" {
			t.Errorf("intake (-want +got):\n%s", d)
		}
		for _, secret := range []string{"Ada Lovelace", "ada@", "Grace Hopper", token} {
			if bytes.Contains(r.body, []byte(secret)) {
				t.Errorf("the view shows %q", secret)
			}
		}
	}

	t.Run("founder token", func(t *testing.T) { view(t, e.do("GET", "/v1/intakes/"+id, token, nil).want(t, 200)) })
	t.Run("admin key", func(t *testing.T) { view(t, e.do("GET", "/v1/intakes/"+id, e.adminKey, nil).want(t, 200)) })
	t.Run("bearer scheme in lower case", func(t *testing.T) {
		e.do("GET", "/v1/intakes/"+id, "", nil, "Authorization", "bearer "+token).want(t, 200)
	})

	notFound := e.do("GET", "/v1/intakes/"+itkRandomUUID(), e.adminKey, nil).problem(t, 404, "not_found")
	cases := []struct {
		name   string
		path   string
		key    string
		status int
		code   string
	}{
		{"another intake's token", "/v1/intakes/" + id, otherToken, 404, "not_found"},
		{"own token on another intake", "/v1/intakes/" + otherID, token, 404, "not_found"},
		{"no token", "/v1/intakes/" + id, "", 401, "unauthenticated"},
		{"unknown intake token", "/v1/intakes/" + id, "cr_intake_xxx", 401, "unauthenticated"},
		{"unknown API key", "/v1/intakes/" + id, "cr_live_nope", 401, "unauthenticated"},
		{"partner key", "/v1/intakes/" + id, partnerKey, 403, "forbidden"},
		{"unknown id with admin key", "/v1/intakes/" + itkRandomUUID(), e.adminKey, 404, "not_found"},
		{"malformed id with admin key", "/v1/intakes/not-a-uuid", e.adminKey, 404, "not_found"},
		{"malformed id with founder token", "/v1/intakes/not-a-uuid", token, 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", tc.path, tc.key, nil)
			p := r.problem(t, tc.status, tc.code)
			switch tc.status {
			case 401:
				if h := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
					t.Errorf("WWW-Authenticate %q", h)
				}
			case 404:
				// Indistinguishable from an intake that does not exist.
				if p["detail"] != notFound["detail"] || p["title"] != notFound["title"] {
					t.Errorf("404 differs from an unknown id's:\n%s\n%v", r.body, notFound)
				}
			}
			if bytes.Contains(r.body, []byte("Acme")) || bytes.Contains(r.body, []byte(dom)) {
				t.Errorf("the refusal reveals the intake: %s", r.body)
			}
		})
	}
}

// itkRandomUUID is a well-formed v4 UUID that names nothing.
func itkRandomUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// TestIntakeWithdraw: only the founder withdraws, once; an open offer is
// cancelled.
func TestIntakeWithdraw(t *testing.T) {
	e := newEnv(t)
	_, partnerKey := e.createPartner(map[string]any{"regions": []string{"us_west"}})
	id, token := e.submit(nil)
	_, otherToken := e.submit(nil)

	refusals := []struct {
		name   string
		path   string
		key    string
		status int
		code   string
	}{
		{"admin key", "/v1/intakes/" + id + "/withdraw", e.adminKey, 403, "forbidden"},
		{"partner key", "/v1/intakes/" + id + "/withdraw", partnerKey, 403, "forbidden"},
		{"another intake's token", "/v1/intakes/" + id + "/withdraw", otherToken, 404, "not_found"},
		{"no token", "/v1/intakes/" + id + "/withdraw", "", 401, "unauthenticated"},
		{"unknown intake token", "/v1/intakes/" + id + "/withdraw", "cr_intake_xxx", 401, "unauthenticated"},
		{"malformed id", "/v1/intakes/not-a-uuid/withdraw", token, 404, "not_found"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", tc.path, tc.key, nil).problem(t, tc.status, tc.code)
			if s := e.itkStatus(id); s != "received" {
				t.Fatalf("status %s after a refused withdrawal, want received", s)
			}
		})
	}

	t.Run("malformed body", func(t *testing.T) {
		e.do("POST", "/v1/intakes/"+id+"/withdraw", token, "{not json").problem(t, 400, "malformed_request")
		if s := e.itkStatus(id); s != "received" {
			t.Fatalf("status %s, want received", s)
		}
	})

	t.Run("founder withdraws once", func(t *testing.T) {
		r := e.do("POST", "/v1/intakes/"+id+"/withdraw", token, map[string]any{"reason": "we chose to wait"}).want(t, 200)
		if d := cmp.Diff(map[string]any{"id": id, "status": "withdrawn"}, r.json(t)); d != "" {
			t.Errorf("withdraw (-want +got):\n%s", d)
		}
		var ended bool
		if err := e.sql.Get(&ended, `SELECT ended_at IS NOT NULL FROM intakes WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if !ended {
			t.Error("ended_at is not set")
		}
		if s := e.do("GET", "/v1/intakes/"+id, token, nil).want(t, 200).json(t)["status"]; s != "withdrawn" {
			t.Errorf("GET status %v, want withdrawn", s)
		}
		e.do("POST", "/v1/intakes/"+id+"/withdraw", token, nil).problem(t, 409, "invalid_transition")
	})

	t.Run("an open offer is cancelled", func(t *testing.T) {
		region := intake.Example().Region
		pid, pKey := e.createPartner(map[string]any{"regions": []string{region}, "tier": "advanced"})
		oid, otok := e.submit(nil)
		e.runJobs()
		if s := e.itkStatus(oid); s != "offered" {
			t.Fatalf("status %s after routing, want offered", s)
		}
		asg := e.assignmentOf(oid, pid)
		e.do("POST", "/v1/intakes/"+oid+"/withdraw", otok, nil).want(t, 200)
		var a struct {
			Status    string  `db:"status"`
			EndReason *string `db:"end_reason"`
			Ended     bool    `db:"ended"`
		}
		if err := e.sql.Get(&a, `SELECT status, end_reason, ended_at IS NOT NULL AS ended FROM assignments WHERE id = $1`, asg); err != nil {
			t.Fatal(err)
		}
		if a.Status != "cancelled" || !a.Ended || a.EndReason == nil || *a.EndReason != "withdrawn by the founder" {
			t.Errorf("assignment: status %s, ended %v, reason %v; want cancelled, ended, \"withdrawn by the founder\"",
				a.Status, a.Ended, a.EndReason)
		}
		// The partner can no longer accept it, and routing never offers the
		// withdrawn intake again.
		e.do("POST", "/v1/assignments/"+asg+"/accept", pKey, nil).problem(t, 409, "invalid_transition")
		e.runJobs()
		var n int
		if err := e.sql.Get(&n, `SELECT count(*) FROM assignments WHERE intake_id = $1`, oid); err != nil {
			t.Fatal(err)
		}
		if n != 1 || e.itkStatus(oid) != "withdrawn" {
			t.Errorf("%d assignments and status %s after routing ran again, want 1 and withdrawn", n, e.itkStatus(oid))
		}
	})
}

// itkRateEnv is an env whose intake limit is 3 per hour: long enough that
// no test crosses a window.
func itkRateEnv(t *testing.T, proxies ...string) *env {
	return newEnv(t, func(c *config.Config) {
		c.IntakeRateLimit = 3
		c.IntakeRateWindow = time.Hour
		c.TrustedProxies = proxies
	})
}

// itkLimited checks a 429 and its Retry-After.
func itkLimited(t *testing.T, r resp) {
	t.Helper()
	r.problem(t, 429, "rate_limited")
	ra := r.header.Get("Retry-After")
	secs, err := strconv.Atoi(ra)
	if err != nil || secs < 1 || secs > 3600 {
		t.Errorf("Retry-After %q, want whole seconds in 1..3600", ra)
	}
}

// TestIntakeRateLimit: the fourth submission of one client in a window is
// 429, X-Forwarded-For cannot dodge it unless the peer is a trusted proxy,
// and behind a trusted proxy each forwarded client has its own budget.
func TestIntakeRateLimit(t *testing.T) {
	t.Run("fourth from one client", func(t *testing.T) {
		e := itkRateEnv(t)
		id, tok := e.submit(nil)
		e.submit(nil)
		e.submit(nil)
		before := e.itkCounts()
		itkLimited(t, e.do("POST", "/v1/intakes", "", intakeBody(nil)))
		itkLimited(t, e.do("POST", "/v1/intakes", "", intakeBody(nil)))
		e.itkNothingWritten(t, before)
		// Only submission is limited.
		e.do("GET", "/v1/intakes/"+id, tok, nil).want(t, 200)
	})

	t.Run("X-Forwarded-For does not dodge the limit", func(t *testing.T) {
		e := itkRateEnv(t)
		for i := 1; i <= 3; i++ {
			e.do("POST", "/v1/intakes", "", intakeBody(nil),
				"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i), "X-Real-IP", fmt.Sprintf("198.51.100.%d", i)).want(t, 201)
		}
		before := e.itkCounts()
		itkLimited(t, e.do("POST", "/v1/intakes", "", intakeBody(nil),
			"X-Forwarded-For", "203.0.113.99", "X-Real-IP", "198.51.100.99"))
		e.itkNothingWritten(t, before)
	})

	t.Run("behind a trusted proxy each client has its own budget", func(t *testing.T) {
		e := itkRateEnv(t, "127.0.0.1/32")
		for i := 1; i <= 4; i++ {
			e.do("POST", "/v1/intakes", "", intakeBody(nil), "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)).want(t, 201)
		}
		const client = "198.51.100.7"
		for i := 0; i < 3; i++ {
			e.do("POST", "/v1/intakes", "", intakeBody(nil), "X-Forwarded-For", client).want(t, 201)
		}
		itkLimited(t, e.do("POST", "/v1/intakes", "", intakeBody(nil), "X-Forwarded-For", client))
		// A spoofed hop in front of the real client does not give it a new
		// budget: the proxy appends the real address last.
		itkLimited(t, e.do("POST", "/v1/intakes", "", intakeBody(nil), "X-Forwarded-For", "192.0.2.1, "+client))
		e.do("POST", "/v1/intakes", "", intakeBody(nil), "X-Forwarded-For", "198.51.100.8").want(t, 201)
	})
}

// itkBuffer is a bytes.Buffer safe for the server's goroutines.
type itkBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *itkBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *itkBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// itkLoggedEnv is newEnv with the server and the job handlers logging, at
// debug level, into the returned buffer.
func itkLoggedEnv(t *testing.T) (*env, *itkBuffer) {
	t.Helper()
	base := newEnv(t)
	buf := &itkBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	s, err := api.New(api.Deps{DB: base.db, Redis: base.rdb, Config: base.cfg, Log: log, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := jobs.NewMetrics(reg, base.db)
	if err != nil {
		t.Fatal(err)
	}
	e := *base
	e.api, e.log = s, log
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	e.worker = jobs.NewWorker(base.db, base.rdb, log, metrics, jobs.Options{Concurrency: 1})
	return &e, buf
}

// TestIntakeContactsNeverLogged: names, emails and the access token reach
// no log line, whether the intake succeeds, fails or is routed.
func TestIntakeContactsNeverLogged(t *testing.T) {
	e, buf := itkLoggedEnv(t)
	secrets := []string{
		"Zebulon Quixotefield", "zebulon.quixotefield@privacy-probe.example.com",
		"Ottoline Vantablack", "ottoline.vantablack@privacy-probe.example.com",
	}
	contacts := map[string]any{
		"technical_contact": map[string]any{"name": secrets[0], "email": secrets[1]},
		"business_contact":  map[string]any{"name": secrets[2], "email": secrets[3]},
	}
	e.createPartner(map[string]any{"regions": []string{intake.Example().Region}})
	dom := itkDomain("privacy")
	over := map[string]any{"website": dom}
	for k, v := range contacts {
		over[k] = v
	}
	id, token := e.submit(over)
	secrets = append(secrets, token)

	// A duplicate, a validation failure on the email, a malformed body and
	// an idempotency replay, all carrying the contacts.
	e.do("POST", "/v1/intakes", "", intakeBody(over)).problem(t, 409, "duplicate_intake")
	bad := intakeBody(over)
	bad["website"] = itkDomain("privacy-bad")
	bad["technical_contact"] = map[string]any{"name": secrets[0], "email": "zebulon.quixotefield at privacy-probe"}
	secrets = append(secrets, "zebulon.quixotefield at privacy-probe")
	e.do("POST", "/v1/intakes", "", bad).problem(t, 422, "validation_failed")
	malformed := intakeBody(over)
	malformed["website"] = itkDomain("privacy-malformed")
	malformed["team_size"] = secrets[2]
	e.do("POST", "/v1/intakes", "", malformed).problem(t, 400, "malformed_request")
	replay := itkMarshal(t, intakeBody(map[string]any{"website": itkDomain("privacy-idem"),
		"technical_contact": contacts["technical_contact"], "business_contact": contacts["business_contact"]}))
	e.do("POST", "/v1/intakes", "", replay, "Idempotency-Key", "privacy-key").want(t, 201)
	e.do("POST", "/v1/intakes", "", replay, "Idempotency-Key", "privacy-key").want(t, 201)

	e.runJobs() // routing: the intake is offered
	if s := e.itkStatus(id); s != "offered" {
		t.Fatalf("status %s, want offered", s)
	}
	e.do("GET", "/v1/intakes/"+id, token, nil).want(t, 200)
	e.do("POST", "/v1/intakes/"+id+"/withdraw", token, nil).want(t, 200)
	e.runJobs()

	logs := buf.String()
	if n := strings.Count(logs, `"msg":"http request"`); n < 8 {
		t.Fatalf("%d request log lines, want at least 8: is the logger wired?\n%s", n, logs)
	}
	for _, s := range secrets {
		for _, form := range []string{s, strings.ToLower(s), strings.Split(s, "@")[0]} {
			if strings.Contains(logs, form) {
				t.Errorf("the log contains %q:\n%s", form, logs)
			}
		}
	}
}

// TestIntakeStoredNormalized: the intake stored is the normalised body
// (intake.Body.Normalized: free text trimmed, service names canonical), as
// the intake package asks its callers to store.
func TestIntakeStoredNormalized(t *testing.T) {
	e := newEnv(t)
	id, token := e.submit(map[string]any{
		"company_name": "  Padded Robotics  ",
		"projected_monthly_spend": []map[string]any{
			{"service": "Amazon S3", "usd": 100}, {"service": "API Gateway", "usd": 50}},
		"technical_contact": map[string]any{"name": " Ada Lovelace ", "email": " ada@padded.example.com "},
	})
	var row struct {
		CompanyName string `db:"company_name"`
		Spend       string `db:"spend"`
		Contact     string `db:"contact"`
	}
	if err := e.sql.Get(&row, `SELECT company_name, projected_monthly_spend::text AS spend, technical_contact::text AS contact
		FROM intakes WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	var spend []intake.SpendLine
	var contact intake.Contact
	json.Unmarshal([]byte(row.Spend), &spend)
	json.Unmarshal([]byte(row.Contact), &contact)
	if row.CompanyName != "Padded Robotics" {
		t.Errorf("company_name stored as %q, want %q", row.CompanyName, "Padded Robotics")
	}
	if d := cmp.Diff([]intake.SpendLine{{Service: "s3", USD: 100}, {Service: "api_gateway", USD: 50}}, spend); d != "" {
		t.Errorf("projected_monthly_spend stored (-want +got):\n%s", d)
	}
	if d := cmp.Diff(intake.Contact{Name: "Ada Lovelace", Email: "ada@padded.example.com"}, contact); d != "" {
		t.Errorf("technical_contact stored (-want +got):\n%s", d)
	}
	if got := e.do("GET", "/v1/intakes/"+id, token, nil).want(t, 200).json(t)["company_name"]; got != "Padded Robotics" {
		t.Errorf("GET company_name %q, want %q", got, "Padded Robotics")
	}
}
