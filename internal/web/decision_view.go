package web

import (
	"fmt"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// decisionView is a routing decision as the "decision" template renders
// it: a stored decision's explanation and a what-if preview alike, so that
// the two read the same.
type decisionView struct {
	Caption            string
	PartnersConsidered int
	CandidatesTotal    int
	CandidatesOmitted  int
	Params             routing.ParamsUsed
	FilteredLines      []string
	Axes               []string
	Candidates         []candidateRow
}

type candidateRow struct {
	Rank                                            int
	Name, Tier, Band                                string
	Chosen                                          bool
	Cells                                           []cellRow
	Overall                                         string
	Score, ConfidencePenalty, ResponsivenessPenalty float64
	RankingScore                                    float64
	MedianDays                                      *float64
	Responsiveness                                  string
}

type cellRow struct {
	Value         string
	Wins, Decided int
	Prior, Rate   float64
}

// toDecisionView renders d, a decision made with the routing package's
// explanation (routing.ParseExplanation reads a stored one).
func toDecisionView(d routing.Decision, caption string) decisionView {
	v := decisionView{Caption: caption, PartnersConsidered: d.PartnersConsidered, CandidatesTotal: d.CandidatesTotal,
		CandidatesOmitted: d.CandidatesOmitted, Params: d.Params}
	f := d.Filtered
	for _, r := range []struct {
		n      int
		reason string
	}{{f.Paused, routing.ReasonPaused}, {f.Tier, routing.ReasonTier}, {f.Region, routing.ReasonRegion},
		{f.Capacity, routing.ReasonCapacity}, {f.Excluded, routing.ReasonExcluded}, {f.PreviouslyAssigned, routing.ReasonPreviouslyAssigned}} {
		if r.n > 0 {
			v.FilteredLines = append(v.FilteredLines, fmt.Sprintf("%d %s", r.n, label(filterLabels, r.reason)))
		}
	}
	for _, a := range domain.Axes {
		v.Axes = append(v.Axes, label(axisLabels, a))
	}
	for _, c := range d.Candidates {
		row := candidateRow{Rank: c.Rank, Name: c.Name, Tier: label(tierLabels, c.Tier), Band: bandWords[c.Band],
			Chosen: d.ChosenPartnerID != nil && *d.ChosenPartnerID == c.PartnerID, Score: c.Score,
			ConfidencePenalty: c.ConfidencePenalty, ResponsivenessPenalty: c.Responsiveness.Penalty, RankingScore: c.RankingScore,
			MedianDays: c.MedianDaysToApproval,
			Overall:    fmt.Sprintf("%d wins of %d decided, rate %s", c.Overall.Wins, c.Overall.Decided, ratePercent(c.Overall.ShrunkRate))}
		if r := c.Responsiveness; r.OffersReceived > 0 {
			row.Responsiveness = fmt.Sprintf("%d offers: %d declined, %d expired", r.OffersReceived, r.Declines, r.Expiries)
		}
		for _, cell := range c.Cells {
			row.Cells = append(row.Cells, cellRow{Value: axisValueLabel(cell.Axis, cell.Value), Wins: cell.Wins, Decided: cell.Decided,
				Prior: cell.Prior, Rate: cell.ShrunkRate})
		}
		v.Candidates = append(v.Candidates, row)
	}
	return v
}

var bandWords = map[string]string{routing.BandAbove: "above the threshold", routing.BandBelow: "below the threshold"}
