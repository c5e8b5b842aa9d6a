package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordFields are what a submission needs beyond the intake's prefill.
func recordFields(extra map[string]any) map[string]any {
	m := map[string]any{
		"estimated_annual_spend_usd": 120000,
		"partner_role":               "We design and run the migration and the ML platform, and hold the support contract.",
		"engagement_start_date":      "2026-12-01",
		"go_live_date":               "2027-03-01",
		"new_account_placeholder":    true,
		"use_case":                   strings.Repeat("Telemetry ingestion and an assistant over robot logs for maintenance crews. ", 3),
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// engaged returns an intake accepted by a fresh advanced partner.
func (e *env) engaged(partnerOver map[string]any) (intakeID, token, partnerID, partnerKey, assignmentID string) {
	e.t.Helper()
	partnerID, partnerKey = e.createPartner(partnerOver)
	// Only the new partner is routable, so the intake goes to it.
	e.sql.MustExec(`UPDATE partners SET status = 'paused' WHERE id <> $1`, partnerID)
	intakeID, token = e.submit(nil)
	e.runJobs()
	assignmentID = e.assignmentOf(intakeID, partnerID)
	e.do("POST", "/v1/assignments/"+assignmentID+"/accept", partnerKey, nil).want(e.t, 200)
	return
}

func (e *env) move(key, recordID string, body map[string]any) resp {
	e.t.Helper()
	return e.do("POST", "/v1/ace-records/"+recordID+"/transitions", key, body)
}

// TestRecordLifecycleEndToEnd is the "done": offered, declined,
// re-offered, accepted, records filed, submitted, validated, approved (one
// downgraded), launched and closed; the commission lands on the statement.
func TestRecordLifecycleEndToEnd(t *testing.T) {
	e := newEnv(t)
	a, aKey := e.createPartner(map[string]any{"name": "Alpha"})
	b, bKey := e.createPartner(map[string]any{"name": "Bravo"})
	e.importRecord(a, nil, 40, 36)
	e.importRecord(b, nil, 40, 32)
	e.runJobs()
	id, tok := e.submit(map[string]any{"requested_funding_sources": []string{"founders", "bedrock_poc"}})
	e.runJobs()
	asgA := e.assignmentOf(id, a)
	// Before acceptance the partner sees the profile, not who the customer is.
	r := e.do("GET", "/v1/assignments/"+asgA, aKey, nil).want(t, 200)
	for _, secret := range []string{"technical_contact", "business_contact", "customer_domain", "@"} {
		if strings.Contains(string(r.body), secret) {
			t.Fatalf("offer shows %q before acceptance: %s", secret, r.body)
		}
	}
	e.do("GET", "/v1/assignments/"+asgA, bKey, nil).problem(t, 404, "not_found")
	e.do("POST", "/v1/assignments/"+asgA+"/decline", aKey, map[string]any{"reason": "full"}).want(t, 200)
	e.runJobs()
	asgB := e.assignmentOf(id, b)
	e.do("POST", "/v1/assignments/"+asgB+"/accept", aKey, nil).problem(t, 404, "not_found")
	r = e.do("POST", "/v1/assignments/"+asgB+"/accept", bKey, nil).want(t, 200)
	if !strings.Contains(string(r.body), "technical_contact") {
		t.Fatalf("accepted assignment does not show the contacts: %s", r.body)
	}
	view := e.do("GET", "/v1/intakes/"+id, tok, nil).want(t, 200).json(t)
	if view["status"] != "engaged" || view["partner"].(map[string]any)["name"] != "Bravo" {
		t.Fatalf("founder view after acceptance: %v", view)
	}

	// A declined partner cannot file for the customer.
	e.do("POST", "/v1/assignments/"+asgA+"/ace-records", aKey, map[string]any{"funding_source": "founders", "requested_usd": 20000}).
		problem(t, 409, "duplicate_filing")

	r = e.do("POST", "/v1/assignments/"+asgB+"/ace-records", bKey, map[string]any{"funding_source": "founders", "requested_usd": 25000}).want(t, 201)
	founders := r.json(t)["id"].(string)
	r = e.do("POST", "/v1/assignments/"+asgB+"/ace-records", bKey, map[string]any{"funding_source": "bedrock_poc", "requested_usd": 40000}).want(t, 201)
	bedrock := r.json(t)["id"].(string)

	// Submission names every missing field at once.
	r = e.move(bKey, bedrock, map[string]any{"to": "submitted"})
	r.problem(t, 422, "incomplete_record")
	got := r.fields(t)
	for _, f := range []string{"estimated_annual_spend_usd", "partner_role", "engagement_start_date", "go_live_date", "poc_plan"} {
		if !containsPrefix(got, f) {
			t.Errorf("incomplete_record does not name %s: %v", f, got)
		}
	}
	e.do("PATCH", "/v1/ace-records/"+founders, bKey, recordFields(nil)).want(t, 200)
	e.do("PATCH", "/v1/ace-records/"+bedrock, bKey, recordFields(map[string]any{"poc_plan": map[string]any{
		"model_choice": "Claude on Bedrock", "evaluation_method": "human-graded answers on 200 real questions",
		"budget_items": []map[string]any{{"description": "Bedrock inference", "usd": 30000}, {"description": "infrastructure", "usd": 10000}}}})).want(t, 200)

	for _, rec := range []string{founders, bedrock} {
		for _, to := range []string{"submitted", "validated"} {
			e.move(bKey, rec, map[string]any{"to": to}).want(t, 200)
		}
	}
	// The pool is locked after submission.
	e.do("PATCH", "/v1/ace-records/"+founders, bKey, map[string]any{"use_case": strings.Repeat("x", 120)}).problem(t, 422, "validation_failed")
	// Approval needs an amount; the bedrock award is downgraded to founders.
	e.move(bKey, founders, map[string]any{"to": "approved"}).problem(t, 422, "validation_failed")
	e.move(bKey, founders, map[string]any{"to": "approved", "approved_usd": 25000}).want(t, 200)
	// A second open founders record would collide when downgraded? No: the
	// downgrade changes the award, not the record's pool.
	r = e.move(bKey, bedrock, map[string]any{"to": "approved", "approved_usd": 20000, "approved_funding_source": "founders"}).want(t, 200)
	if m := r.json(t); m["approved_funding_source"] != "founders" || m["approved_usd"].(float64) != 20000 {
		t.Fatalf("downgraded approval: %s", r.body)
	}
	for _, rec := range []string{founders, bedrock} {
		e.move(bKey, rec, map[string]any{"to": "launched"}).want(t, 200)
		e.move(bKey, rec, map[string]any{"to": "closed"}).want(t, 200)
		e.move(bKey, rec, map[string]any{"to": "closed"}).problem(t, 409, "invalid_transition")
	}
	e.runJobs()

	view = e.do("GET", "/v1/intakes/"+id, tok, nil).want(t, 200).json(t)
	if view["status"] != "closed" || view["credits_approved_usd"].(float64) != 45000 || len(view["records"].([]any)) != 2 {
		t.Fatalf("founder view at the end: %v", view)
	}
	// History of moves, with actor and time.
	r = e.do("GET", "/v1/ace-records/"+founders, bKey, nil).want(t, 200)
	var rec struct {
		Transitions []struct {
			From, To, ActorRole string
		} `json:"transitions"`
	}
	r.decode(t, &rec)
	var path []string
	for _, tr := range rec.Transitions {
		path = append(path, tr.To)
	}
	if d := cmp.Diff([]string{"identified", "submitted", "validated", "approved", "launched", "closed"}, path); d != "" {
		t.Errorf("history (-want +got):\n%s", d)
	}
	e.do("GET", "/v1/ace-records/"+founders, aKey, nil).problem(t, 404, "not_found")

	// Commission: (25,000 + 20,000) USD at 1,000 bps = 450,000 cents, once.
	r = e.do("GET", "/v1/partner/statements", bKey, nil).want(t, 200)
	var st struct {
		Items []struct {
			State      string `json:"state"`
			TotalCents int64  `json:"total_cents"`
			Entries    []struct {
				AceRecordID string `json:"ace_record_id"`
				AmountCents int64  `json:"amount_cents"`
			} `json:"entries"`
		} `json:"items"`
	}
	r.decode(t, &st)
	if len(st.Items) != 1 || st.Items[0].State != "open" || st.Items[0].TotalCents != 450000 || len(st.Items[0].Entries) != 2 {
		t.Fatalf("statement: %s", r.body)
	}
	if r := e.do("GET", "/v1/partner/statements", aKey, nil).want(t, 200); strings.Contains(string(r.body), "entries\":[{") {
		t.Fatalf("another partner sees entries: %s", r.body)
	}
	rec2 := e.do("GET", "/v1/admin/reconciliation", e.adminKey, nil).want(t, 200).json(t)
	if rec2["balanced"] != true || rec2["ledger_cents"].(float64) != 450000 {
		t.Fatalf("reconciliation: %v", rec2)
	}
	// The outcomes fed the routing index: two platform wins for Bravo.
	if n := e.count(fmt.Sprintf("SELECT count(*) FROM outcomes WHERE source = 'platform' AND partner_id = '%s' AND outcome = 'approved'", b)); n != 2 {
		t.Fatalf("platform outcomes: %d", n)
	}
}

func containsPrefix(list []string, p string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestRecordRules(t *testing.T) {
	e := newEnv(t)
	_, _, _, key, asg := e.engaged(nil)
	_, _, _, otherKey, otherAsg := e.engaged(nil)
	create := func(body map[string]any) resp {
		return e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, body)
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"missing pool", map[string]any{"requested_usd": 10000}, 422, "validation_failed"},
		{"unknown pool", map[string]any{"funding_source": "grants", "requested_usd": 10000}, 422, "validation_failed"},
		{"founders below range", map[string]any{"funding_source": "founders", "requested_usd": 4999}, 422, "amount_out_of_range"},
		{"founders above range", map[string]any{"funding_source": "founders", "requested_usd": 25001}, 422, "amount_out_of_range"},
		{"portfolio below range", map[string]any{"funding_source": "portfolio", "requested_usd": 49999}, 422, "amount_out_of_range"},
		{"bad aws account", map[string]any{"funding_source": "founders", "requested_usd": 10000, "aws_account_id": "123"}, 422, "validation_failed"},
		{"wrong type", map[string]any{"funding_source": "founders", "requested_usd": "lots"}, 400, "malformed_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.count("ace_records")
			create(c.body.(map[string]any)).problem(t, c.status, c.code)
			if e.count("ace_records") != before {
				t.Fatal("a refused record was written")
			}
		})
	}
	t.Run("isolation and roles", func(t *testing.T) {
		e.do("POST", "/v1/assignments/"+otherAsg+"/ace-records", key, map[string]any{"funding_source": "founders", "requested_usd": 10000}).problem(t, 404, "not_found")
		e.do("POST", "/v1/assignments/"+asg+"/ace-records", e.adminKey, map[string]any{"funding_source": "founders", "requested_usd": 10000}).problem(t, 403, "forbidden")
		e.do("POST", "/v1/assignments/"+asg+"/ace-records", "", map[string]any{"funding_source": "founders", "requested_usd": 10000}).problem(t, 401, "unauthenticated")
		e.do("GET", "/v1/ace-records/00000000-0000-0000-0000-000000000000", key, nil).problem(t, 404, "not_found")
	})
	t.Run("one open record per pool", func(t *testing.T) {
		create(map[string]any{"funding_source": "founders", "requested_usd": 10000}).want(t, 201)
		create(map[string]any{"funding_source": "founders", "requested_usd": 5000}).problem(t, 409, "conflict")
	})
	t.Run("stacked ceiling", func(t *testing.T) {
		create(map[string]any{"funding_source": "portfolio", "requested_usd": 100000}).want(t, 201)
		create(map[string]any{"funding_source": "bedrock_poc", "requested_usd": 40001}).problem(t, 422, "stack_ceiling_exceeded")
		create(map[string]any{"funding_source": "bedrock_poc", "requested_usd": 40000}).want(t, 201)
		create(map[string]any{"funding_source": "build_for_startups", "requested_usd": 1}).problem(t, 422, "stack_ceiling_exceeded")
	})
	t.Run("tier dropped", func(t *testing.T) {
		var pid string
		e.sql.Get(&pid, `SELECT partner_id FROM assignments WHERE id = $1`, otherAsg)
		e.do("PATCH", "/v1/admin/partners/"+pid, e.adminKey, map[string]any{"tier": "select"}).want(t, 200)
		e.do("POST", "/v1/assignments/"+otherAsg+"/ace-records", otherKey, map[string]any{"funding_source": "portfolio", "requested_usd": 60000}).problem(t, 403, "tier_not_permitted")
		e.do("POST", "/v1/assignments/"+otherAsg+"/ace-records", otherKey, map[string]any{"funding_source": "founders", "requested_usd": 10000}).want(t, 201)
	})
	t.Run("plausibility warning", func(t *testing.T) {
		// The example intake projects 6,800 USD a month; 24x is 163,200, so
		// a tiny spend line makes any request implausible.
		_, _, _, k, a := e.engaged(nil)
		r := e.do("POST", "/v1/assignments/"+a+"/ace-records", k, map[string]any{"funding_source": "founders", "requested_usd": 25000,
			"projected_monthly_spend": []map[string]any{{"service": "ec2", "usd": 100}}}).want(t, 201)
		if !strings.Contains(string(r.body), "24") {
			t.Fatalf("no plausibility warning: %s", r.body)
		}
	})
}

