package api

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// A partner's webhook endpoints, managed by the partner itself under
// /v1/partner/webhooks and by admins under
// /v1/admin/partners/{id}/webhooks, with the same handlers: only where the
// partner comes from differs. Another partner's endpoint is 404.

// webhookScope says whose endpoints a route serves and which path
// parameter names the endpoint.
type webhookScope struct {
	param   string
	partner func(c *gin.Context) string
	// checkPartner makes an unknown partner 404 (the admin routes name
	// the partner in the path).
	checkPartner bool
}

func (s *Server) registerWebhookRoutes(r *gin.RouterGroup) {
	s.webhookRoutes(r.Group("/partner/webhooks", s.requireRole(domain.RolePartner)),
		webhookScope{param: "id", partner: func(c *gin.Context) string { return principal(c).PartnerID }})
	s.webhookRoutes(r.Group("/admin/partners/:id/webhooks", s.requireRole(domain.RoleAdmin)),
		webhookScope{param: "webhook_id", partner: func(c *gin.Context) string { return c.Param("id") }, checkPartner: true})
}

func (s *Server) webhookRoutes(g *gin.RouterGroup, sc webhookScope) {
	one := "/:" + sc.param
	g.GET("", s.listWebhooks(sc))
	g.POST("", s.createWebhook(sc))
	g.GET(one, s.getWebhook(sc))
	g.PATCH(one, s.patchWebhook(sc))
	g.DELETE(one, s.deleteWebhook(sc))
	g.POST(one+"/rotate-secret", s.rotateWebhookSecret(sc))
	g.GET(one+"/deliveries", s.listWebhookDeliveries(sc))
	g.POST(one+"/deliveries/:delivery_id/redeliver", s.redeliverWebhook(sc))
}

// webhookEndpointView is an endpoint as its partner and admins see it. The
// secret appears once, in the answer that made it.
type webhookEndpointView struct {
	ID                      string     `json:"id"`
	PartnerID               string     `json:"partner_id"`
	URL                     string     `json:"url"`
	EventTypes              []string   `json:"event_types"`
	Enabled                 bool       `json:"enabled"`
	DisabledAt              *time.Time `json:"disabled_at"`
	DisabledReason          *string    `json:"disabled_reason"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
	Secret                  string     `json:"secret,omitempty"`
}

func toWebhookEndpointView(e postgres.WebhookEndpoint) webhookEndpointView {
	return webhookEndpointView{ID: e.ID, PartnerID: e.PartnerID, URL: e.URL, EventTypes: e.EventTypes, Enabled: e.Enabled,
		DisabledAt: e.DisabledAt, DisabledReason: e.DisabledReason, PreviousSecretExpiresAt: e.PreviousSecretExpiresAt,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// webhookDeliveryView is one attempt of the delivery log.
type webhookDeliveryView struct {
	ID         string    `json:"id"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	Attempt    int       `json:"attempt"`
	Manual     bool      `json:"manual"`
	Delivered  bool      `json:"delivered"`
	StatusCode *int      `json:"status_code"`
	LatencyMS  int       `json:"latency_ms"`
	ErrorClass *string   `json:"error_class"`
	Error      *string   `json:"error"`
	At         time.Time `json:"at"`
}

func toWebhookDeliveryView(d postgres.WebhookDelivery) webhookDeliveryView {
	return webhookDeliveryView{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Attempt: d.Attempt, Manual: d.Manual,
		Delivered: d.Delivered, StatusCode: d.StatusCode, LatencyMS: d.LatencyMS, ErrorClass: d.ErrorClass, Error: d.Error, At: d.At}
}

// webhookRequest is the body of POST and PATCH on endpoints.
type webhookRequest struct {
	URL        *string   `json:"url"`
	EventTypes *[]string `json:"event_types"`
	Enabled    *bool     `json:"enabled"`
}

// maxWebhookURLChars bounds an endpoint URL.
const maxWebhookURLChars = 2048

