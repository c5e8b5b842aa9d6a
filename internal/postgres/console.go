package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// The console's lists: sorted by a column the person chose, a page at a
// time, with the total, so that a list can say "41–60 of 212" and its
// headers can sort it. The sort keys are fixed per list (sortColumns);
// anything else sorts by the list's default, so no text from a URL ever
// reaches the SQL.

// ListOrder is one page of a sorted list.
type ListOrder struct {
	// Sort is a key of the list's sort table; an unknown key sorts by the
	// list's default.
	Sort   string
	Desc   bool
	Offset int
	Limit  int
}

// orderBy is the ORDER BY clause of o over a list's sort table, with the
// table's tie-breaker last so that pages never overlap.
func (o ListOrder) orderBy(columns map[string]string, def, tie string) string {
	col, ok := columns[o.Sort]
	if !ok {
		col = columns[def]
	}
	dir := " ASC"
	if o.Desc {
		dir = " DESC"
	}
	return " ORDER BY " + col + dir + " NULLS LAST, " + tie + dir
}

// limits bounds a page to 1..200 rows from a non-negative offset.
func (o ListOrder) limits() (offset, limit int) {
	limit = o.Limit
	if limit < 1 || limit > 200 {
		limit = 50
	}
	return max(o.Offset, 0), limit
}

// IntakeSorts are the sort keys of ConsoleIntakes.
var IntakeSorts = map[string]string{
	"received": "i.created_at", "updated": "i.updated_at", "company": "lower(i.company_name)", "status": "i.status",
	"region": "i.region", "stage": "i.stage",
}

// IntakeQuery narrows ConsoleIntakes; empty fields do not filter.
type IntakeQuery struct {
	Statuses []string
	Region   string
	// Search matches the company name or the customer's domain, in part.
	Search string
}

// ConsoleIntakes lists intakes for the admin queue, sorted and a page at a
// time, with the number of intakes that match.
func (db *DB) ConsoleIntakes(ctx context.Context, f IntakeQuery, o ListOrder) ([]Intake, int, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if len(f.Statuses) > 0 {
		where = append(where, "i.status = ANY("+arg(pq.Array(f.Statuses))+")")
	}
	if f.Region != "" {
		where = append(where, "i.region = "+arg(f.Region))
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		p := arg("%" + likeEscape(strings.ToLower(s)) + "%")
		where = append(where, "(lower(i.company_name) LIKE "+p+" OR i.customer_domain LIKE "+p+")")
	}
	q := `SELECT ` + prefixed("i.", intakeCols) + `, count(*) OVER () AS total FROM intakes i`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	off, lim := o.limits()
	q += o.orderBy(IntakeSorts, "received", "i.id") + " LIMIT " + arg(lim) + " OFFSET " + arg(off)
	var rows []struct {
		Intake
		Total int `db:"total"`
	}
	if err := db.pool.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, translate(err)
	}
	out := make([]Intake, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = r.Intake, r.Total
	}
	if len(rows) == 0 && off > 0 {
		// Past the last page: the count still says how many there are.
		n, err := db.countIntakes(ctx, where, args[:len(args)-2])
		return out, n, err
	}
	return out, total, nil
}

func (db *DB) countIntakes(ctx context.Context, where []string, args []any) (int, error) {
	q := `SELECT count(*) FROM intakes i`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var n int
	err := db.pool.GetContext(ctx, &n, q, args...)
	return n, translate(err)
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// PartnerSorts are the sort keys of ConsolePartners.
var PartnerSorts = map[string]string{
	"name": "lower(name)", "tier": "array_position(ARRAY['registered','select','advanced','premier'], tier)",
	"status": "status", "capacity": "capacity", "commission": "commission_bps", "created": "created_at",
}

// PartnerQuery narrows ConsolePartners; empty fields do not filter.
type PartnerQuery struct {
	Tier, Status, Region string
	// Search matches the name in part.
	Search string
}

// ConsolePartners lists partners for the console, sorted and a page at a
// time, with the number that match.
func (db *DB) ConsolePartners(ctx context.Context, f PartnerQuery, o ListOrder) ([]PartnerRow, int, error) {
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
	if s := strings.TrimSpace(f.Search); s != "" {
		where = append(where, "lower(name) LIKE "+arg("%"+likeEscape(strings.ToLower(s))+"%"))
	}
	q := `SELECT ` + partnerCols + `, count(*) OVER () AS total,
		(SELECT count(*) FROM assignments a WHERE a.partner_id = partners.id AND a.status IN ('offered','accepted')) AS open_assignments
		FROM partners`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	off, lim := o.limits()
	q += o.orderBy(PartnerSorts, "name", "id") + " LIMIT " + arg(lim) + " OFFSET " + arg(off)
	var rows []struct {
		partnerRow
		Total int `db:"total"`
		Open  int `db:"open_assignments"`
	}
	if err := db.pool.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, translate(err)
	}
	out := make([]PartnerRow, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = PartnerRow{Partner: r.toDomain(), OpenAssignments: r.Open}, r.Total
	}
	return out, total, nil
}

// AssignmentSorts are the sort keys of PartnerAssignmentList.
var AssignmentSorts = map[string]string{
	"offered": "offered_at", "expires": "expires_at", "accepted": "accepted_at", "status": "status", "updated": "updated_at",
}