func TestRecordTransitionsTable(t *testing.T) {
	e := newEnv(t)
	full := recordFields(nil)
	paths := map[string][]map[string]any{
		"identified": nil,
		"submitted":  {{"to": "submitted"}},
		"validated":  {{"to": "submitted"}, {"to": "validated"}},
		"approved":   {{"to": "submitted"}, {"to": "validated"}, {"to": "approved", "approved_usd": 10000}},
		"launched":   {{"to": "submitted"}, {"to": "validated"}, {"to": "approved", "approved_usd": 10000}, {"to": "launched"}},
	}
	legal := map[string][]string{
		"identified": {"submitted", "withdrawn"},
		"submitted":  {"validated", "rejected", "withdrawn"},
		"validated":  {"approved", "rejected", "withdrawn"},
		"approved":   {"launched"},
		"launched":   {"closed"},
	}
	states := []string{"identified", "submitted", "validated", "approved", "launched", "closed", "rejected", "withdrawn"}
	for _, from := range []string{"identified", "submitted", "validated", "approved", "launched"} {
		for _, to := range states {
			t.Run(from+"→"+to, func(t *testing.T) {
				// A fresh engagement and record each time.
				_, _, _, key, asg := e.engaged(nil)
				r := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, mergeMaps(full, map[string]any{"funding_source": "founders", "requested_usd": 10000})).want(t, 201)
				id := r.json(t)["id"].(string)
				for _, step := range paths[from] {
					e.move(key, id, step).want(t, 200)
				}
				body := map[string]any{"to": to, "reason": "because"}
				if to == "approved" {
					body["approved_usd"] = 10000
					delete(body, "reason")
				}
				r = e.move(key, id, body)
				isLegal := false
				for _, l := range legal[from] {
					isLegal = isLegal || l == to
				}
				if isLegal {
					r.want(t, 200)
				} else {
					r.problem(t, 409, "invalid_transition")
				}
			})
		}
	}
	t.Run("reason required for rejected and withdrawn", func(t *testing.T) {
		_, _, _, key, asg := e.engaged(nil)
		r := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, mergeMaps(full, map[string]any{"funding_source": "founders", "requested_usd": 10000})).want(t, 201)
		id := r.json(t)["id"].(string)
		e.move(key, id, map[string]any{"to": "withdrawn"}).problem(t, 422, "validation_failed")
		e.move(key, id, map[string]any{"to": "submitted"}).want(t, 200)
		e.move(key, id, map[string]any{"to": "rejected"}).problem(t, 422, "validation_failed")
		e.move(key, id, map[string]any{"to": "rejected", "reason": "weak vouch"}).want(t, 200)
		e.move(key, id, map[string]any{"to": "nowhere"}).problem(t, 422, "validation_failed")
	})
}

