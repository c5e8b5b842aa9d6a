// Package secretbox keeps small secrets encrypted at rest: a webhook
// endpoint's signing secret, a founder's access token waiting for its
// receipt mail, later the credentials of the ACE connector. It seals with
// AES-256-GCM under a key derived from the deployment's root key
// (CLOUDROUTE_SECRET_KEY) for one purpose, so that a key never serves two
// uses, and it binds each sealed value to what it belongs to (its row's id)
// as additional data, so that a sealed value copied to another row does not
// open there.
//
// A sealed value is self-describing: a version byte, the derived key's
// short fingerprint, the nonce, the ciphertext and its tag. Opening it
// under another root key fails with ErrOtherKey rather than a generic
// error, so an operator who changed CLOUDROUTE_SECRET_KEY (or left it
// unset, so that each process made its own) is told what happened.
package secretbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// MinRootKeyBytes is the shortest root key accepted: 256 bits.
const MinRootKeyBytes = 32

const (
	version   = 1
	idLen     = 4
	headerLen = 1 + idLen
)

// Errors of Open.
var (
	// ErrOtherKey: the value was sealed under another root key or purpose.
	ErrOtherKey = errors.New("secretbox: sealed under another key (was CLOUDROUTE_SECRET_KEY changed, or left unset?)")
	// ErrCorrupt: the value is not one this package sealed, was altered,
	// or belongs to other additional data.
	ErrCorrupt = errors.New("secretbox: the sealed value does not open")
)

// DeriveKey returns n bytes of key material for purpose from root
// (HKDF-SHA256, the purpose as the info). Different purposes give
// independent keys. It panics when root is shorter than MinRootKeyBytes or
// purpose is empty: both are programming errors, checked where the root
// key is read.
func DeriveKey(root []byte, purpose string, n int) []byte {
	if len(root) < MinRootKeyBytes || purpose == "" {
		panic(fmt.Sprintf("secretbox: a root key of at least %d bytes and a purpose are required", MinRootKeyBytes))
	}
	k, err := hkdf.Key(sha256.New, root, nil, purpose, n)
	if err != nil {
		panic("secretbox: hkdf: " + err.Error())
	}
	return k
}

// Box seals and opens values for one purpose. It is safe for concurrent
// use.
type Box struct {
	aead cipher.AEAD
	id   [idLen]byte
}

// New returns the Box of purpose under root. It fails when root is shorter
// than MinRootKeyBytes or purpose is empty.
func New(root []byte, purpose string) (*Box, error) {
	if len(root) < MinRootKeyBytes {
		return nil, fmt.Errorf("secretbox: the root key must hold at least %d bytes", MinRootKeyBytes)
	}
	if purpose == "" {
		return nil, errors.New("secretbox: a purpose is required")
	}
	key := DeriveKey(root, purpose, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	b := &Box{aead: aead}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("secretbox key id"))
	copy(b.id[:], mac.Sum(nil))
	return b, nil
}

// Seal encrypts plaintext, bound to aad (the id of what it belongs to).
// Each call draws a fresh random nonce.
func (b *Box) Seal(plaintext, aad []byte) []byte {
	ns := b.aead.NonceSize()
	out := make([]byte, headerLen+ns, headerLen+ns+len(plaintext)+b.aead.Overhead())
	out[0] = version
	copy(out[1:headerLen], b.id[:])
	if _, err := rand.Read(out[headerLen:]); err != nil {
		panic("secretbox: crypto/rand: " + err.Error())
	}
	return b.aead.Seal(out, out[headerLen:], plaintext, b.header(out[:headerLen], aad))
}

// Open decrypts a value sealed by Seal with the same aad. It returns
// ErrOtherKey for a value sealed under another key, and ErrCorrupt for
// anything else that does not open.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < headerLen+ns+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrCorrupt
	}
	if !bytes.Equal(sealed[1:headerLen], b.id[:]) {
		return nil, ErrOtherKey
	}
	pt, err := b.aead.Open(nil, sealed[headerLen:headerLen+ns], sealed[headerLen+ns:], b.header(sealed[:headerLen], aad))
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}

// header is the additional data actually authenticated: the value's own
// header (so that it cannot be altered) and the caller's aad.
func (b *Box) header(h, aad []byte) []byte {
	out := make([]byte, 0, len(h)+len(aad))
	return append(append(out, h...), aad...)
}
