// Package account holds the rules of people's accounts (partner staff and
// admins), apart from machines' API keys: what makes a password acceptable,
// how it is hashed, and how long a session lives. It does no I/O; storage
// keeps the hashes and the sessions, the adapters bind and render.
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Password rules. A minimum length, and a strength estimate that refuses
// common passwords, keyboard walks, dates and the user's own email or name
// (zxcvbn ships the frequency lists of leaked passwords it checks against).
const (
	MinPasswordChars = 12
	MaxPasswordChars = 256
	// minStrength is zxcvbn's score (0–4) a password must reach: 3 is
	// "safely unguessable: moderate protection from offline attacks".
	minStrength = 3
)

// CheckPassword records on p why password is not acceptable for a user
// identified by userInputs (their email, name, the partner's name): too
// short or long, not text, or too easy to guess. It reports whether the
// password passed.
func CheckPassword(p *domain.FieldCheck, field, password string, userInputs ...string) bool {
	if !utf8.ValidString(password) {
		p.Add(field, "must be valid UTF-8 text")
		return false
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordChars:
		p.Add(field, "must be at least %d characters", MinPasswordChars)
		return false
	case n > MaxPasswordChars:
		p.Add(field, "must be at most %d characters", MaxPasswordChars)
		return false
	}
	if !domain.CheckText(p, field, password, 1, MaxPasswordChars, false) {
		return false
	}
	var inputs []string
	for _, in := range userInputs {
		in = strings.ToLower(strings.TrimSpace(in))
		if in == "" {
			continue
		}
		inputs = append(inputs, in)
		// The local part of an email is guessable on its own.
		if local, _, ok := strings.Cut(in, "@"); ok {
			inputs = append(inputs, local)
		}
	}
	if zxcvbn.PasswordStrength(password, inputs).Score < minStrength {
		p.Add(field, "is too common or too easy to guess; use a longer phrase of unrelated words")
		return false
	}
	return true
}

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, one
// lane), which keeps a sign-in near 30 ms on one core while making each
// guess of an offline attacker cost as much.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// HashPassword returns the password's argon2id hash in the PHC string
// format ($argon2id$v=19$m=…,t=…,p=…$salt$hash), which carries its own
// parameters so they can be raised later.
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// ErrBadHash is a stored hash that is not an argon2id PHC string.
var ErrBadHash = errors.New("account: not an argon2id hash")

// VerifyPassword reports whether password matches the stored hash, in
// constant time for a given hash.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var mem, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil || mem == 0 || t == 0 || threads == 0 {
		return false, ErrBadHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a sign-in names no account, so that
// an unknown email costs the same time as a wrong password and the answer's
// timing says nothing about which emails exist.
var dummyHash = HashPassword("an account that does not exist")

// VerifyNobody spends the time of one password check and fails.
func VerifyNobody(password string) bool {
	VerifyPassword(dummyHash, password)
	return false
}

// NewToken returns a random secret of 32 bytes, URL-safe, for a session
// cookie or an invitation link. Only its Hash is stored.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is the stored form of a session or invitation token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte("cloudroute/account-token/v1\x00" + token))
	return h[:]
}

// CSRFToken is the token a session's state-changing requests must carry.
// It is derived from the session's secret token, so it is never stored and
// only a holder of the session can compute it.
func CSRFToken(sessionToken string) string {
	h := sha256.Sum256([]byte("cloudroute/csrf/v1\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// CheckCSRF reports whether got is the session's CSRF token, in constant
// time.
func CheckCSRF(sessionToken, got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(CSRFToken(sessionToken)), []byte(got)) == 1
}

// Session lifetimes.
const (
	// SessionIdle ends a session nobody used for this long.
	SessionIdle = 2 * time.Hour
	// SessionMax ends any session this long after sign-in.
	SessionMax = 12 * time.Hour
	// InvitationTTL is how long an invitation link works.
	InvitationTTL = 7 * 24 * time.Hour
)

// SessionLive reports whether a session created at created and last used
// at lastSeen is still valid at now.
func SessionLive(created, lastSeen, now time.Time) bool {
	return now.Before(created.Add(SessionMax)) && now.Before(lastSeen.Add(SessionIdle))
}

// NormalizeEmail is the form an email is stored and looked up in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
