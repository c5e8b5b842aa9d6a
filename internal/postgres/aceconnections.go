package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
)

// How a connection signs its calls to Partner Central.
const (
	ACEAuthAccessKeys = "access_keys"
	ACEAuthAssumeRole = "assume_role"
)

// ACEConnection is a partner's connection to AWS Partner Central. The
// sealed columns hold ciphertext only (internal/secretbox, under a key
// storage never sees); the adapters never render them.
type ACEConnection struct {
	ID                 string     `db:"id"`
	PartnerID          string     `db:"partner_id"`
	PartnerName        string     `db:"partner_name"`
	Catalog            string     `db:"catalog"`
	AuthKind           string     `db:"auth_kind"`
	RoleARN            *string    `db:"role_arn"`
	ExternalID         *string    `db:"external_id"`
	AccessKeyHint      *string    `db:"access_key_hint"`
	CredentialsSealed  []byte     `db:"credentials_sealed"`
	EventsSecretSealed []byte     `db:"events_secret_sealed"`
	Endpoint           *string    `db:"endpoint"`
	LastCheckedAt      *time.Time `db:"last_checked_at"`
	LastSuccessAt      *time.Time `db:"last_success_at"`
	LastErrorAt        *time.Time `db:"last_error_at"`
	LastErrorKind      *string    `db:"last_error_kind"`
	LastError          *string    `db:"last_error"`
	PollCursor         *time.Time `db:"poll_cursor"`
	LastPollAt         *time.Time `db:"last_poll_at"`
	CreatedAt          time.Time  `db:"created_at"`
	UpdatedAt          time.Time  `db:"updated_at"`
	// LinkedRecords counts the partner's records linked to ACE.
	LinkedRecords int `db:"linked_records"`
}

// Healthy reports whether the last check or call of the connection
// worked; a connection never checked is not unhealthy.
func (c ACEConnection) Healthy() bool {
	if c.LastErrorAt == nil {
		return true
	}
	return c.LastSuccessAt != nil && c.LastSuccessAt.After(*c.LastErrorAt)
}

const aceConnCols = `c.id, c.partner_id, p.name AS partner_name, c.catalog, c.auth_kind, c.role_arn, c.external_id,
	c.access_key_hint, c.credentials_sealed, c.events_secret_sealed, c.endpoint, c.last_checked_at, c.last_success_at,
	c.last_error_at, c.last_error_kind, c.last_error, c.poll_cursor, c.last_poll_at, c.created_at, c.updated_at,
	(SELECT count(*) FROM ace_links l WHERE l.partner_id = c.partner_id) AS linked_records
	FROM ace_connections c JOIN partners p ON p.id = c.partner_id`

// ACEConnectionInput is a connection as a partner saves it, its secrets
// already sealed by the caller.
type ACEConnectionInput struct {
	Catalog  string
	AuthKind string
	// RoleARN is the partner's role, for assume_role.
	RoleARN string
	// ExternalID is used for assume_role when the connection has none yet:
	// once given to a partner for its role's trust policy, it stays.
	ExternalID string
	// AccessKeyHint and CredentialsSealed are the access keys, for
	// access_keys; nil keeps the keys the connection holds.
	AccessKeyHint     string
	CredentialsSealed []byte
	// EventsSecretSealed is the signing secret of forwarded events, used
	// only when the connection is created.
	EventsSecretSealed []byte
	// Endpoint is Partner Central's address; "" for AWS's own.
	Endpoint string
}

