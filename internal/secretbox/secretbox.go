// Package secretbox seals secrets that CloudRoute must keep at rest and read
// back later (a partner's AWS keys, a webhook's signing secret): AES-256-GCM
// with a random nonce, the result being nonce || ciphertext. Each purpose
// seals under its own key, derived from the one root key
// (CLOUDROUTE_SECRET_KEY) with HKDF-SHA256, so a key used for one kind of
// secret opens no other kind.
//
// The additional data binds a sealed value to where it is stored (a
// partner's id, say): it is not secret, but a sealed value copied to
// another row no longer opens.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeySize is the size of a key Seal and Open take: AES-256.
const KeySize = 32

// ErrOpen is returned by Open for a sealed value that does not open: it was
// sealed under another key or other additional data, or it was altered.
var ErrOpen = errors.New("secretbox: the sealed value does not open with this key")

// Derive returns the key for one purpose ("ace-connections"), derived from
// root with HKDF-SHA256; the purpose is HKDF's info. The same root and
// purpose always give the same key.
func Derive(root []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, root, nil, purpose, KeySize)
	if err != nil {
		// Only a length beyond 255 hash blocks fails; KeySize is one.
		panic("secretbox: hkdf: " + err.Error())
	}
	return k
}

func aead(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: the key has %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plaintext under key (KeySize bytes), binding
// additionalData, and returns nonce || ciphertext. It fails only on a key
// of the wrong size.
func Seal(key, plaintext, additionalData []byte) ([]byte, error) {
	a, err := aead(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return a.Seal(nonce, nonce, plaintext, additionalData), nil
}

// Open reverses Seal. It returns ErrOpen for a value that does not open
// under key and additionalData, and another error for a key of the wrong
// size.
func Open(key, sealed, additionalData []byte) ([]byte, error) {
	a, err := aead(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < a.NonceSize()+a.Overhead() {
		return nil, ErrOpen
	}
	pt, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], additionalData)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
