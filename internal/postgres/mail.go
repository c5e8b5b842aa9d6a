package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Mail. Two tables keep a retried mail task from sending twice and keep
// what was sent for admins:
//   - mail_deliveries holds one claim per (event, kind of mail, recipient),
//     taken before the mail is handed to the transport and marked sent
//     after (ClaimMail, MailSent, MailFailed);
//   - sent_mail is the embedded default transport (no SMTP_URL): each mail,
//     whole, for GET /v1/admin/mail (StoreMail).

// MailKey names one mail: the event that caused it, its kind and its
// recipient. The recipient is compared without case.
type MailKey struct {
	EventID   string
	Kind      string
	Recipient string
}

func (k MailKey) recipient() string { return strings.ToLower(strings.TrimSpace(k.Recipient)) }

// MailLease is how long a claim keeps other senders of the same mail
// away. A sender that dies mid-send leaves its claim to run out; the
// task's retry then sends again, under the same Message-ID.
const MailLease = 2 * time.Minute

// ClaimMail claims the mail k, identified to receivers by messageID, for
// sending. It returns true when the caller is to send it now: nobody
// claimed it before, its last attempt failed, or the claim of a sender
// that died has run out. It returns false when it was sent, was refused for
// good, or another sender holds a live claim.
func (db *DB) ClaimMail(ctx context.Context, k MailKey, messageID string) (bool, error) {
	now := db.Now()
	var attempts int
	err := db.pool.GetContext(ctx, &attempts, `INSERT INTO mail_deliveries (event_id, kind, recipient, message_id, state,
			claimed_until, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'sending', $5, $6, $6)
		ON CONFLICT (event_id, kind, recipient) DO UPDATE
			SET state = 'sending', attempts = mail_deliveries.attempts + 1, claimed_until = EXCLUDED.claimed_until,
				message_id = EXCLUDED.message_id, updated_at = EXCLUDED.updated_at
			WHERE mail_deliveries.state = 'failed'
				OR (mail_deliveries.state = 'sending' AND mail_deliveries.claimed_until < EXCLUDED.updated_at)
		RETURNING attempts`, k.EventID, k.Kind, k.recipient(), messageID, now.Add(MailLease), now)
	if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, translate(err)
	}
	return true, nil
}

// MailSent marks the claimed mail k sent.
func (db *DB) MailSent(ctx context.Context, k MailKey) error {
	now := db.Now()
	_, err := db.pool.ExecContext(ctx, `UPDATE mail_deliveries SET state = 'sent', sent_at = $4, updated_at = $4, last_error = NULL
		WHERE event_id = $1 AND kind = $2 AND recipient = $3`, k.EventID, k.Kind, k.recipient(), now)
	return translate(err)
}

// MailFailed releases the claim of mail k after a failed send, noting why
// (errText must hold no secret). A permanent failure (the server refused
// the mail for good) is never tried again; any other may be.
func (db *DB) MailFailed(ctx context.Context, k MailKey, errText string, permanent bool) error {
	state := "failed"
	if permanent {
		state = "rejected"
	}
	now := db.Now()
	_, err := db.pool.ExecContext(ctx, `UPDATE mail_deliveries SET state = $4, claimed_until = $5, updated_at = $5, last_error = $6
		WHERE event_id = $1 AND kind = $2 AND recipient = $3 AND state = 'sending'`,
		k.EventID, k.Kind, k.recipient(), state, now, truncate(errText, 500))
	return translate(err)
}

// MailState returns the state of mail k (sending, sent, failed or
// rejected), or "" when it was never claimed.
func (db *DB) MailState(ctx context.Context, k MailKey) (string, error) {
	var state string
	err := db.pool.GetContext(ctx, &state, `SELECT state FROM mail_deliveries WHERE event_id = $1 AND kind = $2 AND recipient = $3`,
		k.EventID, k.Kind, k.recipient())
	if domain.ErrorCode(translate(err)) == domain.ECodeNotFound {
		return "", nil
	}
	return state, translate(err)
}

// StoredMail is one mail kept by the embedded default transport.
type StoredMail struct {
	ID              string    `db:"id"`
	MessageID       string    `db:"message_id"`
	EventID         string    `db:"event_id"`
	Kind            string    `db:"kind"`
	From            string    `db:"from_address"`
	To              string    `db:"to_address"`
	Subject         string    `db:"subject"`
	Text            string    `db:"text_body"`
	HTML            string    `db:"html_body"`
	Headers         []byte    `db:"headers"`
	ListUnsubscribe *string   `db:"list_unsubscribe"`
	Date            time.Time `db:"date"`
	CreatedAt       time.Time `db:"created_at"`
}

