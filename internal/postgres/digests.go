package postgres

import (
	"context"
	"time"

	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/ace"
)

// Digests. Intakes that need an admin (intake.unroutable,
// intake.pending_review) are noted as they happen (AddAdminDigestItem) and
// mailed together at most every 15 minutes: each period gathers the items
// not yet in a digest, once (GatherAdminDigest, under the period claim),
// and a digest stays pending until its mails are out (AdminDigestSent), so
// a failed send is retried with the same items whatever period the retry
// falls in.

// periodAdminDigest is the admin digest's period claim.
const periodAdminDigest = "mail:admin_digest"

// AdminDigestItem is one intake noted for the admins' digest.
type AdminDigestItem struct {
	EventID    string
	Kind       string
	IntakeID   string
	PartnerID  string // the proposed partner, for a review
	OccurredAt time.Time
}

// AddAdminDigestItem notes an item for the next digest; noting one event
// twice notes it once.
func (db *DB) AddAdminDigestItem(ctx context.Context, it AdminDigestItem) error {
	_, err := db.pool.ExecContext(ctx, `INSERT INTO admin_digest_items (event_id, kind, intake_id, partner_id, occurred_at)
		VALUES ($1, $2, $3, NULLIF($4, '')::uuid, $5) ON CONFLICT (event_id) DO NOTHING`,
		it.EventID, it.Kind, it.IntakeID, it.PartnerID, it.OccurredAt)
	return translate(err)
}

// GatherAdminDigest puts every item not yet in a digest into the digest of
// period, once per period. It reports whether the period was new.
func (db *DB) GatherAdminDigest(ctx context.Context, period string) (bool, error) {
	return db.inPeriod(ctx, periodAdminDigest, period, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE admin_digest_items SET digest = $1 WHERE digest IS NULL`, period)
		return translate(err)
	})
}

// AdminDigest is a gathered digest whose mails are not all out.
type AdminDigest struct {
	// ID is the period that gathered it.
	ID    string
	Since time.Time
	// Unroutable and PendingReview list the intakes still in that status;
	// an item whose intake has moved on since is left out.
	Unroutable    []AdminDigestLine
	PendingReview []AdminDigestLine
}

// AdminDigestLine is one intake of a digest.
type AdminDigestLine struct {
	IntakeID    string    `db:"intake_id"`
	CompanyName string    `db:"company_name"`
	SubmittedAt time.Time `db:"created_at"`
	// PartnerName is the proposed partner of a review.
	PartnerName *string   `db:"partner_name"`
	Kind        string    `db:"kind"`
	Status      string    `db:"status"`
	OccurredAt  time.Time `db:"occurred_at"`
	Digest      string    `db:"digest"`
}

// PendingAdminDigests returns the gathered digests not yet sent, oldest
// first.
func (db *DB) PendingAdminDigests(ctx context.Context) ([]AdminDigest, error) {
	var lines []AdminDigestLine
	if err := db.pool.SelectContext(ctx, &lines, `SELECT d.intake_id, i.company_name, i.created_at, p.name AS partner_name,
			d.kind, i.status, d.occurred_at, d.digest
		FROM admin_digest_items d JOIN intakes i ON i.id = d.intake_id LEFT JOIN partners p ON p.id = d.partner_id
		WHERE d.digest IS NOT NULL AND d.sent_at IS NULL ORDER BY d.digest, d.occurred_at, d.event_id`); err != nil {
		return nil, translate(err)
	}
	var out []AdminDigest
	for _, l := range lines {
		if len(out) == 0 || out[len(out)-1].ID != l.Digest {
			out = append(out, AdminDigest{ID: l.Digest, Since: l.OccurredAt.UTC()})
		}
		d := &out[len(out)-1]
		l.SubmittedAt, l.OccurredAt = l.SubmittedAt.UTC(), l.OccurredAt.UTC()
		switch {
		case l.Kind == "intake.unroutable" && l.Status == IntakeUnroutable:
			d.Unroutable = appendOnce(d.Unroutable, l)
		case l.Kind == "intake.pending_review" && l.Status == IntakePendingReview:
			d.PendingReview = appendOnce(d.PendingReview, l)
		}
	}
	return out, nil
}

// appendOnce adds l unless its intake is listed already (an intake
// unroutable twice in a period is one line).
func appendOnce(ls []AdminDigestLine, l AdminDigestLine) []AdminDigestLine {
	for _, x := range ls {
		if x.IntakeID == l.IntakeID {
			return ls
		}
	}
	return append(ls, l)
}

// AdminDigestSent marks digest id sent.
func (db *DB) AdminDigestSent(ctx context.Context, id string) error {
	_, err := db.pool.ExecContext(ctx, `UPDATE admin_digest_items SET sent_at = $2 WHERE digest = $1 AND sent_at IS NULL`, id, db.Now())
	return translate(err)
}

// PartnerFlags are a partner's open hygiene flags, for its weekly digest.
type PartnerFlags struct {
	PartnerID string
	Flags     []DigestFlag
}

// DigestFlag is one open flag with the customer it concerns: the
// partner's own engagement, so its name may be shown.
type DigestFlag struct {
	PartnerID    string    `db:"partner_id"`
	Kind         string    `db:"kind"`
	ACERecordID  *string   `db:"ace_record_id"`
	AssignmentID *string   `db:"assignment_id"`
	CompanyName  string    `db:"company_name"`
	RaisedAt     time.Time `db:"raised_at"`
}

// OpenFlagsByPartner returns the open hygiene flags of every partner that
// has any, partner by partner.
func (db *DB) OpenFlagsByPartner(ctx context.Context) ([]PartnerFlags, error) {
	var flags []DigestFlag
	if err := db.pool.SelectContext(ctx, &flags, `SELECT f.partner_id, f.kind, f.ace_record_id, f.assignment_id,
			COALESCE(ri.company_name, ai.company_name, '') AS company_name, f.raised_at
		FROM hygiene_flags f
		LEFT JOIN ace_records r ON r.id = f.ace_record_id LEFT JOIN assignments ra ON ra.id = r.assignment_id
		LEFT JOIN intakes ri ON ri.id = ra.intake_id
		LEFT JOIN assignments a ON a.id = f.assignment_id LEFT JOIN intakes ai ON ai.id = a.intake_id
		WHERE f.cleared_at IS NULL AND (r.id IS NULL OR r.state <> ALL($1))
		ORDER BY f.partner_id, f.raised_at, f.id`, pq.Array(ace.TerminalStates)); err != nil {
		return nil, translate(err)
	}
	var out []PartnerFlags
	for _, f := range flags {
		if len(out) == 0 || out[len(out)-1].PartnerID != f.PartnerID {
			out = append(out, PartnerFlags{PartnerID: f.PartnerID})
		}
		f.RaisedAt = f.RaisedAt.UTC()
		out[len(out)-1].Flags = append(out[len(out)-1].Flags, f)
	}
	return out, nil
}