// PutACEConnection creates or replaces the connection of actor's partner
// and writes ace_connection.saved. Replacing keeps the connection's id, its
// external id and its events secret, and its access keys when none are
// given; it forgets the health of the old credentials, and the poll
// cursor when the catalog changes. Returns forbidden (not a partner),
// validation_failed (access keys left out where the connection holds none).
// created tells whether the connection is new.
func (db *DB) PutACEConnection(ctx context.Context, actor domain.Principal, in ACEConnectionInput) (ACEConnection, bool, error) {
	if actor.Role != domain.RolePartner || actor.PartnerID == "" {
		return ACEConnection{}, false, domain.Errorf(domain.ECodeForbidden, "only a partner has a connection to ACE")
	}
	var out ACEConnection
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		// The partner's row serialises two saves of its one connection.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM partners WHERE id = $1 FOR UPDATE`, actor.PartnerID); err != nil {
			return translate(err)
		}
		var existing []struct {
			ID       string `db:"id"`
			AuthKind string `db:"auth_kind"`
		}
		if err := tx.SelectContext(ctx, &existing, `SELECT id, auth_kind FROM ace_connections WHERE partner_id = $1`, actor.PartnerID); err != nil {
			return translate(err)
		}
		if in.AuthKind == ACEAuthAccessKeys && in.CredentialsSealed == nil &&
			(len(existing) == 0 || existing[0].AuthKind != ACEAuthAccessKeys) {
			return &domain.Error{Code: domain.ECodeValidation, Message: "the connection has invalid fields", Fields: []domain.FieldError{
				{Field: "access_key_id", Message: "is required"}, {Field: "secret_access_key", Message: "is required"}}}
		}
		roleARN, externalID := nullIfEmpty(in.RoleARN), nullIfEmpty(in.ExternalID)
		if in.AuthKind != ACEAuthAssumeRole {
			roleARN = nil
		}
		id := ""
		if len(existing) == 0 {
			id, created = uuid.NewString(), true
			if in.AuthKind != ACEAuthAssumeRole {
				externalID = nil
			}
			const q = `INSERT INTO ace_connections (id, partner_id, catalog, auth_kind, role_arn, external_id, access_key_hint,
				credentials_sealed, events_secret_sealed, endpoint, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`
			if _, err := tx.ExecContext(ctx, q, id, actor.PartnerID, in.Catalog, in.AuthKind, roleARN, externalID,
				nullIfEmpty(in.AccessKeyHint), in.CredentialsSealed, in.EventsSecretSealed, nullIfEmpty(in.Endpoint), tx.now); err != nil {
				return translate(err)
			}
		} else {
			id = existing[0].ID
			keys := in.AuthKind == ACEAuthAccessKeys
			const q = `UPDATE ace_connections SET catalog = $2, auth_kind = $3, role_arn = $4,
				external_id = CASE WHEN $3 = 'assume_role' THEN COALESCE(external_id, $5) ELSE external_id END,
				access_key_hint = CASE WHEN NOT $6 THEN NULL WHEN $7::bytea IS NULL THEN access_key_hint ELSE $8 END,
				credentials_sealed = CASE WHEN NOT $6 THEN NULL ELSE COALESCE($7::bytea, credentials_sealed) END,
				endpoint = $9, updated_at = $10,
				last_checked_at = NULL, last_success_at = NULL, last_error_at = NULL, last_error_kind = NULL, last_error = NULL,
				poll_cursor = CASE WHEN catalog = $2 THEN poll_cursor END
				WHERE id = $1`
			if _, err := tx.ExecContext(ctx, q, id, in.Catalog, in.AuthKind, roleARN, externalID, keys, in.CredentialsSealed,
				nullIfEmpty(in.AccessKeyHint), nullIfEmpty(in.Endpoint), tx.now); err != nil {
				return translate(err)
			}
		}
		if err := emit(ctx, tx, events.ACEConnectionSaved{ConnectionID: id, PartnerID: actor.PartnerID, Created: created}); err != nil {
			return err
		}
		return translate(tx.GetContext(ctx, &out, `SELECT `+aceConnCols+` WHERE c.id = $1`, id))
	})
	return out, created, err
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ACEConnectionOf returns a partner's connection; not_found when it has
// none.
func (db *DB) ACEConnectionOf(ctx context.Context, partnerID string) (ACEConnection, error) {
	if !validUUID(partnerID) {
		return ACEConnection{}, domain.NotFound()
	}
	var c ACEConnection
	return c, translate(db.pool.GetContext(ctx, &c, `SELECT `+aceConnCols+` WHERE c.partner_id = $1`, partnerID))
}

