// Package aceconnect is the moving part of the ACE sync: it turns a
// partner's stored connection into a Partner Central client (opening its
// sealed secrets), names what is wrong when a call fails, and runs the push
// and the pull between storage and Partner Central (Syncer). The rules it
// applies are acesync's and partnercentral's pre-flight; the jobs
// (internal/jobs) and the API's "test connection" call it.
//
// Nothing here logs a secret, a request or an answer body: a partner's keys
// are opened only to sign, and ACE's messages may quote the customer's data.
package aceconnect

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/secretbox"
)

// Purposes of the keys derived from the root key (secretbox.Derive).
const (
	purposeCredentials = "cloudroute/ace-connection-credentials/v1"
	purposeEvents      = "cloudroute/ace-connection-events/v1"
)

// Options configure a Connector.
type Options struct {
	// SecretKey is the root key (CLOUDROUTE_SECRET_KEY), 32 bytes or more.
	SecretKey []byte
	// Endpoints are the base URLs besides AWS's that a connection may name
	// (ACE_ENDPOINT_ALLOWLIST): the simulator's, for the demo and tests.
	Endpoints []string
	// BaseCredentials are CloudRoute's own AWS identity, which assumes the
	// partners' roles; nil leaves role connections unable to sign.
	BaseCredentials aws.CredentialsProvider
	// STSEndpoint overrides STS's address.
	STSEndpoint string
	// HTTPClient makes the calls; the client's default when nil.
	HTTPClient *http.Client
	// Limiter paces each connection's writes (one a second, shared by every
	// process through Redis); nil leaves them unpaced.
	Limiter pc.WriteLimiter
	// Retry is the client's retry policy; partnercentral's default when
	// zero.
	Retry pc.RetryPolicy
	// Logger gets one line per call (operation, status, latency) and the
	// sync's own lines.
	Logger *slog.Logger
}

// Connector builds Partner Central clients from stored connections and
// keeps their secrets sealed.
type Connector struct {
	credBox, eventsBox *secretbox.Box
	endpoints          []string
	base               aws.CredentialsProvider
	stsEndpoint        string
	http               *http.Client
	limiter            pc.WriteLimiter
	retry              pc.RetryPolicy
	log                *slog.Logger
}

// New returns a Connector. It fails on a root key shorter than 32 bytes.
func New(o Options) (*Connector, error) {
	credBox, err := secretbox.New(o.SecretKey, purposeCredentials)
	if err != nil {
		return nil, fmt.Errorf("aceconnect: %w", err)
	}
	eventsBox, err := secretbox.New(o.SecretKey, purposeEvents)
	if err != nil {
		return nil, fmt.Errorf("aceconnect: %w", err)
	}
	c := &Connector{
		credBox:     credBox,
		eventsBox:   eventsBox,
		base:        o.BaseCredentials,
		stsEndpoint: o.STSEndpoint,
		http:        o.HTTPClient,
		limiter:     o.Limiter,
		retry:       o.Retry,
		log:         o.Logger,
	}
	for _, e := range o.Endpoints {
		c.endpoints = append(c.endpoints, strings.TrimRight(e, "/"))
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c, nil
}

// EndpointAllowed reports whether a connection may name endpoint as
// Partner Central's address: AWS's own, or one of the configured ones. A
// partner can make CloudRoute call no other address.
func (c *Connector) EndpointAllowed(endpoint string) bool {
	e := strings.TrimRight(endpoint, "/")
	return e == pc.DefaultEndpoint || slices.Contains(c.endpoints, e)
}

// AccessKeys are a partner's long-term AWS access keys.
type AccessKeys struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// additional data binding a sealed secret to its partner
func bound(partnerID, what string) []byte { return []byte("partner:" + partnerID + "/" + what) }

// SealAccessKeys seals a partner's access keys for storage.
func (c *Connector) SealAccessKeys(partnerID string, k AccessKeys) ([]byte, error) {
	b, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	return c.credBox.Seal(b, bound(partnerID, "access-keys")), nil
}

func (c *Connector) openAccessKeys(partnerID string, sealed []byte) (AccessKeys, error) {
	var k AccessKeys
	b, err := c.credBox.Open(sealed, bound(partnerID, "access-keys"))
	if err != nil {
		return k, err
	}
	return k, json.Unmarshal(b, &k)
}

// NewEventsSecret makes the secret a partner's forwarder signs events
// with: the secret, shown to the partner once, and its sealed form.
func (c *Connector) NewEventsSecret(partnerID string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret := "whsec_" + base64.RawURLEncoding.EncodeToString(b)
	return secret, c.eventsBox.Seal([]byte(secret), bound(partnerID, "events-secret")), nil
}

// SignatureHeader is the header a forwarded event is signed in:
// "sha256=" and the hex HMAC-SHA256 of the body under the connection's
// events secret.
const SignatureHeader = "X-CloudRoute-Signature"

// Sign returns the SignatureHeader value of body under secret, as a
// partner's forwarder computes it.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyEvent reports whether signature is the connection's signature of
// body. A secret that does not open verifies nothing.
func (c *Connector) VerifyEvent(conn postgres.ACEConnection, body []byte, signature string) bool {
	secret, err := c.eventsBox.Open(conn.EventsSecretSealed, bound(conn.PartnerID, "events-secret"))
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(Sign(string(secret), body)), []byte(strings.TrimSpace(signature)))
}

