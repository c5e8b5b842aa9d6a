package secretbox_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cloudroute/cloudroute/internal/secretbox"
)

func root(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func mustBox(t *testing.T, key []byte, purpose string) *secretbox.Box {
	t.Helper()
	b, err := secretbox.New(key, purpose)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := mustBox(t, root(1), "webhook-secret")
	secret := []byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	sealed := b.Seal(secret, []byte("endpoint-1"))
	if bytes.Contains(sealed, secret) {
		t.Fatal("the sealed value holds the plaintext")
	}
	got, err := b.Open(sealed, []byte("endpoint-1"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if again := b.Seal(secret, []byte("endpoint-1")); bytes.Equal(again, sealed) {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
}

func TestOpenRefuses(t *testing.T) {
	b := mustBox(t, root(1), "webhook-secret")
	sealed := b.Seal([]byte("s3cret"), []byte("row-1"))
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for _, c := range []struct {
		name   string
		box    *secretbox.Box
		sealed []byte
		aad    string
		want   error
	}{
		{"another root key", mustBox(t, root(2), "webhook-secret"), sealed, "row-1", secretbox.ErrOtherKey},
		{"another purpose", mustBox(t, root(1), "receipt-token"), sealed, "row-1", secretbox.ErrOtherKey},
		{"another row", b, sealed, "row-2", secretbox.ErrCorrupt},
		{"altered", b, flipped, "row-1", secretbox.ErrCorrupt},
		{"truncated", b, sealed[:10], "row-1", secretbox.ErrCorrupt},
		{"empty", b, nil, "row-1", secretbox.ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.box.Open(c.sealed, []byte(c.aad)); !errors.Is(err, c.want) {
				t.Fatalf("Open: %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewRefusesShortKeys(t *testing.T) {
	if _, err := secretbox.New(make([]byte, 31), "x"); err == nil {
		t.Error("a 31-byte root key was accepted")
	}
	if _, err := secretbox.New(root(1), ""); err == nil {
		t.Error("an empty purpose was accepted")
	}
}

func TestDeriveKeySeparatesPurposes(t *testing.T) {
	a := secretbox.DeriveKey(root(1), "unsubscribe", 32)
	b := secretbox.DeriveKey(root(1), "receipt-token", 32)
	if bytes.Equal(a, b) {
		t.Fatal("two purposes derive the same key")
	}
	if !bytes.Equal(a, secretbox.DeriveKey(root(1), "unsubscribe", 32)) {
		t.Fatal("derivation is not deterministic")
	}
}
