package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// metricsPage is the admin's dashboard: the figures of SPEC §3 "Metrics
// for admins" over the last months, month by month where a trend tells
// more than a number, each chart with its figures as a table.
type metricsPage struct {
	shell
	Months  int
	Choices []int
	// Total is the whole range; Monthly one month each, oldest first.
	Total   postgres.AdminMetrics
	Monthly []postgres.AdminMetrics
	Charts  []chartImage
}

// Labels of the months, for the tables.
func (pg metricsPage) MonthLabel(m postgres.AdminMetrics) string { return m.From.Format("Jan 2006") }

var metricsMonths = []int{3, 6, 12, 24}

// showMetrics is GET /console/metrics?months=: routing turnaround p50 and
// p90, the offer acceptance rate, credits approved and commission accrued
// and paid, by month; the close rate by pool over the whole range.
// postgres.Metrics computes each month's figures, the API's own.
func (p *Pages) showMetrics(c *gin.Context) {
	ctx := c.Request.Context()
	pg := metricsPage{shell: p.newShell(c, "Metrics"), Months: 12, Choices: metricsMonths}
	if n, err := strconv.Atoi(c.Query("months")); err == nil {
		for _, m := range metricsMonths {
			if n == m {
				pg.Months = n
			}
		}
	}
	now := p.db.Now()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1-pg.Months, 0)
	end := now.Add(time.Second)
	var err error
	if pg.Total, err = p.db.Metrics(ctx, first, end); err != nil {
		p.fail(c, err)
		return
	}
	for m := first; m.Before(end); m = m.AddDate(0, 1, 0) {
		to := m.AddDate(0, 1, 0)
		if to.After(end) {
			to = end
		}
		mm, err := p.db.Metrics(ctx, m, to)
		if err != nil {
			p.fail(c, err)
			return
		}
		pg.Monthly = append(pg.Monthly, mm)
	}
	if pg.Charts, err = metricsCharts(pg.Total, pg.Monthly, first, end); err != nil {
		p.fail(c, err)
		return
	}
	p.render(c, http.StatusOK, "c/metrics", pg)
}

// metricsCharts draws the dashboard: turnaround, acceptance, close rate by
// pool, credits approved, commission accrued and paid.
func metricsCharts(total postgres.AdminMetrics, months []postgres.AdminMetrics, first, end time.Time) ([]chartImage, error) {
	var times []time.Time
	var p50, p90, accrued, paid []float64
	var tTimes []time.Time
	acceptBars := make([]bar, 0, len(months))
	creditBars := make([]bar, 0, len(months))
	for _, m := range months {
		// A month's figures are drawn at its first day.
		mid := m.From
		times = append(times, mid)
		if m.SubmissionToOfferSeconds.P50 != nil {
			tTimes = append(tTimes, mid)
			p50 = append(p50, *m.SubmissionToOfferSeconds.P50)
			p90 = append(p90, deref64(m.SubmissionToOfferSeconds.P90))
		}
		rate := 0.0
		if m.OfferAcceptanceRate != nil {
			rate = *m.OfferAcceptanceRate * 100
		}
		acceptBars = append(acceptBars, bar{Label: m.From.Format("Jan 06"), Value: rate})
		creditBars = append(creditBars, bar{Label: m.From.Format("Jan 06"), Value: float64(m.CreditsApprovedUSD)})
		accrued = append(accrued, float64(m.CommissionAccruedCents)/100)
		paid = append(paid, float64(m.CommissionPaidCents)/100)
	}
	var out []chartImage
	turnaround, err := lineChart([]line{
		{Name: "p50", Color: chartBlue, Times: tTimes, Values: p50},
		{Name: "p90", Color: chartOrange, Times: tTimes, Values: p90},
	}, first, end, func(v float64) string { return duration(&v) },
		fmt.Sprintf("Routing turnaround, submission to offer, by month: p50 %s and p90 %s over the whole range.",
			duration(total.SubmissionToOfferSeconds.P50), duration(total.SubmissionToOfferSeconds.P90)))
	if err != nil {
		return nil, err
	}
	out = append(out, turnaround)
	acc, err := barChart(acceptBars, chartBlue, func(v float64) string { return fmt.Sprintf("%.0f%%", v) }, 100,
		fmt.Sprintf("Offer acceptance rate by month; %s over the whole range.", ratePercent(total.OfferAcceptanceRate)))
	if err != nil {
		return nil, err
	}
	out = append(out, acc)
	pools := make([]bar, 0, len(total.CloseRateByPool))
	for _, r := range total.CloseRateByPool {
		v := 0.0
		if r.Rate != nil {
			v = *r.Rate * 100
		}
		pools = append(pools, bar{Label: label(poolLabels, r.FundingSource), Value: v})
	}
	byPool, err := barChart(pools, chartGreen, func(v float64) string { return fmt.Sprintf("%.0f%%", v) }, 100,
		"Close rate by pool over the whole range: approvals of decided records.")
	if err != nil {
		return nil, err
	}
	out = append(out, byPool)
	cr, err := barChart(creditBars, chartGreen, func(v float64) string { return compactUSD(v) }, 0,
		fmt.Sprintf("Credits approved by month: %s USD over the whole range.", usd(total.CreditsApprovedUSD)))
	if err != nil {
		return nil, err
	}
	out = append(out, cr)
	com, err := lineChart([]line{
		{Name: "accrued", Color: chartBlue, Times: times, Values: accrued},
		{Name: "paid", Color: chartGreen, Times: times, Values: paid},
	}, first, end, compactUSD, fmt.Sprintf("Commission accrued and paid by month: %s accrued and %s paid over the whole range.",
		cents(total.CommissionAccruedCents), cents(total.CommissionPaidCents)))
	if err != nil {
		return nil, err
	}
	return append(out, com), nil
}

func deref64(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// compactUSD writes a dollar axis value: "12k", "1.5M".
func compactUSD(v float64) string {
	switch {
	case v >= 1e6:
		return decimal(v/1e6) + "M"
	case v >= 1e3:
		return decimal(v/1e3) + "k"
	}
	return decimal(v)
}
