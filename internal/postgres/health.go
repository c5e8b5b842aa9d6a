package postgres

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/health"
)

// healthSettings maps the stored settings to the hygiene rules' settings.
func healthSettings(s domain.Settings) health.Settings {
	return health.Settings{StaleDays: s.StaleDays, StuckIdentifiedDays: s.StuckIdentifiedDays,
		FollowUpBusinessDays: s.FollowUpBusinessDays, OutcomeGraceDays: s.OutcomeGraceDays,
		CadenceWeeks: s.CadenceWeeks, BatchQuietWeeks: s.BatchQuietWeeks, BatchWeekMin: s.BatchWeekMin}
}

// flagKey identifies one condition: a flag kind on a record or on an
// assignment (the other id is empty). The flags wanted and the flags open
// are matched on it.
type flagKey struct {
	kind, recordID, assignmentID string
}

// syncFlags evaluates the hygiene rules over open records and accepted
// assignments (all of them, or one assignment's) and makes the open flags
// match: new conditions are raised with the time, ended ones cleared. It
// returns the flags it raised, by partner. Running it twice changes
// nothing.
func syncFlags(ctx context.Context, tx *Tx, settings domain.Settings, now time.Time, assignmentID string) (raised map[string][]events.RaisedFlag, cleared int, err error) {
	raised = map[string][]events.RaisedFlag{}
	hs := healthSettings(settings)
	// A nil scope reads as SQL NULL: every assignment.
	var scope any
	if assignmentID != "" {
		scope = assignmentID
	}
	var recs []struct {
		ID        string     `db:"id"`
		PartnerID string     `db:"partner_id"`
		State     string     `db:"state"`
		CreatedAt time.Time  `db:"created_at"`
		UpdatedAt time.Time  `db:"updated_at"`
		Entered   *time.Time `db:"entered"`
		Target    *time.Time `db:"target_close_date"`
	}
	if err := tx.SelectContext(ctx, &recs, `SELECT r.id, r.partner_id, r.state, r.created_at, r.updated_at,
		(SELECT max(t.at) FROM ace_record_transitions t WHERE t.ace_record_id = r.id AND t.to_state = r.state) AS entered,
		r.target_close_date::timestamptz AS target_close_date
		FROM ace_records r
		WHERE r.state <> ALL($2) AND ($1::uuid IS NULL OR r.assignment_id = $1::uuid)`, scope, pq.Array(ace.TerminalStates)); err != nil {
		return nil, 0, translate(err)
	}
	// want maps each condition that holds now to the partner it is on.
	want := map[flagKey]string{}
	for _, r := range recs {
		// A record that never moved entered its state when it was filed.
		entered := r.CreatedAt
		if r.Entered != nil {
			entered = *r.Entered
		}
		// A date column comes back as midnight in the session's zone; the
		// rules count whole UTC days.
		var target *time.Time
		if r.Target != nil {
			t := time.Date(r.Target.Year(), r.Target.Month(), r.Target.Day(), 0, 0, 0, 0, time.UTC)
			target = &t
		}
		for _, k := range health.RecordFlags(health.Record{ID: r.ID, State: r.State, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
			EnteredStateAt: entered, TargetCloseDate: target}, now, hs) {
			want[flagKey{kind: k, recordID: r.ID}] = r.PartnerID
		}
	}
	var asgs []struct {
		ID        string     `db:"id"`
		PartnerID string     `db:"partner_id"`
		Accepted  time.Time  `db:"accepted_at"`
		Records   int        `db:"records"`
		Last      *time.Time `db:"last_activity"`
	}
	if err := tx.SelectContext(ctx, &asgs, `SELECT a.id, a.partner_id, a.accepted_at, count(r.id) AS records,
		max(GREATEST(r.created_at, r.updated_at)) AS last_activity
		FROM assignments a LEFT JOIN ace_records r ON r.assignment_id = a.id
		WHERE a.status = 'accepted' AND ($1::uuid IS NULL OR a.id = $1::uuid)
		GROUP BY a.id`, scope); err != nil {
		return nil, 0, translate(err)
	}
	for _, a := range asgs {
		for _, k := range health.AssignmentFlags(health.Assignment{ID: a.ID, AcceptedAt: a.Accepted, RecordCount: a.Records,
			LastActivityAt: a.Last}, now, hs) {
			want[flagKey{kind: k, assignmentID: a.ID}] = a.PartnerID
		}
	}
	var open []struct {
		ID           int64   `db:"id"`
		Kind         string  `db:"kind"`
		RecordID     *string `db:"ace_record_id"`
		AssignmentID *string `db:"assignment_id"`
	}
	// The open flags in the same scope, locked, so that a scan and a record
	// change evaluating one assignment at once do not both raise a flag.
	q := `SELECT f.id, f.kind, f.ace_record_id, f.assignment_id FROM hygiene_flags f WHERE f.cleared_at IS NULL`
	if assignmentID != "" {
		q += ` AND (f.assignment_id = $1::uuid OR f.ace_record_id IN (SELECT id FROM ace_records WHERE assignment_id = $1::uuid))`
		err = tx.SelectContext(ctx, &open, q+` FOR UPDATE`, assignmentID)
	} else {
		err = tx.SelectContext(ctx, &open, q+` FOR UPDATE`)
	}
	if err != nil {
		return nil, 0, translate(err)
	}
	have := map[flagKey]bool{}
	for _, f := range open {
		k := flagKey{kind: f.Kind}
		if f.RecordID != nil {
			k.recordID = *f.RecordID
		}
		if f.AssignmentID != nil {
			k.assignmentID = *f.AssignmentID
		}
		have[k] = true
		if _, ok := want[k]; !ok {
			if _, err := tx.ExecContext(ctx, `UPDATE hygiene_flags SET cleared_at = $2 WHERE id = $1`, f.ID, now); err != nil {
				return nil, 0, translate(err)
			}
			cleared++
		}
	}
	// A condition that ends and comes back later is a new flag with its
	// own raised_at, so the history shows both episodes.
	for k, partnerID := range want {
		if have[k] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hygiene_flags (partner_id, kind, ace_record_id, assignment_id, raised_at)
			VALUES ($1, $2, NULLIF($3, '')::uuid, NULLIF($4, '')::uuid, $5)`, partnerID, k.kind, k.recordID, k.assignmentID, now); err != nil {
			return nil, 0, translate(err)
		}
		raised[partnerID] = append(raised[partnerID], events.RaisedFlag{Flag: k.kind, ACERecordID: k.recordID, AssignmentID: k.assignmentID})
	}
	return raised, cleared, nil
}

// refreshFlags re-evaluates one assignment's flags inside a change to it
// or its records, so a flag clears as soon as its condition ends.
func refreshFlags(ctx context.Context, tx *Tx, assignmentID string, now time.Time) error {
	settings, err := settingsTx(ctx, tx)
	if err != nil {
		return err
	}
	_, _, err = syncFlags(ctx, tx, settings, now, assignmentID)
	return err
}

// ScanHygiene is the daily scan: it raises and clears the flags of every
// open record and accepted assignment, and writes, for each partner it
// raised flags for, one pipeline.flags_raised event listing them: a daily
// digest, not an event per flag. With a period (a UTC date) it runs once
// per period; it returns false when the period was already scanned.
func (db *DB) ScanHygiene(ctx context.Context, period string) (raised, cleared int, ran bool, err error) {
	ran, err = db.inPeriod(ctx, periodHygieneScan, period, func(tx *Tx) error {
		settings, err := settingsTx(ctx, tx)
		if err != nil {
			return err
		}
		byPartner, n, err := syncFlags(ctx, tx, settings, tx.now, "")
		if err != nil {
			return err
		}
		cleared = n
		partners := make([]string, 0, len(byPartner))
		for pid := range byPartner {
			partners = append(partners, pid)
		}
		sort.Strings(partners)
		for _, pid := range partners {
			flags := byPartner[pid]
			raised += len(flags)
			sort.Slice(flags, func(i, j int) bool {
				a, b := flags[i], flags[j]
				return a.Flag+a.ACERecordID+a.AssignmentID < b.Flag+b.ACERecordID+b.AssignmentID
			})
			var open int
			if err := tx.GetContext(ctx, &open, `SELECT count(*) FROM hygiene_flags WHERE partner_id = $1 AND cleared_at IS NULL`,
				pid); err != nil {
				return translate(err)
			}
			if err := emit(ctx, tx, events.PipelineFlagsRaised{PartnerID: pid, Date: tx.now.UTC().Format("2006-01-02"),
				Flags: flags, OpenFlags: open}); err != nil {
				return err
			}
		}
		return nil
	})
	return raised, cleared, ran, err
}

// Flag is an open hygiene flag.
type Flag struct {
	Kind         string    `db:"kind"`
	ACERecordID  *string   `db:"ace_record_id"`
	AssignmentID *string   `db:"assignment_id"`
	RaisedAt     time.Time `db:"raised_at"`
}

// PipelineHealth is a partner's health: its score, open flags and cadence.
type PipelineHealth struct {
	PartnerID string
	Score     health.Score
	Flags     []Flag
	Cadence   health.Cadence
	AsOf      time.Time
}

// submissionTimes returns a partner's submission times from since on.
func submissionTimes(ctx context.Context, q sqlx.QueryerContext, partnerID string, since, until time.Time) ([]time.Time, error) {
	var ts []time.Time
	err := sqlx.SelectContext(ctx, q, &ts, `SELECT submitted_at FROM ace_records WHERE partner_id = $1
		AND submitted_at >= $2 AND submitted_at < $3 ORDER BY submitted_at`, partnerID, since, until)
	for i := range ts {
		ts[i] = ts[i].UTC()
	}
	return ts, translate(err)
}

// PartnerPipelineHealth computes a partner's health now from its open
// flags (kept by the scan), cadence and outcome capture. Returns not_found.
func (db *DB) PartnerPipelineHealth(ctx context.Context, partnerID string) (PipelineHealth, error) {
	if _, err := db.Partner(ctx, partnerID); err != nil {
		return PipelineHealth{}, err
	}
	settings, err := db.Settings(ctx)
	if err != nil {
		return PipelineHealth{}, err
	}
	hs := healthSettings(settings)
	// Health is computed on read, from the flags the scans and changes
	// keep, so it is current without a job having run.
	now := db.Now()
	h := PipelineHealth{PartnerID: partnerID, Flags: []Flag{}, AsOf: now}
	if err := db.pool.SelectContext(ctx, &h.Flags, `SELECT kind, ace_record_id, assignment_id, raised_at FROM hygiene_flags
		WHERE partner_id = $1 AND cleared_at IS NULL ORDER BY raised_at, id`, partnerID); err != nil {
		return h, translate(err)
	}
	for i := range h.Flags {
		h.Flags[i].RaisedAt = h.Flags[i].RaisedAt.UTC()
	}
	// The cadence window ends a second after now, so a submission made in
	// this very second counts.
	ts, err := submissionTimes(ctx, db.pool, partnerID, health.CadenceLookbackStart(now, hs), now.Add(time.Second))
	if err != nil {
		return h, err
	}
	h.Cadence = health.BuildCadence(ts, now, hs)
	var c struct {
		Open     int `db:"open"`
		Accepted int `db:"accepted"`
	}
	if err := db.pool.GetContext(ctx, &c, `SELECT
		(SELECT count(*) FROM ace_records WHERE partner_id = $1 AND state <> ALL($2)) AS open,
		(SELECT count(*) FROM assignments WHERE partner_id = $1 AND status = 'accepted') AS accepted`,
		partnerID, pq.Array(ace.TerminalStates)); err != nil {
		return h, translate(err)
	}
	// Outcome capture: for each record with a target close date, when it
	// was closed out (moved to closed, rejected or withdrawn).
	var rows []struct {
		Target   *time.Time `db:"target"`
		ClosedAt *time.Time `db:"closed_out"`
	}
	if err := db.pool.SelectContext(ctx, &rows, `SELECT r.target_close_date::timestamptz AS target,
		(SELECT min(t.at) FROM ace_record_transitions t WHERE t.ace_record_id = r.id
			AND t.to_state = ANY($2)) AS closed_out
		FROM ace_records r WHERE r.partner_id = $1 AND r.target_close_date IS NOT NULL`, partnerID, pq.Array(ace.TerminalStates)); err != nil {
		return h, translate(err)
	}
	out := make([]health.OutcomeRecord, len(rows))
	for i, r := range rows {
		t := time.Date(r.Target.Year(), r.Target.Month(), r.Target.Day(), 0, 0, 0, 0, time.UTC)
		out[i] = health.OutcomeRecord{TargetCloseDate: &t, ClosedOutAt: r.ClosedAt}
	}
	decided, past := health.CountOutcomeCapture(out, now, hs)
	// The score weighs each kind of flag by how many are open.
	counts := map[string]int{}
	for _, f := range h.Flags {
		counts[f.Kind]++
	}
	h.Score = health.ComputeScore(health.ScoreInput{OpenRecords: c.Open, FlagCounts: counts, AcceptedAssignments: c.Accepted,
		BatchPattern: h.Cadence.BatchPattern, DecidedRecentRecords: decided, PastTargetRecords: past})
	return h, nil
}

// WriteSnapshots writes, once, every partner's snapshot of the UTC month
// before now's. It returns how many it wrote, and false when the month was
// already done.
func (db *DB) WriteSnapshots(ctx context.Context) (int, bool, error) {
	n := 0
	// The month before now's, in UTC, claimed under its YYYY-MM.
	now := db.Now()
	end := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(0, -1, 0)
	ran, err := db.inPeriod(ctx, periodSnapshots, start.Format("2006-01"), func(tx *Tx) error {
		settings, err := settingsTx(ctx, tx)
		if err != nil {
			return err
		}
		var partners []string
		if err := tx.SelectContext(ctx, &partners, `SELECT id FROM partners ORDER BY id`); err != nil {
			return translate(err)
		}
		for _, pid := range partners {
			s, err := monthSnapshot(ctx, tx, pid, start, end, settings)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(s)
			// A snapshot, once written, is the month's record: never rewritten.
			res, err := tx.ExecContext(ctx, `INSERT INTO partner_snapshots (partner_id, month, data) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, pid, start, b)
			if err != nil {
				return translate(err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				n++
			}
		}
		return nil
	})
	return n, ran, err
}

