package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
)

// partnerRow is a partners row as stored; toDomain turns it into the
// domain.Partner every other package sees, so the arrays and the JSON
// column stay a storage detail.
type partnerRow struct {
	ID                 string         `db:"id"`
	Name               string         `db:"name"`
	Tier               string         `db:"tier"`
	Regions            pq.StringArray `db:"regions"`
	Verticals          pq.StringArray `db:"verticals"`
	Capacity           int            `db:"capacity"`
	CommissionBPS      int            `db:"commission_bps"`
	Status             string         `db:"status"`
	ContactEmail       string         `db:"contact_email"`
	ExcludedAxisValues []byte         `db:"excluded_axis_values"`
	LastOfferedAt      *time.Time     `db:"last_offered_at"`
	CreatedAt          time.Time      `db:"created_at"`
	UpdatedAt          time.Time      `db:"updated_at"`
}

const partnerCols = `id, name, tier, regions, verticals, capacity, commission_bps, status,
	contact_email, excluded_axis_values, last_offered_at, created_at, updated_at`

func (r partnerRow) toDomain() domain.Partner {
	p := domain.Partner{
		ID: r.ID, Name: r.Name, Tier: r.Tier, Regions: []string(r.Regions), Verticals: []string(r.Verticals),
		Capacity: r.Capacity, CommissionBPS: r.CommissionBPS, Status: r.Status, ContactEmail: r.ContactEmail,
		LastOfferedAt: r.LastOfferedAt, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	// Empty sets, not null: clients read these as lists and maps.
	if p.Verticals == nil {
		p.Verticals = []string{}
	}
	// The column's CHECK keeps it a JSON object; nothing else to handle.
	_ = json.Unmarshal(r.ExcludedAxisValues, &p.ExcludedAxisValues)
	if p.ExcludedAxisValues == nil {
		p.ExcludedAxisValues = map[string][]string{}
	}
	return p
}

// DefaultPartnerCapacity is the open-assignment capacity of a partner created
// without one.
const DefaultPartnerCapacity = 10

// CreatePartner validates p and stores a new partner. Missing optional
// fields take defaults: capacity 10, commission from settings, status active.
// Its partner.created event lets the jobs drain the unroutable queue when
// the partner can take offers. Returns validation_failed.
func (db *DB) CreatePartner(ctx context.Context, p domain.PartnerPatch) (domain.Partner, error) {
	if err := domain.ValidatePartnerPatch(p, true); err != nil {
		return domain.Partner{}, err
	}
	var out domain.Partner
	err := db.inTx(ctx, func(tx *Tx) error {
		capacity := DefaultPartnerCapacity
		if p.Capacity != nil {
			capacity = *p.Capacity
		}
		status := "active"
		if p.Status != nil {
			status = *p.Status
		}
		verticals := []string{}
		if p.Verticals != nil {
			verticals = *p.Verticals
		}
		excl := map[string][]string{}
		if p.ExcludedAxisValues != nil {
			excl = domain.NormalizeExclusions(*p.ExcludedAxisValues)
		}
		exclJSON, _ := json.Marshal(excl)
		// Without a rate of its own the partner takes the default of the
		// day it was created; a later change of the default leaves it be.
		var bps int
		if p.CommissionBPS != nil {
			bps = *p.CommissionBPS
		} else if err := tx.GetContext(ctx, &bps, `SELECT default_commission_bps FROM settings`); err != nil {
			return translate(err)
		}
		now := tx.now
		const q = `INSERT INTO partners (name, tier, regions, verticals, capacity, commission_bps, status,
			contact_email, excluded_axis_values, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10) RETURNING ` + partnerCols
		var r partnerRow
		if err := tx.GetContext(ctx, &r, q, strings.TrimSpace(*p.Name), *p.Tier, pq.Array(*p.Regions), pq.Array(verticals),
			capacity, bps, status, *p.ContactEmail, exclJSON, now); err != nil {
			return translate(err)
		}
		out = r.toDomain()
		// Whether the new partner makes routing room is the jobs' rule;
		// the event says what the partner is.
		return emit(ctx, tx, events.PartnerCreated{PartnerID: out.ID, Tier: out.Tier, Status: out.Status})
	})
	return out, err
}

// Partner returns one partner. Returns not_found.
func (db *DB) Partner(ctx context.Context, id string) (domain.Partner, error) {
	if !validUUID(id) {
		return domain.Partner{}, domain.NotFound()
	}
	var r partnerRow
	if err := db.pool.GetContext(ctx, &r, `SELECT `+partnerCols+` FROM partners WHERE id = $1`, id); err != nil {
		return domain.Partner{}, translate(err)
	}
	return r.toDomain(), nil
}

// PartnerFilter narrows ListPartners. Empty fields do not filter.
type PartnerFilter struct {
	Tier   string
	Status string
	Region string
	// After is the id of the last partner of the previous page.
	After string
	Limit int
}

// ListPartners returns partners in creation order, a page at a time, and the
// cursor of the next page ("" at the end).
func (db *DB) ListPartners(ctx context.Context, f PartnerFilter) ([]domain.Partner, string, error) {
	// Clauses and their arguments grow together; arg returns the
	// placeholder of the value it adds, so no value is pasted into SQL.
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.Tier != "" {
		where = append(where, "tier = "+arg(f.Tier))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Region != "" {
		where = append(where, arg(f.Region)+" = ANY(regions)")
	}
	if f.After != "" {
		if !validUUID(f.After) {
			return nil, "", &domain.Error{Code: domain.ECodeValidation, Message: "bad cursor",
				Fields: []domain.FieldError{{Field: "cursor", Message: "is not a cursor from a previous page"}}}
		}
		// An unknown cursor would compare against NULL and return an empty
		// page, which reads like the end of the list; it is a bad cursor.
		var known bool
		if err := db.pool.GetContext(ctx, &known, `SELECT EXISTS (SELECT 1 FROM partners WHERE id = $1)`, f.After); err != nil {
			return nil, "", translate(err)
		}
		if !known {
			return nil, "", &domain.Error{Code: domain.ECodeValidation, Message: "bad cursor",
				Fields: []domain.FieldError{{Field: "cursor", Message: "is not a cursor from a previous page"}}}
		}
		where = append(where, "(created_at, id) > (SELECT created_at, id FROM partners WHERE id = "+arg(f.After)+")")
	}
	q := `SELECT ` + partnerCols + ` FROM partners`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	// One row more than the page tells whether a next page exists.
	q += " ORDER BY created_at, id LIMIT " + arg(f.Limit+1)
	var rows []partnerRow
	if err := db.pool.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[len(rows)-1].ID
	}
	out := make([]domain.Partner, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, next, nil
}

// UpdatePartner applies a patch and writes a partner.updated event (a
// change may open routing room: unpause, more capacity, fewer exclusions,
// new regions or tier). Returns not_found or validation_failed.
func (db *DB) UpdatePartner(ctx context.Context, id string, p domain.PartnerPatch) (domain.Partner, error) {
	if !validUUID(id) {
		return domain.Partner{}, domain.NotFound()
	}
	if err := domain.ValidatePartnerPatch(p, false); err != nil {
		return domain.Partner{}, err
	}
	var out domain.Partner
	err := db.inTx(ctx, func(tx *Tx) error {
		// Only the fields the patch names are written (nil leaves a field
		// as it is), so two admins changing different fields do not undo
		// each other.
		var set []string
		var args []any
		arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
		if p.Name != nil {
			set = append(set, "name = "+arg(strings.TrimSpace(*p.Name)))
		}
		if p.Tier != nil {
			set = append(set, "tier = "+arg(*p.Tier))
		}
		if p.Regions != nil {
			set = append(set, "regions = "+arg(pq.Array(*p.Regions)))
		}
		if p.Verticals != nil {
			set = append(set, "verticals = "+arg(pq.Array(*p.Verticals)))
		}
		if p.Capacity != nil {
			set = append(set, "capacity = "+arg(*p.Capacity))
		}
		if p.CommissionBPS != nil {
			set = append(set, "commission_bps = "+arg(*p.CommissionBPS))
		}
		if p.Status != nil {
			set = append(set, "status = "+arg(*p.Status))
		}
		if p.ContactEmail != nil {
			set = append(set, "contact_email = "+arg(*p.ContactEmail))
		}
		if p.ExcludedAxisValues != nil {
			b, _ := json.Marshal(domain.NormalizeExclusions(*p.ExcludedAxisValues))
			set = append(set, "excluded_axis_values = "+arg(b))
		}
		set = append(set, "updated_at = "+arg(tx.now))
		q := `UPDATE partners SET ` + strings.Join(set, ", ") + ` WHERE id = ` + arg(id) + ` RETURNING ` + partnerCols
		var r partnerRow
		if err := tx.GetContext(ctx, &r, q, args...); err != nil {
			return translate(err)
		}
		out = r.toDomain()
		// The event carries the partner after the change; every change may
		// open routing room, so no diff is needed to decide.
		return emit(ctx, tx, events.PartnerUpdated{PartnerID: out.ID, Tier: out.Tier, Status: out.Status})
	})
	return out, err
}

// validUUID reports whether s has the textual shape of a UUID, so that a
// malformed id is a 404 rather than a driver error.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
