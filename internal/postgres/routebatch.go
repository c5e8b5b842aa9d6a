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
	return db.routeIntakes(ctx, ids, trigger, false)
}

// RouteWaiting is RouteIntakes, with the batch filled up to MaxRouteBatch
// with other intakes received and not yet routed, oldest first (those not
// locked by another transaction), each routed for its submission: routing
// that falls behind then routes in larger batches, and the route tasks of
// the intakes taken along find them routed and are done at once.
func (db *DB) RouteWaiting(ctx context.Context, ids []string, trigger string) ([]RouteResult, error) {
	return db.routeIntakes(ctx, ids, trigger, true)
}

func (db *DB) routeIntakes(ctx context.Context, ids []string, trigger string, fill bool) ([]RouteResult, error) {
	ids = routeBatchIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var out []RouteResult
	err := db.inTx(ctx, func(tx *Tx) error {
		out = out[:0]
		// Asynchronous commit (as asyncCommit), then the routing lock: one
		// round trip.
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off; SELECT pg_advisory_xact_lock(hashtextextended('routing', 0))`); err != nil {
			return translate(err)
		}
		// The transaction's time is when its turn came: it may route
		// intakes received while it waited, and an offer is never older
		// than its intake.
		tx.now = db.Now()
		var ins []Intake
		if err := tx.SelectContext(ctx, &ins, `SELECT `+intakeCols+` FROM intakes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
			pq.StringArray(ids)); err != nil {
			return translate(err)
		}
		asked := len(ins)
		if fill && len(ins) < MaxRouteBatch {
			var more []Intake
			if err := tx.SelectContext(ctx, &more, `SELECT `+intakeCols+` FROM intakes WHERE status = 'received' AND id <> ALL($1::uuid[])
				ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`, pq.StringArray(ids), MaxRouteBatch-len(ins)); err != nil {
				return translate(err)
			}
			ins = append(ins, more...)
		}
		triggers := map[string]string{}
		for i := range ins {
			triggers[ins[i].ID] = trigger
			if i >= asked {
				triggers[ins[i].ID] = "submitted"
			}
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
		// A redelivered route task finds the offer the first delivery made;
		// the partners an intake had before are not offered it again.
		prev, active, err := assignedBefore(ctx, tx, intakeIDs(todo))
		if err != nil {
			return err
		}
		todo = slices.DeleteFunc(todo, func(in *Intake) bool { return active[in.ID] })
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
		st, err := db.routingState(ctx, tx, regions, prev)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT route_batch`); err != nil {
			return translate(err)
		}
		for round := 0; ; round++ {
			plan, err := decideBatch(todo, st.clone(), triggers, settings, tx.now)
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
	decisions []plannedDecision
	results   []RouteResult
}

type plannedDecision struct {
	intakeID    string
	trigger     string
	mode        string
	outcome     string
	partnerID   *string
	explanation []byte
	offeredAt   time.Time // the offer's rotation time
}

// decideBatch decides every intake of the batch in order on st, applying
// each offer to it before the next decision.
func decideBatch(todo []*Intake, st *routingState, triggers map[string]string, settings domain.Settings, now time.Time) (*routePlan, error) {
	plan := &routePlan{}
	params := routing.Params{Threshold: settings.CloseRateThreshold}
	offers := 0
	for _, in := range todo {
		profile := in.RoutingIntake()
		partners := st.inputs(profile, in.ID)
		d := routing.DecideTop(profile, partners, params, routing.StoredCandidates)
		releaseInputs(partners)
		trigger := triggers[in.ID]
		pd := plannedDecision{intakeID: in.ID, trigger: trigger, mode: "auto"}
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

// write stores the plan in one statement: the decisions, the offers, the
// partners' last offer, the intakes' statuses and the events (the ids are
// made here, so nothing waits for another's RETURNING). The trigger that
// counts a partner's open assignments runs at the statement's end and
// holds the partner's row until COMMIT; write then returns the partners
// that the offers took over their capacity (or that stopped being active),
// in which case the caller rolls back and decides again.
func (p *routePlan) write(ctx context.Context, tx *Tx, settings domain.Settings) ([]string, error) {
	p.results = p.results[:0]
	if len(p.decisions) == 0 {
		return nil, nil
	}
	expires := tx.now.Add(time.Duration(settings.OfferTTLHours) * time.Hour)
	var remindAt *time.Time
	if at, ok := domain.OfferReminderAt(tx.now, expires, settings.OfferReminderPct); ok {
		remindAt = &at
	}
	n := len(p.decisions)
	var (
		dIntake, dID, dMode, dOutcome, status = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		dTrigger                              = make([]string, n)
		dPartner                              = make([]*string, n)
		aID, aIntake, aPartner, aDecision     []string
		last                                  = map[string]time.Time{}
		evs                                   = make([]events.Payload, 0, n)
	)
	// The explanations go one parameter each: as elements of an array
	// literal every quote in them would be escaped, and parsed back.
	args := make([]any, 17, 17+n)
	var values strings.Builder
	for i, d := range p.decisions {
		dIntake[i], dID[i], dMode[i], dOutcome[i], dPartner[i], dTrigger[i] = d.intakeID, uuid.NewString(), d.mode, d.outcome, d.partnerID, d.trigger
		r := RouteResult{IntakeID: d.intakeID, Outcome: d.outcome, DecisionID: dID[i]}
		switch d.outcome {
		case "unroutable":
			status[i] = IntakeUnroutable
			evs = append(evs, events.IntakeUnroutable{IntakeID: d.intakeID, DecisionID: r.DecisionID})
		case "pending_review":
			status[i], r.PartnerID = IntakePendingReview, *d.partnerID
			evs = append(evs, events.IntakePendingReview{IntakeID: d.intakeID, DecisionID: r.DecisionID, PartnerID: r.PartnerID})
		default:
			status[i], r.PartnerID, r.AssignmentID = IntakeOffered, *d.partnerID, uuid.NewString()
			aID, aIntake, aPartner, aDecision = append(aID, r.AssignmentID), append(aIntake, d.intakeID), append(aPartner, r.PartnerID),
				append(aDecision, r.DecisionID)
			if d.offeredAt.After(last[r.PartnerID]) {
				last[r.PartnerID] = d.offeredAt
			}
			evs = append(evs, events.AssignmentOffered{AssignmentID: r.AssignmentID, IntakeID: d.intakeID, PartnerID: r.PartnerID,
				DecisionID: r.DecisionID, ExpiresAt: expires, RemindAt: remindAt})
		}
		p.results = append(p.results, r)
		args = append(args, d.explanation)
		if i > 0 {
			values.WriteString(", ")
		}
		fmt.Fprintf(&values, "(%d, $%d::json)", i+1, len(args))
	}
	lp, lt := make([]string, 0, len(last)), make([]time.Time, 0, len(last))
	for id, at := range last {
		lp, lt = append(lp, id), append(lt, at)
	}
	eID, eKind, eSubject, ePayload, err := eventColumns(evs)
	if err != nil {
		return nil, err
	}
	args[0], args[1], args[2], args[3], args[4], args[5], args[6] = pq.StringArray(dIntake), pq.StringArray(dID), pq.StringArray(dTrigger),
		pq.StringArray(dMode), pq.StringArray(dOutcome), nullableUUIDs(dPartner), tx.now
	args[7], args[8], args[9], args[10], args[11], args[12] = pq.StringArray(aID), pq.StringArray(aIntake), pq.StringArray(aPartner),
		pq.StringArray(aDecision), expires, remindAt
	args[13], args[14], args[15], args[16] = pq.StringArray(lp), pq.Array(lt), pq.StringArray(status),
		pq.Array([][]string{eID, eKind, eSubject, ePayload})
	// Every sub-statement sees the same snapshot; the foreign keys and the
	// open-count trigger are checked and run at the statement's end, when
	// the decisions the offers name exist.
	_, err = tx.ExecContext(ctx, `WITH d AS (
			INSERT INTO routing_decisions (id, intake_id, trigger, mode, outcome, chosen_partner_id, explanation, created_at)
			SELECT x.id, x.intake_id, x.trigger, x.mode, x.outcome, x.partner_id, e.explanation, $7
			FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[]) WITH ORDINALITY
				AS x(intake_id, id, trigger, mode, outcome, partner_id, n)
			JOIN (VALUES `+values.String()+`) AS e(n, explanation) ON e.n = x.n
		), a AS (
			INSERT INTO assignments (id, intake_id, partner_id, decision_id, status, offered_at, expires_at, remind_at, updated_at)
			SELECT o.id, o.intake_id, o.partner_id, o.decision_id, 'offered', $7, $12, $13, $7
			FROM unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::uuid[]) AS o(id, intake_id, partner_id, decision_id)
		), p AS (
			-- Fair rotation ranks the least recently offered partner first.
			UPDATE partners SET last_offered_at = l.at
			FROM unnest($14::uuid[], $15::timestamptz[]) AS l(id, at) WHERE partners.id = l.id
		), i AS (
			UPDATE intakes SET status = s.status, updated_at = $7
			FROM unnest($1::uuid[], $16::text[]) AS s(id, status) WHERE intakes.id = s.id
		)
		INSERT INTO outbox (event_id, kind, subject, payload, occurred_at)
		SELECT ($17::text[])[1][k]::uuid, ($17::text[])[2][k], ($17::text[])[3][k], ($17::text[])[4][k]::jsonb, $7
		FROM generate_subscripts($17::text[], 2) AS k ORDER BY k`, args...)
	if err != nil {
		return nil, translate(err)
	}
	tx.emitted = true
	if len(lp) == 0 {
		return nil, nil
	}
	// The trigger that counted the offers holds the partners' rows until
	// COMMIT: what it counted is final.
	var full []string
	if err := tx.SelectContext(ctx, &full, `SELECT id FROM partners WHERE id = ANY($1::uuid[])
		AND NOT (status = 'active' AND open_assignments <= capacity) ORDER BY id`, pq.StringArray(lp)); err != nil {
		return nil, translate(err)
	}
	return full, nil
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

// eventColumns encodes events for the outbox's columns, one element each.
func eventColumns(ps []events.Payload) (ids, kinds, subjects, payloads []string, err error) {
	for _, p := range ps {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		ids, kinds, subjects, payloads = append(ids, uuid.NewString()), append(kinds, p.Kind()), append(subjects, p.Subject()),
			append(payloads, string(b))
	}
	return ids, kinds, subjects, payloads, nil
}
