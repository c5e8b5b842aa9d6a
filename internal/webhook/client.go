package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// DefaultTimeout bounds one delivery, from the dial to the end of the
// response.
const DefaultTimeout = 10 * time.Second

// maxResponseBytes is how much of a response body is read, to let the
// connection be reused; the rest is dropped. Bodies are never kept or
// logged: they are the receiver's, and may echo anything.
const maxResponseBytes = 64 << 10

// DefaultUserAgent names the sender to receivers.
const DefaultUserAgent = "CloudRoute-Webhooks/1.0"

// Event is what is delivered: the Standard Webhooks payload
// {"type", "timestamp", "data"} and the id that webhook-id carries.
type Event struct {
	// ID is the same on every attempt and every manual redelivery, so the
	// receiver can drop a repeat. Printable ASCII without '.' or spaces.
	ID   string
	Type string
	// Time is when the event happened, not when it is sent.
	Time time.Time
	// Data is the event's JSON object. A partner's payload must not carry
	// a startup's contacts before the partner accepted (SPEC §3): whoever
	// fills Data applies that rule.
	Data json.RawMessage
}

// Body returns the request body. It is the same bytes for the same Event,
// so every attempt signs and sends the same content.
func (e Event) Body() ([]byte, error) {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	if !json.Valid(data) {
		return nil, errors.New("webhook: event data is not JSON")
	}
	return json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp string          `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{e.Type, e.Time.UTC().Format(time.RFC3339Nano), data})
}

// Endpoint is where an event goes and what signs it.
type Endpoint struct {
	URL string
	// Secrets are the endpoint's valid secrets: the current one, and
	// during a rotation the previous one until its overlap ends. Each
	// signs; the receiver needs to hold one.
	Secrets []Secret
}

// Result is the outcome of one attempt, for the delivery log.
type Result struct {
	// Status is the response's status code; 0 when none came.
	Status int
	// Latency runs from sending the request to the end of the response.
	Latency time.Duration
	// Err is nil when the receiver answered 2xx. Otherwise it wraps
	// ErrInvalidURL, ErrForbiddenAddress or ErrNoSecret (retrying does not
	// help until the endpoint changes), or is a *StatusError, or a network
	// error or timeout. It never quotes the endpoint URL.
	Err error
	// RetryAfter is the wait a 429 or 503 answer asked for; 0 if none.
	RetryAfter time.Duration
}

// Delivered reports whether the receiver accepted the event.
func (r Result) Delivered() bool { return r.Err == nil }

// Gone reports a 410 answer: the receiver wants no more webhooks, and the
// endpoint should be disabled.
func (r Result) Gone() bool { return r.Status == http.StatusGone }

// StatusError is an answer other than 2xx. A 3xx counts as a failure:
// redirects are not followed.
type StatusError struct{ Code int }

func (e *StatusError) Error() string {
	if e.Code >= 300 && e.Code < 400 {
		return fmt.Sprintf("webhook: receiver answered %d, a redirect, which is not followed; update the endpoint URL", e.Code)
	}
	return fmt.Sprintf("webhook: receiver answered %d", e.Code)
}

// ErrNoSecret is returned for an endpoint without a secret: nothing is
// sent unsigned.
var ErrNoSecret = errors.New("webhook: endpoint has no secret")

// Options configure a Client. The zero value is the production setting.
type Options struct {
	// AllowInsecureLoopback lets deliveries use http and reach loopback
	// addresses, for local development and tests only. NewClient logs a
	// warning when it is set.
	AllowInsecureLoopback bool
	// Timeout defaults to DefaultTimeout.
	Timeout time.Duration
	// UserAgent defaults to DefaultUserAgent.
	UserAgent string
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// RootCAs verifies receivers' certificates; nil means the system's.
	RootCAs *x509.CertPool
	// Now stamps webhook-timestamp; it defaults to time.Now.
	Now func() time.Time
	// Log defaults to slog.Default().
	Log *slog.Logger
}

// Client delivers events. It is safe for concurrent use.
type Client struct {
	http      *http.Client
	insecure  bool
	userAgent string
	now       func() time.Time
}

// NewClient returns a Client with the SSRF rules of this package.
func NewClient(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.AllowInsecureLoopback {
		o.Log.Warn("webhook deliveries may use http and reach loopback addresses: a setting for local development and tests only")
	}
	dialer := newGuardedDialer(o.Resolver, o.AllowInsecureLoopback)
	transport := &http.Transport{
		// Never a proxy from the environment: it would connect on our
		// behalf to addresses nobody checked.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
	}
	return &Client{
		http: &http.Client{
			Transport: transport,
			Timeout:   o.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		insecure:  o.AllowInsecureLoopback,
		userAgent: o.UserAgent,
		now:       o.Now,
	}
}

// Deliver makes one attempt to POST ev to ep, signed with every secret of
// ep, and reports how it went. Retrying is the caller's, by RetryDelay.
func (c *Client) Deliver(ctx context.Context, ep Endpoint, ev Event) Result {
	if err := CheckURL(ep.URL, c.insecure); err != nil {
		return Result{Err: err}
	}
	if len(ep.Secrets) == 0 {
		return Result{Err: ErrNoSecret}
	}
	body, err := ev.Body()
	if err != nil {
		return Result{Err: err}
	}
	ts := c.now()
	sig, err := Sign(ev.ID, ts, body, ep.Secrets...)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("%w: cannot make a request of it", ErrInvalidURL)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set(HeaderID, ev.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{Latency: time.Since(start), Err: withoutURL(err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	_ = resp.Body.Close()
	r := Result{Status: resp.StatusCode, Latency: time.Since(start)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		r.Err = &StatusError{Code: resp.StatusCode}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), c.now())
		}
	}
	return r
}

// withoutURL drops the URL that *url.Error quotes: an endpoint's query may
// hold a token, and the error goes to the delivery log.
func withoutURL(err error) error {
	var ae *AddressError
	if errors.As(err, &ae) {
		return ae
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("webhook: POST timed out: %w", ue.Err)
		}
		return fmt.Errorf("webhook: POST: %w", ue.Err)
	}
	return err
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Error classes of a failed attempt, as the delivery log records them.
const (
	// ClassHTTPStatus: the receiver answered, with a status other than
	// 2xx or 3xx.
	ClassHTTPStatus = "http_status"
	// ClassRedirect: the receiver answered 3xx, which is not followed.
	ClassRedirect = "redirect"
	// ClassTimeout: no complete answer within the timeout.
	ClassTimeout = "timeout"
	// ClassConnection: the connection failed (refused, reset, DNS, TLS).
	ClassConnection = "connection"
	// ClassForbiddenAddress: the host is or resolves to an address
	// deliveries may not reach.
	ClassForbiddenAddress = "forbidden_address"
	// ClassInvalidURL: the endpoint URL itself is not allowed.
	ClassInvalidURL = "invalid_url"
	// ClassNoSecret: nothing to sign with.
	ClassNoSecret = "no_secret"
)

// Class names the kind of failure of r for the delivery log, or "" when
// the event was delivered.
func (r Result) Class() string {
	var se *StatusError
	var ne net.Error
	switch {
	case r.Err == nil:
		return ""
	case errors.As(r.Err, &se) && se.Code >= 300 && se.Code < 400:
		return ClassRedirect
	case errors.As(r.Err, &se):
		return ClassHTTPStatus
	case errors.Is(r.Err, ErrForbiddenAddress):
		return ClassForbiddenAddress
	case errors.Is(r.Err, ErrInvalidURL):
		return ClassInvalidURL
	case errors.Is(r.Err, ErrNoSecret):
		return ClassNoSecret
	case errors.Is(r.Err, context.DeadlineExceeded), errors.As(r.Err, &ne) && ne.Timeout():
		return ClassTimeout
	}
	return ClassConnection
}

// Permanent reports whether retrying r cannot succeed until the endpoint
// is changed: its URL or address is refused, or it has no secret.
func (r Result) Permanent() bool {
	switch r.Class() {
	case ClassForbiddenAddress, ClassInvalidURL, ClassNoSecret:
		return true
	}
	return false
}

// ParseBody reads a body that Event.Body made back into the Event with id,
// so that a body kept from the first attempt is sent again byte for byte:
// it fails unless Body gives exactly body again.
func ParseBody(id string, body []byte) (Event, error) {
	var b struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return Event{}, fmt.Errorf("webhook: kept body: %w", err)
	}
	ev := Event{ID: id, Type: b.Type, Time: b.Timestamp, Data: b.Data}
	again, err := ev.Body()
	if err != nil {
		return Event{}, err
	}
	if !bytes.Equal(again, body) {
		return Event{}, errors.New("webhook: kept body is not in the form Event.Body makes")
	}
	return ev, nil
}
