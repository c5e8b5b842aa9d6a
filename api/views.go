package api

import (
	"encoding/json"
	"time"

	"github.com/cloudroute/cloudroute/internal/health"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// The API's response types for what storage returns, each with its
// converter. openapi.yaml is the contract and storage rows carry no json
// tags, so a column can be renamed or a row reshaped without a response
// changing; the pages render from the same views. A converter copies
// values as they are (nil slices stay JSON null, times keep their zone) and
// decides nothing: what a caller may see is decided before, by the rule
// packages.

// mapSlice converts every element of in, keeping a nil slice nil.
func mapSlice[T, V any](in []T, convert func(T) V) []V {
	if in == nil {
		return nil
	}
	out := make([]V, len(in))
	for i, v := range in {
		out[i] = convert(v)
	}
	return out
}

// transitionView is one recorded move of an ACE record (Transition).
type transitionView struct {
	ID                    int64     `json:"id"`
	From                  *string   `json:"from"`
	To                    string    `json:"to"`
	ActorRole             string    `json:"actor_role"`
	ActorKeyID            *string   `json:"actor_key_id"`
	Reason                *string   `json:"reason"`
	ApprovedUSD           *int64    `json:"approved_usd,omitempty"`
	ApprovedFundingSource *string   `json:"approved_funding_source,omitempty"`
	At                    time.Time `json:"at"`
}

func toTransitionView(t postgres.Transition) transitionView {
	return transitionView{ID: t.ID, From: t.FromState, To: t.ToState, ActorRole: t.ActorRole, ActorKeyID: t.ActorKeyID,
		Reason: t.Reason, ApprovedUSD: t.ApprovedUSD, ApprovedFundingSource: t.ApprovedFundingSource, At: t.At}
}

// responsivenessView is how a partner answers its offers, shown to admins
// with the partner.
type responsivenessView struct {
	WindowDays          int      `json:"window_days"`
	OffersReceived      int      `json:"offers_received"`
	Accepted            int      `json:"accepted"`
	Declined            int      `json:"declined"`
	Expired             int      `json:"expired"`
	Pending             int      `json:"pending"`
	DeclineOrExpiryRate *float64 `json:"decline_or_expiry_rate"`
}

func toResponsivenessView(r postgres.Responsiveness) responsivenessView {
	return responsivenessView{WindowDays: r.WindowDays, OffersReceived: r.OffersReceived, Accepted: r.Accepted,
		Declined: r.Declined, Expired: r.Expired, Pending: r.Pending, DeclineOrExpiryRate: r.DeclineOrExpiryRate}
}

// entryView is one line of the commission ledger (LedgerEntry).
type entryView struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	ACERecordID   *string   `json:"ace_record_id"`
	AmountCents   int64     `json:"amount_cents"`
	ApprovedUSD   *int64    `json:"approved_usd"`
	CommissionBPS *int      `json:"commission_bps"`
	Reason        *string   `json:"reason"`
	OccurredAt    time.Time `json:"occurred_at"`
	StatementID   string    `json:"statement_id"`
}

func toEntryView(e postgres.Entry) entryView {
	return entryView{ID: e.ID, Kind: e.Kind, ACERecordID: e.ACERecordID, AmountCents: e.AmountCents, ApprovedUSD: e.ApprovedUSD,
		CommissionBPS: e.CommissionBPS, Reason: e.Reason, OccurredAt: e.OccurredAt, StatementID: e.StatementID}
}

// statementView is a partner's monthly statement with its entries.
type statementView struct {
	ID         string      `json:"id"`
	PartnerID  string      `json:"partner_id"`
	Month      string      `json:"month"`
	State      string      `json:"state"`
	ClosedAt   *time.Time  `json:"closed_at"`
	TotalCents int64       `json:"total_cents"`
	Reference  *string     `json:"reference"`
	InvoicedAt *time.Time  `json:"invoiced_at"`
	PaidAt     *time.Time  `json:"paid_at"`
	Entries    []entryView `json:"entries"`
}

