package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
)

// Who is told what by mail, event by event (docs/notifications.md):
//
//	intake.received            founders: the receipt, with the private status link
//	assignment.offered         partner: the new offer and its deadline (cannot be turned off)
//	assignment.expiring        partner: the reminder (can be turned off)
//	assignment.expired         partner: the offer lapsed
//	assignment.accepted        founders: "your partner is X"
//	assignment.released        founders: a new partner is being sought
//	statement.invoiced         partner: the statement was invoiced
//	webhook_endpoint.disabled  partner: an endpoint was disabled
//
// The admins' digest and the partners' weekly hygiene digest are periodic
// (digests.go). Each mail is sent once per event and recipient
// (sendOnce), so the task is safe to run twice.

// SendMail sends the mails of one event (mail:event).
func (h *Handlers) SendMail(ctx context.Context, t *asynq.Task) error {
	var te tasks.Event
	if err := decode(t, &te); err != nil {
		return err
	}
	ev := events.Event{ID: te.ID, Kind: te.Kind, Subject: te.Subject, Payload: te.Payload, OccurredAt: te.OccurredAt}
	p, err := events.Decode(ev)
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	n := h.notify
	switch p := p.(type) {
	case events.IntakeReceived:
		err = n.receipt(ctx, ev, p)
	case events.AssignmentOffered:
		err = n.offered(ctx, ev, p)
	case events.AssignmentExpiring:
		err = n.expiring(ctx, ev, p)
	case events.AssignmentExpired:
		err = n.expired(ctx, ev, p)
	case events.AssignmentAccepted:
		err = n.accepted(ctx, ev, p)
	case events.AssignmentReleased:
		err = n.released(ctx, ev, p)
	case events.StatementInvoiced:
		err = n.invoiced(ctx, ev, p)
	case events.WebhookEndpointDisabled:
		err = n.webhookDisabled(ctx, ev, p)
	default:
		return fmt.Errorf("no mail for %s: %w", ev.Kind, asynq.SkipRetry)
	}
	return permanent(err)
}

// founderRecipients are the founders of an intake: its business contact,
// and its technical contact when that is another address.
func founderRecipients(in postgres.Intake) []mail.Address {
	var out []mail.Address
	for _, raw := range [][]byte{in.BusinessContact, in.TechnicalContact} {
		var c intake.Contact
		if json.Unmarshal(raw, &c) != nil || c.Email == "" {
			continue
		}
		dup := false
		for _, a := range out {
			dup = dup || sameAddress(a.Email, c.Email)
		}
		if !dup {
			out = append(out, mail.Address{Name: c.Name, Email: c.Email})
		}
	}
	return out
}

// partnerRecipients are the people of a partner who get its mails. Until
// the console gives partners users of their own, that is the partner's
// contact address; the console extends this one function with its users.
func (n *notifier) partnerRecipients(ctx context.Context, partnerID string) (domain.Partner, []mail.Address, error) {
	p, err := n.db.Partner(ctx, partnerID)
	if err != nil {
		return p, nil, err
	}
	return p, []mail.Address{{Email: p.ContactEmail}}, nil
}

// receipt confirms an intake to its founders with the private status link:
// the access token, sealed by the submission for this mail alone, is opened
// and then deleted once every founder has the mail. When it is gone (sent
// already, or sealed under another key) the link is the plain status page,
// which asks for the link saved at submission.
func (n *notifier) receipt(ctx context.Context, ev events.Event, p events.IntakeReceived) error {
	in, err := n.db.Intake(ctx, p.IntakeID)
	if err != nil {
		return err
	}
	token, err := n.db.ReceiptToken(ctx, in.ID)
	if err != nil {
		return err
	}
	status := n.links.status(in.ID)
	var withheld []string
	if token != "" {
		status, withheld = n.links.privateStatus(in.ID, token), []string{token}
	}
	err = n.sendAll(ctx, ev.ID, founderRecipients(in), func(a mail.Address) mail.Content {
		return mail.FounderReceipt{FounderName: a.Name, CompanyName: in.CompanyName, ReceivedAt: in.CreatedAt, StatusURL: status}
	}, withheld...)
	if err != nil || token == "" {
		return err
	}
	return n.db.ForgetReceiptToken(ctx, in.ID)
}

// stillOffered reads an offer and reports whether it is still open: the
// mail of an offer answered or lapsed before its mail went out (the relay
// held back while Redis was down) would only mislead.
func (n *notifier) stillOffered(ctx context.Context, assignmentID string) (postgres.Assignment, bool, error) {
	a, err := n.db.Assignment(ctx, assignmentID)
	if err != nil {
		return a, false, err
	}
	if a.Status != domain.AssignmentOffered || !n.db.Now().Before(a.ExpiresAt) {
		n.log.Info("offer mail not sent: the offer is no longer open", "assignment_id", a.ID, "status", a.Status)
		return a, false, nil
	}
	return a, true, nil
}

func (n *notifier) offered(ctx context.Context, ev events.Event, p events.AssignmentOffered) error {
	a, open, err := n.stillOffered(ctx, p.AssignmentID)
	if err != nil || !open {
		return err
	}
	in, err := n.db.Intake(ctx, a.IntakeID)
	if err != nil {
		return err
	}
	partner, to, err := n.partnerRecipients(ctx, a.PartnerID)
	if err != nil {
		return err
	}
	// What any partner offered the intake may see (intake.SeenByPartner
	// before acceptance): the profile, never who the customer is.
	return n.sendAll(ctx, ev.ID, to, func(r mail.Address) mail.Content {
		return mail.OfferNew{RecipientName: r.Name, PartnerName: partner.Name, Reference: intake.Reference(in.ID),
			Stage: label(in.Stage), Region: label(in.Region), Vertical: label(in.Vertical),
			ServiceProfile: label(in.ServiceProfile), EngagementType: label(in.EngagementType),
			FundingSources: labelAll(in.RequestedFundingSources), ProjectedMonthlySpendUSD: in.ProjectedMonthlyUSD,
			UseCase: in.UseCase, Deadline: a.ExpiresAt.UTC(), OfferURL: n.links.offer(a.ID)}
	})
}

