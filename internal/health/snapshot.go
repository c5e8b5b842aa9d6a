package health

import (
	"time"

	"github.com/cloudroute/cloudroute/internal/ace"
)

// MonthSnapshot is a partner's monthly snapshot (SPEC §3, seed 000: "total
// active opportunities, new submissions in the period, stage distribution,
// co-sell request acceptance rate, and closed ARR"). What each count covers
// is defined in docs/pipeline-health.md.
type MonthSnapshot struct {
	Month             string         `json:"month"`          // YYYY-MM, UTC
	ActiveRecords     int            `json:"active_records"` // open at the end of the month
	NewSubmissions    int            `json:"new_submissions"`
	StateDistribution map[string]int `json:"state_distribution"` // every state a key
	OffersReceived    int            `json:"offers_received"`
	OffersAccepted    int            `json:"offers_accepted"`
	// OfferAcceptanceRate is OffersAccepted / OffersReceived, nil (JSON
	// null) when there were no offers: no offers is not a rate of 0.
	OfferAcceptanceRate *float64 `json:"offer_acceptance_rate"`
	ApprovedUSD         int64    `json:"approved_usd"`
	ClosedUSD           int64    `json:"closed_usd"`
	Cadence             Cadence  `json:"cadence"`
}

// SnapshotInput are the month's figures as the caller counted them.
type SnapshotInput struct {
	ActiveRecords     int
	NewSubmissions    int
	StateDistribution map[string]int
	OffersReceived    int
	OffersAccepted    int
	ApprovedUSD       int64
	ClosedUSD         int64
	Cadence           Cadence
}

// NewMonthSnapshot returns the snapshot of the UTC calendar month containing
// month. It computes the acceptance rate and gives the state distribution a
// key for every record state (ace.States), zero when absent, so that the
// JSON always has the same shape; in is not modified.
func NewMonthSnapshot(month time.Time, in SnapshotInput) MonthSnapshot {
	dist := make(map[string]int, len(ace.States))
	for _, st := range ace.States {
		dist[st] = 0
	}
	for st, n := range in.StateDistribution {
		dist[st] = n
	}
	var rate *float64
	if in.OffersReceived > 0 {
		r := float64(in.OffersAccepted) / float64(in.OffersReceived)
		rate = &r
	}
	cad := in.Cadence
	if cad.Weeks == nil {
		cad.Weeks = []WeekCount{}
	}
	return MonthSnapshot{
		Month:               month.UTC().Format("2006-01"),
		ActiveRecords:       in.ActiveRecords,
		NewSubmissions:      in.NewSubmissions,
		StateDistribution:   dist,
		OffersReceived:      in.OffersReceived,
		OffersAccepted:      in.OffersAccepted,
		OfferAcceptanceRate: rate,
		ApprovedUSD:         in.ApprovedUSD,
		ClosedUSD:           in.ClosedUSD,
		Cadence:             cad,
	}
}

// MonthRange returns the UTC calendar month containing t as [start, end).
// A snapshot counts events at or after start and before end, and builds its
// cadence at now = end − 1ns, the month's last instant (or at the current
// time, for the month in progress).
func MonthRange(t time.Time) (start, end time.Time) {
	t = t.UTC()
	start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}
