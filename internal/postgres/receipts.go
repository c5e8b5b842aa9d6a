package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/secretbox"
)

// The founder's receipt mail carries the private status link, which holds
// the intake's access token; but the token is shown once at submission and
// stored only as a hash. So the submission also seals the token
// (secretbox, under the receipt key, bound to the intake id) into
// intakes.receipt_token_sealed; the receipt's mail effect opens it, and
// deletes it once the receipt is sent. A token that was never mailed is
// deleted after ReceiptTokenTTL anyway.

// ReceiptTokenTTL is how long a sealed token waits for its receipt mail.
const ReceiptTokenTTL = 7 * 24 * time.Hour

// sealReceiptToken seals token for the receipt of intake id.
func (db *DB) sealReceiptToken(id, token string) []byte {
	return db.sealers().receipt.Seal([]byte(token), []byte(id))
}

// ReceiptToken returns the access token sealed for intake id's receipt. It
// returns "" without an error when there is none any more (the receipt was
// sent, the token expired), or when it was sealed under another key (a
// process with another CLOUDROUTE_SECRET_KEY made it): the receipt then
// goes out with the plain status link. Returns not_found for no intake.
func (db *DB) ReceiptToken(ctx context.Context, intakeID string) (string, error) {
	if !validUUID(intakeID) {
		return "", domain.NotFound()
	}
	var sealed []byte
	if err := db.pool.GetContext(ctx, &sealed, `SELECT receipt_token_sealed FROM intakes WHERE id = $1`, intakeID); err != nil {
		return "", translate(err)
	}
	if sealed == nil {
		return "", nil
	}
	pt, err := db.sealers().receipt.Open(sealed, []byte(intakeID))
	if errors.Is(err, secretbox.ErrOtherKey) {
		return "", nil
	}
	if err != nil {
		return "", ErrSecretUnreadable
	}
	return string(pt), nil
}

// ForgetReceiptToken deletes the sealed token of intake id's receipt.
func (db *DB) ForgetReceiptToken(ctx context.Context, intakeID string) error {
	_, err := db.pool.ExecContext(ctx, `UPDATE intakes SET receipt_token_sealed = NULL
		WHERE id = $1 AND receipt_token_sealed IS NOT NULL`, intakeID)
	return translate(err)
}

// PurgeReceiptTokens deletes sealed tokens older than ReceiptTokenTTL.
func (db *DB) PurgeReceiptTokens(ctx context.Context) error {
	_, err := db.pool.ExecContext(ctx, `UPDATE intakes SET receipt_token_sealed = NULL
		WHERE receipt_token_sealed IS NOT NULL AND created_at < $1`, db.Now().Add(-ReceiptTokenTTL))
	return translate(err)
}
