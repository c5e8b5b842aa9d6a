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

// routingState is what routing reads once per transaction, for every
// intake it routes there: the cached snapshot, and live what changes with
// every offer for the partners that can be candidates in any of the
// intakes' regions, read in one statement with the cache version so that
// both agree. Offers made in the transaction are applied to it (offered),
// so each next decision sees them, as if routed one by one.
type routingState struct {
	snap *routingCache
	live []bool       // by snapshot position: active, routable tier, serving one of the regions
	open []int        // open assignments, where live
	last []*time.Time // last offered, where live
	// prev holds, per intake, the partners it was already assigned to
	// (assignedBefore).
	prev map[string][]string
}

// routingState loads the state for intakes in these regions; prev is who
// already had each of them (none for a preview).
func (db *DB) routingState(ctx context.Context, tx *Tx, regions []string, prev map[string][]string) (*routingState, error) {
	var q sqlx.QueryerContext = db.pool
	if tx != nil {
		q = tx
	}
	liveStmt, err := db.stmt(ctx, `SELECT p.id, p.open_assignments, p.last_offered_at, v.version
		FROM partners p, routing_cache_version v
		WHERE p.status = 'active' AND p.tier IN ('advanced','premier') AND p.regions && $1::text[]`)
	if err != nil {
		return nil, err
	}
	if tx != nil {
		liveStmt = tx.StmtxContext(ctx, liveStmt)
	}
	var v int64
	if err := sqlx.GetContext(ctx, q, &v, `SELECT version FROM routing_cache_version`); err != nil {
		return nil, translate(err)
	}
	// The live rows carry the version they were read with: when a change
	// came between the two statements, the snapshot is reloaded for it and
	// the live rows read again, so the snapshot's regions, tiers and
	// statuses are those of the live rows.
	for attempt := 0; ; attempt++ {
		snap, err := db.rcache.snapshot(ctx, q, v)
		if err != nil {
			return nil, err
		}
		st := &routingState{snap: snap, live: make([]bool, len(snap.partners)), open: make([]int, len(snap.partners)),
			last: make([]*time.Time, len(snap.partners)), prev: prev}
		seen, err := st.readLive(ctx, liveStmt, regions)
		if err != nil {
			return nil, err
		}
		if seen != 0 && seen != v && attempt < 3 {
			v = seen
			continue
		}
		return st, nil
	}
}

// readLive reads the live columns; it returns the cache version the rows
// were read with (0 when no partner is live).
func (st *routingState) readLive(ctx context.Context, liveStmt *sqlx.Stmt, regions []string) (int64, error) {
	rows, err := liveStmt.QueryContext(ctx, pq.StringArray(regions))
	if err != nil {
		return 0, translate(err)
	}
	defer rows.Close()
	var seen int64
	for rows.Next() {
		var id string
		var open int
		var last *time.Time
		if err := rows.Scan(&id, &open, &last, &seen); err != nil {
			return 0, translate(err)
		}
		if i, ok := st.snap.pos[id]; ok {
			st.live[i], st.open[i], st.last[i] = true, open, last
		}
	}
	return seen, translate(rows.Err())
}

// assignedBefore reads the assignments of these intakes: the partners
// each was offered to before, and which have an active (offered or
// accepted) one.
func assignedBefore(ctx context.Context, q sqlx.QueryerContext, intakeIDs []string) (prev map[string][]string, active map[string]bool, err error) {
	rows, err := q.QueryContext(ctx, `SELECT intake_id, partner_id, status IN ('offered','accepted') FROM assignments
		WHERE intake_id = ANY($1::uuid[])`, pq.StringArray(intakeIDs))
	if err != nil {
		return nil, nil, translate(err)
	}
	defer rows.Close()
	prev, active = map[string][]string{}, map[string]bool{}
	for rows.Next() {
		var intakeID, partnerID string
		var isActive bool
		if err := rows.Scan(&intakeID, &partnerID, &isActive); err != nil {
			return nil, nil, translate(err)
		}
		prev[intakeID] = append(prev[intakeID], partnerID)
		active[intakeID] = active[intakeID] || isActive
	}
	return prev, active, translate(rows.Err())
}

// inputs returns every partner with what routing needs to judge it for
// this profile: attributes, statistics and cells from the snapshot, open
// assignments and last offer live. intakeID may be empty (a preview).
// Hand the slice back with releaseInputs once the decision is stored.
func (st *routingState) inputs(in routing.Intake, intakeID string) []routing.Partner {
	snap := st.snap
	out := snap.buffer(len(snap.partners))
	copy(out, snap.partners)
	for k, axis := range domain.Axes {
		for _, ref := range snap.cells[axisValue{axis, in.AxisValue(axis)}] {
			out[ref.pos].Cells[k] = ref.cell
		}
	}
	for i := range out {
		if st.live[i] {
			out[i].OpenAssignments, out[i].LastOfferedAt = st.open[i], st.last[i]
		} else if out[i].Status == "active" && domain.IsRoutableTier(out[i].Tier) && domain.OneOf(in.Region, out[i].Regions) {
			// A cached partner that looks routable here but is not in the
			// live set changed after the snapshot: leave it out.
			out[i].Status = "paused"
		}
	}
	for _, id := range st.prev[intakeID] {
		if i, ok := snap.pos[id]; ok {
			out[i].PreviouslyAssigned = true
		}
	}
	return out
}

// offered applies an offer made in the transaction to the state.
func (st *routingState) offered(partnerID string, at time.Time) {
	if i, ok := st.snap.pos[partnerID]; ok {
		st.open[i]++
		st.last[i] = &at
	}
}

// refresh reads again the open count of these partners, and whether they
// still take offers, as committed now.
func (st *routingState) refresh(ctx context.Context, tx *Tx, ids []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, open_assignments, status = 'active' FROM partners WHERE id = ANY($1::uuid[])`,
		pq.StringArray(ids))
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var open int
		var active bool
		if err := rows.Scan(&id, &open, &active); err != nil {
			return translate(err)
		}
		if i, ok := st.snap.pos[id]; ok {
			st.open[i], st.live[i] = open, st.live[i] && active
		}
	}
	return translate(rows.Err())
}

// full marks a partner found full at the end of the transaction.
func (st *routingState) full(partnerID string) {
	if i, ok := st.snap.pos[partnerID]; ok {
		st.open[i] = max(st.open[i], st.snap.partners[i].Capacity)
	}
}

// clone copies the live part, to decide a batch again from the start.
func (st *routingState) clone() *routingState {
	c := *st
	c.open = append([]int(nil), st.open...)
	c.last = append([]*time.Time(nil), st.last...)
	return &c
}

// routingInputs returns every partner with what routing needs to judge it
// for one profile (see routingState.inputs).
func (db *DB) routingInputs(ctx context.Context, tx *Tx, in routing.Intake, intakeID string) ([]routing.Partner, error) {
	var prev map[string][]string
	if intakeID != "" {
		var q sqlx.QueryerContext = db.pool
		if tx != nil {
			q = tx
		}
		var err error
		if prev, _, err = assignedBefore(ctx, q, []string{intakeID}); err != nil {
			return nil, err
		}
	}
	st, err := db.routingState(ctx, tx, []string{in.Region}, prev)
	if err != nil {
		return nil, err
	}
	return st.inputs(in, intakeID), nil
}