func mergeMaps(a, b map[string]any) map[string]any {
	m := map[string]any{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// TestRecordRerouteRules: a re-route is refused while a record is under
// review, drafts are withdrawn automatically, and the new partner can file.
func TestRecordRerouteRules(t *testing.T) {
	e := newEnv(t)
	id, tok, _, key, asg := e.engaged(nil)
	other, otherKey := e.createPartner(map[string]any{"name": "Second"})
	r := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, mergeMaps(recordFields(nil), map[string]any{"funding_source": "founders", "requested_usd": 10000})).want(t, 201)
	sub := r.json(t)["id"].(string)
	r = e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, map[string]any{"funding_source": "map"}).want(t, 201)
	draft := r.json(t)["id"].(string)
	e.move(key, sub, map[string]any{"to": "submitted"}).want(t, 200)

	e.do("POST", "/v1/intakes/"+id+"/reroute", tok, map[string]any{"reason": ""}).problem(t, 422, "validation_failed")
	e.do("POST", "/v1/intakes/"+id+"/reroute", tok, map[string]any{"reason": "we did not connect"}).problem(t, 409, "duplicate_filing")
	e.do("POST", "/v1/admin/intakes/"+id+"/release", e.adminKey, map[string]any{"reason": "x"}).problem(t, 409, "duplicate_filing")
	e.do("POST", "/v1/intakes/"+id+"/reroute", e.adminKey, map[string]any{"reason": "x"}).problem(t, 403, "forbidden")
	e.move(key, sub, map[string]any{"to": "withdrawn", "reason": "customer went quiet"}).want(t, 200)
	e.do("POST", "/v1/intakes/"+id+"/reroute", tok, map[string]any{"reason": "we did not connect"}).want(t, 200)
	var st string
	e.sql.Get(&st, `SELECT state FROM ace_records WHERE id = $1`, draft)
	if st != "withdrawn" {
		t.Fatalf("draft is %s after re-route, want withdrawn", st)
	}
	// The released partner can no longer move its records forward.
	e.move(key, draft, map[string]any{"to": "submitted"}).problem(t, 409, "invalid_transition")
	e.runJobs()
	if e.offeredTo(id) != other {
		t.Fatal("not re-routed to the second partner")
	}
	asg2 := e.assignmentOf(id, other)
	e.do("POST", "/v1/assignments/"+asg2+"/accept", otherKey, nil).want(t, 200)
	e.do("POST", "/v1/assignments/"+asg2+"/ace-records", otherKey, map[string]any{"funding_source": "founders", "requested_usd": 10000}).want(t, 201)
	e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, map[string]any{"funding_source": "portfolio", "requested_usd": 60000}).problem(t, 409, "duplicate_filing")
}

