package postgres

import (
	"context"
	"time"
)

// Percentiles are the p50 and p90 of a duration, in the unit named by the
// field that holds them; nil when there is nothing to measure.
type Percentiles struct {
	Count int      `db:"n"`
	P50   *float64 `db:"p50"`
	P90   *float64 `db:"p90"`
}

// PoolCloseRate is the close rate of one funding pool.
type PoolCloseRate struct {
	FundingSource string   `db:"funding_source"`
	Wins          int      `db:"wins"`
	Decided       int      `db:"decided"`
	Rate          *float64 `db:"rate"`
}

// AdminMetrics are the figures of SPEC §3 "Metrics for admins" over a
// range of time [From, To).
type AdminMetrics struct {
	From                     time.Time
	To                       time.Time
	SubmissionToOfferSeconds Percentiles
	OfferToAcceptSeconds     Percentiles
	OffersMade               int
	OffersAccepted           int
	OffersDeclined           int
	OffersExpired            int
	OfferAcceptanceRate      *float64
	CloseRateByPool          []PoolCloseRate
	SubmissionToApprovalDays Percentiles
	CreditsApprovedUSD       int64
	CommissionAccruedCents   int64
	CommissionPaidCents      int64
	IntakesReceived          int
	// ACE is the ACE sync's state as of now, whatever the range.
	ACE ACESyncFigures
}

// Metrics computes the admin metrics in SQL, in one consistent snapshot.
// An empty range gives zeros and nulls, never an error.
func (db *DB) Metrics(ctx context.Context, from, to time.Time) (AdminMetrics, error) {
	m := AdminMetrics{From: from.UTC(), To: to.UTC(), CloseRateByPool: []PoolCloseRate{}}
	err := db.inSnapshot(ctx, func(tx *Tx) error { return metricsIn(ctx, tx, &m, from, to) })
	return m, err
}

// metricsIn reads the figures in tx, one snapshot for all of them.
func metricsIn(ctx context.Context, tx *Tx, m *AdminMetrics, from, to time.Time) error {
	// Submission → first offer, for intakes received in the range.
	if err := tx.GetContext(ctx, &m.SubmissionToOfferSeconds, `SELECT count(*) AS n,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY s) AS p90
		FROM (SELECT extract(epoch FROM min(a.offered_at) - i.created_at) AS s
			FROM intakes i JOIN assignments a ON a.intake_id = i.id
			WHERE i.created_at >= $1 AND i.created_at < $2 GROUP BY i.id) x`, from, to); err != nil {
		return translate(err)
	}
	if err := tx.GetContext(ctx, &m.OfferToAcceptSeconds, `SELECT count(*) AS n,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY s) AS p90
		FROM (SELECT extract(epoch FROM accepted_at - offered_at) AS s FROM assignments
			WHERE accepted_at IS NOT NULL AND offered_at >= $1 AND offered_at < $2) x`, from, to); err != nil {
		return translate(err)
	}
	var offers struct {
		Made     int `db:"made"`
		Accepted int `db:"accepted"`
		Declined int `db:"declined"`
		Expired  int `db:"expired"`
	}
	if err := tx.GetContext(ctx, &offers, `SELECT count(*) AS made,
		count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
		count(*) FILTER (WHERE status = 'declined') AS declined,
		count(*) FILTER (WHERE status = 'expired') AS expired
		FROM assignments WHERE offered_at >= $1 AND offered_at < $2`, from, to); err != nil {
		return translate(err)
	}
	m.OffersMade, m.OffersAccepted, m.OffersDeclined, m.OffersExpired = offers.Made, offers.Accepted, offers.Declined, offers.Expired
	// The acceptance rate is over answered offers: accepted, declined or
	// expired. Offers still open have no answer yet.
	if answered := offers.Accepted + offers.Declined + offers.Expired; answered > 0 {
		r := float64(offers.Accepted) / float64(answered)
		m.OfferAcceptanceRate = &r
	}
	// Close rate by pool: the platform's own records decided in the range
	// (approved is a win; rejected, or withdrawn after submission, a loss).
	if err := tx.SelectContext(ctx, &m.CloseRateByPool, `SELECT funding_source,
		count(*) FILTER (WHERE outcome = 'approved') AS wins, count(*) AS decided,
		count(*) FILTER (WHERE outcome = 'approved')::float8 / count(*) AS rate
		FROM outcomes WHERE source = 'platform' AND decided_at >= $1 AND decided_at < $2
		GROUP BY funding_source ORDER BY funding_source`, from, to); err != nil {
		return translate(err)
	}
	if err := tx.GetContext(ctx, &m.SubmissionToApprovalDays, `SELECT count(*) AS n,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY d) AS p90
		FROM (SELECT extract(epoch FROM t.at - r.submitted_at) / 86400.0 AS d
			FROM ace_record_transitions t JOIN ace_records r ON r.id = t.ace_record_id
			WHERE t.to_state = 'approved' AND t.at >= $1 AND t.at < $2 AND r.submitted_at IS NOT NULL) x`, from, to); err != nil {
		return translate(err)
	}
	if err := tx.GetContext(ctx, &m.CreditsApprovedUSD, `SELECT COALESCE(sum(approved_usd), 0) FROM ace_record_transitions
		WHERE to_state = 'approved' AND at >= $1 AND at < $2`, from, to); err != nil {
		return translate(err)
	}
	if err := tx.GetContext(ctx, &m.CommissionAccruedCents, `SELECT COALESCE(sum(amount_cents), 0) FROM commission_entries
		WHERE occurred_at >= $1 AND occurred_at < $2`, from, to); err != nil {
		return translate(err)
	}
	if err := tx.GetContext(ctx, &m.CommissionPaidCents, `SELECT COALESCE(sum(total_cents), 0) FROM statements
		WHERE state = 'paid' AND paid_at >= $1 AND paid_at < $2`, from, to); err != nil {
		return translate(err)
	}
	if err := tx.GetContext(ctx, &m.IntakesReceived, `SELECT count(*) FROM intakes WHERE created_at >= $1 AND created_at < $2`, from, to); err != nil {
		return translate(err)
	}
	var err error
	m.ACE, err = aceFigures(ctx, tx)
	return err
}
