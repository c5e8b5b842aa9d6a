package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/cloudroute/cloudroute/migrations"
)

// migrateLockID is the advisory-lock key that serialises migration runs, so
// two processes starting together do not both apply a file.
const migrateLockID = 72_616_110_001

// migrationPrep holds, by version, a step that runs in a migration's
// transaction just before its SQL, for what SQL cannot compute; the SQL
// file says what it expects from it.
var migrationPrep = map[int]func(context.Context, *sqlx.Tx) error{
	11: stageRegistrableDomains,
}

// Migrate applies every embedded migration not yet recorded in
// schema_migrations, in order, one transaction each, under an advisory lock.
// It returns the versions it applied.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) ([]int, error) {
	return db.migrate(ctx, log, math.MaxInt)
}

// migrate is Migrate stopping after version last.
func (db *DB) migrate(ctx context.Context, log *slog.Logger, last int) ([]int, error) {
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	type mig struct {
		version int
		name    string
	}
	var all []mig
	for _, f := range files {
		num, _, ok := strings.Cut(f, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %q: name must start with a number and an underscore", f)
		}
		all = append(all, mig{v, f})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })

	conn, err := db.pool.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockID); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockID)

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var done []int
	if err := conn.SelectContext(ctx, &done, `SELECT version FROM schema_migrations`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
	for _, v := range done {
		applied[v] = true
	}
	var ran []int
	for _, m := range all {
		if m.version > last {
			break
		}
		if applied[m.version] {
			continue
		}
		body, err := fs.ReadFile(migrations.FS, m.name)
		if err != nil {
			return ran, err
		}
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			return ran, err
		}
		if prep := migrationPrep[m.version]; prep != nil {
			if err := prep(ctx, tx); err != nil {
				tx.Rollback()
				return ran, fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return ran, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			tx.Rollback()
			return ran, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return ran, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if log != nil {
			log.Info("migration applied", "version", m.version, "name", m.name)
		}
		ran = append(ran, m.version)
	}
	return ran, nil
}
