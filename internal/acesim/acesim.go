// Package acesim is a stand-in for the AWS Partner Central Selling API, for
// tests and the demo: no test may reach AWS. It speaks the same wire
// protocol (awsJson1_0, POST / with X-Amz-Target), verifies SigV4
// signatures against the credentials it was given, enforces the model's
// required members and value sets and ACE's mandatory fields (the same
// tables as the client's pre-flight, applied here on the service's side
// whatever the client checked), keeps ClientToken idempotency,
// LastModifiedDate conflicts, the review-status locks and the write quota,
// and answers errors in AWS's shape.
//
// A control API plays AWS's side: it approves, rejects, asks for action,
// launches or closes an opportunity, creates AWS referrals (engagement
// invitations), and makes the service answer 429 or 500 for a while, for
// drills. It is reached as Go methods on *Server or over HTTP under
// /_sim/ on the same listener (see control.go).
//
// State is in memory: the simulator stands in for an outside service, not
// for CloudRoute's own storage.
package acesim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Credential is a key pair the simulator accepts, and the partner account
// it signs in as.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must come as X-Amz-Security-Token: the
	// temporary credentials of an assumed role.
	SessionToken string
	// AccountID is the partner's AWS account; opportunities belong to it.
	AccountID string
	// Catalogs the key may use; both when empty. A call to another catalog
	// is an AccessDeniedException.
	Catalogs []string
}

// TestCredential is the key pair a simulator accepts when given none. It
// is published and worthless anywhere else.
var TestCredential = Credential{
	AccessKeyID:     "AKIAACESIMTEST000001",
	SecretAccessKey: "acesim+test+secret+0000000000000000000000",
	AccountID:       "111122223333",
}

// Options configure a Server. The zero value gives AWS's own limits.
type Options struct {
	// Credentials the simulator accepts; TestCredential when empty.
	Credentials []Credential
	// Now is the service's clock, time.Now when nil.
	Now func() time.Time
	// WriteInterval is the time one write takes from the per-catalog,
	// per-identity write quota: 1 s by default, as Partner Central's one
	// write a second. Negative turns the write quota off.
	WriteInterval time.Duration
	// ReadInterval does the same for reads, 100 ms (10 a second) by
	// default.
	ReadInterval time.Duration
	// WritesPerDay caps writes per catalog and identity in a UTC day:
	// 10,000 by default; beyond it ServiceQuotaExceededException.
	WritesPerDay int
	// MaxSkew bounds the difference between a request's X-Amz-Date and the
	// clock, 15 minutes by default.
	MaxSkew time.Duration
	// Logger receives one line per call (operation, status); the default
	// logger when nil.
	Logger *slog.Logger
}

// Server is the simulated service. It is an http.Handler.
type Server struct {
	mu       sync.Mutex
	opts     Options
	creds    map[string]Credential
	accounts map[string]*account
	nextID   int64
	faults   []*Fault
	log      *slog.Logger
}

// New returns a Server with no opportunities.
func New(opts Options) *Server {
	if len(opts.Credentials) == 0 {
		opts.Credentials = []Credential{TestCredential}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.WriteInterval == 0 {
		opts.WriteInterval = time.Second
	}
	if opts.ReadInterval == 0 {
		opts.ReadInterval = 100 * time.Millisecond
	}
	if opts.WritesPerDay == 0 {
		opts.WritesPerDay = 10_000
	}
	if opts.MaxSkew == 0 {
		opts.MaxSkew = 15 * time.Minute
	}
	s := &Server{
		opts:     opts,
		creds:    map[string]Credential{},
		accounts: map[string]*account{},
		nextID:   5_000_000,
		log:      opts.Logger,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, c := range opts.Credentials {
		s.creds[c.AccessKeyID] = c
	}
	return s
}

// ServeHTTP routes the API (POST /) and the control API (/_sim/).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		s.serveControl(w, r)
	case r.URL.Path == "/":
		s.serveAPI(w, r)
	default:
		http.NotFound(w, r)
	}
}

// Start serves s on addr ("127.0.0.1:0" picks a free port) until shutdown
// is called, and returns the base URL to give clients as their endpoint.
func (s *Server) Start(addr string) (baseURL string, shutdown func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("acesim: serve", slog.String("error", err.Error()))
		}
	}()
	return "http://" + ln.Addr().String(), srv.Shutdown, nil
}

// now returns the clock in milliseconds, the precision of the service's
// DateTime values.
func (s *Server) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }
