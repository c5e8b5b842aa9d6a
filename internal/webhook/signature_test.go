package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/webhook"
)

// independentSign computes a v1 signature with nothing but the standard
// library, from the specification's text: HMAC-SHA256, keyed with the
// base64-decoded part of whsec_..., over "id.timestamp.body".
func independentSign(t *testing.T, secret, id string, ts int64, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.%s", id, ts, body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func mustSecret(t *testing.T) webhook.Secret {
	t.Helper()
	s, err := webhook.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The test vector of the Standard Webhooks reference libraries.
func TestSignStandardVector(t *testing.T) {
	s, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got, err := webhook.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`), s)
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestSignMatchesIndependentHMAC(t *testing.T) {
	body := []byte(`{"type":"assignment.offered","timestamp":"2025-03-04T09:30:00Z","data":{"assignment_id":"a_1"}}`)
	ts := time.Unix(1741080600, 0)
	for range 20 {
		s := mustSecret(t)
		got, err := webhook.Sign("evt_01JNB0", ts, body, s)
		if err != nil {
			t.Fatal(err)
		}
		if want := independentSign(t, s.Encode(), "evt_01JNB0", ts.Unix(), body); got != want {
			t.Fatalf("Sign = %s, independent HMAC = %s", got, want)
		}
	}

	// Several secrets: one signature each, in order, space separated.
	a, b := mustSecret(t), mustSecret(t)
	got, err := webhook.Sign("evt_1", ts, body, a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := independentSign(t, a.Encode(), "evt_1", ts.Unix(), body) + " " + independentSign(t, b.Encode(), "evt_1", ts.Unix(), body)
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestSignRefuses(t *testing.T) {
	s := mustSecret(t)
	for _, id := range []string{"", "evt.1", "evt 1", "evt\n1", "évt"} {
		if _, err := webhook.Sign(id, time.Now(), nil, s); !errors.Is(err, webhook.ErrInvalidID) {
			t.Errorf("Sign(id %q): %v, want ErrInvalidID", id, err)
		}
	}
	if _, err := webhook.Sign("evt_1", time.Now(), nil); err == nil {
		t.Error("signed without a secret")
	}
	if _, err := webhook.Sign("evt_1", time.Now(), nil, webhook.Secret{}); err == nil {
		t.Error("signed with an empty secret")
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1741080600, 0)
	body := []byte(`{"type":"assignment.offered","timestamp":"2025-03-04T09:30:00Z","data":{}}`)
	current, previous, stranger := mustSecret(t), mustSecret(t), mustSecret(t)

	headers := func(id string, ts time.Time, sig string) http.Header {
		h := http.Header{}
		h.Set(webhook.HeaderID, id)
		h.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
		h.Set(webhook.HeaderSignature, sig)
		return h
	}
	sign := func(ts time.Time, secrets ...webhook.Secret) string {
		sig, err := webhook.Sign("evt_1", ts, body, secrets...)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	valid := sign(now, current)
	rotating := sign(now, current, previous)

	for _, tc := range []struct {
		name    string
		h       http.Header
		body    []byte
		secrets []webhook.Secret
		want    error
	}{
		{"valid", headers("evt_1", now, valid), body, []webhook.Secret{current}, nil},
		{"rotation, receiver holds the new secret", headers("evt_1", now, rotating), body, []webhook.Secret{current}, nil},
		{"rotation, receiver holds the old secret", headers("evt_1", now, rotating), body, []webhook.Secret{previous}, nil},
		{"receiver holds both", headers("evt_1", now, valid), body, []webhook.Secret{stranger, current}, nil},
		{"other versions skipped", headers("evt_1", now, "v1a,AAAA v2,"+strings.TrimPrefix(valid, "v1,")+" garbage v1,!!! "+valid), body, []webhook.Secret{current}, nil},
		{"4 minutes old", headers("evt_1", now.Add(-4*time.Minute), sign(now.Add(-4*time.Minute), current)), body, []webhook.Secret{current}, nil},
		{"wrong secret", headers("evt_1", now, valid), body, []webhook.Secret{stranger}, webhook.ErrNoMatch},
		{"body changed", headers("evt_1", now, valid), append([]byte(" "), body...), []webhook.Secret{current}, webhook.ErrNoMatch},
		{"id changed", headers("evt_2", now, valid), body, []webhook.Secret{current}, webhook.ErrNoMatch},
		{"timestamp changed within tolerance", headers("evt_1", now.Add(time.Second), valid), body, []webhook.Secret{current}, webhook.ErrNoMatch},
		{"signature of another version only", headers("evt_1", now, "v2,"+strings.TrimPrefix(valid, "v1,")), body, []webhook.Secret{current}, webhook.ErrNoMatch},
		{"6 minutes old", headers("evt_1", now.Add(-6*time.Minute), sign(now.Add(-6*time.Minute), current)), body, []webhook.Secret{current}, webhook.ErrTimestamp},
		{"6 minutes ahead", headers("evt_1", now.Add(6*time.Minute), sign(now.Add(6*time.Minute), current)), body, []webhook.Secret{current}, webhook.ErrTimestamp},
		{"no id", headers("", now, valid), body, []webhook.Secret{current}, webhook.ErrMissingHeaders},
		{"no signature", headers("evt_1", now, ""), body, []webhook.Secret{current}, webhook.ErrMissingHeaders},
		{"no secret held", headers("evt_1", now, valid), body, nil, webhook.ErrNoMatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := webhook.Verify(tc.h, tc.body, now, tc.secrets...); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("Verify: %v, want %v", err, tc.want)
			}
		})
	}

	h := headers("evt_1", now, valid)
	h.Set(webhook.HeaderTimestamp, "1741080600.5")
	if err := webhook.Verify(h, body, now, current); !errors.Is(err, webhook.ErrTimestamp) {
		t.Errorf("Verify with a malformed timestamp: %v", err)
	}
}

func TestSecrets(t *testing.T) {
	s := mustSecret(t)
	enc := s.Encode()
	if !strings.HasPrefix(enc, "whsec_") {
		t.Fatalf("Encode = %s", enc)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(enc, "whsec_"))
	if err != nil || len(key) != 32 {
		t.Fatalf("key of %d bytes (%v), want 32", len(key), err)
	}
	back, err := webhook.ParseSecret(enc)
	if err != nil || back.Encode() != enc {
		t.Fatalf("ParseSecret(Encode()) = %v, %v", back.Encode(), err)
	}
	if other := mustSecret(t); other.Encode() == enc {
		t.Fatal("two generated secrets are equal")
	}

	// Printing a secret by mistake shows nothing of it.
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("endpoint", "secret", s)
	for _, shown := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s", s, s), logged.String()} {
		if strings.Contains(shown, strings.TrimPrefix(enc, "whsec_")) {
			t.Errorf("secret shown: %s", shown)
		}
	}

	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"whsec_" + b64(24), true},
		{"whsec_" + b64(64), true},
		{"whsec_" + b64(23), false},
		{"whsec_" + b64(65), false},
		{b64(32), false},
		{"whsec_not*base64", false},
		{"whsk_" + b64(32), false},
		{"", false},
	} {
		_, err := webhook.ParseSecret(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseSecret(%q): %v", tc.in, err)
		}
		if err != nil && strings.Contains(err.Error(), tc.in) && tc.in != "" {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
}
