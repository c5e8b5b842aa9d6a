package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The text rule (domain.CheckText) end to end: every text field a client
// sends is refused with 422 validation_failed naming it when it holds NUL
// (which Postgres cannot store: a 500 before the rule), another control
// character or a bidi control, and the refused request writes nothing.

// txtTables are the tables a refused request could have written.
var txtTables = []string{"partners", "api_keys", "intakes", "idempotency_keys", "assignments", "routing_decisions",
	"ace_records", "ace_record_transitions", "statements", "commission_entries", "settings", "settings_audit", "outbox"}

// txtFingerprint is every row of txtTables as text, so that "nothing
// written" compares whole rows, updated_at included.
func (e *env) txtFingerprint() map[string]string {
	e.t.Helper()
	out := map[string]string{}
	for _, table := range txtTables {
		var s *string
		q := `SELECT string_agg(r, E'\n' ORDER BY r) FROM (SELECT row_to_json(t)::text AS r FROM ` + table + ` t) x`
		if err := e.sql.Get(&s, q); err != nil {
			e.t.Fatal(err)
		}
		if s != nil {
			out[table] = *s
		}
	}
	return out
}

// txtRefused sends a request that must be refused with 422
// validation_failed naming field, and checks that nothing was written.
func (e *env) txtRefused(t *testing.T, method, path, key string, body any, field string, hdr ...string) {
	t.Helper()
	before := e.txtFingerprint()
	r := e.do(method, path, key, body, hdr...)
	r.problem(t, http.StatusUnprocessableEntity, "validation_failed")
	if got := r.fields(t); !slices.Contains(got, field) {
		t.Errorf("errors name %v, want %s", got, field)
	}
	if d := cmp.Diff(before, e.txtFingerprint()); d != "" {
		t.Errorf("a refused request wrote rows (-before +after):\n%s", d)
	}
}

// txtOffered returns an intake offered to a fresh partner (not yet
// accepted).
func (e *env) txtOffered() (intakeID, token, partnerID, partnerKey, assignmentID string) {
	e.t.Helper()
	partnerID, partnerKey = e.createPartner(nil)
	e.sql.MustExec(`UPDATE partners SET status = 'paused' WHERE id <> $1`, partnerID)
	intakeID, token = e.submit(nil)
	e.runJobs()
	assignmentID = e.assignmentOf(intakeID, partnerID)
	return
}

// txtBad are the characters the rule refuses wherever they appear.
var txtBad = []struct{ name, s string }{
	{"NUL", "\x00"},
	{"ESC", "\x1b[2J"},
	{"RLO", "\u202E"},
}

