package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/intake"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// Webhooks to partners. An event a partner may subscribe to
// (events.WebhookKinds) sets off one webhook:fanout task, which makes the
// event's body once (kept in webhook_messages, so every attempt and every
// redelivery sends the same bytes) and enqueues one webhook:deliver task
// per enabled endpoint of the partner that subscribes to the event, under
// the task id "evt-<event id>-webhook-<endpoint id>". Each delivery task
// makes one attempt; asynq retries it on webhook.RetryDelay's schedule,
// about a day, and every attempt is a row of the delivery log.

// webhookMaxRetry is asynq's MaxRetry of a delivery: MaxAttempts in all.
var webhookMaxRetry = webhook.MaxAttempts - 1

// deliveryTaskID is the task id of event eventID's delivery to an
// endpoint: one task per event and endpoint, however often the fan-out
// runs.
func deliveryTaskID(eventID, endpointID string) string {
	return "evt-" + eventID + "-webhook-" + endpointID
}

// WebhookFanout makes an event's webhook body and its delivery tasks
// (webhook:fanout). Running it twice enqueues nothing twice.
func (h *Handlers) WebhookFanout(ctx context.Context, t *asynq.Task) error {
	var te tasks.Event
	if err := decode(t, &te); err != nil {
		return err
	}
	ev := events.Event{ID: te.ID, Kind: te.Kind, Subject: te.Subject, Payload: te.Payload, OccurredAt: te.OccurredAt}
	p, err := events.Decode(ev)
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	partnerID := partnerOf(p)
	if partnerID == "" {
		return fmt.Errorf("%s concerns no partner: %w", ev.Kind, asynq.SkipRetry)
	}
	endpoints, err := h.DB.SubscribedEndpoints(ctx, partnerID, ev.Kind)
	if err != nil {
		return err
	}
	if len(endpoints) == 0 {
		return errSkipped
	}
	data, err := h.webhookData(ctx, ev, p)
	if err != nil {
		return permanent(err)
	}
	body, err := webhook.Event{ID: ev.ID, Type: ev.Kind, Time: ev.OccurredAt, Data: data}.Body()
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if _, err := h.DB.SaveWebhookMessage(ctx, ev.ID, partnerID, ev.Kind, body); err != nil {
		return err
	}
	for _, id := range endpoints {
		payload, _ := json.Marshal(tasks.DeliverWebhook{EventID: ev.ID, EndpointID: id})
		_, err := h.enqueue.EnqueueContext(ctx, asynq.NewTask(tasks.TypeDeliverWebhook, payload), deliveryOptions(deliveryTaskID(ev.ID, id))...)
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return err
		}
	}
	return nil
}

// deliveryOptions are the asynq options of a delivery task.
func deliveryOptions(taskID string) []asynq.Option {
	return []asynq.Option{asynq.TaskID(taskID), asynq.Queue(QueueDefault), asynq.MaxRetry(webhookMaxRetry),
		asynq.Timeout(2 * webhook.DefaultTimeout), asynq.Retention(48 * time.Hour)}
}

// partnerOf is the partner an event concerns, whose endpoints get it.
func partnerOf(p events.Payload) string {
	switch p := p.(type) {
	case events.AssignmentOffered:
		return p.PartnerID
	case events.AssignmentExpiring:
		return p.PartnerID
	case events.AssignmentExpired:
		return p.PartnerID
	case events.AssignmentAccepted:
		return p.PartnerID
	case events.AssignmentReleased:
		return p.PartnerID
	case events.RecordTransitioned:
		return p.PartnerID
	case events.PipelineFlagsRaised:
		return p.PartnerID
	case events.StatementInvoiced:
		return p.PartnerID
	case events.StatementPaid:
		return p.PartnerID
	}
	return ""
}

// retryAfterError asks asynq for a longer wait before the next attempt:
// what the receiver asked for with Retry-After.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// webhookRetryDelay is the wait before retry n (asynq's count, 0 for the
// first retry) of a delivery: webhook.RetryDelay for attempt n+1, with
// jitter and the receiver's Retry-After.
func webhookRetryDelay(n int, err error) time.Duration {
	var ra *retryAfterError
	var after time.Duration
	if errors.As(err, &ra) {
		after = ra.after
	}
	d, ok := webhook.RetryDelay(n+1, rand.Float64(), after)
	if !ok {
		return 8 * time.Hour
	}
	return d
}

