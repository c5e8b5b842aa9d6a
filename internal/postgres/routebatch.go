package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/routing"
)

// MaxRouteBatch is the most intakes RouteIntakes routes in one
// transaction: enough to share its reads and writes, few enough that the
// partner rows its offers lock are held briefly.
const MaxRouteBatch = 64

// RouteIntakes routes several intakes in one transaction, each exactly as
// RouteIntake would one by one, in the order they were submitted: every
// decision sees the offers made before it in the batch (open assignments,
// and rotation, the i-th offer counting as made i microseconds after the
// first). The reads (settings, the routing state) and the writes (the
// decisions, offers, statuses and events) are shared, a statement each for
// the whole batch. Intakes that do not exist or no longer wait for routing
// are left alone; the result has one row per intake found, in id order.
//
// Routings take turns: each transaction holds the routing lock (a
// transaction-level advisory lock) from before it reads anything, so every
// batch decides on the offers of the batches before it, and two batches
// never pick the same top partner at once and then wait on each other's
// partner rows. Beneath it locks are taken in one order: the intakes by id,
// then the chosen partners' rows by id (through the trigger that counts
// their open assignments) as the last step before COMMIT. A partner found
// full then (an admin's offer, or capacity lowered, in between) is read
// again and the whole batch decided again.
func (db *DB) RouteIntakes(ctx context.Context, ids []string, trigger string) ([]RouteResult, error) {
	ids = routeBatchIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var out []RouteResult
	err := db.inTx(ctx, func(tx *Tx) error {
		out = out[:0]
		if err := asyncCommit(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('routing', 0))`); err != nil {
			return translate(err)
		}
		var ins []Intake
		if err := tx.SelectContext(ctx, &ins, `SELECT `+intakeCols+` FROM intakes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
			pq.StringArray(ids)); err != nil {
			return translate(err)
		}
		pos := map[string]int{}
		var todo []*Intake
		for i := range ins {
			pos[ins[i].ID] = len(out)
			out = append(out, RouteResult{IntakeID: ins[i].ID})
			if routing.WaitsForRouting(ins[i].Status) {
				todo = append(todo, &ins[i])
			}
		}
		if len(todo) == 0 {
			return nil
		}
		// A redelivered route task finds the offer the first delivery made.
		var active []string
		if err := tx.SelectContext(ctx, &active, `SELECT intake_id FROM assignments WHERE intake_id = ANY($1::uuid[])
			AND status IN ('offered','accepted')`, pq.StringArray(intakeIDs(todo))); err != nil {
			return translate(err)
		}
		todo = slices.DeleteFunc(todo, func(in *Intake) bool { return slices.Contains(active, in.ID) })
		if len(todo) == 0 {
			return nil
		}
		slices.SortStableFunc(todo, func(a, b *Intake) int { return a.CreatedAt.Compare(b.CreatedAt) })
		settings, err := settingsTx(ctx, tx)
		if err != nil {
			return err
		}
		var regions []string
		for _, in := range todo {
			if !slices.Contains(regions, in.Region) {
				regions = append(regions, in.Region)
			}
		}
		st, err := db.routingState(ctx, tx, regions, intakeIDs(todo))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT route_batch`); err != nil {
			return translate(err)
		}
		for round := 0; ; round++ {
			plan, err := decideBatch(todo, st.clone(), trigger, settings, tx.now)
			if err != nil {
				return err
			}
			full, err := plan.write(ctx, tx, settings)
			if err != nil {
				return err
			}
			if len(full) == 0 {
				for _, r := range plan.results {
					out[pos[r.IntakeID]] = r
				}
				return nil
			}
			// A concurrent batch took slots of these partners after the
			// state was read: decide again with their counts as they are
			// now. Should that not settle it, each further pass takes the
			// partners found full out, so the loop ends.
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT route_batch`); err != nil {
				return translate(err)
			}
			if round < 3 {
				if err := st.refresh(ctx, tx, full); err != nil {
					return err
				}
				continue
			}
			for _, id := range full {
				st.full(id)
			}
		}
	})
	return out, err
}