// NewExternalID makes the external id of a role connection: CloudRoute's,
// one per connection, so that no partner can make CloudRoute assume
// another partner's role (the confused deputy).
func NewExternalID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "cloudroute-" + hex.EncodeToString(b)
}

// KeyHint shows enough of an access key id for a partner to recognise it:
// its first four and last four characters.
func KeyHint(accessKeyID string) string {
	if len(accessKeyID) < 12 {
		return "…"
	}
	return accessKeyID[:4] + "…" + accessKeyID[len(accessKeyID)-4:]
}

// ErrUnreadableSecret is a connection whose sealed secret does not open
// with this server's key: CLOUDROUTE_SECRET_KEY changed since it was saved.
var ErrUnreadableSecret = errors.New("aceconnect: the connection's credentials cannot be read with this server's secret key")

// ErrNoBaseIdentity is a role connection on a server without an AWS
// identity of its own to assume the role with.
var ErrNoBaseIdentity = errors.New("aceconnect: this server has no AWS identity to assume the partner's role with")

// Client returns a Partner Central client signing as the connection, its
// writes paced per connection. It returns ErrUnreadableSecret,
// ErrNoBaseIdentity, or an error for an endpoint no longer allowed.
func (c *Connector) Client(conn postgres.ACEConnection) (*pc.Client, error) {
	cfg := pc.Config{HTTPClient: c.http, Retry: c.retry, Limiter: c.limiter, LimiterKey: "conn:" + conn.ID,
		Logger: c.log.With("ace_connection", conn.ID)}
	if conn.Endpoint != nil {
		if !c.EndpointAllowed(*conn.Endpoint) {
			return nil, fmt.Errorf("aceconnect: the endpoint of connection %s is no longer allowed", conn.ID)
		}
		cfg.Endpoint = *conn.Endpoint
	}
	if c.limiter == nil {
		cfg.LimiterKey = ""
	}
	switch conn.AuthKind {
	case postgres.ACEAuthAccessKeys:
		k, err := c.openAccessKeys(conn.PartnerID, conn.CredentialsSealed)
		if err != nil {
			return nil, ErrUnreadableSecret
		}
		cfg.Credentials = pc.StaticCredentials(k.AccessKeyID, k.SecretAccessKey, "")
	case postgres.ACEAuthAssumeRole:
		if c.base == nil {
			return nil, ErrNoBaseIdentity
		}
		if conn.RoleARN == nil || conn.ExternalID == nil {
			return nil, fmt.Errorf("aceconnect: connection %s has no role", conn.ID)
		}
		p, err := pc.AssumeRole{RoleARN: *conn.RoleARN, ExternalID: *conn.ExternalID, Base: c.base,
			STSEndpoint: c.stsEndpoint, HTTPClient: c.http, SessionName: "cloudroute-" + conn.PartnerID[:8]}.Provider()
		if err != nil {
			return nil, err
		}
		cfg.Credentials = p
	default:
		return nil, fmt.Errorf("aceconnect: connection %s: unknown auth kind %q", conn.ID, conn.AuthKind)
	}
	return pc.New(cfg)
}

// Failure kinds: what a failed call says about the connection.
const (
	// FailCredentials: the keys are unknown or wrong, the role cannot be
	// assumed, or the stored secret cannot be read.
	FailCredentials = "credentials"
	// FailAccessDenied: the identity signs, but may not use Partner Central
	// (or this catalog).
	FailAccessDenied = "access_denied"
	// FailUnreachable: no answer from the endpoint.
	FailUnreachable = "unreachable"
	// FailThrottled: ACE throttled the calls, even after the retries.
	FailThrottled = "throttled"
	// FailService: ACE failed (5xx), even after the retries.
	FailService = "service_error"
	// FailQuota: the daily write quota is used up.
	FailQuota = "quota_exceeded"
	// FailOther: anything else (a validation error, a conflict, a missing
	// opportunity), which says nothing against the connection.
	FailOther = "other"
)