func (n *notifier) expiring(ctx context.Context, ev events.Event, p events.AssignmentExpiring) error {
	a, open, err := n.stillOffered(ctx, p.AssignmentID)
	if err != nil || !open {
		return err
	}
	partner, to, err := n.partnerRecipients(ctx, a.PartnerID)
	if err != nil {
		return err
	}
	return n.sendAll(ctx, ev.ID, to, func(r mail.Address) mail.Content {
		return mail.OfferReminder{RecipientName: r.Name, PartnerName: partner.Name, Reference: intake.Reference(a.IntakeID),
			Deadline: a.ExpiresAt.UTC(), OfferURL: n.links.offer(a.ID), UnsubscribeURL: n.unsubscribeURL(r.Email, mail.TopicReminders)}
	})
}

func (n *notifier) expired(ctx context.Context, ev events.Event, p events.AssignmentExpired) error {
	partner, to, err := n.partnerRecipients(ctx, p.PartnerID)
	if err != nil {
		return err
	}
	return n.sendAll(ctx, ev.ID, to, func(r mail.Address) mail.Content {
		return mail.OfferExpired{RecipientName: r.Name, PartnerName: partner.Name, Reference: intake.Reference(p.IntakeID),
			ExpiredAt: ev.OccurredAt.UTC(), OffersURL: n.links.offers()}
	})
}

// accepted tells the founders which partner took their intake, with the
// partner's contact: from acceptance on both sides know each other.
func (n *notifier) accepted(ctx context.Context, ev events.Event, p events.AssignmentAccepted) error {
	in, err := n.db.Intake(ctx, p.IntakeID)
	if err != nil {
		return err
	}
	partner, err := n.db.Partner(ctx, p.PartnerID)
	if err != nil {
		return err
	}
	return n.sendAll(ctx, ev.ID, founderRecipients(in), func(a mail.Address) mail.Content {
		return mail.PartnerAssigned{FounderName: a.Name, CompanyName: in.CompanyName, PartnerName: partner.Name,
			ContactEmail: partner.ContactEmail, StatusURL: n.links.status(in.ID)}
	})
}

// released tells the founders that the partner no longer has their
// intake and a new one is sought. The reason is shown when the founder
// gave it; an admin's reason is an internal note.
func (n *notifier) released(ctx context.Context, ev events.Event, p events.AssignmentReleased) error {
	in, err := n.db.Intake(ctx, p.IntakeID)
	if err != nil {
		return err
	}
	if in.Status == domain.IntakeWithdrawn || in.Status == domain.IntakeClosed {
		return nil // the founder withdrew: nothing is being sought
	}
	partner, err := n.db.Partner(ctx, p.PartnerID)
	if err != nil {
		return err
	}
	reason := ""
	if p.ActorRole == domain.RoleFounder {
		if a, err := n.db.Assignment(ctx, p.AssignmentID); err == nil && a.EndReason != nil {
			reason = *a.EndReason
		}
	}
	return n.sendAll(ctx, ev.ID, founderRecipients(in), func(a mail.Address) mail.Content {
		return mail.Rerouted{FounderName: a.Name, CompanyName: in.CompanyName, PreviousPartnerName: partner.Name,
			Reason: reason, StatusURL: n.links.status(in.ID)}
	})
}

func (n *notifier) invoiced(ctx context.Context, ev events.Event, p events.StatementInvoiced) error {
	month, err := time.Parse("2006-01", p.Month)
	if err != nil {
		return fmt.Errorf("statement %s: month %q: %w", p.StatementID, p.Month, asynq.SkipRetry)
	}
	partner, to, err := n.partnerRecipients(ctx, p.PartnerID)
	if err != nil {
		return err
	}
	return n.sendAll(ctx, ev.ID, to, func(r mail.Address) mail.Content {
		return mail.StatementInvoiced{RecipientName: r.Name, PartnerName: partner.Name, Month: month, AmountCents: p.TotalCents,
			InvoiceNumber: p.Reference, StatementURL: n.links.statement(p.StatementID)}
	})
}

func (n *notifier) webhookDisabled(ctx context.Context, ev events.Event, p events.WebhookEndpointDisabled) error {
	ep, err := n.db.WebhookEndpoint(ctx, p.PartnerID, p.EndpointID)
	if domain.ErrorCode(err) == domain.ECodeNotFound {
		return nil // deleted since: nothing to enable again
	}
	if err != nil {
		return err
	}
	partner, to, err := n.partnerRecipients(ctx, p.PartnerID)
	if err != nil {
		return err
	}
	return n.sendAll(ctx, ev.ID, to, func(r mail.Address) mail.Content {
		return mail.WebhookDisabled{RecipientName: r.Name, PartnerName: partner.Name, EndpointURL: ep.URL,
			FailingSince: p.FailingSince, LastError: errorClassText(p.LastError), WebhooksURL: n.links.webhooks()}
	})
}

// errorClassText says a delivery log's error class in words.
func errorClassText(class string) string {
	switch class {
	case "http_status":
		return "the endpoint answered with an error status"
	case "redirect":
		return "the endpoint answered with a redirect, which is not followed"
	case "timeout":
		return "no answer within 10 seconds"
	case "connection":
		return "the connection failed"
	case "forbidden_address":
		return "the endpoint's address is not allowed"
	case "invalid_url":
		return "the endpoint's URL is not allowed"
	}
	return class
}
