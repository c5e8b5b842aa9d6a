package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

var recordLocation = regexp.MustCompile(`^/console/records/([0-9a-f-]{36})\?done=record-created$`)

// completeFounders fills in every field a Founders record needs that the
// intake did not prefill.
var completeFounders = url.Values{
	"estimated_annual_spend_usd": {"180,000"},
	"partner_role":               {"We migrate the fleet telemetry to ECS and build the Bedrock assistant."},
	"engagement_start_date":      {"2026-03-01"},
	"use_case":                   {"Fleet telemetry ingestion on ECS and an LLM assistant on Bedrock that answers maintenance questions from robot logs."},
	"go_live_date":               {"2026-06-01"},
}

func TestConsolePartnerJourney(t *testing.T) {
	e := newEnv(t, 0)
	pid, _ := e.createPartner(t, "Harbor Cloud Partners", 0, 0)
	b := e.console(t, domain.RolePartner, pid)

	t.Run("empty inbox says what to do next", func(t *testing.T) {
		mustSee(t, b.get("/console/inbox"), "No offers are waiting.")
		mustSee(t, b.get("/console/engagements"), "No engagements yet.")
	})

	id := e.offer(t, nil)
	aid := e.assignmentOf(t, id)

	t.Run("the inbox: the profile only, a countdown", func(t *testing.T) {
		p := b.get("/console/inbox")
		mustSee(t, p, "Seed · B2B SaaS · European Union", "Activate Founders", "6,500 USD", "h ", "left", `data-countdown="`, "/console/offers/"+aid)
		mustNotSee(t, p, "Acme Robotics", "ada@acme-robotics.example.com")
		o := b.get("/console/offers/" + aid)
		mustSee(t, o, "Accept the offer", "Decline…", "Fleet telemetry ingestion")
		mustNotSee(t, o, "Acme Robotics", "Ada Lovelace", "acme")
	})

	t.Run("decline: the reason is required, nothing written", func(t *testing.T) {
		mustSee(t, b.get("/console/offers/"+aid+"/decline"), "Decline this offer", "You cannot undo it.")
		res := b.postForm("/console/offers/"+aid+"/decline", url.Values{"reason": {"  "}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "The reason is required")
		if e.count(t, `SELECT count(*) FROM assignments WHERE status = 'declined'`) != 0 {
			t.Fatal("declined without a reason")
		}
	})

	t.Run("no CSRF token: nothing accepted", func(t *testing.T) {
		if res := b.post("/console/offers/"+aid+"/accept", url.Values{}); res.status != http.StatusForbidden {
			t.Errorf("%d", res.status)
		}
		if e.count(t, `SELECT count(*) FROM assignments WHERE status = 'accepted'`) != 0 {
			t.Fatal("accepted without the token")
		}
	})

	t.Run("accept: the contacts and the full intake", func(t *testing.T) {
		res := b.postForm("/console/offers/"+aid+"/accept", nil)
		if res.status != 303 || res.header.Get("Location") != "/console/engagements/"+aid+"?done=accepted" {
			t.Fatalf("%d %q", res.status, res.header.Get("Location"))
		}
		p := b.get(res.header.Get("Location"))
		mustSee(t, p, "You accepted the offer.", "Acme Robotics", "Ada Lovelace", "ada@acme-robotics.example.com", "Grace Hopper",
			"Example Ventures", "No records yet.")
		mustSee(t, b.get("/console/engagements"), "Acme Robotics")
	})

	var rid string
	t.Run("a record: bad input kept with messages, then created", func(t *testing.T) {
		res := b.postForm("/console/engagements/"+aid+"/records", url.Values{"funding_source": {"founders"}, "requested_usd": {"lots"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		mustSee(t, res, "Requested amount must be a whole number of USD.", `value="lots"`)
		res = b.postForm("/console/engagements/"+aid+"/records", url.Values{"funding_source": {"founders"}, "requested_usd": {"90000"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("out of range: %d", res.status)
		}
		mustSee(t, res, "Requested amount must be between 5,000 and 25,000 USD for founders.", `value="90000"`)
		if e.count(t, `SELECT count(*) FROM ace_records`) != 0 {
			t.Fatal("a record was written")
		}
		res = b.postForm("/console/engagements/"+aid+"/records", url.Values{"funding_source": {"founders"}, "requested_usd": {"25,000"}})
		m := recordLocation.FindStringSubmatch(res.header.Get("Location"))
		if res.status != 303 || m == nil {
			t.Fatalf("create: %d %q\n%s", res.status, res.header.Get("Location"), excerpt(stripTags(res.body)))
		}
		rid = m[1]
	})
	if rid == "" {
		t.FailNow()
	}

	t.Run("the editor: what is missing, before submission is tried", func(t *testing.T) {
		p := b.get("/console/records/" + rid)
		mustSee(t, p, "Before you submit: 6 fields are missing", "Use case must be at least 100 characters (has 98).",
			"Customer AWS account ID is required, or set the new-account box for a new account.",
			"Estimated annual AWS spend after the credits is required",
			"Partner role is required", "Engagement start date is required", "Go-live date is required",
			"Submit to AWS", "Withdraw the record…", "PDM brief")
		mustNotSee(t, p, "Mark validated", "Close the engagement")
		// Trying anyway: refused, each field named, nothing moved.
		res := b.postForm("/console/records/"+rid+"/move", url.Values{"to": {"submitted"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("incomplete submission: %d", res.status)
		}
		mustSee(t, res, "The record cannot be submitted yet")
		if e.count(t, `SELECT count(*) FROM ace_records WHERE state = 'identified'`) != 1 {
			t.Fatal("moved")
		}
	})

	t.Run("the editor: bad values kept with messages, then saved", func(t *testing.T) {
		p := b.get("/console/records/" + rid)
		vals := formOf(t, p)
		for _, k := range []string{"company_name", "website", "use_case", "engagement_type", "funding_stage", "vertical", "competing_cloud",
			"technical_contact.name", "technical_contact.email", "business_contact.name", "business_contact.email", "requested_usd",
			"projected_monthly_spend[0].service", "projected_monthly_spend[0].usd", "projected_monthly_spend[1].service", "projected_monthly_spend[1].usd"} {
			vals.Set(k, inputValue(t, p, k))
		}
		bad := merge(vals, url.Values{"go_live_date": {"2026-01-01"}, "engagement_start_date": {"2026-03-01"}, "aws_account_id": {"12345"}})
		res := b.post("/console/records/"+rid, bad)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		mustSee(t, res, "Go-live date must not be before engagement start date", "Customer AWS account ID must be exactly 12 digits", `value="12345"`)
		res = b.post("/console/records/"+rid, merge(vals, merge(completeFounders, url.Values{"new_account_placeholder": {"yes"}})))
		if res.status != 303 {
			t.Fatalf("save: %d\n%s\n%s", res.status, excerpt(stripTags(res.body)), e.log.String()[max(0, len(e.log.String())-3000):])
		}
		p = b.get("/console/records/" + rid)
		mustSee(t, p, "Ready to submit")
	})

	t.Run("the PDM brief", func(t *testing.T) {
		mustSee(t, b.get("/console/records/"+rid+"/brief"), "PDM brief: Acme Robotics", "Copy the brief")
	})

	t.Run("moves through to closed, the history kept", func(t *testing.T) {
		for _, to := range []string{"submitted", "validated"} {
			if res := b.postForm("/console/records/"+rid+"/move", url.Values{"to": {to}}); res.status != 303 {
				t.Fatalf("%s: %d\n%s", to, res.status, excerpt(stripTags(res.body)))
			}
		}
		p := b.get("/console/records/" + rid)
		mustSee(t, p, "Record the approval…", "Record a rejection…", "Withdraw the record…")
		mustNotSee(t, p, "Submit to AWS", `name="company_name"`)
		mustSee(t, b.get("/console/records/"+rid+"/move?to=approved"), "Record the approval", `value="25,000"`)
		res := b.postForm("/console/records/"+rid+"/move", url.Values{"to": {"approved"}, "approved_usd": {"200000"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("over the range: %d", res.status)
		}
		mustSee(t, res, `value="200000"`)
		if res := b.postForm("/console/records/"+rid+"/move", url.Values{"to": {"approved"}, "approved_usd": {"20,000"}}); res.status != 303 {
			t.Fatalf("approve: %d\n%s", res.status, excerpt(stripTags(res.body)))
		}
		for _, to := range []string{"launched", "closed"} {
			if res := b.postForm("/console/records/"+rid+"/move", url.Values{"to": {to}}); res.status != 303 {
				t.Fatalf("%s: %d\n%s", to, res.status, excerpt(stripTags(res.body)))
			}
		}
		p = b.get("/console/records/" + rid)
		mustSee(t, p, "Closed", "approved 20,000 USD")
		mustNotSee(t, p, "Move the record", "Save the record", "PDM brief")
		// The engagement is complete: the customer's details are gone, as
		// from the API.
		if p := b.get("/console/records/" + rid + "/brief"); p.status != http.StatusNotFound {
			t.Errorf("the brief after completion: %d", p.status)
		}
		body := stripTags(p.body)
		for _, s := range []string{"Identified (draft) → Submitted", "Validated → Approved", "Launched → Closed"} {
			if !strings.Contains(body, s) {
				t.Errorf("the history lacks %q", s)
			}
		}
	})

	t.Run("the statement with its entry", func(t *testing.T) {
		mustSee(t, b.get("/console/statements"), "No statements yet.")
		if _, err := e.db.AccrueCommission(context.Background(), postgres.Accrual{RecordID: rid}); err != nil {
			t.Fatal(err)
		}
		p := b.get("/console/statements")
		mustSee(t, p, "2,000.00 USD", "Commission on", "a closed record", "20,000 USD", "10%", "Open")
		mustNotSee(t, p, "Mark invoiced", "Reconciliation")
	})

	t.Run("pipeline health", func(t *testing.T) {
		p := b.get("/console/health")
		if p.status != 200 {
			t.Log(e.log.String()[max(0, len(e.log.String())-1500):])
		}
		mustSee(t, p, "Health score", "Submission cadence", `src="data:image/svg+xml;base64,`, "Submissions per week")
	})

	t.Run("API keys: issued once, listed, revoked after a confirmation", func(t *testing.T) {
		mustSee(t, b.get("/console/keys"), "Issue a key")
		res := b.postForm("/console/keys", url.Values{"label": {strings.Repeat("x", 101)}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("long label: %d", res.status)
		}
		mustSee(t, res, "Label must be at most 100 characters")
		res = b.postForm("/console/keys", url.Values{"label": {"Our CRM"}})
		if res.status != http.StatusCreated {
			t.Fatalf("issue: %d", res.status)
		}
		m := regexp.MustCompile(`value="(cr_live_[^"]+)"`).FindStringSubmatch(res.body)
		if m == nil {
			t.Fatal("the new key is not shown")
		}
		key := m[1]
		e.apiDo(t, "GET", "/v1/partner/assignments", key, nil, 200)
		list := b.get("/console/keys")
		mustSee(t, list, "Our CRM", "Active")
		mustNotSee(t, list, key)
		var keyID string
		if err := e.sql.Get(&keyID, `SELECT id FROM api_keys WHERE label = 'Our CRM'`); err != nil {
			t.Fatal(err)
		}
		mustSee(t, b.get("/console/keys/"+keyID+"/revoke"), "Revoke this API key", "You cannot undo it")
		if res := b.post("/console/keys/"+keyID+"/revoke", url.Values{}); res.status != http.StatusForbidden {
			t.Errorf("no CSRF: %d", res.status)
		}
		e.apiDo(t, "GET", "/v1/partner/assignments", key, nil, 200)
		if res := b.postForm("/console/keys/"+keyID+"/revoke", nil); res.status != 303 {
			t.Fatalf("revoke: %d", res.status)
		}
		e.apiDo(t, "GET", "/v1/partner/assignments", key, nil, 401)
	})
}

// inputValue reads the value of the control named name on a page.
func inputValue(t testing.TB, p page, name string) string {
	t.Helper()
	re := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*?value="([^"]*)"`)
	if m := re.FindStringSubmatch(p.body); m != nil {
		return htmlUnescape(m[1])
	}
	re = regexp.MustCompile(`(?s)<select[^>]*name="` + regexp.QuoteMeta(name) + `".*?<option value="([^"]*)" selected>`)
	if m := re.FindStringSubmatch(p.body); m != nil {
		return htmlUnescape(m[1])
	}
	re = regexp.MustCompile(`(?s)<textarea[^>]*name="` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</textarea>`)
	if m := re.FindStringSubmatch(p.body); m != nil {
		return htmlUnescape(m[1])
	}
	return ""
}