func toStatementView(s postgres.Statement) statementView {
	return statementView{ID: s.ID, PartnerID: s.PartnerID, Month: s.Month, State: s.State, ClosedAt: s.ClosedAt,
		TotalCents: s.TotalCents, Reference: s.Reference, InvoicedAt: s.InvoicedAt, PaidAt: s.PaidAt,
		Entries: mapSlice(s.Entries, toEntryView)}
}

// reconciliationView compares the ledger with the statements.
type reconciliationView struct {
	LedgerCents     int64             `json:"ledger_cents"`
	StatementsCents int64             `json:"statements_cents"`
	OpenCents       int64             `json:"open_cents"`
	ClosedCents     int64             `json:"closed_cents"`
	Balanced        bool              `json:"balanced"`
	Differences     []discrepancyView `json:"differences"`
	Unaccrued       []string          `json:"unaccrued_records"`
	ACEFindings     []aceFindingView  `json:"ace_findings"`
}

// aceFindingView is a linked record on which CloudRoute and ACE disagree
// (AceFinding).
type aceFindingView struct {
	Kind          string     `json:"kind"`
	ACERecordID   string     `json:"ace_record_id"`
	PartnerID     string     `json:"partner_id"`
	Catalog       string     `json:"catalog"`
	OpportunityID *string    `json:"opportunity_id"`
	State         string     `json:"state"`
	ReviewStatus  *string    `json:"review_status"`
	Stage         *string    `json:"stage"`
	ApprovedUSD   *int64     `json:"approved_usd"`
	Since         *time.Time `json:"since"`
}

func toACEFindingView(f postgres.ACEFinding) aceFindingView {
	return aceFindingView{Kind: f.Kind, ACERecordID: f.RecordID, PartnerID: f.PartnerID, Catalog: f.Catalog,
		OpportunityID: f.OpportunityID, State: f.State, ReviewStatus: f.ReviewStatus, Stage: f.Stage, ApprovedUSD: f.ApprovedUSD,
		Since: f.Since}
}

// discrepancyView names a statement whose total is not the sum of its
// entries.
type discrepancyView struct {
	StatementID string `json:"statement_id"`
	TotalCents  int64  `json:"total_cents"`
	EntryCents  int64  `json:"entry_cents"`
}

func toReconciliationView(r postgres.Reconciliation) reconciliationView {
	return reconciliationView{LedgerCents: r.LedgerCents, StatementsCents: r.StatementsCents, OpenCents: r.OpenCents,
		ClosedCents: r.ClosedCents, Balanced: r.Balanced, Unaccrued: r.Unaccrued, ACEFindings: mapSlice(r.ACEFindings, toACEFindingView),
		Differences: mapSlice(r.Differences, func(d postgres.Discrepancy) discrepancyView {
			return discrepancyView{StatementID: d.StatementID, TotalCents: d.TotalCents, EntryCents: d.EntryCents}
		})}
}

// pipelineHealthView is a partner's health: its score, open flags and
// cadence (PipelineHealth).
type pipelineHealthView struct {
	PartnerID string      `json:"partner_id"`
	Score     scoreView   `json:"score"`
	Flags     []flagView  `json:"flags"`
	Cadence   cadenceView `json:"cadence"`
	AsOf      time.Time   `json:"as_of"`
}

type scoreView struct {
	Score      int                  `json:"score"`
	Components []scoreComponentView `json:"components"`
}

type scoreComponentView struct {
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	Detail string  `json:"detail"`
}

type flagView struct {
	Kind         string    `json:"kind"`
	ACERecordID  *string   `json:"ace_record_id"`
	AssignmentID *string   `json:"assignment_id"`
	RaisedAt     time.Time `json:"raised_at"`
}

// cadenceView is the submissions per week, with the batch-pattern verdict
// (Cadence).
type cadenceView struct {
	Weeks        []weekCountView `json:"weeks"`
	Total        int             `json:"total"`
	BatchPattern bool            `json:"batch_pattern"`
	Reason       string          `json:"reason,omitempty"`
}

