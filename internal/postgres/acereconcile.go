package postgres

import (
	"context"
	"time"

	"github.com/cloudroute/cloudroute/internal/acesync"
)

// ACE reconciliation findings beyond acesync.Decide's, which need time.
const (
	// FindingLaunchedUnclosed: ACE shows the opportunity Launched and
	// CloudRoute has not closed the record after the setting
	// ace_launched_unclosed_days: commission at risk of never accruing.
	FindingLaunchedUnclosed = "ace_launched_unclosed"
)

// ACEFinding is one linked record on which CloudRoute and ACE disagree.
type ACEFinding struct {
	Kind          string     `db:"kind"`
	RecordID      string     `db:"ace_record_id"`
	PartnerID     string     `db:"partner_id"`
	Catalog       string     `db:"catalog"`
	OpportunityID *string    `db:"opportunity_id"`
	State         string     `db:"state"`
	ReviewStatus  *string    `db:"review_status"`
	Stage         *string    `db:"stage"`
	ApprovedUSD   *int64     `db:"approved_usd"`
	Since         *time.Time `db:"since"`
}

// aceFindings lists the findings as of tx's time:
//   - ace_launched_unclosed: ACE shows Launched since more than the
//     setting's days (counted from ACE's LastModifiedDate when the sync
//     first saw it Launched) and the record is not closed;
//   - closed_here_lost_in_ace: the record is closed (commission accrued)
//     and ACE shows Closed Lost;
//   - the other findings acesync.Decide left on the link at the last pull
//     (awaiting the award, lost after the award, ended here but active in
//     ACE).
func aceFindings(ctx context.Context, tx *Tx) ([]ACEFinding, error) {
	st, err := settingsTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := []ACEFinding{}
	const q = `SELECT kind, ace_record_id, partner_id, catalog, opportunity_id, state, review_status, stage, approved_usd, since FROM (
		SELECT $1 AS kind, l.ace_record_id, l.partner_id, l.catalog, l.opportunity_id, r.state, l.review_status, l.stage,
			r.approved_usd, l.launched_at AS since
		FROM ace_links l JOIN ace_records r ON r.id = l.ace_record_id
		WHERE l.stage = 'Launched' AND r.state <> 'closed' AND l.launched_at <= $2
		UNION ALL
		SELECT $3, l.ace_record_id, l.partner_id, l.catalog, l.opportunity_id, r.state, l.review_status, l.stage,
			r.approved_usd, l.ace_modified_at
		FROM ace_links l JOIN ace_records r ON r.id = l.ace_record_id
		WHERE r.state = 'closed' AND l.stage = 'Closed Lost'
		UNION ALL
		SELECT l.finding, l.ace_record_id, l.partner_id, l.catalog, l.opportunity_id, r.state, l.review_status, l.stage,
			r.approved_usd, l.last_pull_at
		FROM ace_links l JOIN ace_records r ON r.id = l.ace_record_id
		WHERE l.finding IS NOT NULL AND l.finding <> $3
	) f ORDER BY kind, since NULLS LAST, ace_record_id`
	cutoff := tx.now.AddDate(0, 0, -st.ACELaunchedUnclosedDays)
	if err := tx.SelectContext(ctx, &out, q, FindingLaunchedUnclosed, cutoff, acesync.FindingClosedButLost); err != nil {
		return nil, translate(err)
	}
	for i := range out {
		if out[i].Since != nil {
			t := out[i].Since.UTC()
			out[i].Since = &t
		}
	}
	return out, nil
}

// ACESyncFigures are the sync's figures for the admin metrics, as of now.
type ACESyncFigures struct {
	Connections          int `db:"connections"`
	UnhealthyConnections int `db:"unhealthy"`
	LinkedRecords        int `db:"linked"`
	PendingPushes        int `db:"pending"`
	// Findings counts the reconciliation's findings by kind.
	Findings map[string]int
}

func aceFigures(ctx context.Context, tx *Tx) (ACESyncFigures, error) {
	var f ACESyncFigures
	if err := tx.GetContext(ctx, &f, `SELECT
		(SELECT count(*) FROM ace_connections) AS connections,
		(SELECT count(*) FROM ace_connections WHERE last_error_at IS NOT NULL
			AND (last_success_at IS NULL OR last_success_at < last_error_at)) AS unhealthy,
		(SELECT count(*) FROM ace_links) AS linked,
		(SELECT count(*) FROM ace_links WHERE push_pending) AS pending`); err != nil {
		return f, translate(err)
	}
	fs, err := aceFindings(ctx, tx)
	if err != nil {
		return f, err
	}
	f.Findings = map[string]int{}
	for _, x := range fs {
		f.Findings[x.Kind]++
	}
	return f, nil
}
