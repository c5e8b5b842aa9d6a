package api_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// at sets the database clock.
func (e *env) at(t time.Time) { e.db.Clock = func() time.Time { return t } }

// scan runs the daily hygiene scan now.
func (e *env) scan() {
	e.t.Helper()
	if _, _, _, err := e.db.ScanHygiene(context.Background(), ""); err != nil {
		e.t.Fatal(err)
	}
}

type healthView struct {
	Score struct {
		Score int `json:"score"`
	} `json:"score"`
	Flags []struct {
		Kind         string  `json:"kind"`
		ACERecordID  *string `json:"ace_record_id"`
		AssignmentID *string `json:"assignment_id"`
	} `json:"flags"`
	Cadence struct {
		Total        int  `json:"total"`
		BatchPattern bool `json:"batch_pattern"`
	} `json:"cadence"`
}

func (e *env) health(key string) healthView {
	e.t.Helper()
	var h healthView
	e.do("GET", "/v1/partner/pipeline-health", key, nil).want(e.t, 200).decode(e.t, &h)
	return h
}

func kinds(h healthView) []string {
	var out []string
	for _, f := range h.Flags {
		out = append(out, f.Kind)
	}
	sort.Strings(out)
	return out
}

// TestPipelineHealthFlagsAndRecovery is the "done": a partner whose
// records were aged with the clock sees each of the five flags and a lower
// score; after it updates and closes them out, the flags clear and the
// score recovers.
func TestPipelineHealthFlagsAndRecovery(t *testing.T) {
	e := newEnv(t)
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC) // a Monday
	e.at(t0)
	pid, key := e.createPartner(nil)
	idle, _ := e.submit(nil)
	busy, _ := e.submit(nil)
	e.runJobs()
	asgIdle, asgBusy := e.assignmentOf(idle, pid), e.assignmentOf(busy, pid)
	e.do("POST", "/v1/assignments/"+asgIdle+"/accept", key, nil).want(t, 200)
	e.do("POST", "/v1/assignments/"+asgBusy+"/accept", key, nil).want(t, 200)
	r := e.do("POST", "/v1/assignments/"+asgBusy+"/ace-records", key, map[string]any{"funding_source": "founders",
		"requested_usd": 20000, "target_close_date": "2026-01-20"}).want(t, 201)
	rec := r.json(t)["id"].(string)

	if h := e.health(key); h.Score.Score != 100 || len(h.Flags) != 0 {
		t.Fatalf("fresh partner: %+v", h)
	}
	// Follow-up: five business days after Monday 10:00 is the next Monday
	// 10:00; not flagged the Friday before.
	e.at(time.Date(2026, 1, 9, 12, 0, 0, 0, time.UTC))
	e.scan()
	if got := kinds(e.health(key)); len(got) != 0 {
		t.Fatalf("flags on the Friday: %v", got)
	}
	e.at(time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC))
	e.scan()
	if d := cmp.Diff([]string{"follow_up_overdue"}, kinds(e.health(key))); d != "" {
		t.Fatalf("on the Monday (-want +got):\n%s", d)
	}
	// Stale after 30 days without an update, not the day before.
	e.at(t0.Add(29 * 24 * time.Hour))
	e.scan()
	if got := kinds(e.health(key)); strings.Contains(strings.Join(got, ","), "stale") {
		t.Fatalf("stale a day early: %v", got)
	}
	// Sixty-one days on, the record shows every record flag.
	e.at(t0.Add(61*24*time.Hour + time.Hour))
	e.scan()
	e.scan() // a second scan changes nothing
	h := e.health(key)
	want := []string{"close_date_expired", "follow_up_overdue", "outcome_missing", "stale", "stuck_identified"}
	if d := cmp.Diff(want, kinds(h)); d != "" {
		t.Fatalf("aged flags (-want +got):\n%s", d)
	}
	if n := e.count("hygiene_flags"); n != 5 {
		t.Fatalf("%d flag rows after two scans, want 5", n)
	}
	for _, f := range h.Flags {
		if f.Kind == "follow_up_overdue" && (f.AssignmentID == nil || *f.AssignmentID != asgIdle) {
			t.Fatalf("follow-up flag names %v, want %s", f.AssignmentID, asgIdle)
		}
		if f.Kind != "follow_up_overdue" && (f.ACERecordID == nil || *f.ACERecordID != rec) {
			t.Fatalf("%s flag names %v, want %s", f.Kind, f.ACERecordID, rec)
		}
	}
	low := h.Score.Score
	if low >= 100 {
		t.Fatalf("score %d with five flags", low)
	}
	// Admins see the same.
	var adm healthView
	e.do("GET", "/v1/admin/partners/"+pid+"/pipeline-health", e.adminKey, nil).want(t, 200).decode(t, &adm)
	if adm.Score.Score != low || len(adm.Flags) != 5 {
		t.Fatalf("admin view: %+v", adm)
	}
	e.do("GET", "/v1/admin/partners/"+pid+"/pipeline-health", key, nil).problem(t, 403, "forbidden")
	e.do("GET", "/v1/admin/partners/00000000-0000-0000-0000-000000000000/pipeline-health", e.adminKey, nil).problem(t, 404, "not_found")
	e.do("GET", "/v1/partner/pipeline-health", e.adminKey, nil).problem(t, 403, "forbidden")
	e.do("GET", "/v1/partner/pipeline-health", "", nil).problem(t, 401, "unauthenticated")

	// The partner catches up: files on the idle engagement and closes out
	// the old record. The flags clear at once, and the score recovers.
	e.do("POST", "/v1/assignments/"+asgIdle+"/ace-records", key, map[string]any{"funding_source": "founders", "requested_usd": 10000}).want(t, 201)
	e.move(key, rec, map[string]any{"to": "withdrawn", "reason": "the customer chose to self-fund"}).want(t, 200)
	h = e.health(key)
	if len(h.Flags) != 0 {
		t.Fatalf("flags after catching up: %v", kinds(h))
	}
	if h.Score.Score <= low {
		t.Fatalf("score %d did not recover from %d", h.Score.Score, low)
	}
	e.scan()
	if got := e.health(key); len(got.Flags) != 0 || got.Score.Score != h.Score.Score {
		t.Fatalf("a rescan changed the recovered health: %+v", got)
	}
}