// PartnerAssignmentList lists one partner's assignments of the given
// statuses (all when empty), sorted and a page at a time, with the number
// that match.
func (db *DB) PartnerAssignmentList(ctx context.Context, partnerID string, statuses []string, o ListOrder) ([]Assignment, int, error) {
	if !validUUID(partnerID) {
		return []Assignment{}, 0, nil
	}
	off, lim := o.limits()
	q := `SELECT ` + assignmentCols + `, count(*) OVER () AS total FROM assignments
		WHERE partner_id = $1 AND (cardinality($2::text[]) = 0 OR status = ANY($2))` +
		o.orderBy(AssignmentSorts, "offered", "id") + ` LIMIT $3 OFFSET $4`
	var rows []struct {
		Assignment
		Total int `db:"total"`
	}
	if err := db.pool.SelectContext(ctx, &rows, q, partnerID, pq.Array(statuses), lim, off); err != nil {
		return nil, 0, translate(err)
	}
	out := make([]Assignment, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = r.Assignment, r.Total
	}
	return out, total, nil
}

// PartnerRow is a partner in a list, with its open (offered or accepted)
// assignments against its capacity.
type PartnerRow struct {
	Partner         domain.Partner
	OpenAssignments int
}

// AssignmentRecords lists the records filed on one of a partner's
// assignments, oldest first. Another partner's assignment has none.
func (db *DB) AssignmentRecords(ctx context.Context, partnerID, assignmentID string) ([]ACERecord, error) {
	out := []ACERecord{}
	if !validUUID(assignmentID) || !validUUID(partnerID) {
		return out, nil
	}
	err := db.pool.SelectContext(ctx, &out, `SELECT `+recordCols+` FROM ace_records
		WHERE assignment_id = $1 AND partner_id = $2 ORDER BY created_at, id`, assignmentID, partnerID)
	return out, translate(err)
}

// IntakeAssignment is one offer of an intake, with the partner's name, for
// the admin's view of the intake.
type IntakeAssignment struct {
	Assignment
	PartnerName string `db:"partner_name"`
}

// IntakeAssignments lists every offer of an intake, oldest first.
func (db *DB) IntakeAssignments(ctx context.Context, intakeID string) ([]IntakeAssignment, error) {
	out := []IntakeAssignment{}
	if !validUUID(intakeID) {
		return out, nil
	}
	err := db.pool.SelectContext(ctx, &out, `SELECT `+prefixed("a.", assignmentCols)+`, p.name AS partner_name
		FROM assignments a JOIN partners p ON p.id = a.partner_id WHERE a.intake_id = $1 ORDER BY a.offered_at, a.id`, intakeID)
	return out, translate(err)
}

// PartnerNames returns the names of the partners with these ids, by id.
func (db *DB) PartnerNames(ctx context.Context, ids []string) (map[string]string, error) {
	var valid []string
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	out := make(map[string]string, len(valid))
	if len(valid) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := db.pool.SelectContext(ctx, &rows, `SELECT id, name FROM partners WHERE id = ANY($1::uuid[])`, pq.Array(valid)); err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// Actor names who made an audited change: a person's email, or the API
// key's label and prefix when a machine made it.
type Actor struct {
	UserEmail *string `db:"actor_email"`
	KeyLabel  *string `db:"actor_key"`
}

// RecordMove is one recorded move of a record, with who made it.
type RecordMove struct {
	Transition
	Actor
}

// RecordHistory lists a record's moves in order, with who made each.
func (db *DB) RecordHistory(ctx context.Context, recordID string) ([]RecordMove, error) {
	out := []RecordMove{}
	if !validUUID(recordID) {
		return out, nil
	}
	err := db.pool.SelectContext(ctx, &out, `SELECT t.id, t.from_state, t.to_state, t.actor_role, t.actor_key_id, t.reason,
		t.approved_usd, t.approved_funding_source, t.at, u.email AS actor_email,
		CASE WHEN k.id IS NOT NULL THEN COALESCE(NULLIF(k.label, ''), 'API key') || ' (' || k.prefix || '…)' END AS actor_key
		FROM ace_record_transitions t LEFT JOIN users u ON u.id = t.actor_user_id LEFT JOIN api_keys k ON k.id = t.actor_key_id
		WHERE t.ace_record_id = $1 ORDER BY t.id`, recordID)
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, translate(err)
}

// SettingsEntry is one audited change of a setting, with who made it.
type SettingsEntry struct {
	ID        int64     `db:"id"`
	Field     string    `db:"field"`
	OldValue  string    `db:"old_value"`
	NewValue  string    `db:"new_value"`
	ChangedAt time.Time `db:"changed_at"`
	Actor
}

// SettingsHistory lists the audited changes of the settings, newest
// first, with who made each.
func (db *DB) SettingsHistory(ctx context.Context, limit int) ([]SettingsEntry, error) {
	out := []SettingsEntry{}
	err := db.pool.SelectContext(ctx, &out, `SELECT s.id, s.field, s.old_value, s.new_value, s.changed_at, u.email AS actor_email,
		CASE WHEN k.id IS NOT NULL THEN COALESCE(NULLIF(k.label, ''), 'API key') || ' (' || k.prefix || '…)' END AS actor_key
		FROM settings_audit s LEFT JOIN users u ON u.id = s.actor_user_id LEFT JOIN api_keys k ON k.id = s.actor_key_id
		ORDER BY s.id DESC LIMIT $1`, limit)
	for i := range out {
		out[i].ChangedAt = out[i].ChangedAt.UTC()
	}
	return out, translate(err)
}