type weekCountView struct {
	WeekStart   string `json:"week_start"`
	Submissions int    `json:"submissions"`
}

func toPipelineHealthView(h postgres.PipelineHealth) pipelineHealthView {
	return pipelineHealthView{PartnerID: h.PartnerID, Score: toScoreView(h.Score), Cadence: toCadenceView(h.Cadence), AsOf: h.AsOf,
		Flags: mapSlice(h.Flags, func(f postgres.Flag) flagView {
			return flagView{Kind: f.Kind, ACERecordID: f.ACERecordID, AssignmentID: f.AssignmentID, RaisedAt: f.RaisedAt}
		})}
}

func toScoreView(s health.Score) scoreView {
	return scoreView{Score: s.Score, Components: mapSlice(s.Components, func(c health.ScoreComponent) scoreComponentView {
		return scoreComponentView{Name: c.Name, Points: c.Points, Detail: c.Detail}
	})}
}

func toCadenceView(c health.Cadence) cadenceView {
	return cadenceView{Total: c.Total, BatchPattern: c.BatchPattern, Reason: c.Reason,
		Weeks: mapSlice(c.Weeks, func(w health.WeekCount) weekCountView {
			return weekCountView{WeekStart: w.WeekStart, Submissions: w.Submissions}
		})}
}

// snapshotView is a stored monthly snapshot of a partner's pipeline.
type snapshotView struct {
	PartnerID string            `json:"partner_id"`
	Month     string            `json:"month"`
	Snapshot  monthSnapshotView `json:"snapshot"`
	CreatedAt time.Time         `json:"created_at"`
}

type monthSnapshotView struct {
	Month               string         `json:"month"`
	ActiveRecords       int            `json:"active_records"`
	NewSubmissions      int            `json:"new_submissions"`
	StateDistribution   map[string]int `json:"state_distribution"`
	OffersReceived      int            `json:"offers_received"`
	OffersAccepted      int            `json:"offers_accepted"`
	OfferAcceptanceRate *float64       `json:"offer_acceptance_rate"`
	ApprovedUSD         int64          `json:"approved_usd"`
	ClosedUSD           int64          `json:"closed_usd"`
	Cadence             cadenceView    `json:"cadence"`
}

// toSnapshotView reads the snapshot as it was written, in the health
// package's stored form (health.MonthSnapshot), and renders it.
func toSnapshotView(s postgres.Snapshot) (snapshotView, error) {
	var m health.MonthSnapshot
	if err := json.Unmarshal(s.Data, &m); err != nil {
		return snapshotView{}, err
	}
	return snapshotView{PartnerID: s.PartnerID, Month: s.Month, CreatedAt: s.CreatedAt, Snapshot: monthSnapshotView{
		Month: m.Month, ActiveRecords: m.ActiveRecords, NewSubmissions: m.NewSubmissions, StateDistribution: m.StateDistribution,
		OffersReceived: m.OffersReceived, OffersAccepted: m.OffersAccepted, OfferAcceptanceRate: m.OfferAcceptanceRate,
		ApprovedUSD: m.ApprovedUSD, ClosedUSD: m.ClosedUSD, Cadence: toCadenceView(m.Cadence)}}, nil
}

// indexCellView is one routing-index cell (IndexCell).
type indexCellView struct {
	PartnerID string   `json:"partner_id"`
	Axis      string   `json:"axis"`
	Value     string   `json:"value"`
	Wins      int      `json:"wins"`
	Decided   int      `json:"decided"`
	Rate      *float64 `json:"rate"`
}

func toIndexCellView(c postgres.IndexCell) indexCellView {
	return indexCellView{PartnerID: c.PartnerID, Axis: c.Axis, Value: c.Value, Wins: c.Wins, Decided: c.Decided, Rate: c.Rate}
}

