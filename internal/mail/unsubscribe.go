package mail

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strings"

	"github.com/cloudroute/cloudroute/internal/secretbox"
)

// One-click unsubscription (RFC 8058). A mail that can be turned off
// carries a link whose token names the recipient's address and the topic,
// signed with a key derived from CLOUDROUTE_SECRET_KEY: whoever holds the
// mail may turn that topic off for that address, and nobody can make a
// token for another address. The token is not a secret beyond that; it
// expires never, since an old mail's link must still work.

// unsubscribePurpose names the key derived for the tokens.
const unsubscribePurpose = "cloudroute/unsubscribe/v1"

// ErrBadToken is returned by ParseToken for a token that is malformed, was
// altered, or was signed under another key.
var ErrBadToken = errors.New("mail: the unsubscribe token is not valid")

// Unsubscriber makes and checks unsubscribe tokens.
type Unsubscriber struct {
	key []byte
}

// NewUnsubscriber returns the Unsubscriber of the root key (at least 32
// bytes; it panics otherwise, a configuration checked at start).
func NewUnsubscriber(root []byte) *Unsubscriber {
	return &Unsubscriber{key: secretbox.DeriveKey(root, unsubscribePurpose, 32)}
}

// Token returns the token that turns topic off for email. The address is
// compared without case.
func (u *Unsubscriber) Token(email, topic string) string {
	payload := []byte(strings.ToLower(strings.TrimSpace(email)) + "\x00" + topic)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(u.mac(payload))
}

// ParseToken checks a token and returns the address and topic it names.
// It returns ErrBadToken for anything but a token Token made under the
// same key for a known topic.
func (u *Unsubscriber) ParseToken(token string) (email, topic string, err error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return "", "", ErrBadToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, u.mac(payload)) {
		return "", "", ErrBadToken
	}
	email, topic, ok = strings.Cut(string(payload), "\x00")
	if !ok || email == "" || !slices.Contains(Topics, topic) {
		return "", "", ErrBadToken
	}
	return email, topic, nil
}

func (u *Unsubscriber) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, u.key)
	h.Write(payload)
	return h.Sum(nil)[:20]
}
