package postgres

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// An Idempotency-Key replay must give the client its access token again,
// since that is why a client retries; yet nothing in the database may
// reveal a live token. So the key is stored only as a hash, and the token
// is sealed with AES-256-GCM under a second, independent hash of the key
// (the two hashes are domain-separated, so the stored one is no help in
// opening the seal). Only a caller who presents the key can open it; a
// reader of the database can open it only by guessing the key, which is
// why clients should use random keys (a UUID). docs/operations.md says so.

const (
	idemHashLabel = "cloudroute/idempotency-key/v1\x00"
	idemSealLabel = "cloudroute/idempotency-seal/v1\x00"
)

// IdempotencyKeyHash is the stored form of an Idempotency-Key (the primary
// key of idempotency_keys).
func IdempotencyKeyHash(key string) []byte {
	h := sha256.Sum256([]byte(idemHashLabel + key))
	return h[:]
}

func idempotencyAEAD(key string) cipher.AEAD {
	k := sha256.Sum256([]byte(idemSealLabel + key))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic("aes: " + err.Error()) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("gcm: " + err.Error())
	}
	return aead
}

// sealToken encrypts token under idemKey; the result is nonce || ciphertext.
// The intake id is bound as additional data, so a sealed token cannot be
// moved to another row.
func sealToken(idemKey, intakeID, token string) []byte {
	aead := idempotencyAEAD(idemKey)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return aead.Seal(nonce, nonce, []byte(token), []byte(intakeID))
}

// openToken reverses sealToken.
func openToken(idemKey, intakeID string, sealed []byte) (string, error) {
	aead := idempotencyAEAD(idemKey)
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("idempotency: sealed token too short")
	}
	pt, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(intakeID))
	if err != nil {
		return "", errors.New("idempotency: sealed token does not open")
	}
	return string(pt), nil
}