// TestRecordNeverStranded: while the partner holds a live award (approved
// or launched) the founder cannot move on; an admin can release the
// engagement, and the released partner still launches and closes the
// award, which accrues commission exactly once, without seeing the
// customer or editing the record. The pool then frees up for the next
// partner.
func TestRecordNeverStranded(t *testing.T) {
	e := newEnv(t)
	id, tok, _, key, asg := e.engaged(map[string]any{"name": "First"})
	other, otherKey := e.createPartner(map[string]any{"name": "Second"})
	r := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, mergeMaps(recordFields(nil),
		map[string]any{"funding_source": "founders", "requested_usd": 20000, "target_close_date": "2027-01-15"})).want(t, 201)
	rec := r.json(t)["id"].(string)
	for _, to := range []string{"submitted", "validated"} {
		e.move(key, rec, map[string]any{"to": to}).want(t, 200)
	}
	e.move(key, rec, map[string]any{"to": "approved", "approved_usd": 20000}).want(t, 200)

	// The founder can neither re-route nor withdraw: nothing changes.
	e.do("POST", "/v1/intakes/"+id+"/reroute", tok, map[string]any{"reason": "we did not connect"}).problem(t, 409, "duplicate_filing")
	e.do("POST", "/v1/intakes/"+id+"/withdraw", tok, map[string]any{"reason": "changed our minds"}).problem(t, 409, "duplicate_filing")
	var asgStatus, recState string
	e.sql.Get(&asgStatus, `SELECT status FROM assignments WHERE id = $1`, asg)
	e.sql.Get(&recState, `SELECT state FROM ace_records WHERE id = $1`, rec)
	if asgStatus != "accepted" || recState != "approved" || e.intakeStatus(id, tok) != "engaged" {
		t.Fatalf("after refused founder moves: assignment %s, record %s, intake %s", asgStatus, recState, e.intakeStatus(id, tok))
	}

	// An admin releases the engagement; the intake goes to the next partner.
	e.do("POST", "/v1/admin/intakes/"+id+"/release", e.adminKey, map[string]any{"reason": "partner unresponsive"}).want(t, 200)
	e.runJobs()
	if e.offeredTo(id) != other {
		t.Fatal("not re-routed to the second partner")
	}
	asg2 := e.assignmentOf(id, other)
	e.do("POST", "/v1/assignments/"+asg2+"/accept", otherKey, nil).want(t, 200)
	// The live award still holds its pool.
	e.do("POST", "/v1/assignments/"+asg2+"/ace-records", otherKey, map[string]any{"funding_source": "founders", "requested_usd": 10000}).
		problem(t, 409, "conflict")

	// The released partner no longer sees who the customer is, nor edits.
	view := e.do("GET", "/v1/ace-records/"+rec, key, nil).want(t, 200)
	for _, secret := range []string{"technical_contact", "business_contact", "company_name", "website", "@"} {
		if strings.Contains(string(view.body), secret) {
			t.Errorf("released partner sees %q: %s", secret, view.body)
		}
	}
	if ed := view.json(t)["editable_fields"].([]any); len(ed) != 0 {
		t.Errorf("released partner may edit %v", ed)
	}
	e.do("GET", "/v1/ace-records/"+rec+"/pdm-brief", key, nil).problem(t, 404, "not_found")
	e.do("GET", "/v1/assignments/"+asg, key, nil).want(t, 200)
	before := e.count(`SELECT count(*) FROM ace_records WHERE updated_at > now() - interval '1 hour' AND target_close_date = '2027-01-15'`)
	e.do("PATCH", "/v1/ace-records/"+rec, key, map[string]any{"target_close_date": "2027-02-01"}).problem(t, 409, "duplicate_filing")
	e.move(key, rec, map[string]any{"to": "launched", "target_close_date": "2027-02-01"}).problem(t, 409, "duplicate_filing")
	if after := e.count(`SELECT count(*) FROM ace_records WHERE updated_at > now() - interval '1 hour' AND target_close_date = '2027-01-15'`); after != before {
		t.Errorf("a refused edit changed the record")
	}

	// It still launches and closes the award; commission accrues once.
	e.move(key, rec, map[string]any{"to": "launched"}).want(t, 200)
	e.move(key, rec, map[string]any{"to": "closed"}).want(t, 200)
	e.runJobs()
	e.runJobs()
	if n := e.count(`SELECT count(*) FROM commission_entries WHERE ace_record_id = '` + rec + `'`); n != 1 {
		t.Fatalf("%d commission entries for the closed award, want 1", n)
	}
	// The intake stays with the second partner, whose pool is now free.
	if s := e.intakeStatus(id, tok); s != "engaged" {
		t.Errorf("intake %s after the released partner closed out, want engaged", s)
	}
	e.do("POST", "/v1/assignments/"+asg2+"/ace-records", otherKey, map[string]any{"funding_source": "founders", "requested_usd": 10000}).want(t, 201)
}

