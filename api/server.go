// Package api is CloudRoute's HTTP layer: a gin router, one file per
// resource, request and response DTOs that mirror openapi.yaml, and the one
// table that maps error codes to HTTP status.
package api

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// MaxBodyBytes bounds every request body (413 payload_too_large beyond it).
const MaxBodyBytes = 1 << 20

// Deps are what the HTTP layer needs from the process.
type Deps struct {
	DB       *postgres.DB
	Redis    *redis.Client
	Config   config.Config
	Log      *slog.Logger
	Registry *prometheus.Registry
	// Limiter throttles intake submissions; nil builds one from Config.
	Limiter *RateLimiter
	// Pages, when set, registers the web pages on the same engine, beside
	// /v1 (internal/web).
	Pages func(*gin.Engine)
	// Resolver resolves webhook endpoint hosts when they are saved; nil is
	// the system's.
	Resolver webhook.Resolver
	// ACE reaches Partner Central for the ACE sync's connections; nil
	// builds one from Config (a random key when CLOUDROUTE_SECRET_KEY is
	// unset: what it seals opens in this process only).
	ACE *aceconnect.Connector
}

// Server holds the router and its dependencies.
type Server struct {
	db      *postgres.DB
	redis   *redis.Client
	cfg     config.Config
	log     *slog.Logger
	engine  *gin.Engine
	limiter *RateLimiter
	// signInLimits limits sign-in attempts (accounts.go).
	signInLimits *SignInLimiter
	reqs         *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	// unsub checks one-click unsubscribe tokens; resolver resolves webhook
	// hosts.
	unsub    *mail.Unsubscriber
	resolver webhook.Resolver
	ace      *aceconnect.Connector
}

// New builds the router with every route of openapi.yaml.
func New(d Deps) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	// Only the configured proxies may set the client address; by default the
	// TCP peer is the client, so X-Forwarded-For cannot dodge the rate limit.
	if err := e.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	if len(d.Config.TrustedProxies) == 0 {
		e.ForwardedByClientIP = false
	}
	s := &Server{db: d.DB, redis: d.Redis, cfg: d.Config, log: d.Log, engine: e, limiter: d.Limiter, resolver: d.Resolver, ace: d.ACE}
	if s.resolver == nil {
		s.resolver = net.DefaultResolver
	}
	// The workers sign the unsubscribe links under the same key; a server
	// without one (tools, tests) makes its own, and accepts only its own.
	key := d.Config.SecretKey
	if len(key) == 0 {
		key = make([]byte, config.MinSecretKeyBytes)
		rand.Read(key)
	}
	s.unsub = mail.NewUnsubscriber(key)
	if s.limiter == nil {
		s.limiter = NewRateLimiter(d.Redis, d.Config.IntakeRateLimit, d.Config.IntakeRateWindow, d.Log)
	}
	s.signInLimits = NewSignInLimiter(s.limiter)
	if s.ace == nil {
		key := d.Config.SecretKey
		if len(key) == 0 {
			key = make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return nil, err
			}
		}
		var err error
		if s.ace, err = aceconnect.New(aceconnect.Options{SecretKey: key, Endpoints: d.Config.ACE.Endpoints, Logger: d.Log}); err != nil {
			return nil, err
		}
	}
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cloudroute_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "cloudroute_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method"})
	if d.Registry != nil {
		for _, c := range []prometheus.Collector{s.reqs, s.latency, s.limiter.failOpen} {
			if err := d.Registry.Register(c); err != nil {
				return nil, err
			}
		}
	}

	e.Use(s.requestID, s.observe, s.recover, limitBody, checkContentType)
	e.NoRoute(func(c *gin.Context) { respondError(c, domain.NotFound()) })
	e.NoMethod(func(c *gin.Context) {
		respondError(c, domain.Errorf(domain.ECodeMethodNotAllowed, "the method is not allowed on this path"))
	})

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	// /metrics is not served here: see MetricsHandler.
	v1 := e.Group("/v1")
	s.registerPartnerRoutes(v1)
	s.registerSettingsRoutes(v1)
	s.registerIntakeRoutes(v1)
	s.registerRoutingRoutes(v1)
	s.registerAssignmentRoutes(v1)
	s.registerRecordRoutes(v1)
	s.registerCommissionRoutes(v1)
	s.registerPipelineRoutes(v1)
	s.registerAccountRoutes(v1)
	s.registerWebhookRoutes(v1)
	s.registerMailRoutes(v1)
	s.registerACERoutes(v1)
	if d.Pages != nil {
		d.Pages(e)
	}
	return s, nil
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// MetricsHandler serves the Prometheus exposition of reg at GET /metrics,
// and nothing else. It is served on its own listener (METRICS_ADDR), never
// on the public router: the metrics name routes, volumes and error rates,
// which are nobody's business outside the operators.
//
// With withPprof it also serves Go's runtime profiles under /debug/pprof/
// (PPROF=true), for profiling a process under load.
func MetricsHandler(reg prometheus.Gatherer, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if withPprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// Routes lists the served method and path pairs, in gin's path syntax.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

type ctxKey string

const (
	keyLog       = "log"
	keyPrincipal = "principal"
	keyUser      = "user"
)

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if len(id) == 0 || len(id) > 64 || !printable(id) {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Header("X-Request-ID", id)
	c.Set(keyLog, s.log.With("request_id", id))
	c.Next()
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

func logFrom(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(keyLog); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// observe logs one line per request and feeds the Prometheus metrics. It
// logs no bodies, so contact names and emails never reach the log.
//
// Every label value comes from a closed set, whatever the client sends: the
// route is the registered pattern or "unmatched", the method one of the
// standard methods or "other". A client inventing methods or paths would
// otherwise add a series per request, without bound.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = routeUnmatched
	}
	method := methodLabel(c.Request.Method)
	status := c.Writer.Status()
	d := time.Since(start)
	s.reqs.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	s.latency.WithLabelValues(route, method).Observe(d.Seconds())
	lvl := slog.LevelInfo
	if status >= 500 {
		lvl = slog.LevelError
	}
	logFrom(c).Log(c.Request.Context(), lvl, "http request", "method", method, "route", route,
		"status", status, "duration_ms", float64(d.Microseconds())/1000, "client_ip", c.ClientIP())
}

// The label values of requests outside the served routes and methods.
const (
	routeUnmatched = "unmatched"
	methodOther    = "other"
)

// methodLabel is method when it is a standard method, and "other" for
// anything else (PROBE, a lower-case get, four thousand letters).
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return methodOther
}