func TestTextRuleRecordFields(t *testing.T) {
	e := newEnv(t)
	_, _, _, key, asg := e.engaged(nil)
	create := func(fields map[string]any) map[string]any {
		return mergeMaps(fields, map[string]any{"funding_source": "founders", "requested_usd": 10000})
	}
	cases := []struct {
		field string
		body  func(bad string) map[string]any
	}{
		{"company_name", func(bad string) map[string]any { return map[string]any{"company_name": "Acme" + bad} }},
		{"use_case", func(bad string) map[string]any {
			return map[string]any{"use_case": strings.Repeat("Telemetry for robots. ", 6) + bad}
		}},
		{"partner_role", func(bad string) map[string]any { return map[string]any{"partner_role": bad + "Architecture"} }},
		{"website", func(bad string) map[string]any {
			return map[string]any{"website": "https://acme" + bad + ".example.com"}
		}},
		{"vertical", func(bad string) map[string]any { return map[string]any{"vertical": "fintech" + bad} }},
		{"go_live_date", func(bad string) map[string]any { return map[string]any{"go_live_date": "2027-03-01" + bad} }},
		{"projected_monthly_spend[0].service", func(bad string) map[string]any {
			return map[string]any{"projected_monthly_spend": []map[string]any{{"service": "EC2" + bad, "usd": 100}}}
		}},
		{"technical_contact.name", func(bad string) map[string]any {
			return map[string]any{"technical_contact": map[string]any{"name": "Ada" + bad}}
		}},
		{"business_contact.email", func(bad string) map[string]any {
			return map[string]any{"business_contact": map[string]any{"email": "bo" + bad + "@acme.example.com"}}
		}},
		{"last_round.lead_investor", func(bad string) map[string]any {
			return map[string]any{"last_round": map[string]any{"lead_investor": "Accel" + bad}}
		}},
		{"poc_plan.model_choice", func(bad string) map[string]any {
			return map[string]any{"poc_plan": map[string]any{"model_choice": "Claude" + bad}}
		}},
		{"poc_plan.evaluation_method", func(bad string) map[string]any {
			return map[string]any{"poc_plan": map[string]any{"evaluation_method": "Offline set." + bad}}
		}},
		{"poc_plan.budget_items[0].description", func(bad string) map[string]any {
			return map[string]any{"poc_plan": map[string]any{"budget_items": []map[string]any{{"description": "GPU" + bad, "usd": 100}}}}
		}},
	}
	t.Run("create", func(t *testing.T) {
		for _, bad := range txtBad {
			for _, c := range cases {
				t.Run(bad.name+"/"+c.field, func(t *testing.T) {
					e.txtRefused(t, "POST", "/v1/assignments/"+asg+"/ace-records", key, create(c.body(bad.s)), c.field)
				})
			}
		}
	})
	id := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, create(nil)).want(t, 201).json(t)["id"].(string)
	t.Run("patch", func(t *testing.T) {
		for _, bad := range txtBad {
			for _, c := range cases {
				t.Run(bad.name+"/"+c.field, func(t *testing.T) {
					e.txtRefused(t, "PATCH", "/v1/ace-records/"+id, key, c.body(bad.s), c.field)
				})
			}
		}
	})
	t.Run("line breaks where the field is multiline", func(t *testing.T) {
		e.do("PATCH", "/v1/ace-records/"+id, key, map[string]any{"partner_role": "Architecture.\nSupport."}).want(t, 200)
		e.txtRefused(t, "PATCH", "/v1/ace-records/"+id, key, map[string]any{"company_name": "Acme\nRobotics"}, "company_name")
	})
}

func TestTextRuleReasons(t *testing.T) {
	e := newEnv(t)
	nul := "we are full\x00"
	tooLong := strings.Repeat("x", 2001)

	t.Run("decline", func(t *testing.T) {
		_, _, _, key, asg := e.txtOffered()
		for _, reason := range []string{nul, "full\x1b", "full\u202E", "full\u2066", tooLong, " "} {
			e.txtRefused(t, "POST", "/v1/assignments/"+asg+"/decline", key, map[string]any{"reason": reason}, "reason")
		}
	})

	iid, tok, pid, key, asg := e.engaged(nil)
	t.Run("founder re-route", func(t *testing.T) {
		e.txtRefused(t, "POST", "/v1/intakes/"+iid+"/reroute", tok, map[string]any{"reason": nul}, "reason")
	})
	t.Run("founder withdraw (optional reason)", func(t *testing.T) {
		e.txtRefused(t, "POST", "/v1/intakes/"+iid+"/withdraw", tok, map[string]any{"reason": nul}, "reason")
		e.txtRefused(t, "POST", "/v1/intakes/"+iid+"/withdraw", tok, map[string]any{"reason": "bye\u202E"}, "reason")
	})
	t.Run("admin release", func(t *testing.T) {
		e.txtRefused(t, "POST", "/v1/admin/intakes/"+iid+"/release", e.adminKey, map[string]any{"reason": nul}, "reason")
	})
	t.Run("admin assign", func(t *testing.T) {
		for _, reason := range []string{nul, "override\x1b", tooLong} {
			e.txtRefused(t, "POST", "/v1/admin/intakes/"+iid+"/assign", e.adminKey,
				map[string]any{"partner_id": pid, "reason": reason}, "reason")
		}
	})
	t.Run("record transition", func(t *testing.T) {
		id := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key,
			map[string]any{"funding_source": "founders", "requested_usd": 10000}).want(t, 201).json(t)["id"].(string)
		for _, reason := range []string{nul, "dup\u202E", tooLong} {
			e.txtRefused(t, "POST", "/v1/ace-records/"+id+"/transitions", key, map[string]any{"to": "withdrawn", "reason": reason}, "reason")
		}
		// Two lines are a reason like any other.
		e.move(key, id, map[string]any{"to": "withdrawn", "reason": "Filed twice.\nThe other one stays."}).want(t, 200)
	})
	t.Run("commission adjustment", func(t *testing.T) {
		path := "/v1/admin/partners/" + pid + "/commission-adjustments"
		for _, reason := range []string{nul, "credit\x1b", "credit\u202E", tooLong, "\t"} {
			e.txtRefused(t, "POST", path, e.adminKey, map[string]any{"amount_cents": 500, "reason": reason}, "reason")
		}
		// The limit counts characters, not bytes: 2,000 two-byte characters fit.
		e.do("POST", path, e.adminKey, map[string]any{"amount_cents": 500, "reason": strings.Repeat("é", 2000)}).want(t, 201)
	})
	t.Run("statement settlement reference", func(t *testing.T) {
		e.txtRefused(t, "POST", "/v1/admin/statements/"+fdnRandomUUID()+"/settle", e.adminKey,
			map[string]any{"state": "invoiced", "reference": "INV-1\x00"}, "reference")
	})
}

