package postgres

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// routingCache holds what routing reads on every decision but what changes
// rarely: every partner's attributes and window statistics, and every index
// cell. It is valid for one routing_cache_version; triggers bump the version
// on any change to those tables, and the next decision reloads. What
// changes with every offer (open assignments, last offered) is read live.
type routingCache struct {
	mu       sync.Mutex
	version  int64
	loaded   bool
	partners []routing.Partner       // by id; Cells unset
	pos      map[string]int          // id → index in partners
	cells    map[axisValue][]cellRef // the cells of one axis value
}

type axisValue struct{ axis, value string }

type cellRef struct {
	pos  int
	cell routing.Cell
}

// snapshot returns the cached partners and cells for version v, loading
// them through q when the cache holds another version.
func (c *routingCache) snapshot(ctx context.Context, q sqlx.QueryerContext, v int64) (*routingCache, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && c.version == v {
		return c.view(), nil
	}
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.name, p.tier, p.status, p.regions, p.capacity, p.excluded_axis_values::text,
		COALESCE(ps.wins, 0), COALESCE(ps.decided, 0), ps.median_days_to_approval,
		COALESCE(ps.offers, 0), COALESCE(ps.declines, 0), COALESCE(ps.expiries, 0)
		FROM partners p LEFT JOIN partner_stats ps ON ps.partner_id = p.id ORDER BY p.id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	partners := make([]routing.Partner, 0, 256)
	pos := map[string]int{}
	var regions pq.StringArray
	var excluded string
	for rows.Next() {
		var p routing.Partner
		if err := rows.Scan(&p.ID, &p.Name, &p.Tier, &p.Status, &regions, &p.Capacity, &excluded,
			&p.Overall.Wins, &p.Overall.Decided, &p.MedianDaysToApproval, &p.OffersReceived, &p.Declines, &p.Expiries); err != nil {
			return nil, translate(err)
		}
		p.Regions = append([]string(nil), regions...)
		if excluded != "{}" {
			_ = json.Unmarshal([]byte(excluded), &p.ExcludedAxisValues)
		}
		pos[p.ID] = len(partners)
		partners = append(partners, p)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	crows, err := q.QueryContext(ctx, `SELECT partner_id, axis, value, wins, decided FROM routing_index`)
	if err != nil {
		return nil, translate(err)
	}
	defer crows.Close()
	cells := map[axisValue][]cellRef{}
	for crows.Next() {
		var id string
		var av axisValue
		var cell routing.Cell
		if err := crows.Scan(&id, &av.axis, &av.value, &cell.Wins, &cell.Decided); err != nil {
			return nil, translate(err)
		}
		if i, ok := pos[id]; ok {
			cells[av] = append(cells[av], cellRef{pos: i, cell: cell})
		}
	}
	if err := crows.Err(); err != nil {
		return nil, translate(err)
	}
	c.version, c.loaded, c.partners, c.pos, c.cells = v, true, partners, pos, cells
	return c.view(), nil
}

// inputsPool recycles the per-decision copy of the partners (about 1 MB at
// 2,000 partners), which would otherwise be garbage after every decision.
var inputsPool sync.Pool

// buffer returns a slice of n partners to fill, from the pool when it can.
func (c *routingCache) buffer(n int) []routing.Partner {
	if b, ok := inputsPool.Get().(*[]routing.Partner); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return make([]routing.Partner, n)
}

// releaseInputs hands a routingInputs slice back once the decision made
// from it is stored: routing.Decide copies what it keeps.
func releaseInputs(ps []routing.Partner) {
	clear(ps)
	inputsPool.Put(&ps)
}

// view is an immutable copy of the cache's references (the slices and maps
// are replaced, never changed, on reload).
func (c *routingCache) view() *routingCache {
	return &routingCache{version: c.version, loaded: true, partners: c.partners, pos: c.pos, cells: c.cells}
}

// routingInputs returns every partner with what routing needs to judge it
// for this profile. intakeID may be empty (a preview): nobody was assigned
// it. Attributes, statistics and cells come from the cache (reloaded when
// routing_cache_version moved); the routable partners' open assignments and
// last offer, and who already had this intake, are read live.
func (db *DB) routingInputs(ctx context.Context, tx *Tx, in routing.Intake, intakeID string) ([]routing.Partner, error) {
	var q sqlx.QueryerContext = db.pool
	if tx != nil {
		q = tx
	}
	var v int64
	if err := sqlx.GetContext(ctx, q, &v, `SELECT version FROM routing_cache_version`); err != nil {
		return nil, translate(err)
	}
	snap, err := db.rcache.snapshot(ctx, q, v)
	if err != nil {
		return nil, err
	}
	out := db.rcache.buffer(len(snap.partners))
	copy(out, snap.partners)
	for k, axis := range domain.Axes {
		for _, ref := range snap.cells[axisValue{axis, in.AxisValue(axis)}] {
			out[ref.pos].Cells[k] = ref.cell
		}
	}
	// Live: the partners that can be candidates at all (active, routable
	// tier, serving the region), with what changes at every offer.
	liveStmt, err := db.stmt(ctx, `SELECT id, open_assignments, last_offered_at FROM partners
		WHERE status = 'active' AND tier IN ('advanced','premier') AND $1 = ANY(regions)`)
	if err != nil {
		return nil, err
	}
	if tx != nil {
		liveStmt = tx.StmtxContext(ctx, liveStmt)
	}
	rows, err := liveStmt.QueryContext(ctx, in.Region)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	live := make(map[int]bool, 64)
	for rows.Next() {
		var id string
		var open int
		var last *time.Time
		if err := rows.Scan(&id, &open, &last); err != nil {
			return nil, translate(err)
		}
		if i, ok := snap.pos[id]; ok {
			out[i].OpenAssignments, out[i].LastOfferedAt = open, last
			live[i] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	for i := range out {
		// A cached partner that looks routable here but is not in the live
		// set changed after the snapshot: leave it out.
		if !live[i] && out[i].Status == "active" && domain.IsRoutableTier(out[i].Tier) && domain.OneOf(in.Region, out[i].Regions) {
			out[i].Status = "paused"
		}
	}
	if intakeID != "" {
		var prev []string
		if err := sqlx.SelectContext(ctx, q, &prev, `SELECT partner_id FROM assignments WHERE intake_id = $1`, intakeID); err != nil {
			return nil, translate(err)
		}
		for _, id := range prev {
			if i, ok := snap.pos[id]; ok {
				out[i].PreviouslyAssigned = true
			}
		}
	}
	return out, nil
}
