package partnercentral

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The service's address and signing names.
const (
	DefaultEndpoint = "https://partnercentral-selling.us-east-1.api.aws"
	DefaultRegion   = "us-east-1"
	// SigningName is the SigV4 service name (the model's aws.auth#sigv4).
	SigningName = "partnercentral-selling"
	// TargetPrefix is the awsJson1_0 target prefix: the service shape's name.
	TargetPrefix = "AWSPartnerCentralSelling."
	// ContentType is the awsJson1_0 media type.
	ContentType = "application/x-amz-json-1.0"
)

// maxResponse bounds what one answer may hold; a listing page of 100
// opportunity summaries is far smaller.
const maxResponse = 8 << 20

// Config sets up a Client for one connection: one partner's identity.
type Config struct {
	// Endpoint is the service's base URL, DefaultEndpoint when empty (a
	// simulator's URL in tests and the demo).
	Endpoint string
	// Region signs the calls, DefaultRegion when empty.
	Region string
	// Credentials sign the calls: StaticCredentials or AssumeRole.Provider.
	Credentials aws.CredentialsProvider
	// HTTPClient makes the calls; a client with a 30 s timeout when nil.
	HTTPClient *http.Client
	// Retry is the retry policy, DefaultRetryPolicy where unset.
	Retry RetryPolicy
	// Limiter paces write calls; nil leaves them unpaced.
	Limiter WriteLimiter
	// LimiterKey names the connection in the limiter, so all processes
	// writing for it share one budget.
	LimiterKey string
	// Logger receives one line per attempt: operation, status and latency.
	// slog.Default() when nil.
	Logger *slog.Logger
	// Now is the signing clock, time.Now when nil.
	Now func() time.Time
}

// Client calls Partner Central for one connection. It is safe for
// concurrent use.
type Client struct {
	endpoint   string
	region     string
	creds      aws.CredentialsProvider
	http       *http.Client
	retry      RetryPolicy
	limiter    WriteLimiter
	limiterKey string
	log        *slog.Logger
	now        func() time.Time
	signer     *v4.Signer
}

// New returns a Client. It fails only on a configuration it cannot use.
func New(cfg Config) (*Client, error) {
	if cfg.Credentials == nil {
		return nil, errors.New("partnercentral: no credentials")
	}
	c := &Client{
		endpoint:   strings.TrimRight(cfg.Endpoint, "/"),
		region:     cfg.Region,
		creds:      cfg.Credentials,
		http:       cfg.HTTPClient,
		retry:      cfg.Retry.withDefaults(),
		limiter:    cfg.Limiter,
		limiterKey: cfg.LimiterKey,
		log:        cfg.Logger,
		now:        cfg.Now,
		signer:     v4.NewSigner(),
	}
	if c.endpoint == "" {
		c.endpoint = DefaultEndpoint
	}
	if !strings.HasPrefix(c.endpoint, "https://") && !strings.HasPrefix(c.endpoint, "http://") {
		return nil, fmt.Errorf("partnercentral: endpoint %q is not an http(s) URL", c.endpoint)
	}
	if c.region == "" {
		c.region = DefaultRegion
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.limiter != nil && c.limiterKey == "" {
		return nil, errors.New("partnercentral: a limiter needs a LimiterKey")
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// call sends one operation, with retries, and decodes its answer into out
// (nil for operations that answer with nothing).
func (c *Client) call(ctx context.Context, op string, write bool, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("partnercentral %s: encode request: %w", op, err)
	}
	for attempt := 1; ; attempt++ {
		if write && c.limiter != nil {
			if err := c.limiter.Wait(ctx, c.limiterKey); err != nil {
				return err
			}
		}
		start := time.Now()
		wait, err := c.send(ctx, op, body, out)
		c.logAttempt(ctx, op, attempt, time.Since(start), err)
		if err == nil {
			return nil
		}
		if attempt >= c.retry.MaxAttempts || !Retryable(err) {
			return err
		}
		if err := sleep(ctx, c.retry.Delay(attempt, wait)); err != nil {
			return err
		}
	}
}

// send makes one attempt. It returns the Retry-After the service asked for,
// if any, with the error.
func (c *Client) send(ctx context.Context, op string, body []byte, out any) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("partnercentral %s: %w", op, err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("X-Amz-Target", TargetPrefix+op)
	req.Header.Set("User-Agent", "cloudroute-partnercentral")
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return 0, &CredentialsError{Operation: op, Err: err}
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), SigningName, c.region, c.now()); err != nil {
		return 0, fmt.Errorf("partnercentral %s: sign: %w", op, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, &transportError{op: op, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return 0, &transportError{op: op, err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return retryAfter(resp.Header), decodeError(op, resp, data)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return 0, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return 0, fmt.Errorf("partnercentral %s: decode answer: %w", op, err)
	}
	return 0, nil
}

// CredentialsError is a call that could not be signed: the access keys are
// missing, or STS refused to let CloudRoute assume the partner's role (a
// wrong role ARN or external ID, or a trust policy that does not name
// CloudRoute). Not retried.
type CredentialsError struct {
	Operation string
	Err       error
}

func (e *CredentialsError) Error() string {
	return "partnercentral " + e.Operation + ": credentials: " + e.Err.Error()
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// logAttempt writes the one line an attempt leaves: the operation, its
// status and its latency. Never the request or the answer: they hold the
// customer's data. The status is the HTTP status and the error type, or
// "transport" when no answer came.
func (c *Client) logAttempt(ctx context.Context, op string, attempt int, latency time.Duration, err error) {
	status, level := "200", slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
		switch code := StatusCode(err); {
		case code != 0:
			status = strconv.Itoa(code) + " " + ErrorCode(err)
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			status = "canceled"
		case errors.As(err, new(*CredentialsError)):
			status = "credentials"
		default:
			status = "transport"
		}
	}
	c.log.LogAttrs(ctx, level, "partnercentral call",
		slog.String("operation", op),
		slog.String("status", status),
		slog.Int64("latency_ms", latency.Milliseconds()),
		slog.Int("attempt", attempt))
}