func TestTextRulePartnersAndKeys(t *testing.T) {
	e := newEnv(t)
	for _, bad := range txtBad {
		t.Run(bad.name, func(t *testing.T) {
			e.txtRefused(t, "POST", "/v1/admin/partners", e.adminKey, partnerBody(map[string]any{"name": "Acme" + bad.s}), "name")
			e.txtRefused(t, "POST", "/v1/admin/partners", e.adminKey,
				partnerBody(map[string]any{"contact_email": "ops" + bad.s + "@acme.example.com"}), "contact_email")
		})
	}
	pid, _ := e.createPartner(nil)
	for _, bad := range txtBad {
		t.Run("patch "+bad.name, func(t *testing.T) {
			e.txtRefused(t, "PATCH", "/v1/admin/partners/"+pid, e.adminKey, map[string]any{"name": bad.s + "Acme"}, "name")
			e.txtRefused(t, "PATCH", "/v1/admin/partners/"+pid, e.adminKey, map[string]any{"contact_email": "ops@acme.example.com" + bad.s}, "contact_email")
			e.txtRefused(t, "POST", "/v1/admin/partners/"+pid+"/api-keys", e.adminKey, map[string]any{"label": "ci" + bad.s}, "label")
		})
	}
	t.Run("label length in characters", func(t *testing.T) {
		e.do("POST", "/v1/admin/partners/"+pid+"/api-keys", e.adminKey, map[string]any{"label": strings.Repeat("é", 100)}).want(t, 201)
		e.txtRefused(t, "POST", "/v1/admin/partners/"+pid+"/api-keys", e.adminKey, map[string]any{"label": strings.Repeat("é", 101)}, "label")
	})
}

func TestTextRuleIntakeAndOtherBodies(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ field, value string }{
		{"company_name", "Acme\x00"}, {"use_case", strings.Repeat("Robots. ", 5) + "\u202E"},
	} {
		e.txtRefused(t, "POST", "/v1/intakes", "", intakeBody(map[string]any{c.field: c.value}), c.field)
	}
	e.txtRefused(t, "POST", "/v1/intakes", "", intakeBody(map[string]any{"technical_contact": map[string]any{"name": "Ada\u202E", "email": "ada@example.com"}}),
		"technical_contact.name")
	e.txtRefused(t, "POST", "/v1/intakes", "", intakeBody(map[string]any{"business_contact": map[string]any{"name": "Bo", "email": "bo\x00@example.com"}}),
		"business_contact.email")
	// A header may carry bytes that are not UTF-8; the key is stored, so it
	// follows the rule too.
	e.txtRefused(t, "POST", "/v1/intakes", "", intakeBody(nil), "Idempotency-Key", "Idempotency-Key", "key-\xff\xfe")
	e.txtRefused(t, "POST", "/v1/intakes", "", intakeBody(nil), "Idempotency-Key", "Idempotency-Key", "key-\u202E")

	e.txtRefused(t, "PUT", "/v1/admin/settings", e.adminKey, map[string]any{"routing_mode": "auto\x00"}, "routing_mode")
	e.txtRefused(t, "POST", "/v1/admin/routing/preview", e.adminKey, map[string]any{"stage": "seed\x00", "region": "eu",
		"vertical": "fintech", "service_profile": "ai_heavy", "engagement_type": "build"}, "stage")
	pid, _ := e.createPartner(nil)
	e.txtRefused(t, "POST", "/v1/admin/partners/"+pid+"/track-record", e.adminKey, []map[string]any{{"decided_at": "2025-01-01",
		"submitted_at": "2024-12-01", "stage": "seed", "region": "eu\x00", "vertical": "fintech", "service_profile": "ai_heavy",
		"engagement_type": "build", "funding_source": "founders", "outcome": "rejected", "requested_usd": 10000}}, "rows[0].region")
}

