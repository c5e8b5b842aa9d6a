package api_test

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// closeOne walks an engaged intake's founders record to closed and runs
// the jobs, returning the partner's id and key.
func (e *env) closeOne(approved int64) (string, string) {
	e.t.Helper()
	_, _, pid, key, asg := e.engaged(nil)
	r := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, mergeMaps(recordFields(nil),
		map[string]any{"funding_source": "founders", "requested_usd": 25000})).want(e.t, 201)
	id := r.json(e.t)["id"].(string)
	for _, s := range []map[string]any{{"to": "submitted"}, {"to": "validated"}, {"to": "approved", "approved_usd": approved},
		{"to": "launched"}, {"to": "closed"}} {
		e.move(key, id, s).want(e.t, 200)
	}
	e.runJobs()
	return pid, key
}

func TestCommissionStatements(t *testing.T) {
	e := newEnv(t)
	pid, key := e.closeOne(25000)
	otherPid, otherKey := e.closeOne(10000)

	var st struct {
		Items []struct {
			ID         string `json:"id"`
			PartnerID  string `json:"partner_id"`
			Month      string `json:"month"`
			State      string `json:"state"`
			TotalCents int64  `json:"total_cents"`
		} `json:"items"`
	}
	e.do("GET", "/v1/admin/statements?partner_id="+pid, e.adminKey, nil).want(t, 200).decode(t, &st)
	if len(st.Items) != 1 || st.Items[0].TotalCents != 250000 || st.Items[0].State != "open" || st.Items[0].Month != time.Now().UTC().Format("2006-01") {
		t.Fatalf("statement: %+v", st)
	}
	sid := st.Items[0].ID

	t.Run("filters and roles", func(t *testing.T) {
		e.do("GET", "/v1/admin/statements?state=done", e.adminKey, nil).problem(t, 422, "validation_failed")
		e.do("GET", "/v1/admin/statements?month=2026-13", e.adminKey, nil).problem(t, 422, "validation_failed")
		e.do("GET", "/v1/admin/statements", key, nil).problem(t, 403, "forbidden")
		e.do("GET", "/v1/admin/statements", "", nil).problem(t, 401, "unauthenticated")
		e.do("GET", "/v1/partner/statements", e.adminKey, nil).problem(t, 403, "forbidden")
		r := e.do("GET", "/v1/partner/statements", otherKey, nil).want(t, 200)
		if strings.Contains(string(r.body), sid) || !strings.Contains(string(r.body), otherPid) {
			t.Fatalf("partner statements not isolated: %s", r.body)
		}
		var all struct{ Items []any }
		e.do("GET", "/v1/admin/statements?state=open", e.adminKey, nil).want(t, 200).decode(t, &all)
		if len(all.Items) != 2 {
			t.Fatalf("admin sees %d open statements, want 2", len(all.Items))
		}
	})

	t.Run("adjustment", func(t *testing.T) {
		path := "/v1/admin/partners/" + pid + "/commission-adjustments"
		e.do("POST", path, e.adminKey, map[string]any{"amount_cents": -5000}).problem(t, 422, "validation_failed")
		e.do("POST", path, e.adminKey, map[string]any{"amount_cents": 0, "reason": "x"}).problem(t, 422, "validation_failed")
		e.do("POST", path, e.adminKey, map[string]any{"amount_cents": "ten", "reason": "x"}).problem(t, 400, "malformed_request")
		e.do("POST", path, key, map[string]any{"amount_cents": -5000, "reason": "x"}).problem(t, 403, "forbidden")
		e.do("POST", "/v1/admin/partners/00000000-0000-0000-0000-000000000000/commission-adjustments", e.adminKey,
			map[string]any{"amount_cents": -5000, "reason": "x"}).problem(t, 404, "not_found")
		e.do("POST", path, e.adminKey, map[string]any{"amount_cents": -5000, "reason": "credit note for a duplicate"}).want(t, 201)
		e.do("GET", "/v1/admin/statements?partner_id="+pid, e.adminKey, nil).want(t, 200).decode(t, &st)
		if st.Items[0].TotalCents != 245000 {
			t.Fatalf("total after adjustment: %d", st.Items[0].TotalCents)
		}
	})

	t.Run("settle in order", func(t *testing.T) {
		path := "/v1/admin/statements/" + sid + "/settle"
		e.do("POST", path, e.adminKey, map[string]any{"state": "invoiced"}).problem(t, 422, "validation_failed")
		e.do("POST", path, e.adminKey, map[string]any{"state": "void", "reference": "x"}).problem(t, 422, "validation_failed")
		e.do("POST", path, key, map[string]any{"state": "invoiced", "reference": "INV-1"}).problem(t, 403, "forbidden")
		e.do("POST", "/v1/admin/statements/00000000-0000-0000-0000-000000000000/settle", e.adminKey,
			map[string]any{"state": "invoiced", "reference": "INV-1"}).problem(t, 404, "not_found")
		// The month is still open: it cannot be invoiced yet.
		e.do("POST", path, e.adminKey, map[string]any{"state": "invoiced", "reference": "INV-1"}).problem(t, 409, "invalid_transition")
		e.db.Clock = func() time.Time { return time.Now().UTC().AddDate(0, 1, 0) }
		if _, claimed, err := e.db.CloseMonth(t.Context()); err != nil || !claimed {
			t.Fatalf("close month: %v %v", claimed, err)
		}
		e.do("POST", path, e.adminKey, map[string]any{"state": "paid", "reference": "PAY-1"}).problem(t, 409, "invalid_transition")
		r := e.do("POST", path, e.adminKey, map[string]any{"state": "invoiced", "reference": "INV-1"}).want(t, 200)
		if r.json(t)["state"] != "invoiced" {
			t.Fatalf("settle: %s", r.body)
		}
		e.do("POST", path, e.adminKey, map[string]any{"state": "invoiced", "reference": "INV-1"}).problem(t, 409, "invalid_transition")
		e.do("POST", path, e.adminKey, map[string]any{"state": "paid", "reference": "PAY-1"}).want(t, 200)
	})

	rec := e.do("GET", "/v1/admin/reconciliation", e.adminKey, nil).want(t, 200).json(t)
	if rec["balanced"] != true || rec["ledger_cents"].(float64) != 245000+100000 {
		t.Fatalf("reconciliation: %v", rec)
	}
	e.do("GET", "/v1/admin/reconciliation", key, nil).problem(t, 403, "forbidden")
}

// TestRecordDuplicatePoolRace: concurrent filings of one pool for one
// customer end with exactly one record, held by the partial unique index.
func TestRecordDuplicatePoolRace(t *testing.T) {
	e := newEnv(t)
	for round := 0; round < 5; round++ {
		_, _, _, key, asg := e.engaged(nil)
		statuses := make([]int, 4)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.do("POST", "/v1/assignments/"+asg+"/ace-records", key,
					map[string]any{"funding_source": "founders", "requested_usd": 10000}).status
			}()
		}
		wg.Wait()
		created := 0
		for _, s := range statuses {
			if s == 201 {
				created++
			} else if s != 409 {
				t.Fatalf("round %d: status %d", round, s)
			}
		}
		var n int
		e.sql.Get(&n, `SELECT count(*) FROM ace_records WHERE assignment_id = $1`, asg)
		if created != 1 || n != 1 {
			t.Fatalf("round %d: %d created, %d rows; want 1 and 1", round, created, n)
		}
	}
}
