package secretbox_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cloudroute/cloudroute/internal/secretbox"
)

func root() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	key := secretbox.Derive(root(), "ace-connections")
	secret := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	sealed, err := secretbox.Seal(key, secret, []byte("partner-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) || bytes.Contains(sealed, []byte("EXAMPLEKEY")) {
		t.Fatal("the sealed value holds the plaintext")
	}
	again, _ := secretbox.Seal(key, secret, []byte("partner-1"))
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals of one secret are equal: the nonce is not random")
	}
	got, err := secretbox.Open(key, sealed, []byte("partner-1"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open: %q, %v", got, err)
	}

	for _, c := range []struct {
		name   string
		key    []byte
		sealed []byte
		ad     string
	}{
		{"another purpose's key", secretbox.Derive(root(), "webhooks"), sealed, "partner-1"},
		{"another root key", secretbox.Derive(bytes.Repeat([]byte{9}, 32), "ace-connections"), sealed, "partner-1"},
		{"other additional data", key, sealed, "partner-2"},
		{"a flipped bit", key, flip(sealed, len(sealed)-1), "partner-1"},
		{"a flipped nonce", key, flip(sealed, 0), "partner-1"},
		{"cut short", key, sealed[:10], "partner-1"},
		{"empty", key, nil, "partner-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := secretbox.Open(c.key, c.sealed, []byte(c.ad)); !errors.Is(err, secretbox.ErrOpen) {
				t.Fatalf("open: %v, want ErrOpen", err)
			}
		})
	}
}

func TestKeySize(t *testing.T) {
	if _, err := secretbox.Seal(make([]byte, 16), []byte("x"), nil); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	if _, err := secretbox.Open(make([]byte, 31), make([]byte, 64), nil); err == nil || errors.Is(err, secretbox.ErrOpen) {
		t.Errorf("a 31-byte key: %v, want a key-size error", err)
	}
}

func TestDerive(t *testing.T) {
	a, b := secretbox.Derive(root(), "ace-connections"), secretbox.Derive(root(), "ace-connections")
	if !bytes.Equal(a, b) || len(a) != secretbox.KeySize {
		t.Fatalf("derive is not a %d-byte function of its inputs: %x %x", secretbox.KeySize, a, b)
	}
	if bytes.Equal(a, secretbox.Derive(root(), "ace-events")) {
		t.Error("two purposes derive one key")
	}
	if bytes.Equal(a, root()) {
		t.Error("the derived key is the root key")
	}
	// A longer root key (the configuration accepts 32 bytes and more) still
	// derives a key of KeySize.
	if k := secretbox.Derive(bytes.Repeat(root(), 2), "ace-connections"); len(k) != secretbox.KeySize {
		t.Errorf("derived %d bytes from a 64-byte root", len(k))
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 1
	return out
}
