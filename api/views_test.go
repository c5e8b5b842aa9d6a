package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/health"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// The views must render exactly what the API sent when storage rows were
// sent as they were: the expected JSON below was written by the rows' own
// json tags, before storage lost them. A view that drifts from it changes
// the contract.

func ptr[T any](v T) *T { return &v }

var (
	viewT1 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	viewT2 = time.Date(2026, 4, 1, 0, 0, 0, 123000000, time.UTC)
)

func wantJSON(t *testing.T, name string, v any, want string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if string(b) != want {
		t.Errorf("%s:\n got %s\nwant %s", name, b, want)
	}
}

func TestStorageViews(t *testing.T) {
	e1 := postgres.Entry{ID: 3, Kind: "accrual", ACERecordID: ptr("r1"), AmountCents: 250000, ApprovedUSD: ptr(int64(25000)),
		CommissionBPS: ptr(1000), OccurredAt: viewT1, StatementID: "s1"}
	e2 := postgres.Entry{ID: 4, Kind: "adjustment", AmountCents: -100, Reason: ptr("fix"), OccurredAt: viewT2, StatementID: "s1"}
	f1 := postgres.Flag{Kind: "stale", ACERecordID: ptr("r1"), RaisedAt: viewT1}
	f2 := postgres.Flag{Kind: "follow_up_overdue", AssignmentID: ptr("a1"), RaisedAt: viewT2}
	score := health.Score{Score: 82, Components: []health.ScoreComponent{{Name: "stale", Points: -10.5, Detail: "1 of 4"},
		{Name: "batch_pattern", Points: 0, Detail: ""}}}
	cadence := health.Cadence{Weeks: []health.WeekCount{{WeekStart: "2026-03-09", Submissions: 3}}, Total: 3}
	batch := health.Cadence{Weeks: []health.WeekCount{}, Total: 21, BatchPattern: true, Reason: "burst"}

	for _, c := range []struct {
		name string
		view any
		want string
	}{
		{"transition without award", toTransitionView(postgres.Transition{ID: 1, ToState: "identified", ActorRole: "partner", At: viewT1}),
			`{"id":1,"from":null,"to":"identified","actor_role":"partner","actor_key_id":null,"reason":null,"at":"2026-03-14T09:30:00Z"}`},
		{"transition with award", toTransitionView(postgres.Transition{ID: 7, FromState: ptr("validated"), ToState: "approved",
			ActorRole: "partner", ActorKeyID: ptr("k1"), Reason: ptr("ok"), ApprovedUSD: ptr(int64(25000)),
			ApprovedFundingSource: ptr("founders"), At: viewT2}),
			`{"id":7,"from":"validated","to":"approved","actor_role":"partner","actor_key_id":"k1","reason":"ok","approved_usd":25000,"approved_funding_source":"founders","at":"2026-04-01T00:00:00.123Z"}`},
		{"responsiveness before any answer", toResponsivenessView(postgres.Responsiveness{WindowDays: 365}), `{"window_days":365,"offers_received":0,"accepted":0,"declined":0,"expired":0,"pending":0,"decline_or_expiry_rate":null}`},
		{"responsiveness", toResponsivenessView(postgres.Responsiveness{WindowDays: 30, OffersReceived: 5, Accepted: 2, Declined: 1,
			Expired: 1, Pending: 1, DeclineOrExpiryRate: ptr(0.5)}), `{"window_days":30,"offers_received":5,"accepted":2,"declined":1,"expired":1,"pending":1,"decline_or_expiry_rate":0.5}`},
		{"accrual entry", toEntryView(e1), `{"id":3,"kind":"accrual","ace_record_id":"r1","amount_cents":250000,"approved_usd":25000,"commission_bps":1000,"reason":null,"occurred_at":"2026-03-14T09:30:00Z","statement_id":"s1"}`},
		{"adjustment entry", toEntryView(e2), `{"id":4,"kind":"adjustment","ace_record_id":null,"amount_cents":-100,"approved_usd":null,"commission_bps":null,"reason":"fix","occurred_at":"2026-04-01T00:00:00.123Z","statement_id":"s1"}`},
		{"statement without entries loaded", toStatementView(postgres.Statement{ID: "s0", PartnerID: "p0", Month: "2026-03", State: "open"}),
			`{"id":"s0","partner_id":"p0","month":"2026-03","state":"open","closed_at":null,"total_cents":0,"reference":null,"invoiced_at":null,"paid_at":null,"entries":null}`},
		{"statement with no entries", toStatementView(postgres.Statement{ID: "s2", Entries: []postgres.Entry{}}), `{"id":"s2","partner_id":"","month":"","state":"","closed_at":null,"total_cents":0,"reference":null,"invoiced_at":null,"paid_at":null,"entries":[]}`},
		{"paid statement", toStatementView(postgres.Statement{ID: "s1", PartnerID: "p1", Month: "2026-03", State: "paid", ClosedAt: &viewT1,
			TotalCents: 249900, Reference: ptr("INV-1"), InvoicedAt: &viewT1, PaidAt: &viewT2, Entries: []postgres.Entry{e1, e2}}),
			`{"id":"s1","partner_id":"p1","month":"2026-03","state":"paid","closed_at":"2026-03-14T09:30:00Z","total_cents":249900,"reference":"INV-1","invoiced_at":"2026-03-14T09:30:00Z","paid_at":"2026-04-01T00:00:00.123Z","entries":[{"id":3,"kind":"accrual","ace_record_id":"r1","amount_cents":250000,"approved_usd":25000,"commission_bps":1000,"reason":null,"occurred_at":"2026-03-14T09:30:00Z","statement_id":"s1"},{"id":4,"kind":"adjustment","ace_record_id":null,"amount_cents":-100,"approved_usd":null,"commission_bps":null,"reason":"fix","occurred_at":"2026-04-01T00:00:00.123Z","statement_id":"s1"}]}`},
		{"reconciliation, nil lists", toReconciliationView(postgres.Reconciliation{Balanced: true}), `{"ledger_cents":0,"statements_cents":0,"open_cents":0,"closed_cents":0,"balanced":true,"differences":null,"unaccrued_records":null,"ace_findings":null}`},
		{"reconciliation, empty lists", toReconciliationView(postgres.Reconciliation{Balanced: true, Differences: []postgres.Discrepancy{},
			Unaccrued: []string{}}), `{"ledger_cents":0,"statements_cents":0,"open_cents":0,"closed_cents":0,"balanced":true,"differences":[],"unaccrued_records":[],"ace_findings":null}`},
		{"reconciliation with differences", toReconciliationView(postgres.Reconciliation{LedgerCents: 10, StatementsCents: 9, OpenCents: 4,
			ClosedCents: 5, Differences: []postgres.Discrepancy{{StatementID: "s1", TotalCents: 5, EntryCents: 6}}, Unaccrued: []string{"r9"}}),
			`{"ledger_cents":10,"statements_cents":9,"open_cents":4,"closed_cents":5,"balanced":false,"differences":[{"statement_id":"s1","total_cents":5,"entry_cents":6}],"unaccrued_records":["r9"],"ace_findings":null}`},
		{"pipeline health, zero", toPipelineHealthView(postgres.PipelineHealth{PartnerID: "p1", AsOf: viewT1}), `{"partner_id":"p1","score":{"score":0,"components":null},"flags":null,"cadence":{"weeks":null,"total":0,"batch_pattern":false},"as_of":"2026-03-14T09:30:00Z"}`},
		{"pipeline health", toPipelineHealthView(postgres.PipelineHealth{PartnerID: "p1", Score: score, Flags: []postgres.Flag{f1, f2},
			Cadence: cadence, AsOf: viewT2}), `{"partner_id":"p1","score":{"score":82,"components":[{"name":"stale","points":-10.5,"detail":"1 of 4"},{"name":"batch_pattern","points":0,"detail":""}]},"flags":[{"kind":"stale","ace_record_id":"r1","assignment_id":null,"raised_at":"2026-03-14T09:30:00Z"},{"kind":"follow_up_overdue","ace_record_id":null,"assignment_id":"a1","raised_at":"2026-04-01T00:00:00.123Z"}],"cadence":{"weeks":[{"week_start":"2026-03-09","submissions":3}],"total":3,"batch_pattern":false},"as_of":"2026-04-01T00:00:00.123Z"}`},
		{"pipeline health with a batch", toPipelineHealthView(postgres.PipelineHealth{PartnerID: "p1",
			Score: health.Score{Components: []health.ScoreComponent{}}, Flags: []postgres.Flag{}, Cadence: batch, AsOf: viewT2}),
			`{"partner_id":"p1","score":{"score":0,"components":[]},"flags":[],"cadence":{"weeks":[],"total":21,"batch_pattern":true,"reason":"burst"},"as_of":"2026-04-01T00:00:00.123Z"}`},
		{"index cell without outcomes", toIndexCellView(postgres.IndexCell{PartnerID: "p1", Axis: "stage", Value: "seed"}), `{"partner_id":"p1","axis":"stage","value":"seed","wins":0,"decided":0,"rate":null}`},
		{"index cell", toIndexCellView(postgres.IndexCell{PartnerID: "p1", Axis: "region", Value: "eu", Wins: 3, Decided: 4, Rate: ptr(0.75)}),
			`{"partner_id":"p1","axis":"region","value":"eu","wins":3,"decided":4,"rate":0.75}`},
		{"metrics, nothing measured", toMetricsView(postgres.AdminMetrics{From: viewT1, To: viewT2}), `{"from":"2026-03-14T09:30:00Z","to":"2026-04-01T00:00:00.123Z","submission_to_offer_seconds":{"count":0,"p50":null,"p90":null},"offer_to_accept_seconds":{"count":0,"p50":null,"p90":null},"offers_made":0,"offers_accepted":0,"offers_declined":0,"offers_expired":0,"offer_acceptance_rate":null,"close_rate_by_pool":null,"submission_to_approval_days":{"count":0,"p50":null,"p90":null},"credits_approved_usd":0,"commission_accrued_cents":0,"commission_paid_cents":0,"intakes_received":0,"ace_sync":{"connections":0,"unhealthy_connections":0,"linked_records":0,"pending_pushes":0,"findings":null}}`},
		{"metrics, no pools", toMetricsView(postgres.AdminMetrics{From: viewT1, To: viewT2, CloseRateByPool: []postgres.PoolCloseRate{}}),
			`{"from":"2026-03-14T09:30:00Z","to":"2026-04-01T00:00:00.123Z","submission_to_offer_seconds":{"count":0,"p50":null,"p90":null},"offer_to_accept_seconds":{"count":0,"p50":null,"p90":null},"offers_made":0,"offers_accepted":0,"offers_declined":0,"offers_expired":0,"offer_acceptance_rate":null,"close_rate_by_pool":[],"submission_to_approval_days":{"count":0,"p50":null,"p90":null},"credits_approved_usd":0,"commission_accrued_cents":0,"commission_paid_cents":0,"intakes_received":0,"ace_sync":{"connections":0,"unhealthy_connections":0,"linked_records":0,"pending_pushes":0,"findings":null}}`},
		{"metrics", toMetricsView(postgres.AdminMetrics{From: viewT1, To: viewT2,
			SubmissionToOfferSeconds: postgres.Percentiles{Count: 2, P50: ptr(0.25), P90: ptr(1.5)},
			OfferToAcceptSeconds:     postgres.Percentiles{Count: 1, P50: ptr(3600.0), P90: ptr(3600.0)},
			OffersMade:               4, OffersAccepted: 2, OffersDeclined: 1, OffersExpired: 1, OfferAcceptanceRate: ptr(0.5),
			CloseRateByPool: []postgres.PoolCloseRate{{FundingSource: "founders", Wins: 1, Decided: 2, Rate: ptr(0.5)},
				{FundingSource: "map"}},
			SubmissionToApprovalDays: postgres.Percentiles{Count: 1, P50: ptr(12.0), P90: ptr(12.0)}, CreditsApprovedUSD: 25000,
			CommissionAccruedCents: 250000, CommissionPaidCents: 100, IntakesReceived: 9}),
			`{"from":"2026-03-14T09:30:00Z","to":"2026-04-01T00:00:00.123Z","submission_to_offer_seconds":{"count":2,"p50":0.25,"p90":1.5},"offer_to_accept_seconds":{"count":1,"p50":3600,"p90":3600},"offers_made":4,"offers_accepted":2,"offers_declined":1,"offers_expired":1,"offer_acceptance_rate":0.5,"close_rate_by_pool":[{"funding_source":"founders","wins":1,"decided":2,"rate":0.5},{"funding_source":"map","wins":0,"decided":0,"rate":null}],"submission_to_approval_days":{"count":1,"p50":12,"p90":12},"credits_approved_usd":25000,"commission_accrued_cents":250000,"commission_paid_cents":100,"intakes_received":9,"ace_sync":{"connections":0,"unhealthy_connections":0,"linked_records":0,"pending_pushes":0,"findings":null}}`},
		{"settings change by the bootstrap key", toSettingsChangeView(postgres.SettingsChange{ID: 1, Field: "window_days", OldValue: "365",
			NewValue: "30", ChangedAt: "2026-03-14T09:30:00Z"}), `{"id":1,"actor_key_id":null,"field":"window_days","old_value":"365","new_value":"30","changed_at":"2026-03-14T09:30:00Z"}`},
		{"settings change", toSettingsChangeView(postgres.SettingsChange{ID: 2, ActorKeyID: ptr("k1"), Field: "routing_mode",
			OldValue: "auto", NewValue: "review", ChangedAt: "2026-03-14T09:30:00.5Z"}), `{"id":2,"actor_key_id":"k1","field":"routing_mode","old_value":"auto","new_value":"review","changed_at":"2026-03-14T09:30:00.5Z"}`},
	} {
		t.Run(c.name, func(t *testing.T) { wantJSON(t, c.name, c.view, c.want) })
	}
}

