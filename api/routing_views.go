package api

import (
	"time"

	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// The views of a routing decision: the preview's answer
// (RoutingDecisionDetail) and the stored decisions with their explanation
// (RoutingDecision). The routing package's Decision is also the stored
// explanation, whose JSON is a storage format; these views are the
// contract, converted field by field.

// decisionView is a routing decision with every number that went into it.
type decisionView struct {
	Params             paramsView      `json:"params"`
	Pool               poolView        `json:"pool"`
	PartnersConsidered int             `json:"partners_considered"`
	Filtered           filteredView    `json:"filtered"`
	Candidates         []candidateView `json:"candidates"`
	ChosenPartnerID    *string         `json:"chosen_partner_id"`
	CandidatesTotal    int             `json:"candidates_total"`
	CandidatesOmitted  int             `json:"candidates_omitted"`
}

type paramsView struct {
	Threshold              float64 `json:"threshold"`
	NeutralRate            float64 `json:"neutral_rate"`
	PoolStrength           float64 `json:"pool_strength"`
	PartnerStrength        float64 `json:"partner_strength"`
	CellStrength           float64 `json:"cell_strength"`
	ConfidenceZ            float64 `json:"confidence_z"`
	ResponsivenessWeight   float64 `json:"responsiveness_weight"`
	ResponsivenessStrength float64 `json:"responsiveness_strength"`
	RankingResolution      float64 `json:"ranking_resolution"`
}

type poolView struct {
	Axes    []poolAxisView `json:"axes"`
	Overall poolCellView   `json:"overall"`
}

type poolCellView struct {
	Wins    int      `json:"wins"`
	Decided int      `json:"decided"`
	RawRate *float64 `json:"raw_rate"`
	Prior   float64  `json:"prior"`
	Rate    float64  `json:"rate"`
}

type poolAxisView struct {
	Axis  string `json:"axis"`
	Value string `json:"value"`
	poolCellView
}

type filteredView struct {
	Paused             int `json:"paused"`
	Tier               int `json:"tier"`
	Region             int `json:"region"`
	Capacity           int `json:"capacity"`
	Excluded           int `json:"excluded"`
	PreviouslyAssigned int `json:"previously_assigned"`
}

type candidateView struct {
	Rank                 int                         `json:"rank"`
	PartnerID            string                      `json:"partner_id"`
	Name                 string                      `json:"name"`
	Tier                 string                      `json:"tier"`
	Band                 string                      `json:"band"`
	Cells                []axisCellView              `json:"cells"`
	Overall              overallCellView             `json:"overall"`
	Score                float64                     `json:"score"`
	ConfidencePenalty    float64                     `json:"confidence_penalty"`
	Responsiveness       candidateResponsivenessView `json:"responsiveness"`
	RankingScore         float64                     `json:"ranking_score"`
	MedianDaysToApproval *float64                    `json:"median_days_to_approval"`
	LastOfferedAt        *time.Time                  `json:"last_offered_at"`
}

type axisCellView struct {
	Axis       string   `json:"axis"`
	Value      string   `json:"value"`
	Wins       int      `json:"wins"`
	Decided    int      `json:"decided"`
	RawRate    *float64 `json:"raw_rate"`
	Prior      float64  `json:"prior"`
	ShrunkRate float64  `json:"shrunk_rate"`
	StdError   float64  `json:"std_error"`
}

type overallCellView struct {
	Wins       int      `json:"wins"`
	Decided    int      `json:"decided"`
	RawRate    *float64 `json:"raw_rate"`
	Prior      float64  `json:"prior"`
	ShrunkRate float64  `json:"shrunk_rate"`
}

type candidateResponsivenessView struct {
	OffersReceived int      `json:"offers_received"`
	Declines       int      `json:"declines"`
	Expiries       int      `json:"expiries"`
	Rate           *float64 `json:"rate"`
	Penalty        float64  `json:"penalty"`
}

func toDecisionView(d routing.Decision) decisionView {
	p := d.Params
	f := d.Filtered
	return decisionView{
		Params: paramsView{Threshold: p.Threshold, NeutralRate: p.NeutralRate, PoolStrength: p.PoolStrength,
			PartnerStrength: p.PartnerStrength, CellStrength: p.CellStrength, ConfidenceZ: p.ConfidenceZ,
			ResponsivenessWeight: p.ResponsivenessWeight, ResponsivenessStrength: p.ResponsivenessStrength,
			RankingResolution: p.RankingResolution},
		Pool: poolView{Overall: toPoolCellView(d.Pool.Overall), Axes: mapSlice(d.Pool.Axes, func(a routing.PoolAxis) poolAxisView {
			return poolAxisView{Axis: a.Axis, Value: a.Value, poolCellView: toPoolCellView(a.PoolCell)}
		})},
		PartnersConsidered: d.PartnersConsidered,
		Filtered: filteredView{Paused: f.Paused, Tier: f.Tier, Region: f.Region, Capacity: f.Capacity, Excluded: f.Excluded,
			PreviouslyAssigned: f.PreviouslyAssigned},
		Candidates:        mapSlice(d.Candidates, toCandidateView),
		ChosenPartnerID:   d.ChosenPartnerID,
		CandidatesTotal:   d.CandidatesTotal,
		CandidatesOmitted: d.CandidatesOmitted,
	}
}

func toPoolCellView(c routing.PoolCell) poolCellView {
	return poolCellView{Wins: c.Wins, Decided: c.Decided, RawRate: c.RawRate, Prior: c.Prior, Rate: c.Rate}
}

func toCandidateView(c routing.Candidate) candidateView {
	r := c.Responsiveness
	o := c.Overall
	return candidateView{Rank: c.Rank, PartnerID: c.PartnerID, Name: c.Name, Tier: c.Tier, Band: c.Band,
		Cells: mapSlice(c.Cells, func(a routing.AxisCell) axisCellView {
			return axisCellView{Axis: a.Axis, Value: a.Value, Wins: a.Wins, Decided: a.Decided, RawRate: a.RawRate,
				Prior: a.Prior, ShrunkRate: a.ShrunkRate, StdError: a.StdError}
		}),
		Overall:           overallCellView{Wins: o.Wins, Decided: o.Decided, RawRate: o.RawRate, Prior: o.Prior, ShrunkRate: o.ShrunkRate},
		Score:             c.Score,
		ConfidencePenalty: c.ConfidencePenalty,
		Responsiveness: candidateResponsivenessView{OffersReceived: r.OffersReceived, Declines: r.Declines, Expiries: r.Expiries,
			Rate: r.Rate, Penalty: r.Penalty},
		RankingScore:         c.RankingScore,
		MedianDaysToApproval: c.MedianDaysToApproval,
		LastOfferedAt:        c.LastOfferedAt,
	}
}

// routingDecisionView is one stored decision. Its explanation is a
// decisionView, or, for an admin's assignment, an overrideView.
type routingDecisionView struct {
	ID              string    `json:"id"`
	IntakeID        string    `json:"intake_id"`
	Trigger         string    `json:"trigger"`
	Mode            string    `json:"mode"`
	Outcome         string    `json:"outcome"`
	ChosenPartnerID *string   `json:"chosen_partner_id"`
	Explanation     any       `json:"explanation"`
	ActorKeyID      *string   `json:"actor_key_id"`
	Reason          *string   `json:"reason"`
	CreatedAt       time.Time `json:"created_at"`
}

// overrideView explains an admin's assignment: which partner the admin
// assigned, and what the router would have decided.
type overrideView struct {
	Override string       `json:"override"`
	Router   decisionView `json:"router"`
}

// toRoutingDecisionView reads the stored explanation
// (routing.ParseExplanation) and renders the decision; an explanation that
// does not read is an internal error, not something to show.
func toRoutingDecisionView(d postgres.RoutingDecision) (routingDecisionView, error) {
	e, err := routing.ParseExplanation(d.Explanation)
	if err != nil {
		return routingDecisionView{}, err
	}
	v := routingDecisionView{ID: d.ID, IntakeID: d.IntakeID, Trigger: d.Trigger, Mode: d.Mode, Outcome: d.Outcome,
		ChosenPartnerID: d.ChosenPartnerID, ActorKeyID: d.ActorKeyID, Reason: d.Reason, CreatedAt: d.CreatedAt}
	if e.Override != nil {
		v.Explanation = overrideView{Override: *e.Override, Router: toDecisionView(e.Decision)}
	} else {
		v.Explanation = toDecisionView(e.Decision)
	}
	return v, nil
}
