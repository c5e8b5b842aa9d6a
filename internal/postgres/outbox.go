package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/tasks"
)

// enqueue records a task in the outbox inside tx, so the task exists exactly
// when the change that needs it commits.
func enqueue(ctx context.Context, tx *Tx, taskType string, payload any, processAt *time.Time) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (task_type, payload, process_at) VALUES ($1, $2, $3)`, taskType, b, processAt)
	return translate(err)
}

// enqueueDrain asks for the unroutable queue to be routed again.
func enqueueDrain(ctx context.Context, tx *Tx, reason string) error {
	return enqueue(ctx, tx, tasks.TypeDrainUnroutable, tasks.DrainUnroutable{Reason: reason}, nil)
}

// OutboxMessage is one unsent outbox row.
type OutboxMessage struct {
	ID        int64      `db:"id"`
	TaskType  string     `db:"task_type"`
	Payload   []byte     `db:"payload"`
	ProcessAt *time.Time `db:"process_at"`
}

// RelayOutbox claims up to limit unsent rows (skipping rows another relay
// holds), hands them to send in id order, and marks sent the ones send
// accepted. send returns how many of the rows, from the start, it delivered;
// an error stops the batch and leaves the rest for the next pass.
func (db *DB) RelayOutbox(ctx context.Context, limit int, send func([]OutboxMessage) (int, error)) (int, error) {
	var delivered int
	var sendErr error
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := asyncCommit(ctx, tx); err != nil {
			return err
		}
		var msgs []OutboxMessage
		const q = `SELECT id, task_type, payload, process_at FROM outbox
			WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`
		if err := tx.SelectContext(ctx, &msgs, q, limit); err != nil {
			return translate(err)
		}
		if len(msgs) == 0 {
			return nil
		}
		delivered, sendErr = send(msgs)
		ids := make([]int64, 0, delivered)
		for _, m := range msgs[:delivered] {
			ids = append(ids, m.ID)
		}
		if len(ids) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
				return translate(err)
			}
		}
		if sendErr != nil && delivered < len(msgs) {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`,
				msgs[delivered].ID, truncate(sendErr.Error(), 500)); err != nil {
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

// OutboxBacklog is the number of unsent outbox rows.
func (db *DB) OutboxBacklog(ctx context.Context) (int, error) {
	var n int
	err := db.pool.GetContext(ctx, &n, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`)
	return n, translate(err)
}

// PurgeSentOutbox deletes sent rows older than age.
func (db *DB) PurgeSentOutbox(ctx context.Context, age time.Duration) error {
	_, err := db.pool.ExecContext(ctx, `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1`, db.Now().Add(-age))
	return translate(err)
}

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