// routeBatchIDs keeps the well-formed ids, once each.
func routeBatchIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if validUUID(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func intakeIDs(ins []*Intake) []string {
	ids := make([]string, len(ins))
	for i, in := range ins {
		ids[i] = in.ID
	}
	return ids
}

// routePlan is what one pass over a batch decided, to be written.
type routePlan struct {
	trigger   string
	decisions []plannedDecision
	results   []RouteResult
}

type plannedDecision struct {
	intakeID    string
	mode        string
	outcome     string
	partnerID   *string
	explanation []byte
	offeredAt   time.Time // the offer's rotation time
}

// decideBatch decides every intake of the batch in order on st, applying
// each offer to it before the next decision.
func decideBatch(todo []*Intake, st *routingState, trigger string, settings domain.Settings, now time.Time) (*routePlan, error) {
	plan := &routePlan{trigger: trigger}
	params := routing.Params{Threshold: settings.CloseRateThreshold}
	offers := 0
	for _, in := range todo {
		profile := in.RoutingIntake()
		partners := st.inputs(profile, in.ID)
		d := routing.DecideTop(profile, partners, params, routing.StoredCandidates)
		releaseInputs(partners)
		pd := plannedDecision{intakeID: in.ID, mode: "auto"}
		chosen, ok := d.Chosen()
		switch {
		case !ok && in.Status == IntakeUnroutable && trigger == "drain":
			continue // still unroutable; no new decision to record
		case !ok:
			pd.outcome = "unroutable"
		case settings.RoutingMode == "review":
			pd.mode, pd.outcome, pd.partnerID = "review", "pending_review", &chosen.PartnerID
		default:
			pd.outcome, pd.partnerID = "offered", &chosen.PartnerID
			pd.offeredAt = now.Add(time.Duration(offers) * time.Microsecond)
			offers++
			st.offered(chosen.PartnerID, pd.offeredAt)
		}
		b, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		pd.explanation = b
		plan.decisions = append(plan.decisions, pd)
	}
	return plan, nil
}

// write stores the plan: the decisions, the offers, the partners' last
// offer, the intakes' statuses and the events, a statement each. It
// returns the partners that the offers took over their capacity (or that
// stopped being active), in which case the caller rolls back and decides
// again.
func (p *routePlan) write(ctx context.Context, tx *Tx, settings domain.Settings) ([]string, error) {
	p.results = p.results[:0]
	if len(p.decisions) == 0 {
		return nil, nil
	}
	n := len(p.decisions)
	intakes, modes, outcomes, partners := make([]string, n), make([]string, n), make([]string, n), make([]*string, n)
	// The explanations go one parameter each: as elements of an array
	// literal every quote in them would be escaped, and parsed back.
	args := []any{nil, p.trigger, nil, nil, nil, tx.now}
	var values strings.Builder
	for i, d := range p.decisions {
		intakes[i], modes[i], outcomes[i], partners[i] = d.intakeID, d.mode, d.outcome, d.partnerID
		args = append(args, d.explanation)
		if i > 0 {
			values.WriteString(", ")
		}
		fmt.Fprintf(&values, "(%d, $%d::json)", i+1, len(args))
	}
	args[0], args[2], args[3], args[4] = pq.StringArray(intakes), pq.StringArray(modes), pq.StringArray(outcomes), nullableUUIDs(partners)
	rows, err := tx.QueryContext(ctx, `INSERT INTO routing_decisions (intake_id, trigger, mode, outcome, chosen_partner_id, explanation, created_at)
		SELECT d.intake_id, $2, d.mode, d.outcome, d.partner_id, e.explanation, $6
		FROM unnest($1::uuid[], $3::text[], $4::text[], $5::uuid[]) WITH ORDINALITY AS d(intake_id, mode, outcome, partner_id, n)
		JOIN (VALUES `+values.String()+`) AS e(n, explanation) ON e.n = d.n
		RETURNING intake_id, id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	decisionOf, err := scanPairs(rows)
	if err != nil {
		return nil, err
	}

	// The offers, in partner order: the trigger that counts a partner's
	// open assignments locks its row, and every batch locks in this order.
	var offers []plannedDecision
	for _, d := range p.decisions {
		if d.outcome == "offered" {
			offers = append(offers, d)
		}
	}
	slices.SortStableFunc(offers, func(a, b plannedDecision) int { return strings.Compare(*a.partnerID, *b.partnerID) })
	expires := tx.now.Add(time.Duration(settings.OfferTTLHours) * time.Hour)
	var remindAt *time.Time
	if at, ok := domain.OfferReminderAt(tx.now, expires, settings.OfferReminderPct); ok {
		remindAt = &at
	}
	assignmentOf := map[string]string{}
	var full []string
	if len(offers) > 0 {
		oi, op, od := make([]string, len(offers)), make([]string, len(offers)), make([]string, len(offers))
		last := map[string]time.Time{}
		for i, o := range offers {
			oi[i], op[i], od[i] = o.intakeID, *o.partnerID, decisionOf[o.intakeID]
			if o.offeredAt.After(last[*o.partnerID]) {
				last[*o.partnerID] = o.offeredAt
			}
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO assignments (intake_id, partner_id, decision_id, status, offered_at, expires_at, remind_at, updated_at)
			SELECT o.intake_id, o.partner_id, o.decision_id, 'offered', $4, $5, $6, $4
			FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS o(intake_id, partner_id, decision_id, n)
			ORDER BY o.n
			RETURNING intake_id, id`, pq.StringArray(oi), pq.StringArray(op), pq.StringArray(od), tx.now, expires, remindAt)
		if err != nil {
			return nil, translate(err)
		}
		if assignmentOf, err = scanPairs(rows); err != nil {
			return nil, err
		}
		// Fair rotation ranks the least recently offered partner first.
		lp, lt := make([]string, 0, len(last)), make([]time.Time, 0, len(last))
		for id, at := range last {
			lp, lt = append(lp, id), append(lt, at)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE partners p SET last_offered_at = l.at
			FROM unnest($1::uuid[], $2::timestamptz[]) AS l(id, at) WHERE p.id = l.id`, pq.StringArray(lp), pq.Array(lt)); err != nil {
			return nil, translate(err)
		}
		// The trigger that counted the offers holds the partners' rows
		// until COMMIT: what it counted is final.
		if err := tx.SelectContext(ctx, &full, `SELECT id FROM partners WHERE id = ANY($1::uuid[])
			AND NOT (status = 'active' AND open_assignments <= capacity) ORDER BY id`, pq.StringArray(lp)); err != nil {
			return nil, translate(err)
		}
		if len(full) > 0 {
			return full, nil
		}
	}

	statuses := make([]string, n)
	evs := make([]events.Payload, 0, n)
	for i, d := range p.decisions {
		r := RouteResult{IntakeID: d.intakeID, Outcome: d.outcome, DecisionID: decisionOf[d.intakeID]}
		switch d.outcome {
		case "unroutable":
			statuses[i] = IntakeUnroutable
			evs = append(evs, events.IntakeUnroutable{IntakeID: d.intakeID, DecisionID: r.DecisionID})
		case "pending_review":
			statuses[i], r.PartnerID = IntakePendingReview, *d.partnerID
			evs = append(evs, events.IntakePendingReview{IntakeID: d.intakeID, DecisionID: r.DecisionID, PartnerID: r.PartnerID})
		default:
			statuses[i], r.PartnerID, r.AssignmentID = IntakeOffered, *d.partnerID, assignmentOf[d.intakeID]
			evs = append(evs, events.AssignmentOffered{AssignmentID: r.AssignmentID, IntakeID: d.intakeID, PartnerID: r.PartnerID,
				DecisionID: r.DecisionID, ExpiresAt: expires, RemindAt: remindAt})
		}
		p.results = append(p.results, r)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE intakes i SET status = s.status, updated_at = $3
		FROM unnest($1::uuid[], $2::text[]) AS s(id, status) WHERE i.id = s.id`, pq.StringArray(intakes), pq.StringArray(statuses), tx.now); err != nil {
		return nil, translate(err)
	}
	return nil, emitAll(ctx, tx, evs)
}

// scanPairs reads (key, value) rows into a map.
func scanPairs(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) (map[string]string, error) {
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, translate(err)
		}
		m[k] = v
	}
	return m, translate(rows.Err())
}

// nullableUUIDs is a uuid[] parameter with NULLs.
func nullableUUIDs(ids []*string) any {
	out := make([]sql.NullString, len(ids))
	for i, id := range ids {
		if id != nil {
			out[i] = sql.NullString{String: *id, Valid: true}
		}
	}
	return pq.Array(out)
}

// emitAll records several events in the outbox inside tx, in order, in one
// statement.
func emitAll(ctx context.Context, tx *Tx, ps []events.Payload) error {
	if len(ps) == 0 {
		return nil
	}
	ids, kinds, subjects, payloads := make([]string, len(ps)), make([]string, len(ps)), make([]string, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		ids[i], kinds[i], subjects[i], payloads[i] = uuid.NewString(), p.Kind(), p.Subject(), string(b)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (event_id, kind, subject, payload, occurred_at)
		SELECT e.event_id, e.kind, e.subject, e.payload::jsonb, $5
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e(event_id, kind, subject, payload, n)
		ORDER BY e.n`, pq.StringArray(ids), pq.StringArray(kinds), pq.StringArray(subjects), pq.StringArray(payloads), tx.now)
	return translate(err)
}
