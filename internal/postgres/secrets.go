package postgres

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/cloudroute/cloudroute/internal/secretbox"
)

// Secrets that must be read back (a webhook endpoint's signing secret, a
// founder's access token waiting for its receipt mail) are stored sealed
// by internal/secretbox, under keys derived from the deployment's root key
// (CLOUDROUTE_SECRET_KEY), one per purpose. Everything else secret (API
// keys, access tokens) is stored only as a hash.

// The purposes of the keys derived from the root key. Changing one makes
// every value sealed for it unreadable.
const (
	purposeWebhookSecret = "cloudroute/webhook-endpoint-secret/v1"
	purposeReceiptToken  = "cloudroute/receipt-token/v1"
)

type sealers struct {
	webhook *secretbox.Box
	receipt *secretbox.Box
}

func newSealers(root []byte) (*sealers, error) {
	w, err := secretbox.New(root, purposeWebhookSecret)
	if err != nil {
		return nil, err
	}
	r, err := secretbox.New(root, purposeReceiptToken)
	if err != nil {
		return nil, err
	}
	return &sealers{webhook: w, receipt: r}, nil
}

// randomSealers are a new DB's until SetSecretKey: a key of this pool's
// own, so storage works in tests and tools, but nothing it seals can be
// read by another process or after a restart.
func randomSealers() *sealers {
	root := make([]byte, secretbox.MinRootKeyBytes)
	if _, err := rand.Read(root); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	s, err := newSealers(root)
	if err != nil {
		panic(err)
	}
	return s
}

// SetSecretKey sets the root key (CLOUDROUTE_SECRET_KEY) that the stored
// secrets are sealed under. Every process of a deployment must use the
// same key: a secret sealed under another key does not open. It fails
// when the key is shorter than 32 bytes.
func (db *DB) SetSecretKey(root []byte) error {
	s, err := newSealers(root)
	if err != nil {
		return fmt.Errorf("postgres: secret key: %w", err)
	}
	db.seal.Store(s)
	return nil
}

func (db *DB) sealers() *sealers { return db.seal.Load() }

// ErrSecretUnreadable is wrapped by reads of a stored secret that does not
// open under the current key: it was sealed under another
// CLOUDROUTE_SECRET_KEY (changed, or left unset so that each process made
// its own). Such a secret has to be made again (a webhook's rotated).
var ErrSecretUnreadable = errors.New("a stored secret does not open under the current CLOUDROUTE_SECRET_KEY")