// recover turns a panic into a logged 500 problem; the stack stays in the log.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			logFrom(c).Error("panic", "panic", fmt.Sprint(r))
			respondError(c, domain.Errorf(domain.ECodeInternal, "an internal error occurred"))
		}
	}()
	c.Next()
}

// limitBody refuses bodies over MaxBodyBytes: at once when Content-Length
// says so, and while reading otherwise. Outside /v1 (the web pages) the
// body is only bounded, so that a page says so in its own words.
func limitBody(c *gin.Context) {
	limit := int64(MaxBodyBytes)
	if c.FullPath() == "/v1/admin/partners/:id/track-record" {
		limit = MaxImportBytes
	}
	if c.Request.ContentLength > limit && (c.FullPath() == "" || strings.HasPrefix(c.FullPath(), "/v1/")) {
		respondError(c, domain.Errorf(domain.ECodePayloadTooLarge, "the body is larger than %d bytes", limit))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// checkContentType refuses a body the endpoint cannot read: a POST, PUT or
// PATCH that carries a body must say it is JSON (application/json or
// application/*+json, with any parameters), or CSV (text/csv) where the
// route reads CSV. Anything else, or no Content-Type at all, is 415
// unsupported_media_type before a handler runs, so nothing is written. An
// empty body is not checked: endpoints whose body is optional work without
// one, and without a Content-Type.
func checkContentType(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		c.Next()
		return
	}
	// Unknown paths and methods are 404 and 405, whatever the body. The
	// web pages outside /v1 take HTML forms.
	if c.FullPath() == "" || !strings.HasPrefix(c.FullPath(), "/v1/") || !hasBody(c.Request) {
		c.Next()
		return
	}
	if !acceptsMediaType(c.FullPath(), mediaType(c)) {
		ct := c.GetHeader("Content-Type")
		want := "application/json"
		if csvRoutes[c.FullPath()] {
			want += " or text/csv"
		}
		got := "no Content-Type"
		if ct != "" {
			got = "Content-Type " + strconv.Quote(ct)
		}
		respondError(c, domain.Errorf(domain.ECodeUnsupportedMediaType, "the body must be %s, got %s", want, got))
		return
	}
	c.Next()
}

// mediaType is the request's media type, lower case and without
// parameters ("text/csv" for "Text/CSV; charset=utf-8"), or "" when there is
// no Content-Type or it cannot be parsed. Malformed parameters alone do not
// hide the type.
func mediaType(c *gin.Context) string {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return ""
	}
	return mt
}

// csvRoutes are the routes that read text/csv as well as JSON.
var csvRoutes = map[string]bool{"/v1/admin/partners/:id/track-record": true}

// formRoutes are the routes that take an HTML form's body as well as JSON:
// one-click unsubscription, which mail clients POST as a form (RFC 8058).
var formRoutes = map[string]bool{"/v1/unsubscribe": true}

// acceptsMediaType reports whether route reads a body of media type mt (as
// mediaType returns it).
func acceptsMediaType(route, mt string) bool {
	if mt == "application/json" {
		return true
	}
	if (mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data") && formRoutes[route] {
		return true
	}
	if sub, ok := strings.CutPrefix(mt, "application/"); ok && strings.HasSuffix(sub, "+json") {
		return true
	}
	return mt == "text/csv" && csvRoutes[route]
}

// hasBody reports whether r carries a non-empty body. A body of unknown
// length (chunked) is peeked at: one byte tells, and it is put back.
func hasBody(r *http.Request) bool {
	switch {
	case r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0:
		return false
	case r.ContentLength > 0:
		return true
	}
	br := bufio.NewReaderSize(r.Body, 16)
	_, err := br.Peek(1)
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return err != io.EOF
}

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz answers 200 only when Postgres and Redis both answer.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := gin.H{"postgres": "ok", "redis": "ok"}
	ok := true
	if err := s.db.Ping(ctx); err != nil {
		checks["postgres"] = "unavailable"
		ok = false
	}
	if err := s.redis.Ping(ctx).Err(); err != nil {
		checks["redis"] = "unavailable"
		ok = false
	}
	if !ok {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
}