// metricsView are the admin figures over [from, to) (AdminMetrics).
type metricsView struct {
	From                     time.Time           `json:"from"`
	To                       time.Time           `json:"to"`
	SubmissionToOfferSeconds percentilesView     `json:"submission_to_offer_seconds"`
	OfferToAcceptSeconds     percentilesView     `json:"offer_to_accept_seconds"`
	OffersMade               int                 `json:"offers_made"`
	OffersAccepted           int                 `json:"offers_accepted"`
	OffersDeclined           int                 `json:"offers_declined"`
	OffersExpired            int                 `json:"offers_expired"`
	OfferAcceptanceRate      *float64            `json:"offer_acceptance_rate"`
	CloseRateByPool          []poolCloseRateView `json:"close_rate_by_pool"`
	SubmissionToApprovalDays percentilesView     `json:"submission_to_approval_days"`
	CreditsApprovedUSD       int64               `json:"credits_approved_usd"`
	CommissionAccruedCents   int64               `json:"commission_accrued_cents"`
	CommissionPaidCents      int64               `json:"commission_paid_cents"`
	IntakesReceived          int                 `json:"intakes_received"`
	ACESync                  aceSyncFiguresView  `json:"ace_sync"`
}

// aceSyncFiguresView is the ACE sync's state as of now (AceSyncFigures).
type aceSyncFiguresView struct {
	Connections          int            `json:"connections"`
	UnhealthyConnections int            `json:"unhealthy_connections"`
	LinkedRecords        int            `json:"linked_records"`
	PendingPushes        int            `json:"pending_pushes"`
	Findings             map[string]int `json:"findings"`
}

type percentilesView struct {
	Count int      `json:"count"`
	P50   *float64 `json:"p50"`
	P90   *float64 `json:"p90"`
}

type poolCloseRateView struct {
	FundingSource string   `json:"funding_source"`
	Wins          int      `json:"wins"`
	Decided       int      `json:"decided"`
	Rate          *float64 `json:"rate"`
}

func toPercentilesView(p postgres.Percentiles) percentilesView {
	return percentilesView{Count: p.Count, P50: p.P50, P90: p.P90}
}

func toMetricsView(m postgres.AdminMetrics) metricsView {
	return metricsView{From: m.From, To: m.To, SubmissionToOfferSeconds: toPercentilesView(m.SubmissionToOfferSeconds),
		OfferToAcceptSeconds: toPercentilesView(m.OfferToAcceptSeconds), OffersMade: m.OffersMade, OffersAccepted: m.OffersAccepted,
		OffersDeclined: m.OffersDeclined, OffersExpired: m.OffersExpired, OfferAcceptanceRate: m.OfferAcceptanceRate,
		CloseRateByPool: mapSlice(m.CloseRateByPool, func(p postgres.PoolCloseRate) poolCloseRateView {
			return poolCloseRateView{FundingSource: p.FundingSource, Wins: p.Wins, Decided: p.Decided, Rate: p.Rate}
		}),
		SubmissionToApprovalDays: toPercentilesView(m.SubmissionToApprovalDays), CreditsApprovedUSD: m.CreditsApprovedUSD,
		CommissionAccruedCents: m.CommissionAccruedCents, CommissionPaidCents: m.CommissionPaidCents, IntakesReceived: m.IntakesReceived,
		ACESync: aceSyncFiguresView{Connections: m.ACE.Connections, UnhealthyConnections: m.ACE.UnhealthyConnections,
			LinkedRecords: m.ACE.LinkedRecords, PendingPushes: m.ACE.PendingPushes, Findings: m.ACE.Findings}}
}

// settingsChangeView is one audited change of one setting.
type settingsChangeView struct {
	ID         int64   `json:"id"`
	ActorKeyID *string `json:"actor_key_id"`
	Field      string  `json:"field"`
	OldValue   string  `json:"old_value"`
	NewValue   string  `json:"new_value"`
	ChangedAt  string  `json:"changed_at"`
}

func toSettingsChangeView(c postgres.SettingsChange) settingsChangeView {
	return settingsChangeView{ID: c.ID, ActorKeyID: c.ActorKeyID, Field: c.Field, OldValue: c.OldValue, NewValue: c.NewValue,
		ChangedAt: c.ChangedAt}
}