// checkWebhookURL applies the SSRF rules to an endpoint URL when it is
// saved (webhook.CheckURL, then every address its host resolves to now),
// so that a bad URL is refused at once and by name; the delivery client
// checks again at each connection, whatever the name resolves to then.
// It returns the URL to store.
func (s *Server) checkWebhookURL(ctx context.Context, pr *domain.FieldCheck, raw string) string {
	raw = strings.TrimSpace(raw)
	if !domain.CheckText(pr, "url", raw, 1, maxWebhookURLChars, false) {
		return raw
	}
	allow := s.cfg.WebhookAllowInsecureLoopback
	if err := webhook.CheckURL(raw, allow); err != nil {
		pr.Add("url", "%s", strings.TrimPrefix(err.Error(), "webhook: "))
		return raw
	}
	u, _ := url.Parse(raw)
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return raw // an address: CheckURL checked it
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := s.resolver.LookupNetIP(rctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		pr.Add("url", "the host name %s does not resolve", host)
		return raw
	}
	for _, a := range addrs {
		if err := webhook.CheckAddress(a.Unmap(), allow); err != nil {
			var ae *webhook.AddressError
			if errors.As(err, &ae) {
				pr.Add("url", "%s resolves to %s, which is %s; deliveries may not reach it", host, ae.Addr, ae.Reason)
			} else {
				pr.Add("url", "%s resolves to an address deliveries may not reach", host)
			}
			return raw
		}
	}
	return raw
}

// checkEventTypes holds a subscription to the kinds a partner may receive
// (events.WebhookKinds): none missing, none unknown, none twice.
func checkEventTypes(pr *domain.FieldCheck, types []string) []string {
	if len(types) == 0 {
		pr.Add("event_types", "must name at least one event type")
		return nil
	}
	out := make([]string, 0, len(types))
	for i, t := range types {
		switch {
		case !slices.Contains(events.WebhookKinds, t):
			pr.Add("event_types["+strconv.Itoa(i)+"]", "must be one of %s", strings.Join(events.WebhookKinds, ", "))
		case !slices.Contains(out, t):
			out = append(out, t)
		}
	}
	return out
}

// webhookPartner returns the partner a webhook route serves; for an admin
// route, an unknown partner is 404.
func (s *Server) webhookPartner(c *gin.Context, sc webhookScope) (string, bool) {
	id := sc.partner(c)
	if sc.checkPartner {
		if _, err := s.db.Partner(c.Request.Context(), id); err != nil {
			respondError(c, err)
			return "", false
		}
	}
	return id, true
}

func (s *Server) listWebhooks(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		pid, ok := s.webhookPartner(c, sc)
		if !ok {
			return
		}
		eps, err := s.db.WebhookEndpoints(c.Request.Context(), pid)
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": mapSlice(eps, toWebhookEndpointView)})
	}
}

// createWebhook adds an endpoint; its secret is in this answer only.
// Without event_types it subscribes to every kind a partner may receive.
func (s *Server) createWebhook(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		pid, ok := s.webhookPartner(c, sc)
		if !ok {
			return
		}
		var req webhookRequest
		if err := bindJSON(c, &req); err != nil {
			respondError(c, err)
			return
		}
		var pr domain.FieldCheck
		var u string
		if req.URL == nil {
			pr.Add("url", "is required")
		} else {
			u = s.checkWebhookURL(c.Request.Context(), &pr, *req.URL)
		}
		types := slices.Clone(events.WebhookKinds)
		if req.EventTypes != nil {
			types = checkEventTypes(&pr, *req.EventTypes)
		}
		if req.Enabled != nil && !*req.Enabled {
			pr.Add("enabled", "a new endpoint is enabled; disable it after creating it")
		}
		if err := pr.Err(domain.ECodeValidation, "the endpoint has invalid fields"); err != nil {
			respondError(c, err)
			return
		}
		secret, err := webhook.GenerateSecret()
		if err != nil {
			respondError(c, err)
			return
		}
		ep, err := s.db.CreateWebhookEndpoint(c.Request.Context(), principal(c), pid,
			postgres.NewWebhookEndpoint{URL: u, EventTypes: types, Secret: secret.Encode()})
		if err != nil {
			respondError(c, err)
			return
		}
		v := toWebhookEndpointView(ep)
		v.Secret = secret.Encode()
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusCreated, v)
	}
}

func (s *Server) getWebhook(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		ep, err := s.db.WebhookEndpoint(c.Request.Context(), sc.partner(c), c.Param(sc.param))
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, toWebhookEndpointView(ep))
	}
}