// TestSnapshotView renders a snapshot from the health package's stored
// form.
func TestSnapshotView(t *testing.T) {
	cadence := health.Cadence{Weeks: []health.WeekCount{{WeekStart: "2026-03-09", Submissions: 3}}, Total: 3}
	for _, c := range []struct {
		name string
		row  postgres.Snapshot
		data health.MonthSnapshot
		want string
	}{
		{"a month with offers", postgres.Snapshot{PartnerID: "p1", Month: "2026-03", CreatedAt: viewT2},
			health.MonthSnapshot{Month: "2026-03", ActiveRecords: 2, NewSubmissions: 1,
				StateDistribution: map[string]int{"identified": 1, "approved": 1}, OffersReceived: 2, OffersAccepted: 1,
				OfferAcceptanceRate: ptr(0.5), ApprovedUSD: 25000, Cadence: cadence},
			`{"partner_id":"p1","month":"2026-03","snapshot":{"month":"2026-03","active_records":2,"new_submissions":1,"state_distribution":{"approved":1,"identified":1},"offers_received":2,"offers_accepted":1,"offer_acceptance_rate":0.5,"approved_usd":25000,"closed_usd":0,"cadence":{"weeks":[{"week_start":"2026-03-09","submissions":3}],"total":3,"batch_pattern":false}},"created_at":"2026-04-01T00:00:00.123Z"}`},
		{"a month without offers", postgres.Snapshot{PartnerID: "p2", Month: "2026-02", CreatedAt: viewT1},
			health.MonthSnapshot{Month: "2026-02", Cadence: health.Cadence{Weeks: []health.WeekCount{}, Total: 21, BatchPattern: true, Reason: "burst"}},
			`{"partner_id":"p2","month":"2026-02","snapshot":{"month":"2026-02","active_records":0,"new_submissions":0,"state_distribution":null,"offers_received":0,"offers_accepted":0,"offer_acceptance_rate":null,"approved_usd":0,"closed_usd":0,"cadence":{"weeks":[],"total":21,"batch_pattern":true,"reason":"burst"}},"created_at":"2026-03-14T09:30:00Z"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.row.Data, err = json.Marshal(c.data); err != nil {
				t.Fatal(err)
			}
			v, err := toSnapshotView(c.row)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, c.name, v, c.want)
		})
	}
	if _, err := toSnapshotView(postgres.Snapshot{Data: []byte(`{"month":`)}); err == nil {
		t.Error("a snapshot that does not read gave no error")
	}
}

// viewDecision is a decision with every part filled: two candidates, one
// never offered, a filtered partner, thin and thick cells.
func viewDecision() routing.Decision {
	cells := func(w, d int) [5]routing.Cell {
		return [5]routing.Cell{{Wins: w, Decided: d}, {Wins: w, Decided: d}, {Wins: 0, Decided: 0}, {Wins: w, Decided: d}, {Wins: 1, Decided: 2}}
	}
	ps := []routing.Partner{
		{ID: "p-a", Name: "Atlas", Tier: "advanced", Status: "active", Regions: []string{"eu"}, Capacity: 5, Cells: cells(18, 20),
			Overall: routing.Cell{Wins: 40, Decided: 50}, MedianDaysToApproval: ptr(14.0), LastOfferedAt: &viewT1, OffersReceived: 4, Declines: 1},
		{ID: "p-b", Name: "Beacon", Tier: "premier", Status: "active", Regions: []string{"eu"}, Capacity: 5, Cells: cells(1, 1),
			Overall: routing.Cell{Wins: 1, Decided: 1}},
		{ID: "p-c", Name: "Cirrus", Tier: "select", Status: "active", Regions: []string{"eu"}, Capacity: 5},
	}
	in := routing.Intake{Stage: "seed", Region: "eu", Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build"}
	return routing.DecideTop(in, ps, routing.DefaultParams(), routing.StoredCandidates)
}

// TestDecisionViews checks that a decision renders with the field names of
// its stored explanation, which is what the API has always sent, and that
// stored decisions render their explanation through the same view.
func TestDecisionViews(t *testing.T) {
	d := viewDecision()
	if len(d.Candidates) != 2 || d.Filtered.Tier != 1 || d.Candidates[1].LastOfferedAt != nil {
		t.Fatalf("the fixture does not cover what it should: %+v", d)
	}
	stored, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON(t, "preview", toDecisionView(d), string(stored))
	unroutable := routing.Decide(routing.Intake{Stage: "seed", Region: "eu"}, nil, routing.DefaultParams())
	storedUnroutable, _ := json.Marshal(unroutable)
	wantJSON(t, "unroutable preview", toDecisionView(unroutable), string(storedUnroutable))

	override, err := json.Marshal(routing.AdminOverride{Override: "admin assigned partner p-b", Router: d})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		row         postgres.RoutingDecision
		explanation []byte
		want        string
	}{
		{"router's decision", postgres.RoutingDecision{ID: "d1", IntakeID: "i1", Trigger: "submitted", Mode: "auto",
			Outcome: "unroutable", CreatedAt: viewT1}, storedUnroutable, `{"id":"d1","intake_id":"i1","trigger":"submitted","mode":"auto","outcome":"unroutable","chosen_partner_id":null,"explanation":{"a":1},"actor_key_id":null,"reason":null,"created_at":"2026-03-14T09:30:00Z"}`},
		{"admin's override", postgres.RoutingDecision{ID: "d2", IntakeID: "i1", Trigger: "admin_assign", Mode: "admin",
			Outcome: "assigned", ChosenPartnerID: ptr("p1"), ActorKeyID: ptr("k1"), Reason: ptr("why"), CreatedAt: viewT2},
			override, `{"id":"d2","intake_id":"i1","trigger":"admin_assign","mode":"admin","outcome":"assigned","chosen_partner_id":"p1","explanation":{"a":1},"actor_key_id":"k1","reason":"why","created_at":"2026-04-01T00:00:00.123Z"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.row.Explanation = c.explanation
			v, err := toRoutingDecisionView(c.row)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, c.name, v, strings.Replace(c.want, `{"a":1}`, string(c.explanation), 1))
		})
	}
	if _, err := toRoutingDecisionView(postgres.RoutingDecision{Explanation: []byte(`[`)}); err == nil {
		t.Error("an explanation that does not read gave no error")
	}
}

