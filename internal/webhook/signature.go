// Package webhook delivers CloudRoute's events to partners' HTTP endpoints
// the Standard Webhooks way (https://www.standardwebhooks.com): signed with
// HMAC-SHA256 over "id.timestamp.body", retried on a schedule of about a
// day, through a client that refuses to reach internal addresses.
//
// It holds the pieces with no storage: signing and verification, the
// delivery client, the retry schedule and the rule that disables a failing
// endpoint. Which events go to which endpoint, the delivery log and the
// tasks belong to the caller.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Secret sizes, in bytes before encoding: the specification asks for at
// least 24; 64 is the HMAC-SHA256 block size, beyond which a key is hashed
// first and gains nothing.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
	// newSecretBytes is the size of the secrets GenerateSecret makes.
	newSecretBytes = 32
)

// Tolerance is how far a webhook-timestamp may be from the verifier's
// clock, either way, before Verify refuses it as a replay.
const Tolerance = 5 * time.Minute

// secretPrefix marks a symmetric Standard Webhooks secret.
const secretPrefix = "whsec_"

// signatureVersion marks an HMAC-SHA256 signature in webhook-signature.
const signatureVersion = "v1"

// Secret is an endpoint's signing key. Its String and LogValue hide it, so
// that a secret passed to a logger or a format verb by mistake stays
// secret; Encode gives the whsec_ form, to show once and to store
// encrypted.
type Secret struct {
	key []byte
}

// GenerateSecret returns a new random secret of 32 bytes.
func GenerateSecret() (Secret, error) {
	key := make([]byte, newSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return Secret{}, fmt.Errorf("webhook: generate secret: %w", err)
	}
	return Secret{key: key}, nil
}

// ParseSecret reads a secret in its whsec_ form: the prefix, then the key
// in standard base64, of 24 to 64 bytes. Its errors never repeat the input.
func ParseSecret(s string) (Secret, error) {
	enc, ok := strings.CutPrefix(s, secretPrefix)
	if !ok {
		return Secret{}, errors.New("webhook: a secret starts with whsec_")
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return Secret{}, errors.New("webhook: a secret is whsec_ and standard base64")
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return Secret{}, fmt.Errorf("webhook: a secret holds %d to %d bytes, not %d", MinSecretBytes, MaxSecretBytes, len(key))
	}
	return Secret{key: key}, nil
}

// Encode returns the secret in its whsec_ form. Show it to its owner once;
// store it only encrypted.
func (s Secret) Encode() string { return secretPrefix + base64.StdEncoding.EncodeToString(s.key) }

// IsZero reports whether s holds no key.
func (s Secret) IsZero() bool { return len(s.key) == 0 }

// String hides the key.
func (s Secret) String() string { return secretPrefix + "…" }

// LogValue hides the key from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// mac is the HMAC-SHA256 of the signed content under s.
func (s Secret) mac(id, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(timestamp))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// ErrInvalidID is returned by Sign for a message id the scheme cannot
// carry safely.
var ErrInvalidID = errors.New("webhook: message id must be printable ASCII without '.' or spaces")

// checkID refuses an id that would make "id.timestamp.body" ambiguous (a
// '.') or break the header (spaces, control characters).
func checkID(id string) error {
	if id == "" || len(id) > 256 {
		return ErrInvalidID
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' {
			return ErrInvalidID
		}
	}
	return nil
}

// Sign returns the webhook-signature value for body sent as message id at
// ts: one "v1,<base64>" per secret, space separated. During a rotation the
// caller passes the new secret and the old one, and a receiver holding
// either verifies.
func Sign(id string, ts time.Time, body []byte, secrets ...Secret) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	if len(secrets) == 0 {
		return "", errors.New("webhook: no secret to sign with")
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s.IsZero() {
			return "", errors.New("webhook: empty secret")
		}
		sigs = append(sigs, signatureVersion+","+base64.StdEncoding.EncodeToString(s.mac(id, stamp, body)))
	}
	return strings.Join(sigs, " "), nil
}

// Verification failures.
var (
	ErrMissingHeaders = errors.New("webhook: webhook-id, webhook-timestamp or webhook-signature missing")
	ErrTimestamp      = errors.New("webhook: timestamp missing, malformed or outside the tolerance")
	ErrNoMatch        = errors.New("webhook: no signature matches")
)

// Verify checks a received webhook as a partner's verifier does: the three
// headers are present, the timestamp is within Tolerance of now, and one v1
// signature of the header matches one of the secrets, compared in constant
// time. Entries of other versions are skipped. body must be the raw bytes
// received, not re-encoded JSON. It returns ErrMissingHeaders, ErrTimestamp
// or ErrNoMatch.
func Verify(h http.Header, body []byte, now time.Time, secrets ...Secret) error {
	id, stamp, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || stamp == "" || sigs == "" {
		return ErrMissingHeaders
	}
	sec, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return ErrTimestamp
	}
	for _, entry := range strings.Fields(sigs) {
		version, enc, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if !s.IsZero() && hmac.Equal(got, s.mac(id, stamp, body)) {
				return nil
			}
		}
	}
	return ErrNoMatch
}
