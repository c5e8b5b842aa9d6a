package postgres

import "context"

// MigrateTo applies the embedded migrations up to and including version
// last, so a test can load rows in an older schema and then migrate them.
func (db *DB) MigrateTo(ctx context.Context, last int) ([]int, error) {
	return db.migrate(ctx, nil, last)
}
