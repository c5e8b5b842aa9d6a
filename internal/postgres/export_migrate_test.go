package postgres

import "context"

// MigrateTo applies the embedded migrations up to and including version
// last, so a test can load rows in an older schema and then migrate them.
func (db *DB) MigrateTo(ctx context.Context, last int) ([]int, error) {
	return db.migrate(ctx, nil, last)
}

// RoutingCacheVersion is the version the routing cache holds, and whether
// it holds one.
func (db *DB) RoutingCacheVersion() (int64, bool) {
	db.rcache.mu.Lock()
	defer db.rcache.mu.Unlock()
	return db.rcache.version, db.rcache.loaded
}
