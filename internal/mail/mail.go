// Package mail composes CloudRoute's notification mails and sends them.
//
// A mail starts as the plain data of one kind (FounderReceipt, OfferNew,
// AdminDigest...), filled by the caller from an event. A Composer turns it
// into a Message: subject, a text and an HTML part rendered from the one
// definition of that kind, the headers, and a Message-ID derived from the
// event and the recipient. A Transport delivers the Message: SMTP here, or
// the Postgres mail store of the embedded default, which admins read in the
// console.
//
// The package knows no storage, queue or HTTP types: deciding who is told,
// and keeping a retried task from sending twice, belong to the caller.
package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"
)

// Kind names one kind of mail. The values are stable: the mail store
// records them and the console filters by them.
type Kind string

// The kinds of mail, by recipient.
const (
	KindFounderReceipt         Kind = "founder.receipt"
	KindFounderPartnerAssigned Kind = "founder.partner_assigned"
	KindFounderRerouted        Kind = "founder.rerouted"

	KindPartnerOffer             Kind = "partner.offer"
	KindPartnerOfferReminder     Kind = "partner.offer_reminder"
	KindPartnerOfferExpired      Kind = "partner.offer_expired"
	KindPartnerHygieneDigest     Kind = "partner.hygiene_digest"
	KindPartnerStatementInvoiced Kind = "partner.statement_invoiced"
	KindPartnerWebhookDisabled   Kind = "partner.webhook_disabled"

	KindAdminDigest Kind = "admin.digest"

	KindConsoleInvitation    Kind = "console.invitation"
	KindConsolePasswordReset Kind = "console.password_reset"
)

// Topics are what a recipient may turn off: digests and reminders.
// Offers, expiries, acceptances, statements and the founder's mails cannot
// be turned off (issue 16: "users can turn off digests and reminders, but
// not offers").
const (
	TopicDigests   = "digests"
	TopicReminders = "reminders"
)

// Topics lists the topics that can be turned off.
var Topics = []string{TopicDigests, TopicReminders}

// Topic returns the topic a mail of kind k belongs to, or "" when it
// cannot be turned off.
func (k Kind) Topic() string {
	switch k {
	case KindPartnerHygieneDigest, KindAdminDigest:
		return TopicDigests
	case KindPartnerOfferReminder:
		return TopicReminders
	}
	return ""
}

// Address is a mailbox: a display name, which may be empty, and an email
// address.
type Address struct {
	Name  string
	Email string
}

// String formats the address for a header ("Ana Silva <ana@example.com>"),
// encoding a non-ASCII name.
func (a Address) String() string {
	return (&netmail.Address{Name: a.Name, Address: a.Email}).String()
}

// ParseAddress reads one address, with or without a display name, such as
// the EMAIL_FROM setting "CloudRoute <noreply@cloudroute.example>".
func ParseAddress(s string) (Address, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return Address{}, fmt.Errorf("mail: %q is not an email address", s)
	}
	return Address{Name: a.Name, Email: a.Address}, nil
}

// Header is one extra header of a Message, beyond From, To, Subject, Date
// and Message-ID.
type Header struct {
	Name  string
	Value string
}

// Message is one composed mail, ready for a Transport. Every field is plain
// data, so that the mail store can keep it as it is and show it later.
type Message struct {
	// ID is the Message-ID without its angle brackets. The same event,
	// kind and recipient always give the same ID, so a resend is
	// recognisable as the same mail.
	ID string
	// EventID is the event (or digest run) that caused the mail.
	EventID string
	Kind    Kind
	From    Address
	To      Address
	Subject string
	Text    string
	HTML    string
	Date    time.Time
	// ListUnsubscribe is the one-click opt-out URL of a mail the recipient
	// may turn off (digests and reminders); empty for the others.
	ListUnsubscribe string
	// Withheld lists secrets that Text and HTML carry for the recipient
	// alone (the founder's access token in the receipt's status link): SMTP
	// sends them as they are, but a store of sent mail must not keep them
	// (WithheldCopy).
	Withheld []string
}

// WithheldNotice replaces a withheld secret in a kept copy of a mail.
const WithheldNotice = "[withheld]"

// WithheldCopy returns m with every withheld secret replaced by
// WithheldNotice in its text and HTML parts, for a store of sent mail.
func (m Message) WithheldCopy() Message {
	for _, s := range m.Withheld {
		if s == "" {
			continue
		}
		m.Text = strings.ReplaceAll(m.Text, s, WithheldNotice)
		m.HTML = strings.ReplaceAll(m.HTML, s, WithheldNotice)
	}
	m.Withheld = nil
	return m
}

