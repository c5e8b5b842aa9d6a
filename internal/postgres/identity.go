package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/intake"
)

// stageRegistrableDomains prepares migration 0011, which turns every
// stored customer domain into its registrable domain: SQL cannot read the
// Public Suffix List, so this fills the temporary table
// registrable_domains (stored, registrable) with one row per customer
// domain found on intakes and ACE records, and the SQL applies it.
//
// A stored domain the normaliser now refuses (a bare public suffix such
// as herokuapp.com, accepted before) keeps its value: the migration must
// not fail, and such a customer stays one customer.
func stageRegistrableDomains(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE registrable_domains (
		stored text PRIMARY KEY, registrable text NOT NULL) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("registrable domains: %w", err)
	}
	var stored []string
	if err := tx.SelectContext(ctx, &stored, `SELECT customer_domain FROM intakes
		UNION SELECT customer_domain FROM ace_records`); err != nil {
		return fmt.Errorf("registrable domains: %w", err)
	}
	registrable := make([]string, len(stored))
	for i, d := range stored {
		registrable[i] = d
		if r, err := intake.NormalizeDomain(d); err == nil {
			registrable[i] = r
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO registrable_domains (stored, registrable)
		SELECT * FROM unnest($1::text[], $2::text[])`, pq.Array(stored), pq.Array(registrable)); err != nil {
		return fmt.Errorf("registrable domains: %w", err)
	}
	return nil
}