// TestPipelineSnapshotAndMetrics checks the month's snapshot and the admin
// metrics against a fixture counted by hand.
func TestPipelineSnapshotAndMetrics(t *testing.T) {
	e := newEnv(t)
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	e.at(day(2, 9))
	a, aKey := e.createPartner(map[string]any{"name": "A", "capacity": 10})
	b, bKey := e.createPartner(map[string]any{"name": "B", "capacity": 10})
	e.importRecord(a, nil, 40, 36) // A ranks first
	e.importRecord(b, nil, 40, 30)
	e.runJobs()
	// Three intakes; all offered to A at 09:00 (0 s of routing on the clock).
	i1, _ := e.submit(nil)
	i2, _ := e.submit(nil)
	i3, _ := e.submit(nil)
	e.runJobs()
	// A accepts two after one hour and declines one; B gets it and accepts
	// after two hours.
	e.at(day(2, 10))
	e.do("POST", "/v1/assignments/"+e.assignmentOf(i1, a)+"/accept", aKey, nil).want(t, 200)
	e.do("POST", "/v1/assignments/"+e.assignmentOf(i2, a)+"/accept", aKey, nil).want(t, 200)
	e.do("POST", "/v1/assignments/"+e.assignmentOf(i3, a)+"/decline", aKey, map[string]any{"reason": "conflict of interest"}).want(t, 200)
	e.runJobs()
	e.at(day(2, 12))
	e.do("POST", "/v1/assignments/"+e.assignmentOf(i3, b)+"/accept", bKey, nil).want(t, 200)

	// A files two records on i1: one is submitted on the 3rd and approved
	// 10 days later at 20,000; the other stays identified.
	e.at(day(3, 9))
	full := mergeMaps(recordFields(nil), map[string]any{"funding_source": "founders", "requested_usd": 25000})
	r1 := e.do("POST", "/v1/assignments/"+e.assignmentOf(i1, a)+"/ace-records", aKey, full).want(t, 201).json(t)["id"].(string)
	e.do("POST", "/v1/assignments/"+e.assignmentOf(i1, a)+"/ace-records", aKey, map[string]any{"funding_source": "map"}).want(t, 201)
	e.move(aKey, r1, map[string]any{"to": "submitted"}).want(t, 200)
	e.move(aKey, r1, map[string]any{"to": "validated"}).want(t, 200)
	e.at(day(13, 9))
	e.move(aKey, r1, map[string]any{"to": "approved", "approved_usd": 20000}).want(t, 200)
	e.move(aKey, r1, map[string]any{"to": "launched"}).want(t, 200)
	e.at(day(20, 9))
	e.move(aKey, r1, map[string]any{"to": "closed"}).want(t, 200)
	e.runJobs()

	// The month ends; the snapshot job runs on April 1st.
	e.at(time.Date(2026, 4, 1, 0, 20, 0, 0, time.UTC))
	if n, ran, err := e.db.WriteSnapshots(context.Background()); err != nil || !ran || n != 2 {
		t.Fatalf("snapshots: %d %v %v", n, ran, err)
	}
	if _, ran, _ := e.db.WriteSnapshots(context.Background()); ran {
		t.Fatal("the month's snapshots were written twice")
	}
	var snaps struct {
		Items []struct {
			PartnerID string `json:"partner_id"`
			Month     string `json:"month"`
			Snapshot  struct {
				ActiveRecords       int            `json:"active_records"`
				NewSubmissions      int            `json:"new_submissions"`
				StateDistribution   map[string]int `json:"state_distribution"`
				OffersReceived      int            `json:"offers_received"`
				OffersAccepted      int            `json:"offers_accepted"`
				OfferAcceptanceRate *float64       `json:"offer_acceptance_rate"`
				ApprovedUSD         int64          `json:"approved_usd"`
				ClosedUSD           int64          `json:"closed_usd"`
			} `json:"snapshot"`
		} `json:"items"`
	}
	e.do("GET", "/v1/partner/snapshots?month=2026-03", aKey, nil).want(t, 200).decode(t, &snaps)
	if len(snaps.Items) != 1 || snaps.Items[0].PartnerID != a {
		t.Fatalf("partner snapshots: %+v", snaps)
	}
	s := snaps.Items[0].Snapshot
	// A: one record closed, one identified (active); one submission; three
	// offers, two accepted; 20,000 approved and closed.
	if s.ActiveRecords != 1 || s.NewSubmissions != 1 || s.OffersReceived != 3 || s.OffersAccepted != 2 ||
		s.OfferAcceptanceRate == nil || *s.OfferAcceptanceRate < 0.666 || *s.OfferAcceptanceRate > 0.667 ||
		s.ApprovedUSD != 20000 || s.ClosedUSD != 20000 || s.StateDistribution["closed"] != 1 || s.StateDistribution["identified"] != 1 {
		t.Fatalf("A's March snapshot: %+v", s)
	}
	e.do("GET", "/v1/admin/snapshots?partner_id="+b+"&month=2026-03", e.adminKey, nil).want(t, 200).decode(t, &snaps)
	if len(snaps.Items) != 1 || snaps.Items[0].Snapshot.OffersReceived != 1 || snaps.Items[0].Snapshot.OffersAccepted != 1 {
		t.Fatalf("B's snapshot: %+v", snaps)
	}
	e.do("GET", "/v1/partner/snapshots?month=March", aKey, nil).problem(t, 422, "validation_failed")
	e.do("GET", "/v1/admin/snapshots", aKey, nil).problem(t, 403, "forbidden")

	var m struct {
		SubmissionToOfferSeconds struct {
			Count int      `json:"count"`
			P50   *float64 `json:"p50"`
		} `json:"submission_to_offer_seconds"`
		OfferToAcceptSeconds struct {
			Count int      `json:"count"`
			P50   *float64 `json:"p50"`
			P90   *float64 `json:"p90"`
		} `json:"offer_to_accept_seconds"`
		OffersMade          int      `json:"offers_made"`
		OfferAcceptanceRate *float64 `json:"offer_acceptance_rate"`
		CloseRateByPool     []struct {
			FundingSource string  `json:"funding_source"`
			Wins, Decided int     `json:"-"`
			Rate          float64 `json:"rate"`
		} `json:"close_rate_by_pool"`
		SubmissionToApprovalDays struct {
			P50 *float64 `json:"p50"`
		} `json:"submission_to_approval_days"`
		CreditsApprovedUSD     int64 `json:"credits_approved_usd"`
		CommissionAccruedCents int64 `json:"commission_accrued_cents"`
		CommissionPaidCents    int64 `json:"commission_paid_cents"`
	}
	e.do("GET", "/v1/admin/metrics?from=2026-03-01&to=2026-04-01", e.adminKey, nil).want(t, 200).decode(t, &m)
	// Offers: 3 to A (2 accepted after 3,600 s, 1 declined) and 1 to B
	// (accepted after 7,200 s): 4 made, 3 of 4 answered accepted.
	if m.OffersMade != 4 || m.OfferAcceptanceRate == nil || *m.OfferAcceptanceRate != 0.75 {
		t.Fatalf("offers: %+v", m)
	}
	if m.OfferToAcceptSeconds.Count != 3 || *m.OfferToAcceptSeconds.P50 != 3600 {
		t.Fatalf("offer to accept: %+v", m.OfferToAcceptSeconds)
	}
	if m.SubmissionToOfferSeconds.Count != 3 || *m.SubmissionToOfferSeconds.P50 != 0 {
		t.Fatalf("submission to offer: %+v", m.SubmissionToOfferSeconds)
	}
	if len(m.CloseRateByPool) != 1 || m.CloseRateByPool[0].FundingSource != "founders" || m.CloseRateByPool[0].Rate != 1 {
		t.Fatalf("close rate by pool: %+v", m.CloseRateByPool)
	}
	if *m.SubmissionToApprovalDays.P50 != 10 || m.CreditsApprovedUSD != 20000 || m.CommissionAccruedCents != 200000 || m.CommissionPaidCents != 0 {
		t.Fatalf("metrics: %+v", m)
	}
	// An empty range: zeros and nulls, never an error.
	r := e.do("GET", "/v1/admin/metrics?from=2020-01-01&to=2020-02-01", e.adminKey, nil).want(t, 200)
	if !strings.Contains(string(r.body), `"offer_acceptance_rate":null`) || !strings.Contains(string(r.body), `"credits_approved_usd":0`) {
		t.Fatalf("empty range: %s", r.body)
	}
	e.do("GET", "/v1/admin/metrics?from=yesterday", e.adminKey, nil).problem(t, 422, "validation_failed")
	e.do("GET", "/v1/admin/metrics?from=2026-04-01&to=2026-03-01", e.adminKey, nil).problem(t, 422, "validation_failed")
	e.do("GET", "/v1/admin/metrics", aKey, nil).problem(t, 403, "forbidden")
}