// TestTextRuleQueryAndPath sends NUL and a byte that is not UTF-8 in every
// query parameter and path parameter that reaches SQL: enums and dates are
// refused as 422 naming the parameter, ids name nothing (404, or an empty
// list for a filter), and nothing is a 500.
func TestTextRuleQueryAndPath(t *testing.T) {
	e := newEnv(t)
	_, pkey := e.createPartner(nil)
	for _, bad := range []string{"%00", "%FF", "seed%E2%80%AE"} {
		for _, c := range []struct {
			path, key, field string // field "" means 200
		}{
			{"/v1/partner/assignments?status=" + bad, pkey, "status"},
			{"/v1/admin/intakes?status=" + bad, e.adminKey, "status"},
			{"/v1/admin/intakes?cursor=" + bad, e.adminKey, "cursor"},
			{"/v1/admin/partners?tier=" + bad, e.adminKey, "tier"},
			{"/v1/admin/partners?status=" + bad, e.adminKey, "status"},
			{"/v1/admin/partners?region=" + bad, e.adminKey, "region"},
			{"/v1/admin/partners?cursor=" + bad, e.adminKey, "cursor"},
			{"/v1/admin/routing-index?axis=" + bad, e.adminKey, "axis"},
			{"/v1/admin/statements?state=" + bad, e.adminKey, "state"},
			{"/v1/admin/statements?month=" + bad, e.adminKey, "month"},
			{"/v1/admin/statements?partner_id=" + bad, e.adminKey, ""},
			{"/v1/partner/statements?month=" + bad, pkey, "month"},
			{"/v1/admin/snapshots?month=" + bad, e.adminKey, "month"},
			{"/v1/admin/snapshots?partner_id=" + bad, e.adminKey, ""},
			{"/v1/partner/snapshots?month=" + bad, pkey, "month"},
			{"/v1/admin/metrics?from=" + bad, e.adminKey, "from"},
			{"/v1/admin/metrics?to=" + bad, e.adminKey, "to"},
		} {
			t.Run(c.path, func(t *testing.T) {
				r := e.do("GET", c.path, c.key, nil)
				if c.field == "" {
					r.want(t, 200)
					return
				}
				r.problem(t, 422, "validation_failed")
				if got := r.fields(t); !slices.Contains(got, c.field) {
					t.Errorf("errors name %v, want %s", got, c.field)
				}
			})
		}
		for _, c := range []struct{ method, path, key string }{
			{"GET", "/v1/admin/partners/" + bad, e.adminKey},
			{"PATCH", "/v1/admin/partners/" + bad, e.adminKey},
			{"GET", "/v1/admin/partners/" + bad + "/api-keys", e.adminKey},
			{"GET", "/v1/admin/partners/" + bad + "/pipeline-health", e.adminKey},
			{"GET", "/v1/intakes/" + bad, e.adminKey},
			{"GET", "/v1/admin/intakes/" + bad + "/routing-decisions", e.adminKey},
			{"GET", "/v1/assignments/" + bad, pkey},
			{"GET", "/v1/ace-records/" + bad, pkey},
		} {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				var body any
				if c.method == "PATCH" {
					body = map[string]any{"capacity": 3}
				}
				r := e.do(c.method, c.path, c.key, body)
				if r.status != 404 && r.status != 200 {
					t.Fatalf("status %d, want 404 (or an empty 200): %s", r.status, r.body)
				}
			})
		}
	}
}