// ACEConnection returns one connection by id; not_found.
func (db *DB) ACEConnection(ctx context.Context, id string) (ACEConnection, error) {
	if !validUUID(id) {
		return ACEConnection{}, domain.NotFound()
	}
	var c ACEConnection
	return c, translate(db.pool.GetContext(ctx, &c, `SELECT `+aceConnCols+` WHERE c.id = $1`, id))
}

// ACEConnections lists every connection, by partner name.
func (db *DB) ACEConnections(ctx context.Context) ([]ACEConnection, error) {
	out := []ACEConnection{}
	err := db.pool.SelectContext(ctx, &out, `SELECT `+aceConnCols+` ORDER BY p.name, c.id`)
	return out, translate(err)
}

// DeleteACEConnection removes a partner's connection and its secrets;
// not_found when it has none. Its linked records stay linked, and nothing
// is pushed or pulled for them until the partner connects again.
func (db *DB) DeleteACEConnection(ctx context.Context, partnerID string) error {
	if !validUUID(partnerID) {
		return domain.NotFound()
	}
	res, err := db.pool.ExecContext(ctx, `DELETE FROM ace_connections WHERE partner_id = $1`, partnerID)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound()
	}
	return nil
}

// RecordACEConnectionCheck records the outcome of a call made with the
// connection: a success when kind is "", or a failure of that kind
// (credentials, access_denied, unreachable …) with a message for the
// partner. It returns the connection as it then is.
func (db *DB) RecordACEConnectionCheck(ctx context.Context, id, kind, message string) (ACEConnection, error) {
	q := `UPDATE ace_connections SET last_checked_at = $2, last_success_at = $2 WHERE id = $1`
	args := []any{id, db.Now()}
	if kind != "" {
		q = `UPDATE ace_connections SET last_checked_at = $2, last_error_at = $2, last_error_kind = $3, last_error = $4 WHERE id = $1`
		args = append(args, kind, truncate(message, 1000))
	}
	if _, err := db.pool.ExecContext(ctx, q, args...); err != nil {
		return ACEConnection{}, translate(err)
	}
	return db.ACEConnection(ctx, id)
}

// AdvanceACEPollCursor records a poll of the connection: the cursor moves
// to cursor (the latest LastModifiedDate read from ACE) if that is later,
// never back.
func (db *DB) AdvanceACEPollCursor(ctx context.Context, id string, cursor *time.Time) error {
	_, err := db.pool.ExecContext(ctx, `UPDATE ace_connections SET last_poll_at = $2,
		poll_cursor = CASE WHEN $3::timestamptz IS NULL THEN poll_cursor ELSE GREATEST(poll_cursor, $3::timestamptz) END
		WHERE id = $1`, id, db.Now(), cursor)
	return translate(err)
}

// ACEConnectionIDs lists the ids of every connection, for the poll.
func (db *DB) ACEConnectionIDs(ctx context.Context) ([]string, error) {
	out := []string{}
	err := db.pool.SelectContext(ctx, &out, `SELECT id FROM ace_connections ORDER BY last_poll_at NULLS FIRST, id`)
	return out, translate(err)
}

// PingACEConnection records that a signed event arrived for the connection
// (ace_connection.pinged), so that the sync polls it now rather than at the
// next minute. Returns not_found.
func (db *DB) PingACEConnection(ctx context.Context, c ACEConnection) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return emit(ctx, tx, events.ACEConnectionPinged{ConnectionID: c.ID, PartnerID: c.PartnerID})
	})
}

// ClaimACEPollPeriod claims one period (a minute) of the periodic poll, so
// that it runs once whatever the number of schedulers; false when another
// run claimed it.
func (db *DB) ClaimACEPollPeriod(ctx context.Context, period string) (bool, error) {
	ok := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		ok, err = db.claimPeriod(ctx, tx, periodACEPoll, period)
		return err
	})
	return ok, err
}

const periodACEPoll = "ace:poll"
