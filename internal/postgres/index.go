package postgres

import (
	"context"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
)

// TrackRecordRow is one historical ACE outcome of a partner, as imported:
// a row that passed ace.CheckTrackRecordRow.
type TrackRecordRow = ace.TrackRecordOutcome

// TrackRecordImport streams rows into one partner's track record inside a
// transaction: nothing is written unless Commit is called and no row was
// bad. Create one with BeginTrackRecordImport.
type TrackRecordImport struct {
	db        *DB
	tx        *Tx
	copyIn    *sqlx.Stmt // the COPY into outcomes
	partnerID string
	rows      int
	failed    bool
}

// BeginTrackRecordImport starts an import for a partner. Returns not_found.
func (db *DB) BeginTrackRecordImport(ctx context.Context, partnerID string) (*TrackRecordImport, error) {
	if _, err := db.Partner(ctx, partnerID); err != nil {
		return nil, err
	}
	tx, err := db.begin(ctx, nil)
	if err != nil {
		return nil, err
	}
	// COPY streams the rows to Postgres as they are read; the CHECK
	// constraints still apply to every row.
	copyIn, err := tx.PreparexContext(ctx, pq.CopyIn("outcomes", "partner_id", "source", "decided_at", "submitted_at", "stage",
		"region", "vertical", "service_profile", "engagement_type", "funding_source", "outcome", "requested_usd", "approved_usd"))
	if err != nil {
		tx.Rollback()
		return nil, translate(err)
	}
	return &TrackRecordImport{db: db, tx: tx, copyIn: copyIn, partnerID: partnerID}, nil
}

// Add writes one valid row. After MarkFailed it only counts.
func (imp *TrackRecordImport) Add(ctx context.Context, r TrackRecordRow) error {
	// Rows are counted even after a failure, for the caller's report.
	imp.rows++
	if imp.failed {
		return nil
	}
	_, err := imp.copyIn.ExecContext(ctx, imp.partnerID, "import", r.DecidedAt, r.SubmittedAt, r.Stage, r.Region, r.Vertical,
		r.ServiceProfile, r.EngagementType, r.FundingSource, r.Outcome, r.RequestedUSD, r.ApprovedUSD)
	return translate(err)
}

// MarkFailed stops writing: a bad row was seen and the import will be
// rolled back, but the caller goes on validating to name every bad row.
func (imp *TrackRecordImport) MarkFailed() { imp.failed = true }

// Rollback abandons the import.
func (imp *TrackRecordImport) Rollback() {
	imp.copyIn.Close()
	imp.tx.Rollback()
}

// Commit makes the rows visible with a track_record.imported event, on
// which the jobs update the partner's index (which then drains the
// unroutable queue).
func (imp *TrackRecordImport) Commit(ctx context.Context) (int, error) {
	defer imp.Rollback()
	if imp.failed {
		return 0, domain.Errorf(domain.ECodeValidation, "the import has bad rows")
	}
	// An empty Exec flushes the COPY; only then may the transaction be used
	// for anything else.
	if _, err := imp.copyIn.ExecContext(ctx); err != nil {
		return 0, translate(err)
	}
	if err := imp.copyIn.Close(); err != nil {
		return 0, translate(err)
	}
	if err := emit(ctx, imp.tx, events.TrackRecordImported{PartnerID: imp.partnerID, Rows: imp.rows}); err != nil {
		return 0, err
	}
	if err := imp.tx.commit(imp.db); err != nil {
		return 0, err
	}
	return imp.rows, nil
}

// indexCellsSQL and indexStatsSQL rebuild routing_index and partner_stats for outcomes decided on
// or after $1, for one partner ($2) or all ($2 NULL).
const indexCellsSQL = `INSERT INTO routing_index (partner_id, axis, value, wins, decided)
	SELECT o.partner_id, v.axis, v.value, count(*) FILTER (WHERE o.outcome = 'approved'), count(*)
	FROM outcomes o
	CROSS JOIN LATERAL (VALUES ('stage', o.stage), ('region', o.region), ('vertical', o.vertical),
		('service_profile', o.service_profile), ('engagement_type', o.engagement_type)) AS v(axis, value)
	WHERE o.decided_at >= $1 AND ($2::uuid IS NULL OR o.partner_id = $2::uuid)
	GROUP BY o.partner_id, v.axis, v.value`