// monthSnapshot computes a partner's month [start, end) from the history
// of its records and assignments, so it is right even when written late.
func monthSnapshot(ctx context.Context, q sqlx.QueryerContext, partnerID string, start, end time.Time, settings domain.Settings) (health.MonthSnapshot, error) {
	var states []string
	// Each record's state at the end of the month: its last move before it.
	if err := sqlx.SelectContext(ctx, q, &states, `SELECT (SELECT t.to_state FROM ace_record_transitions t
			WHERE t.ace_record_id = r.id AND t.at < $2 ORDER BY t.at DESC, t.id DESC LIMIT 1)
		FROM ace_records r WHERE r.partner_id = $1 AND r.created_at < $2`, partnerID, end); err != nil {
		return health.MonthSnapshot{}, translate(err)
	}
	dist := map[string]int{}
	active := 0
	for _, s := range states {
		dist[s]++
		if !ace.IsTerminal(s) {
			active++
		}
	}
	var c struct {
		NewSubmissions int   `db:"new_submissions"`
		Offers         int   `db:"offers"`
		Accepted       int   `db:"accepted"`
		ApprovedUSD    int64 `db:"approved_usd"`
		ClosedUSD      int64 `db:"closed_usd"`
	}
	if err := sqlx.GetContext(ctx, q, &c, `SELECT
		(SELECT count(*) FROM ace_records WHERE partner_id = $1 AND submitted_at >= $2 AND submitted_at < $3) AS new_submissions,
		(SELECT count(*) FROM assignments WHERE partner_id = $1 AND offered_at >= $2 AND offered_at < $3) AS offers,
		(SELECT count(*) FROM assignments WHERE partner_id = $1 AND offered_at >= $2 AND offered_at < $3 AND accepted_at IS NOT NULL) AS accepted,
		(SELECT COALESCE(sum(t.approved_usd), 0) FROM ace_record_transitions t JOIN ace_records r ON r.id = t.ace_record_id
			WHERE r.partner_id = $1 AND t.to_state = 'approved' AND t.at >= $2 AND t.at < $3) AS approved_usd,
		(SELECT COALESCE(sum(approved_usd), 0) FROM ace_records WHERE partner_id = $1 AND closed_at >= $2 AND closed_at < $3) AS closed_usd`,
		partnerID, start, end); err != nil {
		return health.MonthSnapshot{}, translate(err)
	}
	// The cadence as it stood on the month's last instant.
	asOf := end.Add(-time.Nanosecond)
	ts, err := submissionTimes(ctx, q, partnerID, health.CadenceLookbackStart(asOf, healthSettings(settings)), end)
	if err != nil {
		return health.MonthSnapshot{}, err
	}
	cad := health.BuildCadence(ts, asOf, healthSettings(settings))
	return health.NewMonthSnapshot(start, health.SnapshotInput{ActiveRecords: active, NewSubmissions: c.NewSubmissions,
		StateDistribution: dist, OffersReceived: c.Offers, OffersAccepted: c.Accepted, ApprovedUSD: c.ApprovedUSD,
		ClosedUSD: c.ClosedUSD, Cadence: cad}), nil
}

// Snapshot is a stored monthly snapshot.
type Snapshot struct {
	PartnerID string          `db:"partner_id"`
	Month     string          `db:"month"`
	Data      json.RawMessage `db:"data"`
	CreatedAt time.Time       `db:"created_at"`
}

// Snapshots lists stored snapshots, newest month first; empty filters do
// not filter. month is YYYY-MM.
func (db *DB) Snapshots(ctx context.Context, partnerID, month string) ([]Snapshot, error) {
	out := []Snapshot{}
	if partnerID != "" && !validUUID(partnerID) {
		return out, nil
	}
	var m *time.Time
	if month != "" {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return nil, &domain.Error{Code: domain.ECodeValidation, Message: "bad month",
				Fields: []domain.FieldError{{Field: "month", Message: "must be YYYY-MM"}}}
		}
		m = &t
	}
	err := db.pool.SelectContext(ctx, &out, `SELECT partner_id, to_char(month, 'YYYY-MM') AS month, data, created_at
		FROM partner_snapshots WHERE ($1 = '' OR partner_id::text = $1) AND ($2::date IS NULL OR month = $2::date)
		ORDER BY month DESC, partner_id LIMIT 1000`, partnerID, m)
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, translate(err)
}