// MailHeader is one header of a stored mail beyond From, To, Subject,
// Date and Message-ID.
type MailHeader struct {
	Name  string
	Value string
}

// NewStoredMail is a mail to keep, as the transport hands it over.
type NewStoredMail struct {
	MessageID, EventID, Kind, From, To, Subject, Text, HTML, ListUnsubscribe string
	Headers                                                                  []MailHeader
	Date                                                                     time.Time
}

const storedMailCols = `id, message_id, event_id, kind, from_address, to_address, subject, text_body, html_body, headers,
	list_unsubscribe, date, created_at`

// StoreMail keeps m. A second mail with the same Message-ID is the same
// mail: it is kept once, and StoreMail succeeds.
func (db *DB) StoreMail(ctx context.Context, m NewStoredMail) error {
	// Stored as [[name, value], ...].
	pairs := make([][2]string, len(m.Headers))
	for i, h := range m.Headers {
		pairs[i] = [2]string{h.Name, h.Value}
	}
	h, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	_, err = db.pool.ExecContext(ctx, `INSERT INTO sent_mail (message_id, event_id, kind, from_address, to_address, subject,
			text_body, html_body, headers, list_unsubscribe, date, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULLIF($10, ''), $11, $12) ON CONFLICT (message_id) DO NOTHING`,
		m.MessageID, m.EventID, m.Kind, m.From, m.To, m.Subject, m.Text, m.HTML, h, m.ListUnsubscribe, m.Date, db.Now())
	return translate(err)
}

// MailFilter narrows ListSentMail.
type MailFilter struct {
	Kind string
	// To matches the recipient's address, without case.
	To    string
	After string
	Limit int
}

// ListSentMail lists the stored mails, newest first, a page at a time.
// Returns validation_failed for a bad cursor.
func (db *DB) ListSentMail(ctx context.Context, f MailFilter) ([]StoredMail, string, error) {
	args := []any{f.Limit + 1}
	q := `SELECT ` + storedMailCols + ` FROM sent_mail WHERE true`
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += ` AND kind = $` + strconv.Itoa(len(args))
	}
	if f.To != "" {
		args = append(args, f.To)
		q += ` AND lower(to_address) LIKE '%' || lower($` + strconv.Itoa(len(args)) + `) || '%'`
	}
	if f.After != "" {
		if _, err := uuid.Parse(f.After); err != nil {
			return nil, "", &domain.Error{Code: domain.ECodeValidation, Message: "bad cursor",
				Fields: []domain.FieldError{{Field: "cursor", Message: "is not a cursor from a previous page"}}}
		}
		args = append(args, f.After)
		q += ` AND (created_at, id) < (SELECT created_at, id FROM sent_mail WHERE id = $` + strconv.Itoa(len(args)) + `)`
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT $1`
	out := []StoredMail{}
	if err := db.pool.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	for i := range out {
		out[i].utc()
	}
	return out, next, nil
}

// SentMail returns one stored mail. Returns not_found.
func (db *DB) SentMail(ctx context.Context, id string) (StoredMail, error) {
	if !validUUID(id) {
		return StoredMail{}, domain.NotFound()
	}
	var m StoredMail
	if err := db.pool.GetContext(ctx, &m, `SELECT `+storedMailCols+` FROM sent_mail WHERE id = $1`, id); err != nil {
		return StoredMail{}, translate(err)
	}
	m.utc()
	return m, nil
}

func (m *StoredMail) utc() {
	m.Date, m.CreatedAt = m.Date.UTC(), m.CreatedAt.UTC()
}

// HeaderList decodes the stored extra headers.
func (m StoredMail) HeaderList() []MailHeader {
	var pairs [][2]string
	_ = json.Unmarshal(m.Headers, &pairs)
	out := make([]MailHeader, len(pairs))
	for i, p := range pairs {
		out[i] = MailHeader{Name: p[0], Value: p[1]}
	}
	return out
}

// OptOut records that email turned off the mails of topic (digests or
// reminders). Doing it twice is doing it once.
func (db *DB) OptOut(ctx context.Context, email, topic string) error {
	_, err := db.pool.ExecContext(ctx, `INSERT INTO notification_optouts (email, topic, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, strings.ToLower(strings.TrimSpace(email)), topic, db.Now())
	return translate(err)
}

// OptedOut reports whether email turned off the mails of topic.
func (db *DB) OptedOut(ctx context.Context, email, topic string) (bool, error) {
	var out bool
	err := db.pool.GetContext(ctx, &out, `SELECT EXISTS (SELECT 1 FROM notification_optouts WHERE email = $1 AND topic = $2)`,
		strings.ToLower(strings.TrimSpace(email)), topic)
	return out, translate(err)
}
