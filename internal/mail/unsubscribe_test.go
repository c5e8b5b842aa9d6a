package mail_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cloudroute/cloudroute/internal/mail"
)

func TestUnsubscribeTokens(t *testing.T) {
	u := mail.NewUnsubscriber(bytes.Repeat([]byte{7}, 32))
	tok := u.Token("Ops@Partner.example.com", mail.TopicReminders)
	email, topic, err := u.ParseToken(tok)
	if err != nil || email != "ops@partner.example.com" || topic != mail.TopicReminders {
		t.Fatalf("ParseToken = %q %q %v", email, topic, err)
	}
	other := mail.NewUnsubscriber(bytes.Repeat([]byte{8}, 32))
	forged := u.Token("victim@example.com", "offers")
	for name, bad := range map[string]string{
		"another key":      other.Token("ops@partner.example.com", mail.TopicReminders),
		"altered":          strings.Replace(tok, tok[:4], "AAAA", 1),
		"no signature":     strings.Split(tok, ".")[0],
		"empty":            "",
		"an unknown topic": forged,
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := u.ParseToken(bad); !errors.Is(err, mail.ErrBadToken) {
				t.Fatalf("ParseToken(%q) = %v, want ErrBadToken", bad, err)
			}
		})
	}
}

func TestTopics(t *testing.T) {
	for k, want := range map[mail.Kind]string{
		mail.KindPartnerOffer:         "",
		mail.KindPartnerOfferReminder: mail.TopicReminders,
		mail.KindPartnerHygieneDigest: mail.TopicDigests,
		mail.KindAdminDigest:          mail.TopicDigests,
		mail.KindFounderReceipt:       "",
		mail.KindPartnerOfferExpired:  "",
	} {
		if got := k.Topic(); got != want {
			t.Errorf("%s.Topic() = %q, want %q", k, got, want)
		}
	}
}

func TestWithheldCopy(t *testing.T) {
	m := mail.Message{Text: "open https://x.example/status/1#cr_intake_secret now", HTML: `<a href="https://x.example/status/1#cr_intake_secret">`,
		Withheld: []string{"cr_intake_secret"}}
	c := m.WithheldCopy()
	if strings.Contains(c.Text+c.HTML, "cr_intake_secret") || !strings.Contains(c.Text, mail.WithheldNotice) {
		t.Fatalf("copy keeps the secret: %+v", c)
	}
	if !strings.Contains(m.Text, "cr_intake_secret") {
		t.Fatal("the original lost the secret")
	}
}