func TestPipelinePDMBrief(t *testing.T) {
	e := newEnv(t)
	_, _, _, key, asg := e.engaged(nil)
	_, _, _, otherKey, _ := e.engaged(nil)
	r := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, mergeMaps(recordFields(nil),
		map[string]any{"funding_source": "bedrock_poc", "requested_usd": 30000, "target_close_date": "2027-01-31"})).want(t, 201)
	id := r.json(t)["id"].(string)
	md := e.do("GET", "/v1/ace-records/"+id+"/pdm-brief", key, nil, "Accept", "text/markdown").want(t, 200)
	if ct := md.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
		t.Fatalf("content type %q", ct)
	}
	text := string(md.body)
	for _, want := range []string{"Acme Robotics", "30,000 USD of Bedrock POC credits", "EC2", "BEDROCK", "2027-01-31", id} {
		if !strings.Contains(text, want) {
			t.Errorf("brief lacks %q: %s", want, text)
		}
	}
	again := e.do("GET", "/v1/ace-records/"+id+"/pdm-brief", key, nil, "Accept", "text/markdown").want(t, 200)
	if string(again.body) != text {
		t.Fatal("the brief is not deterministic")
	}
	j := e.do("GET", "/v1/ace-records/"+id+"/pdm-brief", key, nil).want(t, 200).json(t)
	if j["brief"] != strings.TrimSuffix(text, "\n") || j["requested_usd"].(float64) != 30000 {
		t.Fatalf("json brief: %v", j)
	}
	e.do("GET", "/v1/ace-records/"+id+"/pdm-brief", otherKey, nil).problem(t, 404, "not_found")
	e.do("GET", "/v1/ace-records/"+id+"/pdm-brief", e.adminKey, nil).problem(t, 403, "forbidden")
	e.do("GET", "/v1/ace-records/"+id+"/pdm-brief", "", nil).problem(t, 401, "unauthenticated")
}