// TestAssignmentView checks what a partner sees of an intake in each
// state of its assignment, rendered as the API always has.
func TestAssignmentView(t *testing.T) {
	in := postgres.Intake{ID: "i1", Status: "engaged", CustomerDomain: "acme.com", AWSAccountID: ptr("123456789012"), CompanyName: "Acme",
		Website: "https://acme.com", Stage: "seed", Region: "eu", Vertical: "b2b_saas", ServiceProfile: "ai_heavy", EngagementType: "build",
		LastRound: []byte(`{"round": "Seed", "amount_usd": 3000000, "closed_on": "2025-03-14", "lead_investor": "EV"}`),
		TeamSize:  12, ProjectedMonthlySpend: []byte(`[{"usd": 4000, "service": "ec2"}, {"usd": 1, "service": "s3"}]`),
		ProjectedMonthlyUSD: 4001, UseCase: "uc", CompetingCloud: "gcp", RequestedFundingSources: []string{"founders", "map"},
		TechnicalContact: []byte(`{"name": "Ada", "email": "ada@acme.com"}`), BusinessContact: []byte(`{"name": "Grace", "email": "g@acme.com"}`)}
	preSeed := postgres.Intake{ID: "i2", Stage: "pre_seed", TechnicalContact: []byte(`{"name": "Ada", "email": "ada@acme.com"}`),
		BusinessContact: []byte(`{}`), ProjectedMonthlySpend: []byte(`[]`), RequestedFundingSources: []string{}}
	offered := postgres.Assignment{ID: "a1", IntakeID: "i1", Status: "offered", OfferedAt: viewT1, ExpiresAt: viewT1.Add(48 * time.Hour)}
	accepted := postgres.Assignment{ID: "a2", IntakeID: "i1", Status: "accepted", OfferedAt: viewT1, ExpiresAt: viewT1, AcceptedAt: &viewT1}
	released := postgres.Assignment{ID: "a3", IntakeID: "i1", Status: "released", OfferedAt: viewT1, ExpiresAt: viewT1, AcceptedAt: &viewT1,
		EndedAt: &viewT1, EndReason: ptr("r")}
	for _, c := range []struct {
		name string
		a    postgres.Assignment
		in   postgres.Intake
		want string
	}{
		{"offered: the profile", offered, in, `{"id":"a1","intake_id":"i1","status":"offered","offered_at":"2026-03-14T09:30:00Z","expires_at":"2026-03-16T09:30:00Z","accepted_at":null,"ended_at":null,"end_reason":null,"intake":{"stage":"seed","region":"eu","vertical":"b2b_saas","service_profile":"ai_heavy","engagement_type":"build","team_size":12,"requested_funding_sources":["founders","map"],"projected_monthly_spend":[{"service":"ec2","usd":4000},{"service":"s3","usd":1}],"projected_monthly_usd":4001,"use_case":"uc","competing_cloud":"gcp"}}`},
		{"accepted: the customer too", accepted, in, `{"id":"a2","intake_id":"i1","status":"accepted","offered_at":"2026-03-14T09:30:00Z","expires_at":"2026-03-14T09:30:00Z","accepted_at":"2026-03-14T09:30:00Z","ended_at":null,"end_reason":null,"intake":{"stage":"seed","region":"eu","vertical":"b2b_saas","service_profile":"ai_heavy","engagement_type":"build","team_size":12,"requested_funding_sources":["founders","map"],"projected_monthly_spend":[{"service":"ec2","usd":4000},{"service":"s3","usd":1}],"projected_monthly_usd":4001,"use_case":"uc","competing_cloud":"gcp","company_name":"Acme","website":"https://acme.com","customer_domain":"acme.com","aws_account_id":"123456789012","last_round":{"round":"Seed","amount_usd":3000000,"lead_investor":"EV","closed_on":"2025-03-14"},"technical_contact":{"name":"Ada","email":"ada@acme.com"},"business_contact":{"name":"Grace","email":"g@acme.com"}}}`},
		{"released: the profile again", released, in, `{"id":"a3","intake_id":"i1","status":"released","offered_at":"2026-03-14T09:30:00Z","expires_at":"2026-03-14T09:30:00Z","accepted_at":"2026-03-14T09:30:00Z","ended_at":"2026-03-14T09:30:00Z","end_reason":"r","intake":{"stage":"seed","region":"eu","vertical":"b2b_saas","service_profile":"ai_heavy","engagement_type":"build","team_size":12,"requested_funding_sources":["founders","map"],"projected_monthly_spend":[{"service":"ec2","usd":4000},{"service":"s3","usd":1}],"projected_monthly_usd":4001,"use_case":"uc","competing_cloud":"gcp"}}`},
		{"accepted, pre-seed without a round", accepted, preSeed, `{"id":"a2","intake_id":"i1","status":"accepted","offered_at":"2026-03-14T09:30:00Z","expires_at":"2026-03-14T09:30:00Z","accepted_at":"2026-03-14T09:30:00Z","ended_at":null,"end_reason":null,"intake":{"stage":"pre_seed","region":"","vertical":"","service_profile":"","engagement_type":"","team_size":0,"requested_funding_sources":[],"projected_monthly_spend":[],"projected_monthly_usd":0,"use_case":"","competing_cloud":"","company_name":"","website":"","customer_domain":"","aws_account_id":null,"last_round":null,"technical_contact":{"name":"Ada","email":"ada@acme.com"},"business_contact":{"name":"","email":""}}}`},
		{"offered, empty columns", offered, postgres.Intake{ID: "i3"}, `{"id":"a1","intake_id":"i1","status":"offered","offered_at":"2026-03-14T09:30:00Z","expires_at":"2026-03-16T09:30:00Z","accepted_at":null,"ended_at":null,"end_reason":null,"intake":{"stage":"","region":"","vertical":"","service_profile":"","engagement_type":"","team_size":0,"requested_funding_sources":null,"projected_monthly_spend":null,"projected_monthly_usd":0,"use_case":"","competing_cloud":""}}`},
		{"accepted, empty columns", accepted, postgres.Intake{ID: "i3"}, `{"id":"a2","intake_id":"i1","status":"accepted","offered_at":"2026-03-14T09:30:00Z","expires_at":"2026-03-14T09:30:00Z","accepted_at":"2026-03-14T09:30:00Z","ended_at":null,"end_reason":null,"intake":{"stage":"","region":"","vertical":"","service_profile":"","engagement_type":"","team_size":0,"requested_funding_sources":null,"projected_monthly_spend":null,"projected_monthly_usd":0,"use_case":"","competing_cloud":"","company_name":"","website":"","customer_domain":"","aws_account_id":null,"last_round":null,"technical_contact":{"name":"","email":""},"business_contact":{"name":"","email":""}}}`},
	} {
		t.Run(c.name, func(t *testing.T) { wantJSON(t, c.name, toAssignmentView(c.a, c.in), c.want) })
	}
}