// patchWebhook changes the URL, the event types or whether the endpoint
// is enabled. Enabling a disabled endpoint starts its failure count afresh.
func (s *Server) patchWebhook(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		pid, id := sc.partner(c), c.Param(sc.param)
		if _, err := s.db.WebhookEndpoint(c.Request.Context(), pid, id); err != nil {
			respondError(c, err)
			return
		}
		var req webhookRequest
		if err := bindJSON(c, &req); err != nil {
			respondError(c, err)
			return
		}
		var pr domain.FieldCheck
		var patch postgres.WebhookEndpointPatch
		if req.URL != nil {
			u := s.checkWebhookURL(c.Request.Context(), &pr, *req.URL)
			patch.URL = &u
		}
		if req.EventTypes != nil {
			types := checkEventTypes(&pr, *req.EventTypes)
			patch.EventTypes = &types
		}
		patch.Enabled = req.Enabled
		if err := pr.Err(domain.ECodeValidation, "the endpoint has invalid fields"); err != nil {
			respondError(c, err)
			return
		}
		ep, err := s.db.UpdateWebhookEndpoint(c.Request.Context(), principal(c), pid, id, patch)
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, toWebhookEndpointView(ep))
	}
}

func (s *Server) deleteWebhook(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.db.DeleteWebhookEndpoint(c.Request.Context(), sc.partner(c), c.Param(sc.param)); err != nil {
			respondError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// maxSecretOverlapHours bounds a rotation's overlap: a week.
const maxSecretOverlapHours = 168

// rotateWebhookSecret gives the endpoint a new secret, shown in this
// answer only. The old one keeps signing for overlap_hours (default 24,
// 0 stops it at once), so that the receiver can switch without missing a
// delivery.
func (s *Server) rotateWebhookSecret(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		pid, id := sc.partner(c), c.Param(sc.param)
		if _, err := s.db.WebhookEndpoint(c.Request.Context(), pid, id); err != nil {
			respondError(c, err)
			return
		}
		var req struct {
			OverlapHours *int `json:"overlap_hours"`
		}
		if err := bindOptionalJSON(c, &req); err != nil {
			respondError(c, err)
			return
		}
		overlap := postgres.DefaultSecretOverlap
		if req.OverlapHours != nil {
			if *req.OverlapHours < 0 || *req.OverlapHours > maxSecretOverlapHours {
				respondError(c, &domain.Error{Code: domain.ECodeValidation, Message: "the overlap is out of range",
					Fields: []domain.FieldError{{Field: "overlap_hours", Message: "must be from 0 to " + strconv.Itoa(maxSecretOverlapHours)}}})
				return
			}
			overlap = time.Duration(*req.OverlapHours) * time.Hour
		}
		secret, err := webhook.GenerateSecret()
		if err != nil {
			respondError(c, err)
			return
		}
		ep, err := s.db.RotateWebhookSecret(c.Request.Context(), principal(c), pid, id, secret.Encode(), overlap)
		if err != nil {
			respondError(c, err)
			return
		}
		v := toWebhookEndpointView(ep)
		v.Secret = secret.Encode()
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, v)
	}
}

func (s *Server) listWebhookDeliveries(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		// The endpoint first: another partner's is 404 whatever the query.
		if _, err := s.db.WebhookEndpoint(c.Request.Context(), sc.partner(c), c.Param(sc.param)); err != nil {
			respondError(c, err)
			return
		}
		var pr domain.FieldCheck
		f := postgres.DeliveryFilter{EventID: c.Query("event_id")}
		f.Limit, f.After = pageParams(c, &pr)
		if err := pr.Err(domain.ECodeValidation, "bad query parameters"); err != nil {
			respondError(c, err)
			return
		}
		ds, next, err := s.db.WebhookDeliveries(c.Request.Context(), sc.partner(c), c.Param(sc.param), f)
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": mapSlice(ds, toWebhookDeliveryView), "next_cursor": nullable(next)})
	}
}

// redeliverWebhook asks for the event of a logged delivery to be sent to
// the endpoint again: 202, and the attempts appear in the log.
func (s *Server) redeliverWebhook(sc webhookScope) gin.HandlerFunc {
	return func(c *gin.Context) {
		r, err := s.db.RequestRedelivery(c.Request.Context(), principal(c), sc.partner(c), c.Param(sc.param), c.Param("delivery_id"))
		if err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusAccepted, gin.H{"event_id": r.EventID, "endpoint_id": r.EndpointID, "requested_at": r.RequestedAt.UTC()})
	}
}
