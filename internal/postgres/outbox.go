package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/events"
)

// The outbox holds domain events: what happened, written by the transaction
// that made it happen, so an event exists exactly when its change commits.
// Storage says what happened and nothing more; internal/jobs reads the
// events back through RelayOutbox and decides what each one sets off.

// insertEventSQL writes one event. occurred_at is the transaction's time,
// like every other row the change writes.
const insertEventSQL = `INSERT INTO outbox (event_id, kind, subject, payload, occurred_at) VALUES ($1, $2, $3, $4, $5)`

// emit records p in the outbox inside tx; the relays are woken when tx
// commits (Tx.commit).
func emit(ctx context.Context, tx *Tx, p events.Payload) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, insertEventSQL, uuid.NewString(), p.Kind(), p.Subject(), b, tx.now)
	tx.emitted = true
	return translate(err)
}

// outboxRow is one unsent event as stored.
type outboxRow struct {
	ID         int64     `db:"id"`
	EventID    string    `db:"event_id"`
	Kind       string    `db:"kind"`
	Subject    string    `db:"subject"`
	Payload    []byte    `db:"payload"`
	OccurredAt time.Time `db:"occurred_at"`
}

// RelayOutbox claims up to limit unsent events (skipping rows another relay
// holds), hands them to send in the order they were written, and marks sent
// the ones send accepted. send returns how many of the events, from the
// start, it delivered; an error stops the batch and leaves the rest for the
// next pass, with the error noted on the first event not delivered.
func (db *DB) RelayOutbox(ctx context.Context, limit int, send func([]events.Event) (int, error)) (int, error) {
	var delivered int
	var sendErr error
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := asyncCommit(ctx, tx); err != nil {
			return err
		}
		var rows []outboxRow
		const q = `SELECT id, event_id, kind, subject, payload, occurred_at FROM outbox
			WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`
		if err := tx.SelectContext(ctx, &rows, q, limit); err != nil {
			return translate(err)
		}
		if len(rows) == 0 {
			return nil
		}
		evs := make([]events.Event, len(rows))
		for i, r := range rows {
			evs[i] = events.Event{ID: r.EventID, Kind: r.Kind, Subject: r.Subject, Payload: r.Payload, OccurredAt: r.OccurredAt.UTC()}
		}
		delivered, sendErr = send(evs)
		ids := make([]int64, 0, delivered)
		for _, r := range rows[:delivered] {
			ids = append(ids, r.ID)
		}
		if len(ids) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
				return translate(err)
			}
		}
		if sendErr != nil && delivered < len(rows) {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`,
				rows[delivered].ID, truncate(sendErr.Error(), 500)); err != nil {
				return translate(err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return delivered, sendErr
}

// OutboxBacklog is the number of unsent events.
func (db *DB) OutboxBacklog(ctx context.Context) (int, error) {
	var n int
	err := db.pool.GetContext(ctx, &n, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`)
	return n, translate(err)
}

// PurgeSentOutbox deletes events sent more than age ago; unsent ones stay
// however old they are.
func (db *DB) PurgeSentOutbox(ctx context.Context, age time.Duration) error {
	_, err := db.pool.ExecContext(ctx, `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1`, db.Now().Add(-age))
	return translate(err)
}

// Periodic claims (periodic_runs.job). The names are those of the periodic
// tasks that do the work, kept as they were so that periods claimed before
// stay claimed; to storage they are only keys.
const (
	periodCloseStatements = "statements:close"
	periodHygieneScan     = "hygiene:scan"
	periodSnapshots       = "snapshots:write"
	periodRebuildIndex    = "index:rebuild"
)

// claimPeriod records that job ran for period. It returns false when the
// period was already claimed, so a periodic job runs once per period even
// when several schedulers enqueue it.
func (db *DB) claimPeriod(ctx context.Context, tx *Tx, job, period string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO periodic_runs (job, period) VALUES ($1, $2) ON CONFLICT DO NOTHING`, job, period)
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// inPeriod runs fn in a transaction that first claims (job, period), so a
// periodic job's work for a period is done once even when several
// schedulers enqueue it; the claim commits or rolls back with the work. An
// empty period claims nothing and always runs. It reports whether fn ran.
func (db *DB) inPeriod(ctx context.Context, job, period string, fn func(tx *Tx) error) (bool, error) {
	ran := false
	err := db.inTx(ctx, func(tx *Tx) error {
		if period != "" {
			ok, err := db.claimPeriod(ctx, tx, job, period)
			if err != nil || !ok {
				return err
			}
		}
		ran = true
		return fn(tx)
	})
	return ran && err == nil, err
}