// TestOfferDeclineAfterDeadline: an offer past its deadline can be neither
// accepted nor declined, even before the expiry task runs.
func TestOfferDeclineAfterDeadline(t *testing.T) {
	e := newEnv(t)
	pid, key := e.createPartner(nil)
	e.sql.MustExec(`UPDATE partners SET status = 'paused' WHERE id <> $1`, pid)
	id, _ := e.submit(nil)
	e.runJobs()
	asg := e.assignmentOf(id, pid)
	e.sql.MustExec(`UPDATE assignments SET expires_at = now() - interval '1 minute' WHERE id = $1`, asg)
	e.do("POST", "/v1/assignments/"+asg+"/decline", key, map[string]any{"reason": "too late"}).problem(t, 409, "invalid_transition")
	e.do("POST", "/v1/assignments/"+asg+"/accept", key, nil).problem(t, 409, "invalid_transition")
	var st string
	e.sql.Get(&st, `SELECT status FROM assignments WHERE id = $1`, asg)
	if st != "offered" {
		t.Fatalf("assignment %s after refused answers, want offered (the expiry task ends it)", st)
	}
}

// TestAssignmentRaces: goroutines racing against the real database end in
// one consistent state.
func TestAssignmentRaces(t *testing.T) {
	e := newEnv(t)
	_, key := e.createPartner(map[string]any{"capacity": 100})
	for i := 0; i < 9; i++ {
		id, tok := e.submit(nil)
		e.runJobs()
		var asg string
		e.sql.Get(&asg, `SELECT id FROM assignments WHERE intake_id = $1`, id)
		var wg sync.WaitGroup
		results := make([]int, 3)
		wg.Add(3)
		go func() { defer wg.Done(); results[0] = e.do("POST", "/v1/assignments/"+asg+"/accept", key, nil).status }()
		go func() { defer wg.Done(); results[1] = e.do("POST", "/v1/assignments/"+asg+"/accept", key, nil).status }()
		switch i % 3 {
		case 2: // accept against the founder's re-route
			go func() {
				defer wg.Done()
				results[2] = e.do("POST", "/v1/intakes/"+id+"/reroute", tok, map[string]any{"reason": "we did not connect"}).status
			}()
		case 0: // accept against expire
			go func() {
				defer wg.Done()
				e.sql.MustExec(`UPDATE assignments SET expires_at = now() WHERE id = $1`, asg)
				e.worker.Handlers().DB.ExpireAssignment(t.Context(), asg)
			}()
		case 1: // accept against withdraw
			go func() { defer wg.Done(); results[2] = e.do("POST", "/v1/intakes/"+id+"/withdraw", tok, nil).status }()
		}
		wg.Wait()
		if results[0] == 200 && results[1] == 200 {
			t.Fatalf("round %d: two accepts both succeeded", i)
		}
		var active int
		e.sql.Get(&active, `SELECT count(*) FROM assignments WHERE intake_id = $1 AND status IN ('offered','accepted')`, id)
		var status string
		e.sql.Get(&status, `SELECT status FROM intakes WHERE id = $1`, id)
		var astatus string
		e.sql.Get(&astatus, `SELECT status FROM assignments WHERE id = $1`, asg)
		switch {
		case astatus == "accepted" && status == "engaged" && active == 1:
		case astatus == "expired" && (status == "routing" || status == "unroutable") && active == 0:
		case astatus == "cancelled" && status == "withdrawn" && active == 0:
		case astatus == "released" && status == "withdrawn" && active == 0:
		case astatus == "released" && (status == "routing" || status == "unroutable") && active == 0 && results[2] == 200:
		default:
			t.Fatalf("round %d: inconsistent end: assignment %s, intake %s, active %d (results %v)", i, astatus, status, active, results)
		}
	}
	_ = time.Second
}