// Headers returns the extra headers of m: Auto-Submitted, so that
// auto-responders stay quiet (RFC 3834), and for a mail that can be turned
// off, List-Unsubscribe, with List-Unsubscribe-Post when the URL is https
// (one-click unsubscription, RFC 8058, allows no other scheme).
func (m Message) Headers() []Header {
	h := []Header{{Name: "Auto-Submitted", Value: "auto-generated"}}
	// A URL that is not one (a Message built by hand) is left out rather
	// than written into the header block.
	if m.ListUnsubscribe != "" && checkURL(m.ListUnsubscribe) == nil {
		h = append(h, Header{Name: "List-Unsubscribe", Value: "<" + m.ListUnsubscribe + ">"})
		if strings.HasPrefix(m.ListUnsubscribe, "https://") {
			h = append(h, Header{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"})
		}
	}
	return h
}

// Transport delivers a composed Message. SMTP is one; the other is the mail
// store of the embedded default (no SMTP_URL), which keeps each Message in
// Postgres for admins to read in the console. A store must:
//   - keep every field of the Message, Headers() included;
//   - treat a second Send of the same Message.ID as done, returning nil
//     without a second row, so that a retried task stores the mail once;
//   - return an error only when the Message was not stored.
//
// Send returns nil once the mail is handed over. An error wrapping
// ErrRejected means the receiving side refused this mail for good, and
// retrying it is pointless; any other error may pass on a retry.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// ErrRejected is wrapped by Send errors that retrying will not cure: the
// server refused the sender, the recipient or the content with a
// permanent (5xx) reply.
var ErrRejected = errors.New("mail: rejected by the server")

// Content is the data of one kind of mail. Only this package's types
// implement it: FounderReceipt, PartnerAssigned, Rerouted, OfferNew,
// OfferReminder, OfferExpired, HygieneDigest, StatementInvoiced,
// WebhookDisabled, AdminDigest, ConsoleInvitation and PasswordReset.
type Content interface {
	Kind() Kind
	// letter says what the mail says; both parts are rendered from it.
	letter() letter
}

// optOut is implemented by the kinds a recipient may turn off. It returns
// the URL that turns them off.
type optOut interface {
	unsubscribeURL() string
}

// Composer turns content into Messages from one sender.
type Composer struct {
	from Address
	// domain is the right-hand side of every Message-ID: the sender's
	// domain, so that IDs are unique to this deployment.
	domain string
	now    func() time.Time
}

// NewComposer returns a Composer that sends as from (the EMAIL_FROM
// setting) and dates mails by now. It fails when from is not an address.
func NewComposer(from string, now func() time.Time) (*Composer, error) {
	a, err := ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: EMAIL_FROM: %w", err)
	}
	at := strings.LastIndexByte(a.Email, '@')
	if at < 0 || at == len(a.Email)-1 {
		return nil, fmt.Errorf("mail: EMAIL_FROM: %q has no domain", a.Email)
	}
	if now == nil {
		now = time.Now
	}
	return &Composer{from: a, domain: strings.ToLower(a.Email[at+1:]), now: now}, nil
}

// From returns the sender of every Message the Composer makes.
func (c *Composer) From() Address { return c.from }

// Compose renders content for one recipient. eventID is the event that
// caused the mail, or for a digest the id of the digest run; with the kind
// and the recipient it makes the Message-ID. It fails when eventID is
// empty, to is not an address, a link the content needs is missing or not
// an absolute http(s) URL, or a mail that can be turned off has no
// unsubscribe URL.
func (c *Composer) Compose(eventID string, to Address, content Content) (Message, error) {
	kind := content.Kind()
	if strings.TrimSpace(eventID) == "" {
		return Message{}, fmt.Errorf("mail: %s: no event id", kind)
	}
	rcpt, err := netmail.ParseAddress(to.Email)
	if err != nil || rcpt.Address != to.Email {
		return Message{}, fmt.Errorf("mail: %s: recipient %q is not an email address", kind, to.Email)
	}
	to.Name = oneLine(to.Name)

	l := content.letter()
	var unsub string
	if o, ok := content.(optOut); ok {
		unsub = o.unsubscribeURL()
		if unsub == "" {
			return Message{}, fmt.Errorf("mail: %s: no unsubscribe URL", kind)
		}
		l.Unsubscribe = unsub
	}
	if err := l.checkLinks(); err != nil {
		return Message{}, fmt.Errorf("mail: %s: %w", kind, err)
	}
	text, html, err := l.render()
	if err != nil {
		return Message{}, fmt.Errorf("mail: %s: %w", kind, err)
	}
	return Message{
		ID:              MessageID(kind, eventID, to.Email, c.domain),
		EventID:         eventID,
		Kind:            kind,
		From:            c.from,
		To:              to,
		Subject:         subjectLine(l.Subject),
		Text:            text,
		HTML:            html,
		Date:            c.now().UTC(),
		ListUnsubscribe: unsub,
	}, nil
}

// MessageID returns the Message-ID (without angle brackets) of the mail of
// kind sent to recipient because of eventID, under domain. It is a hash, so
// it reveals neither the event nor the address, and it ignores the case of
// the address.
func MessageID(kind Kind, eventID, recipient, domain string) string {
	h := sha256.New()
	for _, part := range []string{string(kind), eventID, strings.ToLower(recipient)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16]) + "@" + domain
}

// checkURL accepts an absolute http or https URL with a host, written in
// printable ASCII. Its error
// never repeats the URL: links carry secret tokens (the founder's status
// link, a password reset) and errors reach the log.
func checkURL(raw string) error {
	for i := 0; i < len(raw); i++ {
		// Printable ASCII only: a link may go into a header
		// (List-Unsubscribe), where a line break would start a new one.
		if raw[i] <= ' ' || raw[i] >= 0x7f {
			return errors.New("not a printable ASCII URL")
		}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("not an absolute http(s) URL")
	}
	return nil
}
