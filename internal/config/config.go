// Package config reads CloudRoute's one typed configuration from the
// environment. It is parsed once in main and passed down explicitly.
package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/mail"
)

// Config is every setting the processes read from the environment.
// Business settings that admins change at run time (routing mode, threshold,
// window...) live in the database instead, see postgres.Settings.
type Config struct {
	DatabaseURL       string
	RedisURL          string
	HTTPAddr          string
	BootstrapAdminKey string
	// SecretKey is the root of every key derived from it for one purpose:
	// the web pages' CSRF tokens, the unsubscribe links, and the keys that
	// seal stored secrets (webhook secrets, the ACE connections'
	// credentials). Nil when CLOUDROUTE_SECRET_KEY is unset: serve then
	// makes a random one for its own lifetime. It is never logged.
	SecretKey []byte
	LogLevel  slog.Level
	// MetricsAddr is the listen address of GET /metrics, apart from the
	// public HTTPAddr; empty means metrics are not served (METRICS_ADDR=off).
	MetricsAddr string
	// Pprof serves Go's runtime profiles (/debug/pprof/) on the metrics
	// listener, for profiling a process under load; off by default.
	Pprof bool
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed. Empty
	// means none: the TCP peer is the client.
	TrustedProxies []string
	// IntakeRateLimit is how many POST /v1/intakes one client IP may make per
	// IntakeRateWindow.
	IntakeRateLimit  int
	IntakeRateWindow time.Duration
	// ShutdownGrace bounds graceful shutdown.
	ShutdownGrace time.Duration
	// OutboxPoll is how often the relay looks for unsent outbox rows while
	// it cannot listen for the outbox's notifications (its connection is
	// being re-opened, or OutboxListen is off).
	OutboxPoll time.Duration
	// OutboxPollListening is how often it looks while it listens, for a
	// notification lost.
	OutboxPollListening time.Duration
	// OutboxListen makes the relay LISTEN for the outbox's notifications;
	// off, it polls every OutboxPoll (for a connection pooler that cannot
	// carry LISTEN, such as PgBouncer in transaction mode).
	OutboxListen bool
	// WorkerConcurrency is the number of asynq handlers run at once.
	WorkerConcurrency int
	// DBMaxConns caps the Postgres pool.
	DBMaxConns int

	// Notifications (docs/notifications.md).

	// SMTPURL is where mail goes (smtp:// or smtps://, see
	// mail.ParseSMTPURL). Empty is the embedded default: mails are stored
	// in Postgres and admins read them at GET /v1/admin/mail. It may hold a
	// password: never log it whole.
	SMTPURL string
	// EmailFrom is the sender of every mail; its domain is the
	// Message-ID's.
	EmailFrom string
	// AdminEmails receive the digest of intakes that need an admin
	// (unroutable, waiting for review). Empty sends no admin mail.
	AdminEmails []string
	// PublicURL is where people reach this deployment, without a trailing
	// slash: the links in mails (the founder's status page, the console,
	// one-click unsubscribe) start with it.
	PublicURL string
	// WebhookAllowInsecureLoopback lets webhook endpoints use http and
	// loopback addresses: for local development and tests only.
	WebhookAllowInsecureLoopback bool

	// ACE holds how CloudRoute reaches AWS Partner Central.
	ACE ACEConfig
}

// ACEConfig is how CloudRoute reaches AWS Partner Central for the
// partners' connections.
type ACEConfig struct {
	// Endpoints are the base URLs, besides AWS's own, that a connection
	// may name as its endpoint: the simulator's, for the demo. A partner
	// cannot make CloudRoute call any other address.
	Endpoints []string
	// AccessKeyID, SecretAccessKey and SessionToken are CloudRoute's own
	// AWS identity, the one a partner's role trusts: connections that
	// assume a role need them. Never logged.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// STSEndpoint overrides STS's address (a regional endpoint).
	STSEndpoint string
}

// DefaultMetricsAddr is loopback only: a Prometheus on the same host (or a
// sidecar) scrapes it, and nothing outside the host can reach it unless an
// operator says so.
const DefaultMetricsAddr = "127.0.0.1:9090"