// TestDuplicateFilingHeldByDatabase: even a write that skips the code's
// checks cannot give a record to a partner without the accepted assignment.
func TestDuplicateFilingHeldByDatabase(t *testing.T) {
	e := newEnv(t)
	a, aKey := e.createPartner(map[string]any{"name": "A"})
	b, bKey := e.createPartner(map[string]any{"name": "B"})
	e.importRecord(a, nil, 40, 36)
	e.runJobs()
	id, _ := e.submit(nil)
	e.runJobs()
	asgA := e.assignmentOf(id, a)
	e.do("POST", "/v1/assignments/"+asgA+"/decline", aKey, map[string]any{"reason": "full"}).want(t, 200)
	e.runJobs()
	asgB := e.assignmentOf(id, b)
	e.do("POST", "/v1/assignments/"+asgB+"/accept", bKey, nil).want(t, 200)
	var domain string
	e.sql.Get(&domain, `SELECT customer_domain FROM intakes WHERE id = $1`, id)
	_, err := e.sql.Exec(`INSERT INTO ace_records (intake_id, assignment_id, partner_id, customer_domain, funding_source, requested_usd)
		VALUES ($1, $2, $3, $4, 'founders', 10000)`, id, asgA, a, domain)
	if err == nil || !strings.Contains(err.Error(), "no accepted assignment") {
		t.Fatalf("the database took a record of the declined partner: %v", err)
	}
	// Racing filings of both partners: only the accepted one lands.
	var wg sync.WaitGroup
	st := make([]int, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		st[0] = e.do("POST", "/v1/assignments/"+asgA+"/ace-records", aKey, map[string]any{"funding_source": "founders", "requested_usd": 10000}).status
	}()
	go func() {
		defer wg.Done()
		st[1] = e.do("POST", "/v1/assignments/"+asgB+"/ace-records", bKey, map[string]any{"funding_source": "founders", "requested_usd": 10000}).status
	}()
	wg.Wait()
	if st[0] != 409 || st[1] != 201 {
		t.Fatalf("statuses %v, want [409 201]", st)
	}
	var n int
	e.sql.Get(&n, `SELECT count(*) FROM ace_records WHERE partner_id = $1`, a)
	if n != 0 {
		t.Fatalf("the declined partner has %d records", n)
	}
}
