package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// Tests of the partner and API-key endpoints (SPEC §1, §4 "Admin"), through
// the real server, against real Postgres and Redis.

var fdnUUIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// fdnRandomUUID is a well-formed UUID that names nothing.
func fdnRandomUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// fdnPartnerRow is the stored partner row as JSON text, so that "the row is
// unchanged" compares every column, updated_at included.
func (e *env) fdnPartnerRow(id string) string {
	e.t.Helper()
	var s string
	if err := e.sql.Get(&s, `SELECT row_to_json(p)::text FROM partners p WHERE id = $1`, id); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// fdnItemIDs returns the "id" of each item of a list response, and its
// next_cursor ("" when null).
func fdnItemIDs(t *testing.T, r resp) ([]string, string) {
	t.Helper()
	var page struct {
		Items *[]struct {
			ID string `json:"id"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	r.decode(t, &page)
	if page.Items == nil {
		t.Fatalf("items is missing or null: %s", r.body)
	}
	ids := []string{}
	for _, it := range *page.Items {
		ids = append(ids, it.ID)
	}
	next := ""
	if page.NextCursor != nil {
		next = *page.NextCursor
	}
	return ids, next
}

// fdnTime checks that v is an RFC 3339 time in UTC and returns it.
func fdnTime(t *testing.T, what string, v any) time.Time {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s = %#v, want an RFC 3339 string", what, v)
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s = %q: %v", what, s, err)
	}
	if !strings.HasSuffix(s, "Z") {
		t.Fatalf("%s = %q, want UTC (Z)", what, s)
	}
	return tm
}

// fdnKeyID returns the api_keys id of a plaintext key.
func (e *env) fdnKeyID(key string) string {
	e.t.Helper()
	var id string
	if err := e.sql.Get(&id, `SELECT id FROM api_keys WHERE key_hash = $1`, postgres.HashSecret(key)); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// fdnBigPartner is a valid partner body of exactly n bytes, padded with a
// field the server ignores.
func fdnBigPartner(t *testing.T, n int) []byte {
	t.Helper()
	const head = `{"name":"Big","tier":"advanced","regions":["eu"],"contact_email":"big@partner.example.com","pad":"`
	const tail = `"}`
	pad := n - len(head) - len(tail)
	if pad < 0 {
		t.Fatal("n too small")
	}
	return []byte(head + strings.Repeat("a", pad) + tail)
}

func TestPartnerCreateDefaults(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"name": "Acme Cloud", "tier": "advanced", "regions": []string{"eu", "us_east"},
		"contact_email": "ops@acme.example.com"}
	r := e.do("POST", "/v1/admin/partners", e.adminKey, body).want(t, 201)
	got := r.json(t)
	id, _ := got["id"].(string)
	if !fdnUUIDPattern.MatchString(id) {
		t.Fatalf("id %q is not a UUID", id)
	}
	if loc := r.header.Get("Location"); loc != "/v1/admin/partners/"+id {
		t.Errorf("Location %q, want /v1/admin/partners/%s", loc, id)
	}
	created := fdnTime(t, "created_at", got["created_at"])
	updated := fdnTime(t, "updated_at", got["updated_at"])
	if !created.Equal(updated) {
		t.Errorf("created_at %v != updated_at %v on a new partner", created, updated)
	}
	want := map[string]any{"id": id, "name": "Acme Cloud", "tier": "advanced", "regions": []any{"eu", "us_east"},
		"verticals": []any{}, "capacity": 10.0, "commission_bps": 1000.0, "status": "active",
		"contact_email": "ops@acme.example.com", "excluded_axis_values": map[string]any{},
		"created_at": got["created_at"], "updated_at": got["updated_at"]}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("created partner (-want +got):\n%s", d)
	}

	// GET answers the same document.
	if d := cmp.Diff(got, e.fdnGetPartner(id)); d != "" {
		t.Fatalf("GET differs from POST (-post +get):\n%s", d)
	}

	// And the row holds the defaults.
	var row struct {
		Capacity      int    `db:"capacity"`
		CommissionBPS int    `db:"commission_bps"`
		Status        string `db:"status"`
		Regions       string `db:"regions"`
		Excl          string `db:"excl"`
	}
	if err := e.sql.Get(&row, `SELECT capacity, commission_bps, status, array_to_string(regions, ',') AS regions,
		excluded_axis_values::text AS excl FROM partners WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if row.Capacity != 10 || row.CommissionBPS != 1000 || row.Status != "active" || row.Regions != "eu,us_east" || row.Excl != "{}" {
		t.Fatalf("stored row %+v", row)
	}
	if n := e.count("partners"); n != 1 {
		t.Fatalf("%d partners, want 1", n)
	}
}

func TestPartnerCreateAllFields(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"name": "  Zeta Partners  ", "tier": "premier", "regions": []string{"mena", "india"},
		"verticals": []string{"fintech", "gaming"}, "capacity": 0, "commission_bps": 0, "status": "paused",
		"contact_email": "zeta@zeta.example.org",
		"excluded_axis_values": map[string][]string{"stage": {"seed", "pre_seed"}, "engagement_type": {"migrate"},
			"vertical": {}}}
	got := e.do("POST", "/v1/admin/partners", e.adminKey, body).want(t, 201).json(t)
	want := map[string]any{"id": got["id"], "name": "Zeta Partners", "tier": "premier", "regions": []any{"mena", "india"},
		"verticals": []any{"fintech", "gaming"}, "capacity": 0.0, "commission_bps": 0.0, "status": "paused",
		"contact_email": "zeta@zeta.example.org",
		// Stored canonically: values sorted, empty axes dropped.
		"excluded_axis_values": map[string]any{"engagement_type": []any{"migrate"}, "stage": []any{"pre_seed", "seed"}},
		"created_at":           got["created_at"], "updated_at": got["updated_at"]}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("created partner (-want +got):\n%s", d)
	}
	g := e.fdnGetPartner(got["id"].(string))
	if d := cmp.Diff(got, g); d != "" {
		t.Fatalf("GET differs from POST (-post +get):\n%s", d)
	}
}

// fdnInvalidPartnerCases are bad fields both create and patch refuse.
var fdnInvalidPartnerCases = []struct {
	name   string
	over   map[string]any
	fields []string
}{
	{"bad tier", map[string]any{"tier": "gold"}, []string{"tier"}},
	{"tier in upper case", map[string]any{"tier": "Advanced"}, []string{"tier"}},
	{"empty regions", map[string]any{"regions": []string{}}, []string{"regions"}},
	{"unknown region", map[string]any{"regions": []string{"eu", "mars"}}, []string{"regions"}},
	{"repeated region", map[string]any{"regions": []string{"eu", "uk", "eu"}}, []string{"regions"}},
	{"bad vertical", map[string]any{"verticals": []string{"crypto"}}, []string{"verticals"}},
	{"repeated vertical", map[string]any{"verticals": []string{"fintech", "fintech"}}, []string{"verticals"}},
	{"capacity -1", map[string]any{"capacity": -1}, []string{"capacity"}},
	{"capacity 100001", map[string]any{"capacity": 100001}, []string{"capacity"}},
	{"commission_bps 10001", map[string]any{"commission_bps": 10001}, []string{"commission_bps"}},
	{"commission_bps -1", map[string]any{"commission_bps": -1}, []string{"commission_bps"}},
	{"bad status", map[string]any{"status": "deleted"}, []string{"status"}},
	{"bad email", map[string]any{"contact_email": "not-an-email"}, []string{"contact_email"}},
	{"email with display name", map[string]any{"contact_email": "Ops <ops@partner.example.com>"}, []string{"contact_email"}},
	{"email without a dotted domain", map[string]any{"contact_email": "ops@localhost"}, []string{"contact_email"}},
	{"empty email", map[string]any{"contact_email": ""}, []string{"contact_email"}},
	{"blank name", map[string]any{"name": "   "}, []string{"name"}},
	{"name over 200 characters", map[string]any{"name": strings.Repeat("n", 201)}, []string{"name"}},
	{"excluded unknown axis", map[string]any{"excluded_axis_values": map[string][]string{"color": {"red"}}},
		[]string{"excluded_axis_values.color"}},
	{"excluded unknown value", map[string]any{"excluded_axis_values": map[string][]string{"stage": {"seed", "series_z"}}},
		[]string{"excluded_axis_values.stage"}},
	{"excluded value of another axis", map[string]any{"excluded_axis_values": map[string][]string{"region": {"fintech"}}},
		[]string{"excluded_axis_values.region"}},
	{"excluded repeated value", map[string]any{"excluded_axis_values": map[string][]string{"vertical": {"gaming", "gaming"}}},
		[]string{"excluded_axis_values.vertical"}},
}

// fdnManyBad has a bad value in every field, in the validator's order;
// exclusions name one axis only so that the order is fixed.
var fdnManyBad = map[string]any{"name": "", "tier": "gold", "regions": []string{}, "verticals": []string{"crypto"},
	"capacity": -1, "commission_bps": 10001, "status": "deleted", "contact_email": "nope",
	"excluded_axis_values": map[string][]string{"color": {"red"}}}

var fdnManyBadFields = []string{"name", "tier", "regions", "verticals", "capacity", "commission_bps", "status",
	"contact_email", "excluded_axis_values.color"}

func TestPartnerCreateInvalid(t *testing.T) {
	e := newEnv(t)
	e.createPartner(nil) // so that "unchanged" is not trivially zero
	cases := append([]struct {
		name   string
		over   map[string]any
		fields []string
	}{
		{"missing name", map[string]any{"name": nil}, []string{"name"}},
		{"missing tier", map[string]any{"tier": nil}, []string{"tier"}},
		{"missing regions", map[string]any{"regions": nil}, []string{"regions"}},
		{"missing contact_email", map[string]any{"contact_email": nil}, []string{"contact_email"}},
		{"missing every required field", map[string]any{"name": nil, "tier": nil, "regions": nil, "contact_email": nil,
			"capacity": nil}, []string{"name", "tier", "regions", "contact_email"}},
		{"several bad fields at once", fdnManyBad, fdnManyBadFields},
		{"missing and bad fields at once", map[string]any{"name": nil, "tier": "gold", "capacity": -1},
			[]string{"name", "tier", "capacity"}},
	}, fdnInvalidPartnerCases...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count("partners")
			r := e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(tc.over))
			r.problem(t, 422, "validation_failed")
			if d := cmp.Diff(tc.fields, r.fields(t)); d != "" {
				t.Errorf("errors[].field (-want +got):\n%s", d)
			}
			if n := e.count("partners"); n != before {
				t.Errorf("partners %d, want %d: a refused create wrote a row", n, before)
			}
		})
	}
	// Explicit JSON nulls count as missing.
	t.Run("null required fields", func(t *testing.T) {
		before := e.count("partners")
		r := e.do("POST", "/v1/admin/partners", e.adminKey,
			`{"name":null,"tier":null,"regions":null,"contact_email":null}`)
		r.problem(t, 422, "validation_failed")
		if d := cmp.Diff([]string{"name", "tier", "regions", "contact_email"}, r.fields(t)); d != "" {
			t.Errorf("errors[].field (-want +got):\n%s", d)
		}
		if n := e.count("partners"); n != before {
			t.Errorf("partners %d, want %d", n, before)
		}
	})
}

// fdnMalformedPartnerCases are bodies that are not JSON or have the wrong
// types: 400 malformed_request, naming the field when there is one.
var fdnMalformedPartnerCases = []struct {
	name   string
	body   any
	fields []string
}{
	{"not JSON", "name=Acme&tier=advanced", nil},
	{"empty body", "", nil},
	{"whitespace only", "  \n ", nil},
	{"truncated JSON", `{"name":"Acme","tier":"advanced"`, nil},
	{"two JSON documents", `{"name":"Acme"} {"name":"Other"}`, nil},
	{"a JSON array", `[{"name":"Acme"}]`, []string{"body"}},
	{"a JSON string", `"Acme"`, []string{"body"}},
	{"name is a number", partnerBody(map[string]any{"name": 42}), []string{"name"}},
	{"tier is an array", partnerBody(map[string]any{"tier": []string{"advanced"}}), []string{"tier"}},
	{"regions is a string", partnerBody(map[string]any{"regions": "eu"}), []string{"regions"}},
	{"a region is a number", partnerBody(map[string]any{"regions": []any{"eu", 7}}), []string{"regions"}},
	{"capacity is a string", partnerBody(map[string]any{"capacity": "ten"}), []string{"capacity"}},
	{"capacity is fractional", partnerBody(map[string]any{"capacity": 2.5}), []string{"capacity"}},
	{"commission_bps is a boolean", partnerBody(map[string]any{"commission_bps": true}), []string{"commission_bps"}},
	{"status is a number", partnerBody(map[string]any{"status": 1}), []string{"status"}},
	{"contact_email is an object", partnerBody(map[string]any{"contact_email": map[string]any{"a": 1}}), []string{"contact_email"}},
	{"excluded_axis_values is an array", partnerBody(map[string]any{"excluded_axis_values": []string{"seed"}}),
		[]string{"excluded_axis_values"}},
	{"an excluded axis is a string", partnerBody(map[string]any{"excluded_axis_values": map[string]any{"stage": "seed"}}),
		[]string{"excluded_axis_values"}},
}

func TestPartnerCreateMalformed(t *testing.T) {
	e := newEnv(t)
	e.createPartner(nil)
	for _, tc := range fdnMalformedPartnerCases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count("partners")
			r := e.do("POST", "/v1/admin/partners", e.adminKey, tc.body)
			r.problem(t, 400, "malformed_request")
			if d := cmp.Diff(tc.fields, r.fields(t)); d != "" {
				t.Errorf("errors[].field (-want +got):\n%s", d)
			}
			if n := e.count("partners"); n != before {
				t.Errorf("partners %d, want %d", n, before)
			}
		})
	}
}

func TestPartnerCreateBodyLimit(t *testing.T) {
	e := newEnv(t)
	const limit = 1 << 20
	cases := []struct {
		name    string
		size    int
		chunked bool
		status  int
	}{
		{"exactly 1 MiB is accepted", limit, false, 201},
		{"1 MiB + 1 with Content-Length", limit + 1, false, 413},
		{"2 MiB with Content-Length", 2 * limit, false, 413},
		{"exactly 1 MiB chunked is accepted", limit, true, 201},
		{"1 MiB + 1 chunked", limit + 1, true, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count("partners")
			body := fdnBigPartner(t, tc.size)
			var r resp
			if tc.chunked {
				r = e.chunked("POST", "/v1/admin/partners", e.adminKey, body)
			} else {
				r = e.do("POST", "/v1/admin/partners", e.adminKey, body)
			}
			want := before
			if tc.status == 413 {
				r.problem(t, 413, "payload_too_large")
			} else {
				r.want(t, tc.status)
				want++
			}
			if n := e.count("partners"); n != want {
				t.Errorf("partners %d, want %d", n, want)
			}
		})
	}
	t.Run("PATCH over 1 MiB", func(t *testing.T) {
		id, _ := e.createPartner(nil)
		row := e.fdnPartnerRow(id)
		for _, chunked := range []bool{false, true} {
			body := fdnBigPartner(t, limit+1)
			var r resp
			if chunked {
				r = e.chunked("PATCH", "/v1/admin/partners/"+id, e.adminKey, body)
			} else {
				r = e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, body)
			}
			r.problem(t, 413, "payload_too_large")
			if got := e.fdnPartnerRow(id); got != row {
				t.Fatalf("row changed:\n%s\n%s", row, got)
			}
		}
	})
}

func TestPartnerGetNotFound(t *testing.T) {
	e := newEnv(t)
	id, _ := e.createPartner(nil)
	e.do("GET", "/v1/admin/partners/"+id, e.adminKey, nil).want(t, 200)
	for _, tc := range []struct{ name, id string }{
		{"random UUID", fdnRandomUUID()},
		{"malformed id", "not-a-uuid"},
		{"UUID with a trailing character", id + "0"},
		{"integer id", "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("GET", "/v1/admin/partners/"+tc.id, e.adminKey, nil).problem(t, 404, "not_found")
		})
	}
}

func TestPartnerPatch(t *testing.T) {
	e := newEnv(t)
	id, _ := e.createPartner(map[string]any{"name": "Patchable", "verticals": []string{"fintech"}})
	before := e.fdnGetPartner(id)

	r := e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, map[string]any{"capacity": 3, "status": "paused",
		"excluded_axis_values": map[string][]string{"region": {"mena"}, "stage": {"seed", "pre_seed"}}}).want(t, 200)
	got := r.json(t)
	want := map[string]any{}
	for k, v := range before {
		want[k] = v
	}
	want["capacity"], want["status"] = 3.0, "paused"
	want["excluded_axis_values"] = map[string]any{"region": []any{"mena"}, "stage": []any{"pre_seed", "seed"}}
	want["updated_at"] = got["updated_at"]
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("patched partner (-want +got):\n%s", d)
	}
	if !fdnTime(t, "updated_at", got["updated_at"]).After(fdnTime(t, "created_at", got["created_at"])) {
		t.Errorf("updated_at %v not after created_at %v", got["updated_at"], got["created_at"])
	}
	if d := cmp.Diff(got, e.fdnGetPartner(id)); d != "" {
		t.Fatalf("GET after PATCH (-patch +get):\n%s", d)
	}

	// Each field on its own changes only itself.
	steps := []struct {
		name  string
		patch map[string]any
		field string
		want  any
	}{
		{"name is trimmed", map[string]any{"name": "  Renamed  "}, "name", "Renamed"},
		{"tier", map[string]any{"tier": "select"}, "tier", "select"},
		{"regions", map[string]any{"regions": []string{"apac", "brazil"}}, "regions", []any{"apac", "brazil"}},
		{"verticals emptied", map[string]any{"verticals": []string{}}, "verticals", []any{}},
		{"commission_bps", map[string]any{"commission_bps": 2500}, "commission_bps", 2500.0},
		{"status back to active", map[string]any{"status": "active"}, "status", "active"},
		{"contact_email", map[string]any{"contact_email": "new@partner.example.com"}, "contact_email", "new@partner.example.com"},
		{"exclusions cleared", map[string]any{"excluded_axis_values": map[string][]string{}}, "excluded_axis_values", map[string]any{}},
		{"capacity 0", map[string]any{"capacity": 0}, "capacity", 0.0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			prev := e.fdnGetPartner(id)
			got := e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, st.patch).want(t, 200).json(t)
			prev[st.field] = st.want
			prev["updated_at"] = got["updated_at"]
			if d := cmp.Diff(prev, got); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
		})
	}

	t.Run("empty patch changes no field", func(t *testing.T) {
		prev := e.fdnGetPartner(id)
		got := e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, map[string]any{}).want(t, 200).json(t)
		prev["updated_at"] = got["updated_at"]
		if d := cmp.Diff(prev, got); d != "" {
			t.Fatalf("(-want +got):\n%s", d)
		}
	})
	if n := e.count("partners"); n != 1 {
		t.Fatalf("%d partners after patches, want 1", n)
	}
}

func TestPartnerPatchInvalid(t *testing.T) {
	e := newEnv(t)
	id, _ := e.createPartner(map[string]any{"excluded_axis_values": map[string][]string{"stage": {"seed"}}})
	check := func(t *testing.T, r resp, status int, code string, fields []string) {
		t.Helper()
		row := e.fdnPartnerRow(id)
		r.problem(t, status, code)
		if d := cmp.Diff(fields, r.fields(t)); d != "" {
			t.Errorf("errors[].field (-want +got):\n%s", d)
		}
		if got := e.fdnPartnerRow(id); got != row {
			t.Errorf("row changed:\n%s\n%s", row, got)
		}
	}
	row := e.fdnPartnerRow(id)
	for _, tc := range fdnInvalidPartnerCases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, tc.over)
			check(t, r, 422, "validation_failed", tc.fields)
		})
	}
	t.Run("several bad fields at once", func(t *testing.T) {
		r := e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, fdnManyBad)
		check(t, r, 422, "validation_failed", fdnManyBadFields)
	})
	t.Run("one bad field among good ones changes nothing", func(t *testing.T) {
		r := e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, map[string]any{"name": "Fine", "capacity": 5, "tier": "gold"})
		check(t, r, 422, "validation_failed", []string{"tier"})
	})
	for _, tc := range fdnMalformedPartnerCases {
		t.Run("malformed: "+tc.name, func(t *testing.T) {
			r := e.do("PATCH", "/v1/admin/partners/"+id, e.adminKey, tc.body)
			check(t, r, 400, "malformed_request", tc.fields)
		})
	}
	if got := e.fdnPartnerRow(id); got != row {
		t.Fatalf("row changed over the refused patches:\n%s\n%s", row, got)
	}
}

func TestPartnerPatchNotFound(t *testing.T) {
	e := newEnv(t)
	id, _ := e.createPartner(nil)
	row := e.fdnPartnerRow(id)
	for _, tc := range []struct {
		name, id string
		body     any
	}{
		{"random UUID", fdnRandomUUID(), map[string]any{"capacity": 3}},
		{"malformed id", "not-a-uuid", map[string]any{"capacity": 3}},
		// An unknown partner is 404 before its body is looked at.
		{"random UUID with a bad body", fdnRandomUUID(), map[string]any{"tier": "gold"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("PATCH", "/v1/admin/partners/"+tc.id, e.adminKey, tc.body).problem(t, 404, "not_found")
		})
	}
	if got := e.fdnPartnerRow(id); got != row {
		t.Fatalf("another partner changed:\n%s\n%s", row, got)
	}
	if n := e.count("partners"); n != 1 {
		t.Fatalf("%d partners, want 1", n)
	}
}

func TestPartnerListFilters(t *testing.T) {
	e := newEnv(t)
	mk := func(over map[string]any) string {
		return e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(over)).want(t, 201).json(t)["id"].(string)
	}
	p1 := mk(map[string]any{"tier": "advanced", "regions": []string{"us_east"}})
	p2 := mk(map[string]any{"tier": "premier", "regions": []string{"eu"}})
	p3 := mk(map[string]any{"tier": "advanced", "regions": []string{"uk", "eu"}, "status": "paused"})
	p4 := mk(map[string]any{"tier": "select", "regions": []string{"uk"}})
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"no filter", "", []string{p1, p2, p3, p4}},
		{"tier advanced", "?tier=advanced", []string{p1, p3}},
		{"tier premier", "?tier=premier", []string{p2}},
		{"tier registered matches none", "?tier=registered", []string{}},
		{"status paused", "?status=paused", []string{p3}},
		{"status active", "?status=active", []string{p1, p2, p4}},
		{"region eu", "?region=eu", []string{p2, p3}},
		{"region uk", "?region=uk", []string{p3, p4}},
		{"region mena matches none", "?region=mena", []string{}},
		{"tier and region", "?tier=advanced&region=eu", []string{p3}},
		{"tier and status", "?tier=advanced&status=active", []string{p1}},
		{"all three", "?tier=select&status=active&region=uk", []string{p4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids, next := fdnItemIDs(t, e.do("GET", "/v1/admin/partners"+tc.query, e.adminKey, nil).want(t, 200))
			if d := cmp.Diff(tc.want, ids); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
			if next != "" {
				t.Errorf("next_cursor %q on the only page", next)
			}
		})
	}
	// Items are full partners.
	var page struct{ Items []map[string]any }
	e.do("GET", "/v1/admin/partners?status=paused", e.adminKey, nil).want(t, 200).decode(t, &page)
	one := e.fdnGetPartner(p3)
	if d := cmp.Diff([]map[string]any{one}, page.Items); d != "" {
		t.Fatalf("list item differs from GET (-get +list):\n%s", d)
	}
}

func TestPartnerListPagination(t *testing.T) {
	e := newEnv(t)
	var created []string
	for i := 0; i < 5; i++ {
		created = append(created, e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(nil)).want(t, 201).json(t)["id"].(string))
	}
	t.Run("limit 2 walks every partner once, in creation order", func(t *testing.T) {
		var all []string
		var sizes []int
		cursor := ""
		for page := 0; ; page++ {
			if page > 5 {
				t.Fatal("pagination does not end")
			}
			q := "?limit=2"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			ids, next := fdnItemIDs(t, e.do("GET", "/v1/admin/partners"+q, e.adminKey, nil).want(t, 200))
			all = append(all, ids...)
			sizes = append(sizes, len(ids))
			if next == "" {
				break
			}
			cursor = next
		}
		if d := cmp.Diff(created, all); d != "" {
			t.Errorf("ids over all pages (-created +listed):\n%s", d)
		}
		if d := cmp.Diff([]int{2, 2, 1}, sizes); d != "" {
			t.Errorf("page sizes (-want +got):\n%s", d)
		}
	})
	t.Run("a limit equal to the count has no next page", func(t *testing.T) {
		ids, next := fdnItemIDs(t, e.do("GET", "/v1/admin/partners?limit=5", e.adminKey, nil).want(t, 200))
		if d := cmp.Diff(created, ids); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if next != "" {
			t.Errorf("next_cursor %q, want null", next)
		}
	})
	t.Run("limit 4 then the rest", func(t *testing.T) {
		ids, next := fdnItemIDs(t, e.do("GET", "/v1/admin/partners?limit=4", e.adminKey, nil).want(t, 200))
		if d := cmp.Diff(created[:4], ids); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		if next != created[3] {
			t.Errorf("next_cursor %q, want the last id of the page %q", next, created[3])
		}
		ids, next = fdnItemIDs(t, e.do("GET", "/v1/admin/partners?limit=4&cursor="+next, e.adminKey, nil).want(t, 200))
		if d := cmp.Diff(created[4:], ids); d != "" || next != "" {
			t.Errorf("second page (-want +got):\n%s next %q", d, next)
		}
	})
	t.Run("cursor with a filter", func(t *testing.T) {
		e.do("PATCH", "/v1/admin/partners/"+created[2], e.adminKey, map[string]any{"status": "paused"}).want(t, 200)
		defer func() {
			e.do("PATCH", "/v1/admin/partners/"+created[2], e.adminKey, map[string]any{"status": "active"}).want(t, 200)
		}()
		ids, next := fdnItemIDs(t, e.do("GET", "/v1/admin/partners?status=active&limit=2", e.adminKey, nil).want(t, 200))
		if d := cmp.Diff([]string{created[0], created[1]}, ids); d != "" {
			t.Fatalf("(-want +got):\n%s", d)
		}
		ids, next = fdnItemIDs(t, e.do("GET", "/v1/admin/partners?status=active&limit=2&cursor="+next, e.adminKey, nil).want(t, 200))
		if d := cmp.Diff([]string{created[3], created[4]}, ids); d != "" || next != "" {
			t.Fatalf("(-want +got):\n%s next %q", d, next)
		}
	})
}

func TestPartnerListBadParams(t *testing.T) {
	e := newEnv(t)
	e.createPartner(nil)
	for _, tc := range []struct {
		name, query string
		fields      []string
	}{
		{"limit 0", "?limit=0", []string{"limit"}},
		{"limit -1", "?limit=-1", []string{"limit"}},
		{"limit 201", "?limit=201", []string{"limit"}},
		{"limit not a number", "?limit=abc", []string{"limit"}},
		{"limit fractional", "?limit=1.5", []string{"limit"}},
		{"bad tier", "?tier=gold", []string{"tier"}},
		{"bad status", "?status=deleted", []string{"status"}},
		{"bad region", "?region=mars", []string{"region"}},
		{"bad cursor", "?cursor=not-a-cursor", []string{"cursor"}},
		{"several bad parameters", "?tier=gold&status=x&region=mars&limit=0", []string{"tier", "status", "region", "limit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/v1/admin/partners"+tc.query, e.adminKey, nil)
			r.problem(t, 422, "validation_failed")
			if d := cmp.Diff(tc.fields, r.fields(t)); d != "" {
				t.Errorf("errors[].field (-want +got):\n%s", d)
			}
		})
	}
	for _, q := range []string{"?limit=1", "?limit=200", "?tier=advanced", "?status=active", "?region=eu"} {
		t.Run("valid "+q, func(t *testing.T) {
			ids, _ := fdnItemIDs(t, e.do("GET", "/v1/admin/partners"+q, e.adminKey, nil).want(t, 200))
			if len(ids) != 1 {
				t.Fatalf("%d items, want 1", len(ids))
			}
		})
	}
}

func TestPartnerKeyIssuedOnceAndHashed(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(nil)).want(t, 201).json(t)["id"].(string)

	r1 := e.do("POST", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, nil).want(t, 201)
	k1 := r1.json(t)
	key1, _ := k1["key"].(string)
	if !strings.HasPrefix(key1, "cr_live_") || len(key1) != len("cr_live_")+43 {
		t.Fatalf("key %q: want cr_live_ and 43 base64url characters", key1)
	}
	k1ID, _ := k1["id"].(string)
	if !fdnUUIDPattern.MatchString(k1ID) {
		t.Fatalf("key id %q is not a UUID", k1ID)
	}
	fdnTime(t, "created_at", k1["created_at"])
	want1 := map[string]any{"id": k1ID, "partner_id": id, "role": "partner", "prefix": key1[:14], "label": "",
		"created_at": k1["created_at"], "revoked_at": nil, "key": key1}
	if d := cmp.Diff(want1, k1); d != "" {
		t.Fatalf("issued key (-want +got):\n%s", d)
	}

	r2 := e.do("POST", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, map[string]any{"label": "ci robot"}).want(t, 201)
	k2 := r2.json(t)
	key2, _ := k2["key"].(string)
	if k2["label"] != "ci robot" || !strings.HasPrefix(key2, "cr_live_") || key2 == key1 || k2["id"] == k1ID {
		t.Fatalf("second key %v", k2)
	}

	t.Run("the list never shows a key", func(t *testing.T) {
		l := e.do("GET", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, nil).want(t, 200)
		if bytes.Contains(l.body, []byte(key1)) || bytes.Contains(l.body, []byte(key2)) {
			t.Fatalf("the list reveals a key: %s", l.body)
		}
		var page struct{ Items []map[string]any }
		l.decode(t, &page)
		delete(k1, "key")
		delete(k2, "key")
		if d := cmp.Diff([]map[string]any{k1, k2}, page.Items); d != "" {
			t.Fatalf("listed keys (-issued without key +listed):\n%s", d)
		}
	})

	t.Run("the key authenticates as the partner", func(t *testing.T) {
		for _, k := range []string{key1, key2} {
			m := e.do("GET", "/v1/partner/assignments", k, nil).want(t, 200).json(t)
			if d := cmp.Diff(map[string]any{"items": []any{}}, m); d != "" {
				t.Fatalf("assignments (-want +got):\n%s", d)
			}
		}
	})

	t.Run("only a 32-byte hash is stored", func(t *testing.T) {
		var hash []byte
		if err := e.sql.Get(&hash, `SELECT key_hash FROM api_keys WHERE id = $1`, k1ID); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(key1))
		if len(hash) != 32 || !bytes.Equal(hash, sum[:]) {
			t.Fatalf("key_hash %x (%d bytes), want sha256 of the key", hash, len(hash))
		}
		var rows []string
		if err := e.sql.Select(&rows, `SELECT row_to_json(k)::text FROM api_keys k`); err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, k := range []string{key1, key2} {
				// The prefix column holds the first 14 characters; nothing
				// holds the rest.
				if strings.Contains(row, k) || strings.Contains(row, k[14:]) {
					t.Fatalf("a stored row holds the plaintext key: %s", row)
				}
			}
		}
		var n int
		if err := e.sql.Get(&n, `SELECT count(*) FROM api_keys WHERE prefix = $1 OR label = $1
			OR key_hash = convert_to($1, 'UTF8') OR id::text = $1`, key1); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d rows have a column equal to the key", n)
		}
	})
}

func TestPartnerKeyLabelInvalid(t *testing.T) {
	e := newEnv(t)
	id := e.do("POST", "/v1/admin/partners", e.adminKey, partnerBody(nil)).want(t, 201).json(t)["id"].(string)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"label over 100 characters", map[string]any{"label": strings.Repeat("l", 101)}, 422, "validation_failed", []string{"label"}},
		{"label is a number", map[string]any{"label": 5}, 400, "malformed_request", []string{"label"}},
		{"not JSON", "label=ci", 400, "malformed_request", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count("api_keys")
			r := e.do("POST", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, tc.body)
			r.problem(t, tc.status, tc.code)
			if d := cmp.Diff(tc.fields, r.fields(t)); d != "" {
				t.Errorf("errors[].field (-want +got):\n%s", d)
			}
			if n := e.count("api_keys"); n != before {
				t.Errorf("api_keys %d, want %d", n, before)
			}
		})
	}
	t.Run("label of 100 characters is accepted", func(t *testing.T) {
		l := strings.Repeat("l", 100)
		m := e.do("POST", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, map[string]any{"label": l}).want(t, 201).json(t)
		if m["label"] != l {
			t.Fatalf("label %v", m["label"])
		}
	})
}

func TestPartnerKeyRevoke(t *testing.T) {
	e := newEnv(t)
	id, key1 := e.createPartner(nil)
	key2 := e.do("POST", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, nil).want(t, 201).json(t)["key"].(string)
	k1ID, k2ID := e.fdnKeyID(key1), e.fdnKeyID(key2)
	e.do("GET", "/v1/partner/assignments", key1, nil).want(t, 200)

	r := e.do("DELETE", "/v1/admin/partners/"+id+"/api-keys/"+k1ID, e.adminKey, nil).want(t, 200).json(t)
	revokedAt := fdnTime(t, "revoked_at", r["revoked_at"])
	if r["id"] != k1ID || r["partner_id"] != id || r["role"] != "partner" {
		t.Fatalf("revoke answered %v", r)
	}
	if _, ok := r["key"]; ok {
		t.Fatalf("revoke answer shows the key: %v", r)
	}

	t.Run("the revoked key is unauthenticated", func(t *testing.T) {
		e.do("GET", "/v1/partner/assignments", key1, nil).problem(t, 401, "unauthenticated")
	})
	t.Run("the partner's other key still works", func(t *testing.T) {
		e.do("GET", "/v1/partner/assignments", key2, nil).want(t, 200)
	})
	t.Run("revoking twice keeps the first revocation time", func(t *testing.T) {
		again := e.do("DELETE", "/v1/admin/partners/"+id+"/api-keys/"+k1ID, e.adminKey, nil).want(t, 200).json(t)
		if !fdnTime(t, "revoked_at", again["revoked_at"]).Equal(revokedAt) {
			t.Fatalf("revoked_at moved from %v to %v", revokedAt, again["revoked_at"])
		}
		e.do("GET", "/v1/partner/assignments", key1, nil).problem(t, 401, "unauthenticated")
	})
	t.Run("the list shows which key is revoked", func(t *testing.T) {
		var page struct {
			Items []struct {
				ID        string  `json:"id"`
				RevokedAt *string `json:"revoked_at"`
			}
		}
		e.do("GET", "/v1/admin/partners/"+id+"/api-keys", e.adminKey, nil).want(t, 200).decode(t, &page)
		if len(page.Items) != 2 || page.Items[0].ID != k1ID || page.Items[0].RevokedAt == nil ||
			page.Items[1].ID != k2ID || page.Items[1].RevokedAt != nil {
			t.Fatalf("keys %+v", page.Items)
		}
	})
}

func TestPartnerKeyNotFound(t *testing.T) {
	e := newEnv(t)
	a, aKey := e.createPartner(map[string]any{"name": "A"})
	b, bKey := e.createPartner(map[string]any{"name": "B"})
	bKeyID, adminKeyID := e.fdnKeyID(bKey), e.fdnKeyID(e.adminKey)
	unknown := fdnRandomUUID()
	for _, tc := range []struct{ name, method, path string }{
		{"issue for an unknown partner", "POST", "/v1/admin/partners/" + unknown + "/api-keys"},
		{"issue for a malformed id", "POST", "/v1/admin/partners/not-a-uuid/api-keys"},
		{"list for an unknown partner", "GET", "/v1/admin/partners/" + unknown + "/api-keys"},
		{"list for a malformed id", "GET", "/v1/admin/partners/not-a-uuid/api-keys"},
		{"revoke under an unknown partner", "DELETE", "/v1/admin/partners/" + unknown + "/api-keys/" + bKeyID},
		{"revoke under a malformed partner id", "DELETE", "/v1/admin/partners/not-a-uuid/api-keys/" + bKeyID},
		{"revoke an unknown key", "DELETE", "/v1/admin/partners/" + a + "/api-keys/" + fdnRandomUUID()},
		{"revoke a malformed key id", "DELETE", "/v1/admin/partners/" + a + "/api-keys/not-a-uuid"},
		{"revoke another partner's key", "DELETE", "/v1/admin/partners/" + a + "/api-keys/" + bKeyID},
		{"revoke the admin key through a partner", "DELETE", "/v1/admin/partners/" + a + "/api-keys/" + adminKeyID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count("api_keys")
			revoked := e.count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL")
			e.do(tc.method, tc.path, e.adminKey, nil).problem(t, 404, "not_found")
			if n := e.count("api_keys"); n != before {
				t.Errorf("api_keys %d, want %d", n, before)
			}
			if n := e.count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"); n != revoked {
				t.Errorf("revoked keys %d, want %d", n, revoked)
			}
		})
	}
	// Nothing was revoked: every key still works.
	e.do("GET", "/v1/partner/assignments", aKey, nil).want(t, 200)
	e.do("GET", "/v1/partner/assignments", bKey, nil).want(t, 200)
	e.do("GET", "/v1/admin/partners/"+b, e.adminKey, nil).want(t, 200)
}

// TestAuthAdminEndpoints sends every admin endpoint of partners and settings
// each kind of bad credential.
func TestAuthAdminEndpoints(t *testing.T) {
	e := newEnv(t)
	pid, partnerKey := e.createPartner(nil)
	keyID := e.fdnKeyID(partnerKey)
	_, intakeToken := e.submit(nil)
	revokedID, revokedKey := e.createPartner(nil)
	e.do("DELETE", "/v1/admin/partners/"+revokedID+"/api-keys/"+e.fdnKeyID(revokedKey), e.adminKey, nil).want(t, 200)
	revokedAdmin, revokedAdminKey, err := e.db.CreateAdminKey(context.Background(), "revoked")
	if err != nil {
		t.Fatal(err)
	}
	e.sql.MustExec(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, revokedAdmin.ID)

	endpoints := []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/admin/partners", partnerBody(nil)},
		{"GET", "/v1/admin/partners", nil},
		{"GET", "/v1/admin/partners/" + pid, nil},
		{"PATCH", "/v1/admin/partners/" + pid, map[string]any{"capacity": 1}},
		{"POST", "/v1/admin/partners/" + pid + "/api-keys", nil},
		{"GET", "/v1/admin/partners/" + pid + "/api-keys", nil},
		{"DELETE", "/v1/admin/partners/" + pid + "/api-keys/" + keyID, nil},
		{"GET", "/v1/admin/settings", nil},
		{"PUT", "/v1/admin/settings", map[string]any{"routing_mode": "review"}},
		{"GET", "/v1/admin/settings/audit", nil},
		// Unknown objects do not change the answer: auth comes first.
		{"GET", "/v1/admin/partners/" + fdnRandomUUID(), nil},
	}
	creds := []struct {
		name   string
		key    string
		hdr    []string
		status int
		code   string
	}{
		{"no key", "", nil, 401, "unauthenticated"},
		{"unknown partner-looking key", "cr_live_thisKeyWasNeverIssuedByCloudRouteAtAll0000", nil, 401, "unauthenticated"},
		{"unknown admin-looking key", "cr_admin_thisKeyWasNeverIssuedByCloudRouteAtAll000", nil, 401, "unauthenticated"},
		{"unknown intake token", "cr_intake_thisTokenWasNeverIssued", nil, 401, "unauthenticated"},
		{"garbage key", "x", nil, 401, "unauthenticated"},
		{"Basic scheme", "", []string{"Authorization", "Basic " + e.adminKey}, 401, "unauthenticated"},
		{"Bearer without a token", "", []string{"Authorization", "Bearer "}, 401, "unauthenticated"},
		{"revoked partner key", revokedKey, nil, 401, "unauthenticated"},
		{"revoked admin key", revokedAdminKey, nil, 401, "unauthenticated"},
		{"partner key", partnerKey, nil, 403, "forbidden"},
		{"intake access token", intakeToken, nil, 403, "forbidden"},
	}
	partners, keys := e.count("partners"), e.count("api_keys")
	revoked := e.count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL")
	row := e.fdnPartnerRow(pid)
	settings := string(e.do("GET", "/v1/admin/settings", e.adminKey, nil).want(t, 200).body)
	for _, c := range creds {
		for _, ep := range endpoints {
			t.Run(c.name+"/"+ep.method+" "+ep.path, func(t *testing.T) {
				e.do(ep.method, ep.path, c.key, ep.body, c.hdr...).problem(t, c.status, c.code)
			})
		}
	}
	// Nothing was written by any refused call.
	if n := e.count("partners"); n != partners {
		t.Errorf("partners %d, want %d", n, partners)
	}
	if n := e.count("api_keys"); n != keys {
		t.Errorf("api_keys %d, want %d", n, keys)
	}
	if n := e.count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"); n != revoked {
		t.Errorf("revoked keys %d, want %d", n, revoked)
	}
	if got := e.fdnPartnerRow(pid); got != row {
		t.Errorf("partner changed:\n%s\n%s", row, got)
	}
	if got := string(e.do("GET", "/v1/admin/settings", e.adminKey, nil).want(t, 200).body); got != settings {
		t.Errorf("settings changed: %s → %s", settings, got)
	}
	if n := e.count("settings_audit"); n != 0 {
		t.Errorf("settings_audit %d rows, want 0", n)
	}
	// And the admin key works on each of them.
	e.do("GET", "/v1/admin/partners/"+pid, e.adminKey, nil).want(t, 200)
	e.do("GET", "/v1/admin/settings/audit", e.adminKey, nil).want(t, 200)
}

// fdnGetPartner reads one partner as admins see it, less the responsiveness
// block that only this endpoint adds (checked present here).
func (e *env) fdnGetPartner(id string) map[string]any {
	e.t.Helper()
	m := e.do("GET", "/v1/admin/partners/"+id, e.adminKey, nil).want(e.t, 200).json(e.t)
	if _, ok := m["responsiveness"].(map[string]any); !ok {
		e.t.Fatalf("GET partner lacks responsiveness: %v", m)
	}
	delete(m, "responsiveness")
	return m
}