// Usage is the table of environment variables, printed by --help.
const Usage = `Environment:
  DATABASE_URL                     Postgres URL (default postgres://localhost:5432/cloudroute?sslmode=disable)
  REDIS_URL                        Redis URL (default redis://localhost:6379/0)
  HTTP_ADDR                        listen address (default :8080)
  METRICS_ADDR                     listen address of GET /metrics, apart from HTTP_ADDR; off serves none (default 127.0.0.1:9090)
  PPROF                            true serves Go's profiles at /debug/pprof/ on METRICS_ADDR (default false)
  CLOUDROUTE_BOOTSTRAP_ADMIN_KEY   when set, serve makes sure an admin key with this value exists
  CLOUDROUTE_SECRET_KEY            32+ random bytes, hex or base64: signs the pages' tokens and seals stored secrets; unset: random per process
  LOG_LEVEL                        debug | info | warn | error (default info)
  TRUSTED_PROXIES                  comma-separated CIDRs whose X-Forwarded-For is trusted (default none)
  INTAKE_RATE_LIMIT                intake submissions per client IP per window (default 120)
  INTAKE_RATE_WINDOW               the rate-limit window, a Go duration (default 1m)
  SHUTDOWN_GRACE                   graceful shutdown bound (default 20s)
  OUTBOX_POLL                      outbox relay poll interval while it cannot listen for the outbox's notifications (default 100ms)
  OUTBOX_POLL_LISTENING            outbox relay poll interval while it listens, for a notification lost (default 1s)
  OUTBOX_LISTEN                    false: the relay polls only, every OUTBOX_POLL, for a pooler that cannot carry LISTEN (default true)
  WORKER_CONCURRENCY               asynq handlers run at once (default 10)
  DB_MAX_CONNS                     Postgres pool size (default 20)
  SMTP_URL                         smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465; unset: mails are stored in Postgres
  EMAIL_FROM                       the sender of every mail (default CloudRoute <noreply@cloudroute.localhost>)
  ADMIN_EMAIL                      comma-separated admin addresses for the intake digest; unset: no admin mail
  PUBLIC_URL                       the deployment's address, for links in mails (default http://localhost:8080)
  WEBHOOK_ALLOW_INSECURE_LOOPBACK  true lets webhooks use http and loopback: development and tests only (default false)
  ACE_ENDPOINT_ALLOWLIST           comma-separated Partner Central base URLs a connection may use besides AWS's (the simulator's)
  AWS_ACCESS_KEY_ID                CloudRoute's own AWS identity, which assumes partners' roles (with AWS_SECRET_ACCESS_KEY,
                                   AWS_SESSION_TOKEN); unset: role connections cannot sign
  ACE_STS_ENDPOINT                 STS address for assuming partners' roles (default AWS's)
`

// Load reads the configuration from getenv (os.Getenv when nil). Every bad
// value is reported at once.
func Load(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	var errs []error
	c := Config{
		DatabaseURL:       get("DATABASE_URL", "postgres://localhost:5432/cloudroute?sslmode=disable"),
		RedisURL:          get("REDIS_URL", "redis://localhost:6379/0"),
		HTTPAddr:          get("HTTP_ADDR", ":8080"),
		MetricsAddr:       get("METRICS_ADDR", DefaultMetricsAddr),
		BootstrapAdminKey: strings.TrimSpace(getenv("CLOUDROUTE_BOOTSTRAP_ADMIN_KEY")),
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		errs = append(errs, fmt.Errorf("DATABASE_URL: want a postgres:// URL"))
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		errs = append(errs, fmt.Errorf("REDIS_URL: want a redis:// URL"))
	}
	if strings.EqualFold(c.MetricsAddr, "off") {
		c.MetricsAddr = ""
	} else if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || !validPort(port) {
		errs = append(errs, fmt.Errorf("METRICS_ADDR: want host:port (such as 127.0.0.1:9090) or off, got %q", c.MetricsAddr))
	} else if c.MetricsAddr == c.HTTPAddr {
		errs = append(errs, fmt.Errorf("METRICS_ADDR: must differ from HTTP_ADDR (%s): the metrics are not public", c.HTTPAddr))
	}
	var err error
	if c.Pprof, err = parseBool("PPROF", get("PPROF", "false")); err != nil {
		errs = append(errs, err)
	} else if c.Pprof && c.MetricsAddr == "" {
		errs = append(errs, fmt.Errorf("PPROF: the profiles are served on METRICS_ADDR, which is off"))
	}
	if c.BootstrapAdminKey != "" && len(c.BootstrapAdminKey) < 16 {
		errs = append(errs, fmt.Errorf("CLOUDROUTE_BOOTSTRAP_ADMIN_KEY: want at least 16 characters"))
	}
	if v := strings.TrimSpace(getenv("CLOUDROUTE_SECRET_KEY")); v != "" {
		key, err := ParseSecretKey(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CLOUDROUTE_SECRET_KEY: %w", err))
		}
		c.SecretKey = key
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL: want debug, info, warn or error"))
	}
	if tp := get("TRUSTED_PROXIES", ""); tp != "" {
		for _, s := range strings.Split(tp, ",") {
			s = strings.TrimSpace(s)
			if _, err := netip.ParsePrefix(s); err != nil {
				if _, err2 := netip.ParseAddr(s); err2 != nil {
					errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR or IP", s))
					continue
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, s)
		}
	}
	posInt := func(k string, def int) int {
		v := get(k, strconv.Itoa(def))
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive integer, got %q", k, v))
			return def
		}
		return n
	}
	posDur := func(k string, def time.Duration) time.Duration {
		v := get(k, def.String())
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: want a positive duration such as 1m, got %q", k, v))
			return def
		}
		return d
	}
	c.IntakeRateLimit = posInt("INTAKE_RATE_LIMIT", 120)
	c.IntakeRateWindow = posDur("INTAKE_RATE_WINDOW", time.Minute)
	c.ShutdownGrace = posDur("SHUTDOWN_GRACE", 20*time.Second)
	c.OutboxPoll = posDur("OUTBOX_POLL", 100*time.Millisecond)
	c.OutboxPollListening = posDur("OUTBOX_POLL_LISTENING", time.Second)
	if c.OutboxListen, err = parseBool("OUTBOX_LISTEN", get("OUTBOX_LISTEN", "true")); err != nil {
		errs = append(errs, err)
	}
	c.WorkerConcurrency = posInt("WORKER_CONCURRENCY", 10)
	c.DBMaxConns = posInt("DB_MAX_CONNS", 20)
	errs = append(errs, c.loadNotifications(get)...)
	if v := get("ACE_ENDPOINT_ALLOWLIST", ""); v != "" {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimRight(strings.TrimSpace(s), "/")
			if s == "" {
				continue
			}
			if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
				errs = append(errs, fmt.Errorf("ACE_ENDPOINT_ALLOWLIST: %q is not an http(s) base URL", s))
				continue
			}
			c.ACE.Endpoints = append(c.ACE.Endpoints, s)
		}
	}
	c.ACE.AccessKeyID = strings.TrimSpace(getenv("AWS_ACCESS_KEY_ID"))
	c.ACE.SecretAccessKey = strings.TrimSpace(getenv("AWS_SECRET_ACCESS_KEY"))
	c.ACE.SessionToken = strings.TrimSpace(getenv("AWS_SESSION_TOKEN"))
	if (c.ACE.AccessKeyID == "") != (c.ACE.SecretAccessKey == "") {
		errs = append(errs, fmt.Errorf("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither"))
	}
	if v := get("ACE_STS_ENDPOINT", ""); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("ACE_STS_ENDPOINT: want an http(s) URL"))
		}
		c.ACE.STSEndpoint = v
	}
	return c, errors.Join(errs...)
}