// DeliverWebhook makes one attempt to deliver an event to an endpoint
// (webhook:deliver) and logs it. A task's delivery is made once: a run that
// finds the event delivered does nothing. A manual redelivery sends again.
// A disabled, deleted or unsubscribed endpoint gets nothing.
func (h *Handlers) DeliverWebhook(ctx context.Context, t *asynq.Task) error {
	var p tasks.DeliverWebhook
	if err := decode(t, &p); err != nil {
		return err
	}
	msg, err := h.DB.LoadWebhookMessage(ctx, p.EventID)
	if err != nil {
		return permanent(err)
	}
	if !p.Manual {
		done, err := h.DB.WebhookDelivered(ctx, p.EventID, p.EndpointID)
		if err != nil {
			return err
		}
		if done {
			return errSkipped
		}
	}
	target, err := h.DB.WebhookTarget(ctx, p.EndpointID)
	if domain.ErrorCode(err) == domain.ECodeNotFound {
		return errSkipped // deleted
	}
	if errors.Is(err, postgres.ErrSecretUnreadable) {
		// A secret that does not open never will under this key: the log
		// says so to the partner, who rotates it.
		h.Log.Error("webhook: the endpoint's secret does not open; rotate it", "endpoint_id", p.EndpointID)
		_, lerr := h.DB.RecordWebhookAttempt(context.WithoutCancel(ctx), postgres.WebhookAttempt{EventID: msg.EventID,
			EndpointID: p.EndpointID, Manual: p.Manual, ErrorClass: webhook.ClassNoSecret,
			Error: "the endpoint's secret cannot be read; rotate it"})
		return fmt.Errorf("%w: %w", errors.Join(err, lerr), asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	// One partner's event never reaches another's endpoint, whatever asked.
	if target.PartnerID != msg.PartnerID || !target.Enabled || (!p.Manual && !slices.Contains(target.EventTypes, msg.EventType)) {
		return errSkipped
	}
	secrets := make([]webhook.Secret, 0, len(target.Secrets))
	for _, s := range target.Secrets {
		sec, err := webhook.ParseSecret(s)
		if err != nil {
			return fmt.Errorf("endpoint %s: %w: %w", target.ID, err, asynq.SkipRetry)
		}
		secrets = append(secrets, sec)
	}
	ev, err := webhook.ParseBody(msg.EventID, msg.Body)
	if err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	res := h.hooks.Deliver(ctx, webhook.Endpoint{URL: target.URL, Secrets: secrets}, ev)
	attempt := postgres.WebhookAttempt{EventID: msg.EventID, EndpointID: target.ID, Manual: p.Manual, Delivered: res.Delivered(),
		StatusCode: res.Status, Latency: res.Latency, ErrorClass: res.Class()}
	if res.Err != nil {
		attempt.Error = res.Err.Error()
	}
	logged, err := h.DB.RecordWebhookAttempt(context.WithoutCancel(ctx), attempt)
	if err != nil {
		return err
	}
	if logged.Disabled {
		h.Log.Warn("webhook endpoint disabled after failing deliveries", "endpoint_id", target.ID, "partner_id", target.PartnerID)
	}
	switch {
	case res.Delivered():
		h.Log.Info("webhook delivered", "event_id", msg.EventID, "endpoint_id", target.ID, "attempt", logged.Attempt,
			"status", res.Status, "manual", p.Manual)
		return nil
	case logged.Disabled || res.Permanent():
		return fmt.Errorf("webhook to endpoint %s: %w: %w", target.ID, res.Err, asynq.SkipRetry)
	}
	return &retryAfterError{err: fmt.Errorf("webhook to endpoint %s, attempt %d: %w", target.ID, logged.Attempt, res.Err),
		after: res.RetryAfter}
}

// The data of each webhook (openapi.yaml, webhooks): ids, the routing
// axes, deadlines and amounts. Before acceptance a partner's payload names
// no one: no contact, company name or domain (SPEC §3, §8). The customer
// appears in assignment.accepted alone, decided by intake.SeenByPartner on
// the assignment as it stands when the body is made.

type axesData struct {
	Stage          string `json:"stage"`
	Region         string `json:"region"`
	Vertical       string `json:"vertical"`
	ServiceProfile string `json:"service_profile"`
	EngagementType string `json:"engagement_type"`
}

type offerData struct {
	AssignmentID    string    `json:"assignment_id"`
	IntakeID        string    `json:"intake_id"`
	IntakeReference string    `json:"intake_reference"`
	PartnerID       string    `json:"partner_id"`
	OfferedAt       time.Time `json:"offered_at"`
	ExpiresAt       time.Time `json:"expires_at"`
	Axes            axesData  `json:"axes"`
}

type expiringData struct {
	AssignmentID    string    `json:"assignment_id"`
	IntakeID        string    `json:"intake_id"`
	IntakeReference string    `json:"intake_reference"`
	PartnerID       string    `json:"partner_id"`
	ExpiresAt       time.Time `json:"expires_at"`
}

type expiredData struct {
	AssignmentID    string    `json:"assignment_id"`
	IntakeID        string    `json:"intake_id"`
	IntakeReference string    `json:"intake_reference"`
	PartnerID       string    `json:"partner_id"`
	ExpiredAt       time.Time `json:"expired_at"`
}

type contactData struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type customerData struct {
	CompanyName      string       `json:"company_name"`
	Website          string       `json:"website"`
	CustomerDomain   string       `json:"customer_domain"`
	AWSAccountID     *string      `json:"aws_account_id"`
	TechnicalContact *contactData `json:"technical_contact"`
	BusinessContact  *contactData `json:"business_contact"`
}

type acceptedData struct {
	AssignmentID    string        `json:"assignment_id"`
	IntakeID        string        `json:"intake_id"`
	IntakeReference string        `json:"intake_reference"`
	PartnerID       string        `json:"partner_id"`
	AcceptedAt      time.Time     `json:"accepted_at"`
	Customer        *customerData `json:"customer"`
}

type releasedData struct {
	AssignmentID    string    `json:"assignment_id"`
	IntakeID        string    `json:"intake_id"`
	IntakeReference string    `json:"intake_reference"`
	PartnerID       string    `json:"partner_id"`
	ReleasedBy      string    `json:"released_by"`
	ReleasedAt      time.Time `json:"released_at"`
}

type recordData struct {
	ACERecordID   string `json:"ace_record_id"`
	AssignmentID  string `json:"assignment_id"`
	IntakeID      string `json:"intake_id"`
	PartnerID     string `json:"partner_id"`
	FundingSource string `json:"funding_source"`
	From          string `json:"from"`
	To            string `json:"to"`
	ActorRole     string `json:"actor_role"`
	ApprovedUSD   *int64 `json:"approved_usd"`
}

type flagData struct {
	Flag         string  `json:"flag"`
	ACERecordID  *string `json:"ace_record_id"`
	AssignmentID *string `json:"assignment_id"`
}

type flagsData struct {
	PartnerID string     `json:"partner_id"`
	Date      string     `json:"date"`
	OpenFlags int        `json:"open_flags"`
	Flags     []flagData `json:"flags"`
}

type statementData struct {
	StatementID string  `json:"statement_id"`
	PartnerID   string  `json:"partner_id"`
	Month       string  `json:"month"`
	TotalCents  int64   `json:"total_cents"`
	Reference   *string `json:"reference"`
}

func orNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// webhookData is the data object of event ev's webhook.
func (h *Handlers) webhookData(ctx context.Context, ev events.Event, p events.Payload) (json.RawMessage, error) {
	var v any
	switch p := p.(type) {
	case events.AssignmentOffered:
		in, err := h.DB.Intake(ctx, p.IntakeID)
		if err != nil {
			return nil, err
		}
		v = offerData{AssignmentID: p.AssignmentID, IntakeID: p.IntakeID, IntakeReference: intake.Reference(p.IntakeID),
			PartnerID: p.PartnerID, OfferedAt: ev.OccurredAt.UTC(), ExpiresAt: p.ExpiresAt.UTC(),
			Axes: axesData{Stage: in.Stage, Region: in.Region, Vertical: in.Vertical, ServiceProfile: in.ServiceProfile,
				EngagementType: in.EngagementType}}
	case events.AssignmentExpiring:
		v = expiringData{AssignmentID: p.AssignmentID, IntakeID: p.IntakeID, IntakeReference: intake.Reference(p.IntakeID),
			PartnerID: p.PartnerID, ExpiresAt: p.ExpiresAt.UTC()}
	case events.AssignmentExpired:
		v = expiredData{AssignmentID: p.AssignmentID, IntakeID: p.IntakeID, IntakeReference: intake.Reference(p.IntakeID),
			PartnerID: p.PartnerID, ExpiredAt: ev.OccurredAt.UTC()}
	case events.AssignmentAccepted:
		d := acceptedData{AssignmentID: p.AssignmentID, IntakeID: p.IntakeID, IntakeReference: intake.Reference(p.IntakeID),
			PartnerID: p.PartnerID, AcceptedAt: ev.OccurredAt.UTC()}
		a, err := h.DB.Assignment(ctx, p.AssignmentID)
		if err != nil {
			return nil, err
		}
		in, err := h.DB.Intake(ctx, p.IntakeID)
		if err != nil {
			return nil, err
		}
		if c := seenCustomer(in, a.Status); c != nil {
			d.Customer = c
		}
		v = d
	case events.AssignmentReleased:
		v = releasedData{AssignmentID: p.AssignmentID, IntakeID: p.IntakeID, IntakeReference: intake.Reference(p.IntakeID),
			PartnerID: p.PartnerID, ReleasedBy: p.ActorRole, ReleasedAt: ev.OccurredAt.UTC()}
	case events.RecordTransitioned:
		d := recordData{ACERecordID: p.RecordID, AssignmentID: p.AssignmentID, IntakeID: p.IntakeID, PartnerID: p.PartnerID,
			FundingSource: p.FundingSource, From: p.From, To: p.To, ActorRole: p.ActorRole}
		if p.ApprovedUSD > 0 {
			d.ApprovedUSD = &p.ApprovedUSD
		}
		v = d
	case events.PipelineFlagsRaised:
		d := flagsData{PartnerID: p.PartnerID, Date: p.Date, OpenFlags: p.OpenFlags, Flags: make([]flagData, len(p.Flags))}
		for i, f := range p.Flags {
			d.Flags[i] = flagData{Flag: f.Flag, ACERecordID: orNil(f.ACERecordID), AssignmentID: orNil(f.AssignmentID)}
		}
		v = d
	case events.StatementInvoiced:
		v = statementData{StatementID: p.StatementID, PartnerID: p.PartnerID, Month: p.Month, TotalCents: p.TotalCents,
			Reference: orNil(p.Reference)}
	case events.StatementPaid:
		v = statementData{StatementID: p.StatementID, PartnerID: p.PartnerID, Month: p.Month, TotalCents: p.TotalCents,
			Reference: orNil(p.Reference)}
	default:
		return nil, fmt.Errorf("%s has no webhook: %w", ev.Kind, asynq.SkipRetry)
	}
	return json.Marshal(v)
}

// seenCustomer is who the customer is, for a partner whose assignment is
// in status, or nil when the rule (intake.SeenByPartner) hides it.
func seenCustomer(in postgres.Intake, status string) *customerData {
	var c intake.Customer
	c.CompanyName, c.Website, c.CustomerDomain, c.AWSAccountID = in.CompanyName, in.Website, in.CustomerDomain, in.AWSAccountID
	var tc, bc intake.Contact
	if json.Unmarshal(in.TechnicalContact, &tc) == nil {
		c.TechnicalContact = &tc
	}
	if json.Unmarshal(in.BusinessContact, &bc) == nil {
		c.BusinessContact = &bc
	}
	seen := intake.SeenByPartner(intake.Profile{}, c, status).Customer
	if seen == nil {
		return nil
	}
	out := &customerData{CompanyName: seen.CompanyName, Website: seen.Website, CustomerDomain: seen.CustomerDomain,
		AWSAccountID: seen.AWSAccountID}
	if seen.TechnicalContact != nil {
		out.TechnicalContact = &contactData{Name: seen.TechnicalContact.Name, Email: seen.TechnicalContact.Email}
	}
	if seen.BusinessContact != nil {
		out.BusinessContact = &contactData{Name: seen.BusinessContact.Name, Email: seen.BusinessContact.Email}
	}
	return out
}
