package api

import (
	"context"
	"time"

	"github.com/cloudroute/cloudroute/internal/creditplan"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// What GET /v1/intakes/{id} adds to the status for its founder: why this
// partner (once one has accepted) and the credit plan. The rules are
// routing.WhyChosen and creditplan.For; these are their JSON views
// (openapi.yaml WhyThisPartner and CreditPlan).

// whyView is openapi.yaml's WhyThisPartner.
type whyView struct {
	PartnerName string `json:"partner_name"`
	// AssignedBy is "router", or "admin" when CloudRoute's curator picked
	// the partner.
	AssignedBy string `json:"assigned_by"`
	// Scored is false when the stored decision did not score the partner
	// (an admin assigned one the router had filtered out): every figure
	// below is then null or empty.
	Scored               bool          `json:"scored"`
	WindowDays           int           `json:"window_days"`
	CloseRate            *float64      `json:"close_rate"`
	Threshold            *float64      `json:"threshold"`
	AboveThreshold       *bool         `json:"above_threshold"`
	Axes                 []whyAxisView `json:"axes"`
	Wins                 *int          `json:"wins"`
	DecidedOutcomes      *int          `json:"decided_outcomes"`
	MedianDaysToApproval *float64      `json:"median_days_to_approval"`
	DecidedAt            *time.Time    `json:"decided_at"`
}

type whyAxisView struct {
	Axis    string  `json:"axis"`
	Value   string  `json:"value"`
	Rate    float64 `json:"rate"`
	Wins    int     `json:"wins"`
	Decided int     `json:"decided"`
}

// intakeWhy returns the intake's why-this-partner, or nil before a partner
// has accepted.
func (s *Server) intakeWhy(ctx context.Context, intakeID string) (*whyView, error) {
	o, ok, err := s.db.EngagedOffer(ctx, intakeID)
	if err != nil || !ok {
		return nil, err
	}
	return newWhyView(o), nil
}

func newWhyView(o postgres.EngagedOffer) *whyView {
	v := &whyView{PartnerName: o.PartnerName, AssignedBy: "router", WindowDays: o.WindowDays, Axes: []whyAxisView{}}
	if o.AssignedByAdmin {
		v.AssignedBy = "admin"
	}
	if !o.DecidedAt.IsZero() {
		t := o.DecidedAt
		v.DecidedAt = &t
	}
	w, ok := routing.WhyChosen(o.Decision, o.PartnerID)
	if !ok {
		return v
	}
	v.Scored = true
	v.CloseRate, v.Threshold, v.AboveThreshold = &w.CloseRate, &w.Threshold, &w.AboveThreshold
	v.Wins, v.DecidedOutcomes = &w.Wins, &w.Decided
	v.MedianDaysToApproval = w.MedianDaysToApproval
	for _, a := range w.Axes {
		v.Axes = append(v.Axes, whyAxisView{Axis: a.Axis, Value: a.Value, Rate: a.Rate, Wins: a.Wins, Decided: a.Decided})
	}
	return v
}

// creditPlanView is openapi.yaml's CreditPlan.
type creditPlanView struct {
	Notice      string             `json:"notice"`
	Pools       []creditPoolView   `json:"pools"`
	NotExpected []creditUnfitView  `json:"not_expected"`
	Total       creditTotalView    `json:"total"`
	Advice      []creditAdviceView `json:"advice"`
}

type creditPoolView struct {
	FundingSource string        `json:"funding_source"`
	Requested     bool          `json:"requested"`
	Reason        string        `json:"reason"`
	MinUSD        *int64        `json:"min_usd"`
	MaxUSD        *int64        `json:"max_usd"`
	TypicalDays   *dayRangeView `json:"typical_days"`
	InsteadOf     *string       `json:"instead_of"`
}

type dayRangeView struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

type creditUnfitView struct {
	FundingSource string `json:"funding_source"`
	Reason        string `json:"reason"`
}

type creditTotalView struct {
	SumOfMaximaUSD int64 `json:"sum_of_maxima_usd"`
	CeilingUSD     int64 `json:"ceiling_usd"`
	MaxUSD         int64 `json:"max_usd"`
	Capped         bool  `json:"capped"`
}

type creditAdviceView struct {
	Topic   string `json:"topic"`
	Trigger string `json:"trigger"`
	Text    string `json:"text"`
}

// intakeCreditPlan is the credit plan of a stored intake.
func intakeCreditPlan(in postgres.Intake) (creditPlanView, error) {
	p, err := in.CreditProfile()
	if err != nil {
		return creditPlanView{}, err
	}
	return newCreditPlanView(creditplan.For(p)), nil
}

func newCreditPlanView(p creditplan.Plan) creditPlanView {
	v := creditPlanView{Notice: p.Notice, Pools: []creditPoolView{}, NotExpected: []creditUnfitView{}, Advice: []creditAdviceView{},
		Total: creditTotalView{SumOfMaximaUSD: p.Total.SumOfMaximaUSD, CeilingUSD: p.Total.CeilingUSD, MaxUSD: p.Total.MaxUSD, Capped: p.Total.Capped}}
	for _, x := range p.Pools {
		pv := creditPoolView{FundingSource: x.Source, Requested: x.Requested, Reason: x.Reason}
		if x.HasAmount {
			lo, hi := x.MinUSD, x.MaxUSD
			pv.MinUSD, pv.MaxUSD = &lo, &hi
		}
		if x.DaysKnown {
			pv.TypicalDays = &dayRangeView{Min: x.MinDays, Max: x.MaxDays}
		}
		if x.InsteadOf != "" {
			s := x.InsteadOf
			pv.InsteadOf = &s
		}
		v.Pools = append(v.Pools, pv)
	}
	for _, u := range p.NotExpected {
		v.NotExpected = append(v.NotExpected, creditUnfitView{FundingSource: u.Source, Reason: u.Reason})
	}
	for _, a := range p.Advice {
		v.Advice = append(v.Advice, creditAdviceView{Topic: a.Topic, Trigger: a.Trigger, Text: a.Text})
	}
	return v
}
