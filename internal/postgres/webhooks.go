package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// Webhook endpoints, the bodies sent to them and the delivery log.
//
// Every method that serves a caller takes the partner whose endpoints it
// reads or changes: another partner's endpoint is not_found, exactly as if
// it did not exist. Secrets are passed in and out in their whsec_ form and
// stored only sealed (secrets.go).

// MaxWebhookEndpoints is how many endpoints one partner may have: each
// event is one delivery per endpoint.
const MaxWebhookEndpoints = 10

// DefaultSecretOverlap is how long a rotated-out secret still signs.
const DefaultSecretOverlap = 24 * time.Hour

// WebhookEndpoint is a partner's endpoint, without its secrets.
type WebhookEndpoint struct {
	ID         string
	PartnerID  string
	URL        string
	EventTypes []string
	Enabled    bool
	EnabledAt  time.Time
	DisabledAt *time.Time
	// DisabledReason says who or what disabled it.
	DisabledReason *string
	// PreviousSecretExpiresAt is the end of a rotation's overlap, while the
	// previous secret still signs; nil outside one.
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

type endpointRow struct {
	ID                      string         `db:"id"`
	PartnerID               string         `db:"partner_id"`
	URL                     string         `db:"url"`
	EventTypes              pq.StringArray `db:"event_types"`
	SecretSealed            []byte         `db:"secret_sealed"`
	PreviousSecretSealed    []byte         `db:"previous_secret_sealed"`
	PreviousSecretExpiresAt *time.Time     `db:"previous_secret_expires_at"`
	Enabled                 bool           `db:"enabled"`
	EnabledAt               time.Time      `db:"enabled_at"`
	DisabledAt              *time.Time     `db:"disabled_at"`
	DisabledReason          *string        `db:"disabled_reason"`
	CreatedAt               time.Time      `db:"created_at"`
	UpdatedAt               time.Time      `db:"updated_at"`
}

const endpointCols = `id, partner_id, url, event_types, secret_sealed, previous_secret_sealed, previous_secret_expires_at,
	enabled, enabled_at, disabled_at, disabled_reason, created_at, updated_at`

// toEndpoint drops the secrets, and a previous secret whose overlap has
// ended.
func (r endpointRow) toEndpoint(now time.Time) WebhookEndpoint {
	e := WebhookEndpoint{ID: r.ID, PartnerID: r.PartnerID, URL: r.URL, EventTypes: []string(r.EventTypes), Enabled: r.Enabled,
		EnabledAt: r.EnabledAt.UTC(), DisabledAt: utc(r.DisabledAt), DisabledReason: r.DisabledReason,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.PreviousSecretExpiresAt != nil && r.PreviousSecretExpiresAt.After(now) {
		e.PreviousSecretExpiresAt = utc(r.PreviousSecretExpiresAt)
	}
	if e.EventTypes == nil {
		e.EventTypes = []string{}
	}
	return e
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// NewWebhookEndpoint is an endpoint to create: its URL and event types,
// already checked by the caller (webhook.CheckURL with the address rules,
// events.WebhookKinds), and its first secret in whsec_ form.
type NewWebhookEndpoint struct {
	URL        string
	EventTypes []string
	Secret     string
}

// CreateWebhookEndpoint adds an endpoint to a partner, in actor's name.
// Returns not_found (no such partner) or conflict (the partner has
// MaxWebhookEndpoints already).
func (db *DB) CreateWebhookEndpoint(ctx context.Context, actor domain.Principal, partnerID string, n NewWebhookEndpoint) (WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := db.inTx(ctx, func(tx *Tx) error {
		// The partner's row serialises creations, so the limit holds.
		if _, err := partnerForUpdate(ctx, tx, partnerID); err != nil {
			return err
		}
		var count int
		if err := tx.GetContext(ctx, &count, `SELECT count(*) FROM webhook_endpoints WHERE partner_id = $1`, partnerID); err != nil {
			return translate(err)
		}
		if count >= MaxWebhookEndpoints {
			return domain.Errorf(domain.ECodeConflict, "a partner may have at most %d webhook endpoints; delete one first", MaxWebhookEndpoints)
		}
		id := uuid.NewString()
		var r endpointRow
		err := tx.GetContext(ctx, &r, `INSERT INTO webhook_endpoints (id, partner_id, url, event_types, secret_sealed, enabled_at,
				updated_by_role, updated_by_key_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::uuid, $6, $6) RETURNING `+endpointCols,
			id, partnerID, n.URL, pq.Array(n.EventTypes), db.sealWebhookSecret(id, n.Secret), tx.now, actor.Role, actor.KeyID)
		if err != nil {
			return translate(err)
		}
		out = r.toEndpoint(tx.now)
		return nil
	})
	return out, err
}

func (db *DB) sealWebhookSecret(endpointID, secret string) []byte {
	return db.sealers().webhook.Seal([]byte(secret), []byte(endpointID))
}

// WebhookEndpoints lists a partner's endpoints, oldest first.
func (db *DB) WebhookEndpoints(ctx context.Context, partnerID string) ([]WebhookEndpoint, error) {
	out := []WebhookEndpoint{}
	if !validUUID(partnerID) {
		return out, nil
	}
	var rows []endpointRow
	if err := db.pool.SelectContext(ctx, &rows, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE partner_id = $1
		ORDER BY created_at, id`, partnerID); err != nil {
		return nil, translate(err)
	}
	now := db.Now()
	for _, r := range rows {
		out = append(out, r.toEndpoint(now))
	}
	return out, nil
}

// WebhookEndpoint returns one of a partner's endpoints. Returns not_found.
func (db *DB) WebhookEndpoint(ctx context.Context, partnerID, id string) (WebhookEndpoint, error) {
	if !validUUID(id) || !validUUID(partnerID) {
		return WebhookEndpoint{}, domain.NotFound()
	}
	var r endpointRow
	if err := db.pool.GetContext(ctx, &r, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = $1 AND partner_id = $2`,
		id, partnerID); err != nil {
		return WebhookEndpoint{}, translate(err)
	}
	return r.toEndpoint(db.Now()), nil
}

func endpointForUpdate(ctx context.Context, tx *Tx, partnerID, id string) (endpointRow, error) {
	var r endpointRow
	if !validUUID(id) || (partnerID != "" && !validUUID(partnerID)) {
		return r, domain.NotFound()
	}
	err := tx.GetContext(ctx, &r, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = $1 AND ($2 = '' OR partner_id::text = $2)
		FOR UPDATE`, id, partnerID)
	return r, translate(err)
}

// WebhookEndpointPatch changes an endpoint; nil fields stay as they are.
// URL and EventTypes are checked by the caller, as for a new endpoint.
type WebhookEndpointPatch struct {
	URL        *string
	EventTypes *[]string
	Enabled    *bool
}

// UpdateWebhookEndpoint changes one of a partner's endpoints in actor's
// name. Enabling a disabled endpoint starts its failure count afresh;
// disabling one records who did. Returns not_found.
func (db *DB) UpdateWebhookEndpoint(ctx context.Context, actor domain.Principal, partnerID, id string, p WebhookEndpointPatch) (WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := endpointForUpdate(ctx, tx, partnerID, id)
		if err != nil {
			return err
		}
		now := tx.now
		if p.URL != nil {
			r.URL = *p.URL
		}
		if p.EventTypes != nil {
			r.EventTypes = *p.EventTypes
		}
		if p.Enabled != nil && *p.Enabled != r.Enabled {
			r.Enabled = *p.Enabled
			if r.Enabled {
				r.EnabledAt, r.DisabledAt, r.DisabledReason = now, nil, nil
			} else {
				reason := "disabled by the partner"
				if actor.Role == domain.RoleAdmin {
					reason = "disabled by a CloudRoute admin"
				}
				r.DisabledAt, r.DisabledReason = &now, &reason
			}
		}
		if err := tx.GetContext(ctx, &r, `UPDATE webhook_endpoints SET url = $2, event_types = $3, enabled = $4, enabled_at = $5,
				disabled_at = $6, disabled_reason = $7, updated_by_role = $8, updated_by_key_id = NULLIF($9, '')::uuid, updated_at = $10
			WHERE id = $1 RETURNING `+endpointCols, r.ID, r.URL, r.EventTypes, r.Enabled, r.EnabledAt, r.DisabledAt, r.DisabledReason,
			actor.Role, actor.KeyID, now); err != nil {
			return translate(err)
		}
		out = r.toEndpoint(now)
		return nil
	})
	return out, err
}

// DeleteWebhookEndpoint deletes one of a partner's endpoints and its
// delivery log. Returns not_found.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, partnerID, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := endpointForUpdate(ctx, tx, partnerID, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id)
		return translate(err)
	})
}

// RotateWebhookSecret makes secret the endpoint's signing secret, in
// actor's name. The secret it replaces still signs until overlap has
// passed, so a receiver can switch without losing a delivery; a rotation
// during another's overlap drops the oldest secret. Returns not_found.
func (db *DB) RotateWebhookSecret(ctx context.Context, actor domain.Principal, partnerID, id, secret string, overlap time.Duration) (WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := endpointForUpdate(ctx, tx, partnerID, id)
		if err != nil {
			return err
		}
		now := tx.now
		var prev []byte
		var until *time.Time
		if overlap > 0 {
			// The sealed value is bound to the endpoint, not to its column,
			// so the current secret moves to the previous slot as it is.
			prev, until = r.SecretSealed, ptrTime(now.Add(overlap))
		}
		if err := tx.GetContext(ctx, &r, `UPDATE webhook_endpoints SET secret_sealed = $2, previous_secret_sealed = $3,
				previous_secret_expires_at = $4, updated_by_role = $5, updated_by_key_id = NULLIF($6, '')::uuid, updated_at = $7
			WHERE id = $1 RETURNING `+endpointCols, r.ID, db.sealWebhookSecret(r.ID, secret), prev, until, actor.Role, actor.KeyID, now); err != nil {
			return translate(err)
		}
		out = r.toEndpoint(now)
		return nil
	})
	return out, err
}

func ptrTime(t time.Time) *time.Time { return &t }

// WebhookDelivery is one attempt of the delivery log.
type WebhookDelivery struct {
	ID         string    `db:"id"`
	EventID    string    `db:"event_id"`
	EventType  string    `db:"event_type"`
	EndpointID string    `db:"endpoint_id"`
	Attempt    int       `db:"attempt"`
	Manual     bool      `db:"manual"`
	Delivered  bool      `db:"delivered"`
	StatusCode *int      `db:"status_code"`
	LatencyMS  int       `db:"latency_ms"`
	ErrorClass *string   `db:"error_class"`
	Error      *string   `db:"error"`
	At         time.Time `db:"at"`
}

const deliveryCols = `d.id, d.event_id, m.event_type, d.endpoint_id, d.attempt, d.manual, d.delivered, d.status_code, d.latency_ms,
	d.error_class, d.error, d.at`

// DeliveryFilter narrows WebhookDeliveries.
type DeliveryFilter struct {
	EventID string
	After   string
	Limit   int
}

// WebhookDeliveries lists the delivery log of one of a partner's
// endpoints, newest first, a page at a time. Returns not_found (the
// endpoint) or validation_failed (a bad cursor).
func (db *DB) WebhookDeliveries(ctx context.Context, partnerID, endpointID string, f DeliveryFilter) ([]WebhookDelivery, string, error) {
	if _, err := db.WebhookEndpoint(ctx, partnerID, endpointID); err != nil {
		return nil, "", err
	}
	args := []any{f.Limit + 1, endpointID}
	q := `SELECT ` + deliveryCols + ` FROM webhook_deliveries d JOIN webhook_messages m ON m.event_id = d.event_id
		WHERE d.endpoint_id = $2`
	if f.EventID != "" {
		if !validUUID(f.EventID) {
			return []WebhookDelivery{}, "", nil
		}
		args = append(args, f.EventID)
		q += ` AND d.event_id = $` + strconv.Itoa(len(args))
	}
	if f.After != "" {
		if !validUUID(f.After) {
			return nil, "", &domain.Error{Code: domain.ECodeValidation, Message: "bad cursor",
				Fields: []domain.FieldError{{Field: "cursor", Message: "is not a cursor from a previous page"}}}
		}
		args = append(args, f.After)
		q += ` AND (d.at, d.id) < (SELECT at, id FROM webhook_deliveries WHERE id = $` + strconv.Itoa(len(args)) + `)`
	}
	q += ` ORDER BY d.at DESC, d.id DESC LIMIT $1`
	out := []WebhookDelivery{}
	if err := db.pool.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, next, nil
}

// Redelivery is a manual redelivery asked for.
type Redelivery struct {
	EventID     string
	EndpointID  string
	RequestedAt time.Time
}

// RequestRedelivery asks, in actor's name, for the event of one of the
// endpoint's logged deliveries to be delivered to it again, signed anew
// and under the same webhook-id: a webhook.redelivery_requested event,
// which the jobs turn into a delivery. Returns not_found (the endpoint or
// the delivery) or conflict (the endpoint is disabled).
func (db *DB) RequestRedelivery(ctx context.Context, actor domain.Principal, partnerID, endpointID, deliveryID string) (Redelivery, error) {
	var out Redelivery
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := endpointForUpdate(ctx, tx, partnerID, endpointID)
		if err != nil {
			return err
		}
		if !validUUID(deliveryID) {
			return domain.NotFound()
		}
		var eventID string
		if err := tx.GetContext(ctx, &eventID, `SELECT event_id FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2`,
			deliveryID, r.ID); err != nil {
			return translate(err)
		}
		if !r.Enabled {
			return domain.Errorf(domain.ECodeConflict, "the endpoint is disabled; enable it before redelivering")
		}
		out = Redelivery{EventID: eventID, EndpointID: r.ID, RequestedAt: tx.now}
		return emit(ctx, tx, events.WebhookRedeliveryRequested{EndpointID: r.ID, PartnerID: r.PartnerID, EventID: eventID,
			DeliveryID: deliveryID, ActorRole: actor.Role})
	})
	return out, err
}

// SaveWebhookMessage keeps the body of event eventID as sent to partnerID,
// the first time, and returns the body kept: a second call with another
// body (built again later, from data that changed) gets the first one
// back, so that every attempt sends the same bytes.
func (db *DB) SaveWebhookMessage(ctx context.Context, eventID, partnerID, eventType string, body []byte) ([]byte, error) {
	var kept []byte
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_messages (event_id, partner_id, event_type, body, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`, eventID, partnerID, eventType, body, tx.now); err != nil {
			return translate(err)
		}
		return translate(tx.GetContext(ctx, &kept, `SELECT body FROM webhook_messages WHERE event_id = $1`, eventID))
	})
	return kept, err
}

// WebhookMessage is a kept body and what it belongs to.
type WebhookMessage struct {
	EventID   string    `db:"event_id"`
	PartnerID string    `db:"partner_id"`
	EventType string    `db:"event_type"`
	Body      []byte    `db:"body"`
	CreatedAt time.Time `db:"created_at"`
}

// LoadWebhookMessage returns the body kept for event eventID. Returns
// not_found.
func (db *DB) LoadWebhookMessage(ctx context.Context, eventID string) (WebhookMessage, error) {
	var m WebhookMessage
	if !validUUID(eventID) {
		return m, domain.NotFound()
	}
	err := db.pool.GetContext(ctx, &m, `SELECT event_id, partner_id, event_type, body, created_at FROM webhook_messages
		WHERE event_id = $1`, eventID)
	return m, translate(err)
}

// SubscribedEndpoints lists the ids of a partner's enabled endpoints that
// subscribe to eventType.
func (db *DB) SubscribedEndpoints(ctx context.Context, partnerID, eventType string) ([]string, error) {
	ids := []string{}
	if !validUUID(partnerID) {
		return ids, nil
	}
	err := db.pool.SelectContext(ctx, &ids, `SELECT id FROM webhook_endpoints WHERE partner_id = $1 AND enabled
		AND $2 = ANY(event_types) ORDER BY created_at, id`, partnerID, eventType)
	return ids, translate(err)
}

// WebhookTarget is what a delivery needs of an endpoint: where, and the
// secrets that sign (the current one first, then the previous one during a
// rotation's overlap), in whsec_ form.
type WebhookTarget struct {
	ID         string
	PartnerID  string
	URL        string
	EventTypes []string
	Enabled    bool
	Secrets    []string
}

// WebhookTarget returns the delivery target of endpoint id, its secrets
// opened. Returns not_found, or an error when a secret does not open (it
// was sealed under another CLOUDROUTE_SECRET_KEY).
func (db *DB) WebhookTarget(ctx context.Context, id string) (WebhookTarget, error) {
	if !validUUID(id) {
		return WebhookTarget{}, domain.NotFound()
	}
	var r endpointRow
	if err := db.pool.GetContext(ctx, &r, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = $1`, id); err != nil {
		return WebhookTarget{}, translate(err)
	}
	t := WebhookTarget{ID: r.ID, PartnerID: r.PartnerID, URL: r.URL, EventTypes: []string(r.EventTypes), Enabled: r.Enabled}
	box := db.sealers().webhook
	cur, err := box.Open(r.SecretSealed, []byte(r.ID))
	if err != nil {
		return t, fmt.Errorf("webhook endpoint %s: %w: %w", r.ID, ErrSecretUnreadable, err)
	}
	t.Secrets = append(t.Secrets, string(cur))
	if r.PreviousSecretSealed != nil && r.PreviousSecretExpiresAt != nil && r.PreviousSecretExpiresAt.After(db.Now()) {
		if prev, err := box.Open(r.PreviousSecretSealed, []byte(r.ID)); err == nil {
			t.Secrets = append(t.Secrets, string(prev))
		}
	}
	return t, nil
}

// WebhookDelivered reports whether event eventID was delivered to the
// endpoint by its task (a manual redelivery does not count).
func (db *DB) WebhookDelivered(ctx context.Context, eventID, endpointID string) (bool, error) {
	var ok bool
	err := db.pool.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2
		AND delivered AND NOT manual)`, eventID, endpointID)
	return ok, translate(err)
}

// WebhookAttempt is the outcome of one delivery attempt, for the log.
type WebhookAttempt struct {
	EventID    string
	EndpointID string
	Manual     bool
	Delivered  bool
	// StatusCode is 0 when no answer came.
	StatusCode int
	Latency    time.Duration
	// ErrorClass and Error describe a failure (nil when delivered); Error
	// must hold no secret and no URL.
	ErrorClass string
	Error      string
}

// AttemptLogged is what RecordWebhookAttempt did.
type AttemptLogged struct {
	// Attempt is the attempt's number for this event and endpoint.
	Attempt int
	// Duplicate is a task's delivery that found the event delivered
	// already (by a run of the same task that finished meanwhile): it is
	// not logged.
	Duplicate bool
	// Disabled is true when this failure disabled the endpoint.
	Disabled bool
}

// RecordWebhookAttempt logs one attempt. After a failure it applies the
// disable rule (webhook.ShouldDisable) to the endpoint's attempts since it
// was last enabled, and when it holds, disables the endpoint and writes a
// webhook_endpoint.disabled event, in the same transaction. Attempts at one
// endpoint are serialised on its row.
func (db *DB) RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) (AttemptLogged, error) {
	var out AttemptLogged
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := endpointForUpdate(ctx, tx, "", a.EndpointID)
		if err != nil {
			return err
		}
		if a.Delivered && !a.Manual {
			var done bool
			if err := tx.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE event_id = $1
				AND endpoint_id = $2 AND delivered AND NOT manual)`, a.EventID, r.ID); err != nil {
				return translate(err)
			}
			if done {
				out.Duplicate = true
				return nil
			}
		}
		if err := tx.GetContext(ctx, &out.Attempt, `SELECT COALESCE(max(attempt), 0) + 1 FROM webhook_deliveries
			WHERE event_id = $1 AND endpoint_id = $2`, a.EventID, r.ID); err != nil {
			return translate(err)
		}
		var status *int
		if a.StatusCode != 0 {
			status = &a.StatusCode
		}
		var class, msg *string
		if !a.Delivered {
			class, msg = &a.ErrorClass, ptrString(truncate(a.Error, 300))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (event_id, endpoint_id, attempt, manual, delivered,
				status_code, latency_ms, error_class, error, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, a.EventID, r.ID, out.Attempt, a.Manual, a.Delivered, status,
			a.Latency.Milliseconds(), class, msg, tx.now); err != nil {
			return translate(err)
		}
		if a.Delivered || !r.Enabled {
			return nil
		}
		// The attempts since the endpoint was enabled, from its last
		// success on: the rule needs no more.
		var hist []struct {
			At        time.Time `db:"at"`
			Status    *int      `db:"status_code"`
			Delivered bool      `db:"delivered"`
		}
		if err := tx.SelectContext(ctx, &hist, `SELECT at, status_code, delivered FROM webhook_deliveries
			WHERE endpoint_id = $1 AND at >= $2 AND at >= COALESCE((SELECT max(at) FROM webhook_deliveries
				WHERE endpoint_id = $1 AND delivered AND at >= $2), $2)`, r.ID, r.EnabledAt); err != nil {
			return translate(err)
		}
		attempts := make([]webhook.Attempt, len(hist))
		first := tx.now
		for i, h := range hist {
			attempts[i] = webhook.Attempt{At: h.At, Delivered: h.Delivered}
			if h.Status != nil {
				attempts[i].Status = *h.Status
			}
			if !h.Delivered && h.At.Before(first) {
				first = h.At
			}
		}
		if !webhook.ShouldDisable(attempts) {
			return nil
		}
		reason := fmt.Sprintf("deliveries failed from %s to %s without a success", first.UTC().Format(time.RFC3339),
			tx.now.UTC().Format(time.RFC3339))
		if a.StatusCode == 410 {
			reason = "the receiver answered 410 Gone"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = false, disabled_at = $2, disabled_reason = $3,
			updated_at = $2 WHERE id = $1`, r.ID, tx.now, reason); err != nil {
			return translate(err)
		}
		out.Disabled = true
		return emit(ctx, tx, events.WebhookEndpointDisabled{EndpointID: r.ID, PartnerID: r.PartnerID, FailingSince: first.UTC(),
			LastError: a.ErrorClass})
	})
	return out, err
}

func ptrString(s string) *string { return &s }