// DefaultEmailFrom is the sender when EMAIL_FROM is unset.
const DefaultEmailFrom = "CloudRoute <noreply@cloudroute.localhost>"

// DefaultPublicURL is PUBLIC_URL when unset: the local development server.
const DefaultPublicURL = "http://localhost:8080"

// loadNotifications reads the mail and webhook settings. Its errors never
// repeat SMTP_URL, which may hold a password.
func (c *Config) loadNotifications(get func(k, def string) string) []error {
	var errs []error
	c.SMTPURL = get("SMTP_URL", "")
	if c.SMTPURL != "" {
		if _, err := mail.ParseSMTPURL(c.SMTPURL); err != nil {
			errs = append(errs, fmt.Errorf("SMTP_URL: %w", err))
		}
	}
	c.EmailFrom = get("EMAIL_FROM", DefaultEmailFrom)
	if from, err := mail.ParseAddress(c.EmailFrom); err != nil || !strings.Contains(from.Email, "@") ||
		strings.HasSuffix(from.Email, "@") {
		errs = append(errs, fmt.Errorf("EMAIL_FROM: want an address such as %q", DefaultEmailFrom))
	}
	if v := get("ADMIN_EMAIL", ""); v != "" {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if parsed, err := mail.ParseAddress(a); err != nil || parsed.Name != "" {
				errs = append(errs, fmt.Errorf("ADMIN_EMAIL: %q is not an email address", a))
				continue
			}
			c.AdminEmails = append(c.AdminEmails, a)
		}
	}
	c.PublicURL = strings.TrimRight(get("PUBLIC_URL", DefaultPublicURL), "/")
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("PUBLIC_URL: want an http(s) URL without query, such as %s", DefaultPublicURL))
	}
	var err error
	if c.WebhookAllowInsecureLoopback, err = parseBool("WEBHOOK_ALLOW_INSECURE_LOOPBACK", get("WEBHOOK_ALLOW_INSECURE_LOOPBACK", "false")); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// parseBool reads a true/false setting: true, 1 or yes; false, 0 or no.
func parseBool(k, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%s: want true or false, got %q", k, v)
}

// MinSecretKeyBytes is the shortest CLOUDROUTE_SECRET_KEY accepted, once
// decoded: 256 bits, the size of the HMAC-SHA256 keys derived from it.
const MinSecretKeyBytes = 32

// ParseSecretKey decodes a secret key written as hex (64+ hex digits) or
// base64 (standard or URL alphabet, padded or not), and refuses one shorter
// than MinSecretKeyBytes. Text that is all hex digits is read as hex.
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil {
		return checkKeyLen(b)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return checkKeyLen(b)
		}
	}
	return nil, errors.New("want hex or base64 (for example the output of `openssl rand -hex 32`)")
}

func checkKeyLen(b []byte) ([]byte, error) {
	if len(b) < MinSecretKeyBytes {
		return nil, fmt.Errorf("want at least %d bytes once decoded, got %d (for example the output of `openssl rand -hex 32`)", MinSecretKeyBytes, len(b))
	}
	return b, nil
}

// validPort reports whether p is a port number, 0 to 65535 (0 picks a free
// port).
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}
