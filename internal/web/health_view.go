package web

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// healthView is a partner's pipeline health as the console shows it: the
// score with its components, the open flags with the record (or the
// engagement) each names, and the weekly cadence of submissions with the
// batch-pattern verdict, drawn.
type healthView struct {
	postgres.PipelineHealth
	Chart chartImage
	// Links is true for the partner's own staff, who can open the records
	// the flags name.
	Links bool
}

// partnerHealth reads and draws a partner's health. Returns not_found.
func (p *Pages) partnerHealth(ctx context.Context, partnerID string, links bool) (healthView, error) {
	h, err := p.db.PartnerPipelineHealth(ctx, partnerID)
	if err != nil {
		return healthView{}, err
	}
	bars := make([]bar, len(h.Cadence.Weeks))
	for i, w := range h.Cadence.Weeks {
		l := w.WeekStart
		if t, err := time.Parse(time.DateOnly, w.WeekStart); err == nil {
			l = t.Format("Jan 2")
		}
		bars[i] = bar{Label: l, Value: float64(w.Submissions)}
	}
	color := chartBlue
	if h.Cadence.BatchPattern {
		color = chartOrange
	}
	alt := fmt.Sprintf("Submissions per week over the last %d weeks: %d in all", len(h.Cadence.Weeks), h.Cadence.Total)
	if h.Cadence.BatchPattern {
		alt += ", in the batch pattern"
	}
	top := 0.0
	for _, b := range bars {
		top = max(top, b.Value)
	}
	// Whole submissions: an axis of at least 4, in steps of whole numbers.
	top = max(4, 4*float64(int(top+3)/4))
	img, err := barChart(bars, color, func(v float64) string { return fmt.Sprintf("%.0f", v) }, top, alt+".")
	if err != nil {
		return healthView{}, err
	}
	return healthView{PipelineHealth: h, Chart: img, Links: links}, nil
}