// Failure is a failed call, classified.
type Failure struct {
	Kind string
	// Message says what failed, for the partner, in CloudRoute's words.
	Message string
	// AWSCode is ACE's error type, when ACE answered.
	AWSCode string
	// Retryable: trying later may succeed by itself.
	Retryable bool
}

// ConnectionFault reports whether the failure is the connection's (its
// credentials, rights or endpoint), not the record's.
func (f Failure) ConnectionFault() bool {
	return f.Kind == FailCredentials || f.Kind == FailAccessDenied || f.Kind == FailUnreachable
}

// Classify names what a failed call says: wrong credentials, no access,
// an endpoint that does not answer, throttling, a service failure.
func Classify(err error) Failure {
	code := pc.ErrorCode(err)
	status := pc.StatusCode(err)
	var credErr *pc.CredentialsError
	switch {
	case errors.Is(err, ErrUnreadableSecret):
		return Failure{Kind: FailCredentials, Message: "the stored credentials cannot be read with this server's secret key (CLOUDROUTE_SECRET_KEY changed since they were saved): save the connection again"}
	case errors.Is(err, ErrNoBaseIdentity):
		return Failure{Kind: FailCredentials, Message: "this CloudRoute server has no AWS identity of its own to assume your role with; use access keys, or ask CloudRoute's operators"}
	case errors.As(err, &credErr):
		return Failure{Kind: FailCredentials, Message: "AWS STS refused to let CloudRoute assume the role: check the role ARN, and that its trust policy names CloudRoute's AWS identity with this connection's external id"}
	case code == "UnrecognizedClientException" || code == "InvalidClientTokenId" || code == "MissingAuthenticationTokenException" ||
		code == "IncompleteSignatureException" || code == "ExpiredTokenException":
		return Failure{Kind: FailCredentials, AWSCode: code, Message: "AWS does not recognise the access key id (" + code + "): check the keys"}
	case code == "InvalidSignatureException" || code == "SignatureDoesNotMatch":
		return Failure{Kind: FailCredentials, AWSCode: code, Message: "AWS refused the signature (" + code + "): the secret access key does not match the access key id"}
	case code == "AccessDeniedException":
		return Failure{Kind: FailAccessDenied, AWSCode: code, Message: "the credentials work, but may not use the Partner Central Selling API in this catalog (AccessDeniedException): grant the identity Partner Central's opportunity permissions, or check the catalog"}
	case code == "ThrottlingException" || status == http.StatusTooManyRequests:
		return Failure{Kind: FailThrottled, AWSCode: code, Retryable: true, Message: "ACE throttled the calls; they are retried with backoff"}
	case code == "ServiceQuotaExceededException":
		return Failure{Kind: FailQuota, AWSCode: code, Message: "the partner account's daily quota of ACE writes is used up; writes resume the next UTC day"}
	case status >= 500:
		return Failure{Kind: FailService, AWSCode: code, Retryable: true, Message: fmt.Sprintf("ACE failed (%d %s); the call is retried with backoff", status, code)}
	case status != 0:
		return Failure{Kind: FailOther, AWSCode: code, Message: fmt.Sprintf("ACE refused the call (%d %s)", status, code)}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return Failure{Kind: FailUnreachable, Retryable: true, Message: "Partner Central did not answer in time"}
	}
	if pc.Retryable(err) {
		return Failure{Kind: FailUnreachable, Retryable: true, Message: "Partner Central's endpoint does not answer (the connection was refused or reset)"}
	}
	return Failure{Kind: FailUnreachable, Message: "Partner Central's endpoint could not be reached"}
}

// TestResult is the outcome of a connection test.
type TestResult struct {
	OK       bool
	Failure  Failure
	TestedAt time.Time
}

// Test makes the cheapest call there is (a one-item ListOpportunities in
// the connection's catalog) and names what failed. It does not record the
// outcome; the caller does.
func (c *Connector) Test(ctx context.Context, conn postgres.ACEConnection) TestResult {
	res := TestResult{TestedAt: time.Now().UTC()}
	client, err := c.Client(conn)
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		err = client.TestConnection(ctx, conn.Catalog)
	}
	if err != nil {
		res.Failure = Classify(err)
		return res
	}
	res.OK = true
	return res
}
