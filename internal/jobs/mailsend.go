package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

// notifier sends the notification mails: who is told what is in
// notify.go and digests.go; this file sends one mail once.
type notifier struct {
	db        *postgres.DB
	log       *slog.Logger
	composer  *mail.Composer
	transport mail.Transport
	links     links
	unsub     *mail.Unsubscriber
	admins    []string
}

// errMailBusy: another run of the same task holds the claim of a mail; the
// task is retried, and by then the mail is sent or the claim ran out.
var errMailBusy = errors.New("a mail of this event is being sent by another task; retrying")

// sendOnce sends the mail of content, caused by eventID, to to, unless it
// was sent before: the claim in mail_deliveries (postgres.ClaimMail) is
// taken before the transport is called and marked after, so a task run
// twice sends once. withheld are secrets the mail carries that a store of
// sent mail must not keep. A recipient who turned the mail's topic off
// gets nothing. It returns nil once the mail is sent (now or before), or
// refused for good; an error means it may pass on a retry.
func (n *notifier) sendOnce(ctx context.Context, eventID string, to mail.Address, content mail.Content, withheld ...string) error {
	kind := content.Kind()
	if topic := kind.Topic(); topic != "" {
		off, err := n.db.OptedOut(ctx, to.Email, topic)
		if err != nil {
			return err
		}
		if off {
			n.log.Info("mail not sent: the recipient turned it off", "kind", string(kind), "event_id", eventID)
			return nil
		}
	}
	msg, err := n.composer.Compose(eventID, to, content)
	if err != nil {
		// A mail that cannot be composed never will be.
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	msg.Withheld = withheld
	key := postgres.MailKey{EventID: eventID, Kind: string(kind), Recipient: to.Email}
	claimed, err := n.db.ClaimMail(ctx, key, msg.ID)
	if err != nil {
		return err
	}
	if !claimed {
		state, err := n.db.MailState(ctx, key)
		if err != nil {
			return err
		}
		if state == "sending" {
			return errMailBusy
		}
		return nil // sent, or refused for good
	}
	if err := n.transport.Send(ctx, msg); err != nil {
		permanent := errors.Is(err, mail.ErrRejected)
		if ferr := n.db.MailFailed(context.WithoutCancel(ctx), key, err.Error(), permanent); ferr != nil {
			n.log.Error("mail: cannot release a failed claim; it runs out by itself", "err", ferr.Error())
		}
		if permanent {
			n.log.Warn("mail refused for good by the server", "kind", string(kind), "event_id", eventID, "err", err.Error())
			return nil
		}
		return err
	}
	if err := n.db.MailSent(context.WithoutCancel(ctx), key); err != nil {
		// Sent, but not marked: a retry would send again, under the same
		// Message-ID. Say so.
		n.log.Error("mail sent but not marked sent; a retry may repeat it", "kind", string(kind), "event_id", eventID, "err", err.Error())
		return err
	}
	n.log.Info("mail sent", "kind", string(kind), "event_id", eventID, "message_id", msg.ID)
	return nil
}

// sendAll sends one mail to each recipient, all of them tried even when
// one fails; it returns the errors joined.
func (n *notifier) sendAll(ctx context.Context, eventID string, to []mail.Address, content func(mail.Address) mail.Content, withheld ...string) error {
	var errs []error
	for _, a := range to {
		if err := n.sendOnce(ctx, eventID, a, content(a), withheld...); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// unsubscribeURL is the one-click link that turns topic off for email.
func (n *notifier) unsubscribeURL(email, topic string) string {
	return n.links.unsubscribe(n.unsub.Token(email, topic))
}

// storedTransport is the embedded default transport (no SMTP_URL): each
// mail is kept in Postgres, for admins to read at GET /v1/admin/mail. It
// keeps every field and header, stores a Message-ID once however often it
// is sent, and withholds the secrets a mail carries for its recipient
// alone.
type storedTransport struct{ db *postgres.DB }

// Send keeps m; it fails only when m was not stored.
func (s storedTransport) Send(ctx context.Context, m mail.Message) error {
	m = m.WithheldCopy()
	headers := make([]postgres.MailHeader, 0, 4)
	for _, h := range m.Headers() {
		headers = append(headers, postgres.MailHeader{Name: h.Name, Value: h.Value})
	}
	return s.db.StoreMail(ctx, postgres.NewStoredMail{MessageID: m.ID, EventID: m.EventID, Kind: string(m.Kind),
		From: m.From.String(), To: m.To.String(), Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		ListUnsubscribe: m.ListUnsubscribe, Headers: headers, Date: m.Date})
}

// sameAddress compares two addresses without case.
func sameAddress(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