const indexStatsSQL = `INSERT INTO partner_stats (partner_id, wins, decided, median_days_to_approval, offers, declines, expiries, built_at)
	SELECT p.id, COALESCE(o.wins, 0), COALESCE(o.decided, 0), o.median, COALESCE(a.offers, 0), COALESCE(a.declines, 0),
		COALESCE(a.expiries, 0), $3
	FROM partners p
	LEFT JOIN (
		SELECT partner_id, count(*) FILTER (WHERE outcome = 'approved') AS wins, count(*) AS decided,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - submitted_at) / 86400.0)
				FILTER (WHERE outcome = 'approved') AS median
		FROM outcomes WHERE decided_at >= $1 AND ($2::uuid IS NULL OR partner_id = $2::uuid)
		GROUP BY partner_id
	) o ON o.partner_id = p.id
	LEFT JOIN (
		SELECT partner_id, count(*) AS offers, count(*) FILTER (WHERE status = 'declined') AS declines,
			count(*) FILTER (WHERE status = 'expired') AS expiries
		FROM assignments WHERE offered_at >= $1 AND ($2::uuid IS NULL OR partner_id = $2::uuid)
		GROUP BY partner_id
	) a ON a.partner_id = p.id
	WHERE $2::uuid IS NULL OR p.id = $2::uuid`

// RebuildIndex recomputes the whole routing index over the trailing
// window, in one transaction: routing reads the old index until it commits.
func (db *DB) RebuildIndex(ctx context.Context) error {
	_, err := db.rebuildIndex(ctx, nil, "")
	return err
}

// RebuildIndexForPeriod is the nightly rebuild: it claims period (a UTC
// date) in the same transaction, so the night's rebuild runs once however
// many schedulers enqueue it. It returns false when the period was done.
func (db *DB) RebuildIndexForPeriod(ctx context.Context, period string) (bool, error) {
	return db.rebuildIndex(ctx, nil, period)
}

// UpdatePartnerIndex recomputes one partner's cells and stats.
func (db *DB) UpdatePartnerIndex(ctx context.Context, partnerID string) error {
	if !validUUID(partnerID) {
		return domain.NotFound()
	}
	_, err := db.rebuildIndex(ctx, &partnerID, "")
	return err
}

// rebuildIndex recomputes the cells and stats of one partner, or of all
// (partnerID nil), from the outcomes in the window, and announces the
// change. With a period it runs once per period (the nightly rebuild).
func (db *DB) rebuildIndex(ctx context.Context, partnerID *string, period string) (bool, error) {
	return db.inPeriod(ctx, periodRebuildIndex, period, func(tx *Tx) error {
		settings, err := settingsTx(ctx, tx)
		if err != nil {
			return err
		}
		now := tx.now
		from := windowStart(now, settings)
		if partnerID == nil {
			// Serialise whole rebuilds; a partner update waits behind one.
			if _, err := tx.ExecContext(ctx, `LOCK TABLE routing_index, partner_stats IN EXCLUSIVE MODE`); err != nil {
				return translate(err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM routing_index`); err != nil {
				return translate(err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM partner_stats`); err != nil {
				return translate(err)
			}
		} else {
			// Two updates of one partner would each delete and re-insert its
			// cells; the lock makes the second wait instead of colliding on
			// the primary key.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('routing_index:' || $1, 0))`, *partnerID); err != nil {
				return translate(err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM routing_index WHERE partner_id = $1`, *partnerID); err != nil {
				return translate(err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM partner_stats WHERE partner_id = $1`, *partnerID); err != nil {
				return translate(err)
			}
		}
		if _, err := tx.ExecContext(ctx, indexCellsSQL, from, partnerID); err != nil {
			return translate(err)
		}
		if _, err := tx.ExecContext(ctx, indexStatsSQL, from, partnerID, now); err != nil {
			return translate(err)
		}
		// New cells may make room for an unroutable intake.
		changed := events.RoutingIndexChanged{}
		if partnerID != nil {
			changed.PartnerID = *partnerID
		}
		return emit(ctx, tx, changed)
	})
}

// IndexCell is one routing-index cell.
type IndexCell struct {
	PartnerID string   `db:"partner_id"`
	Axis      string   `db:"axis"`
	Value     string   `db:"value"`
	Wins      int      `db:"wins"`
	Decided   int      `db:"decided"`
	Rate      *float64 `db:"rate"`
}

// RoutingIndex lists cells, optionally of one partner and one axis.
func (db *DB) RoutingIndex(ctx context.Context, partnerID, axis string, limit int) ([]IndexCell, error) {
	args := []any{limit}
	q := `SELECT partner_id, axis, value, wins, decided, wins::float8 / NULLIF(decided, 0) AS rate FROM routing_index WHERE true`
	if partnerID != "" {
		if !validUUID(partnerID) {
			return []IndexCell{}, nil
		}
		args = append(args, partnerID)
		q += ` AND partner_id = $` + strconv.Itoa(len(args))
	}
	if axis != "" {
		args = append(args, axis)
		q += ` AND axis = $` + strconv.Itoa(len(args))
	}
	q += ` ORDER BY partner_id, axis, value LIMIT $1`
	out := []IndexCell{}
	err := db.pool.SelectContext(ctx, &out, q, args...)
	return out, translate(err)
}