// TestPipelinePDMBriefEscapes: whatever a founder or partner typed comes
// out of the brief as text: no HTML, no emphasis, no link.
func TestPipelinePDMBriefEscapes(t *testing.T) {
	e := newEnv(t)
	_, _, _, key, asg := e.engaged(nil)
	r := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key, mergeMaps(recordFields(nil), map[string]any{
		"funding_source": "founders", "requested_usd": 10000,
		"company_name": "Mike <img src=x onerror=alert(1)> **bold**",
		"use_case": "See [link](javascript:alert(1)) and `code` and _it_ " + strings.Repeat("and more words ", 8) +
			"\n# not a heading\n<script>alert(2)</script>",
		"partner_role": "![img](https://x.example/p.png) we build",
	})).want(t, 201)
	id := r.json(t)["id"].(string)
	for _, accept := range []string{"text/markdown", "application/json"} {
		body := e.do("GET", "/v1/ace-records/"+id+"/pdm-brief", key, nil, "Accept", accept).want(t, 200)
		text := string(body.body)
		if accept == "application/json" {
			text = body.json(t)["brief"].(string)
		}
		for _, bad := range []string{"<img", "<script", "**bold**", "[link](", "](javascript:", "`code`", "_it_", "\n#", "![img]"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s brief carries %q unescaped: %s", accept, bad, text)
			}
		}
		for _, want := range []string{"Mike &lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*bold\\*\\*", "\\[link\\]\\(javascript:alert\\(1\\)\\)"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s brief lacks the escaped text %q: %s", accept, want, text)
			}
		}
	}
}
