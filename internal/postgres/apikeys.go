package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Key prefixes make a key's kind readable at a glance (and greppable by
// secret scanners) without revealing anything of its secret part.
const (
	adminKeyPrefix   = "cr_admin_"
	partnerKeyPrefix = "cr_live_"
	// FounderTokenPrefix starts every intake access token.
	FounderTokenPrefix = "cr_intake_"
)

// NewSecret returns prefix followed by 32 random bytes in base64url.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is the SHA-256 under which a key or token is stored; the
// plaintext is never stored.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// APIKey describes an issued key, without its secret.
type APIKey struct {
	ID        string     `db:"id"`
	Role      string     `db:"role"`
	PartnerID *string    `db:"partner_id"`
	Prefix    string     `db:"prefix"`
	Label     string     `db:"label"`
	CreatedAt time.Time  `db:"created_at"`
	RevokedAt *time.Time `db:"revoked_at"`
}

// MaxKeyLabelChars bounds an API key's label.
const MaxKeyLabelChars = 100

// CreatePartnerKey issues a new key for a partner and returns it with its
// plaintext, which is shown once. The label is optional text of up to
// MaxKeyLabelChars characters. Returns not_found or validation_failed.
func (db *DB) CreatePartnerKey(ctx context.Context, partnerID, label string) (APIKey, string, error) {
	if !validUUID(partnerID) {
		return APIKey{}, "", domain.NotFound()
	}
	var pr domain.FieldCheck
	domain.CheckText(&pr, "label", label, 0, MaxKeyLabelChars, false)
	if err := pr.Err(domain.ECodeValidation, "invalid fields"); err != nil {
		return APIKey{}, "", err
	}
	secret := NewSecret(partnerKeyPrefix)
	var k APIKey
	const q = `INSERT INTO api_keys (role, partner_id, prefix, key_hash, label, created_at)
		SELECT 'partner', id, $2, $3, $4, $5 FROM partners WHERE id = $1
		RETURNING id, role, partner_id, prefix, label, created_at, revoked_at`
	if err := db.pool.GetContext(ctx, &k, q, partnerID, secret[:len(partnerKeyPrefix)+6], HashSecret(secret), label, db.Now()); err != nil {
		return APIKey{}, "", translate(err)
	}
	return k, secret, nil
}

// CreateAdminKey issues a new admin key and returns its plaintext once.
func (db *DB) CreateAdminKey(ctx context.Context, label string) (APIKey, string, error) {
	secret := NewSecret(adminKeyPrefix)
	var k APIKey
	const q = `INSERT INTO api_keys (role, prefix, key_hash, label, created_at) VALUES ('admin', $1, $2, $3, $4)
		RETURNING id, role, partner_id, prefix, label, created_at, revoked_at`
	err := db.pool.GetContext(ctx, &k, q, secret[:len(adminKeyPrefix)+6], HashSecret(secret), label, db.Now())
	return k, secret, translate(err)
}

// EnsureAdminKey makes sure an unrevoked admin key with this exact value
// exists (the bootstrap key from the environment).
func (db *DB) EnsureAdminKey(ctx context.Context, secret string) error {
	prefix := secret
	if len(prefix) > 8 {
		prefix = prefix[:8]
	}
	const q = `INSERT INTO api_keys (role, prefix, key_hash, label) VALUES ('admin', $1, $2, 'bootstrap')
		ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL WHERE api_keys.role = 'admin'`
	_, err := db.pool.ExecContext(ctx, q, prefix, HashSecret(secret))
	return translate(err)
}

// PartnerKeys lists a partner's keys. Returns not_found for an unknown partner.
func (db *DB) PartnerKeys(ctx context.Context, partnerID string) ([]APIKey, error) {
	if _, err := db.Partner(ctx, partnerID); err != nil {
		return nil, err
	}
	keys := []APIKey{}
	err := db.pool.SelectContext(ctx, &keys, `SELECT id, role, partner_id, prefix, label, created_at, revoked_at
		FROM api_keys WHERE partner_id = $1 ORDER BY created_at, id`, partnerID)
	return keys, translate(err)
}

// RevokePartnerKey revokes one of a partner's keys; revoking twice is a no-op.
// Returns not_found when the key is not that partner's.
func (db *DB) RevokePartnerKey(ctx context.Context, partnerID, keyID string) (APIKey, error) {
	if !validUUID(partnerID) || !validUUID(keyID) {
		return APIKey{}, domain.NotFound()
	}
	var k APIKey
	const q = `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND partner_id = $2
		RETURNING id, role, partner_id, prefix, label, created_at, revoked_at`
	err := db.pool.GetContext(ctx, &k, q, keyID, partnerID, db.Now())
	return k, translate(err)
}

// Authenticate finds the principal of an API key. Returns unauthenticated
// for an unknown or revoked key.
func (db *DB) Authenticate(ctx context.Context, secret string) (domain.Principal, error) {
	var r struct {
		ID        string  `db:"id"`
		Role      string  `db:"role"`
		PartnerID *string `db:"partner_id"`
	}
	const q = `SELECT id, role, partner_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`
	if err := db.pool.GetContext(ctx, &r, q, HashSecret(secret)); err != nil {
		if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
			return domain.Principal{}, domain.Errorf(domain.ECodeUnauthenticated, "the key is unknown or revoked")
		}
		return domain.Principal{}, translate(err)
	}
	p := domain.Principal{Role: r.Role, KeyID: r.ID}
	if r.PartnerID != nil {
		p.PartnerID = *r.PartnerID
	}
	return p, nil
}
