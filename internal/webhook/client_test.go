package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/webhook"
)

// partnerVerify checks a received webhook the way a partner's own code
// would, from the specification alone: the standard library, the whsec_
// secret as shown in the console, a 5-minute tolerance and a constant-time
// comparison of each v1 signature.
func partnerVerify(h http.Header, body []byte, secret string, now time.Time) error {
	id, stamp, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || stamp == "" || sigs == "" {
		return errors.New("missing headers")
	}
	ts, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return err
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %d too far from now", ts)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + stamp + "."))
	m.Write(body)
	want := m.Sum(nil)
	for _, sig := range strings.Split(sigs, " ") {
		v, enc, _ := strings.Cut(sig, ",")
		got, err := base64.StdEncoding.DecodeString(enc)
		if v == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

// request is one request a receiver saw.
type request struct {
	Header http.Header
	Body   []byte
}

// receiver is a partner's endpoint on loopback. answer decides the status
// of the n-th request (1 for the first).
type receiver struct {
	srv    *httptest.Server
	answer func(n int, w http.ResponseWriter, r *http.Request)

	mu       sync.Mutex
	requests []request
}

func newReceiver(t *testing.T, tls bool, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests = append(rc.requests, request{Header: r.Header.Clone(), Body: body})
		n := len(rc.requests)
		rc.mu.Unlock()
		if rc.answer != nil {
			rc.answer(n, w, r)
		}
	})
	if tls {
		rc.srv = httptest.NewTLSServer(h)
	} else {
		rc.srv = httptest.NewServer(h)
	}
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) seen() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.requests...)
}

// clock is a settable clock for webhook-timestamp.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// staticResolver answers from a table, like a DNS zone the test controls.
type staticResolver map[string][]string

func (r staticResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	raw, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range raw {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func offered(t *testing.T) webhook.Event {
	t.Helper()
	return webhook.Event{
		ID:   "evt_01JNB0Q7S8",
		Type: "assignment.offered",
		Time: time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC),
		Data: json.RawMessage(`{"assignment_id":"asg_1","deadline":"2025-03-06T09:30:00Z","profile":{"stage":"seed"}}`),
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestDeliverSignedAndVerifiable(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			rc := newReceiver(t, useTLS, nil)
			secret := mustSecret(t)
			clk := &clock{t: time.Unix(1741080600, 0)}
			var logged bytes.Buffer
			opts := webhook.Options{
				AllowInsecureLoopback: true, Now: clk.Now,
				Log: slog.New(slog.NewTextHandler(&logged, nil)),
			}
			if useTLS {
				pool := x509.NewCertPool()
				pool.AddCert(rc.srv.Certificate())
				opts.RootCAs = pool
			}
			c := webhook.NewClient(opts)
			if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "local development") {
				t.Errorf("AllowInsecureLoopback is not logged as a warning: %q", logged.String())
			}

			ev := offered(t)
			r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL + "/hooks", Secrets: []webhook.Secret{secret}}, ev)
			if !r.Delivered() || r.Status != http.StatusOK || r.Latency <= 0 {
				t.Fatalf("Result %+v", r)
			}
			got := rc.seen()
			if len(got) != 1 {
				t.Fatalf("receiver saw %d requests", len(got))
			}
			req := got[0]
			if err := partnerVerify(req.Header, req.Body, secret.Encode(), clk.Now()); err != nil {
				t.Errorf("partner's verifier: %v", err)
			}
			if err := webhook.Verify(req.Header, req.Body, clk.Now(), secret); err != nil {
				t.Errorf("Verify: %v", err)
			}
			wantHeaders := map[string]string{
				"Content-Type":      "application/json",
				"User-Agent":        webhook.DefaultUserAgent,
				"Webhook-Id":        ev.ID,
				"Webhook-Timestamp": "1741080600",
			}
			for k, v := range wantHeaders {
				if req.Header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, req.Header.Get(k), v)
				}
			}
			var payload struct {
				Type      string          `json:"type"`
				Timestamp time.Time       `json:"timestamp"`
				Data      json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(req.Body, &payload); err != nil {
				t.Fatal(err)
			}
			if payload.Type != "assignment.offered" || !payload.Timestamp.Equal(ev.Time) || string(payload.Data) != string(ev.Data) {
				t.Errorf("payload %s", req.Body)
			}
		})
	}
}

// During a rotation both secrets sign; a receiver with either verifies.
func TestDeliverDuringRotation(t *testing.T) {
	rc := newReceiver(t, false, nil)
	next, prev := mustSecret(t), mustSecret(t)
	c := webhook.NewClient(webhook.Options{AllowInsecureLoopback: true, Log: discardLog()})
	if r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL, Secrets: []webhook.Secret{next, prev}}, offered(t)); !r.Delivered() {
		t.Fatalf("Result %+v", r)
	}
	req := rc.seen()[0]
	if n := len(strings.Fields(req.Header.Get("webhook-signature"))); n != 2 {
		t.Errorf("%d signatures, want 2", n)
	}
	for _, s := range []webhook.Secret{next, prev} {
		if err := partnerVerify(req.Header, req.Body, s.Encode(), time.Now()); err != nil {
			t.Error(err)
		}
	}
}

// Each refusal happens before a byte reaches the receiver.
func TestDeliverRefusesInternalAddresses(t *testing.T) {
	tlsRC := newReceiver(t, true, nil)
	_, port, _ := net.SplitHostPort(tlsRC.srv.Listener.Addr().String())

	ipv6 := ""
	if l, err := net.Listen("tcp", "[::1]:0"); err == nil {
		srv := httptest.NewUnstartedServer(tlsRC.srv.Config.Handler)
		srv.Listener = l
		srv.StartTLS()
		t.Cleanup(srv.Close)
		ipv6 = srv.URL
	}

	resolver := staticResolver{
		"intranet.partner.test": {"10.1.2.3"},
		"metadata.partner.test": {"169.254.169.254"},
		"mixed.partner.test":    {"93.184.215.14", "192.168.0.10"},
		"rebind.partner.test":   {"127.0.0.1"},
		"mapped.partner.test":   {"::ffff:127.0.0.1"},
	}
	prod := webhook.NewClient(webhook.Options{Resolver: resolver, Log: discardLog()})
	dev := webhook.NewClient(webhook.Options{Resolver: resolver, AllowInsecureLoopback: true, Log: discardLog()})

	cases := []struct {
		name   string
		client *webhook.Client
		url    string
		want   error
	}{
		{"127.0.0.1", prod, tlsRC.srv.URL, webhook.ErrForbiddenAddress},
		{"::1", prod, "https://[::1]:" + port + "/", webhook.ErrForbiddenAddress},
		{"10.0.0.1", prod, "https://10.0.0.1/hooks", webhook.ErrForbiddenAddress},
		{"169.254.169.254", prod, "https://169.254.169.254/latest/meta-data/", webhook.ErrForbiddenAddress},
		{"name resolving to a private address", prod, "https://intranet.partner.test/hooks", webhook.ErrForbiddenAddress},
		{"name resolving to the metadata address", prod, "https://metadata.partner.test/", webhook.ErrForbiddenAddress},
		{"name with one private address among public ones", prod, "https://mixed.partner.test/", webhook.ErrForbiddenAddress},
		{"name resolving to loopback at connect time", prod, "https://rebind.partner.test:" + port + "/", webhook.ErrForbiddenAddress},
		{"name resolving to IPv4-mapped loopback", prod, "https://mapped.partner.test:" + port + "/", webhook.ErrForbiddenAddress},
		{"localhost, resolved by the system", webhook.NewClient(webhook.Options{Log: discardLog()}), "https://localhost:" + port + "/", webhook.ErrForbiddenAddress},
		{"http", prod, "http://hooks.partner.test/", webhook.ErrInvalidURL},
		{"10.0.0.1 in development", dev, "http://10.0.0.1/hooks", webhook.ErrForbiddenAddress},
		{"169.254.169.254 in development", dev, "http://169.254.169.254/latest/meta-data/", webhook.ErrForbiddenAddress},
		{"private name in development", dev, "http://intranet.partner.test/", webhook.ErrForbiddenAddress},
	}
	if ipv6 != "" {
		cases = append(cases, struct {
			name   string
			client *webhook.Client
			url    string
			want   error
		}{"::1 with a server listening", prod, ipv6, webhook.ErrForbiddenAddress})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.client.Deliver(context.Background(), webhook.Endpoint{URL: tc.url, Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
			if !errors.Is(r.Err, tc.want) {
				t.Fatalf("Result %+v: want %v", r, tc.want)
			}
			if r.Status != 0 || r.Delivered() {
				t.Errorf("Result %+v", r)
			}
			t.Logf("refused: %v", r.Err)
		})
	}
	if n := len(tlsRC.seen()); n != 0 {
		t.Errorf("the loopback receiver saw %d requests", n)
	}
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	target := newReceiver(t, false, nil)
	redirecting := newReceiver(t, false, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.srv.URL+"/elsewhere", http.StatusTemporaryRedirect)
	})
	c := webhook.NewClient(webhook.Options{AllowInsecureLoopback: true, Log: discardLog()})
	r := c.Deliver(context.Background(), webhook.Endpoint{URL: redirecting.srv.URL, Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
	var se *webhook.StatusError
	if r.Delivered() || r.Status != http.StatusTemporaryRedirect || !errors.As(r.Err, &se) {
		t.Fatalf("Result %+v: want a failed 307", r)
	}
	if n := len(target.seen()); n != 0 {
		t.Errorf("the redirect was followed (%d requests)", n)
	}
	if !strings.Contains(r.Err.Error(), "redirect") {
		t.Errorf("error %q does not say why a 307 failed", r.Err)
	}
}

// A receiver that fails 3 times, then accepts: the test applies the retry
// schedule, the client makes one attempt per call, and the receiver
// processes the event once.
func TestDeliverRetriedUntilAccepted(t *testing.T) {
	secret := mustSecret(t)
	clk := &clock{t: time.Unix(1741080600, 0)}
	var (
		mu        sync.Mutex
		processed = map[string]int{}
	)
	rc := newReceiver(t, false, nil)
	rc.answer = func(n int, w http.ResponseWriter, r *http.Request) {
		// A partner's handler: verify, fail while "down", then process
		// once per webhook-id.
		seen := rc.seen()
		if err := partnerVerify(r.Header, seen[n-1].Body, secret.Encode(), clk.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if n <= 3 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		mu.Lock()
		processed[r.Header.Get("webhook-id")]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
	c := webhook.NewClient(webhook.Options{AllowInsecureLoopback: true, Now: clk.Now, Log: discardLog()})
	ep := webhook.Endpoint{URL: rc.srv.URL, Secrets: []webhook.Secret{secret}}
	ev := offered(t)

	var log []webhook.Result
	var waits []time.Duration
	for attempt := 1; ; attempt++ {
		r := c.Deliver(context.Background(), ep, ev)
		log = append(log, r)
		if r.Delivered() {
			break
		}
		wait, ok := webhook.RetryDelay(attempt, 0.5, r.RetryAfter)
		if !ok {
			t.Fatalf("gave up after %d attempts", attempt)
		}
		waits = append(waits, wait)
		clk.Advance(wait)
	}

	var statuses []int
	for _, r := range log {
		statuses = append(statuses, r.Status)
	}
	if diff := cmp.Diff([]int{500, 500, 500, 204}, statuses); diff != "" {
		t.Errorf("one result per attempt (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute}, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	reqs := rc.seen()
	stamps := map[string]bool{}
	for _, req := range reqs {
		if req.Header.Get("webhook-id") != ev.ID {
			t.Errorf("webhook-id %q changed between attempts", req.Header.Get("webhook-id"))
		}
		if !bytes.Equal(req.Body, reqs[0].Body) {
			t.Error("the body changed between attempts")
		}
		stamps[req.Header.Get("webhook-timestamp")] = true
	}
	if len(stamps) != len(reqs) {
		t.Errorf("webhook-timestamp not renewed per attempt: %v", stamps)
	}
	if diff := cmp.Diff(map[string]int{ev.ID: 1}, processed); diff != "" {
		t.Errorf("processed (-want +got):\n%s", diff)
	}
}

func TestDeliverFailures(t *testing.T) {
	c := webhook.NewClient(webhook.Options{AllowInsecureLoopback: true, Timeout: 300 * time.Millisecond, Log: discardLog()})

	t.Run("timeout", func(t *testing.T) {
		rc := newReceiver(t, false, func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL + "/in?token=SECRET", Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
		if r.Delivered() || r.Status != 0 {
			t.Fatalf("Result %+v", r)
		}
		var ne net.Error
		if !errors.As(r.Err, &ne) || !ne.Timeout() {
			t.Errorf("error %v: want a timeout", r.Err)
		}
		if strings.Contains(r.Err.Error(), "SECRET") {
			t.Errorf("error quotes the URL: %v", r.Err)
		}
	})

	t.Run("endless response body", func(t *testing.T) {
		rc := newReceiver(t, false, func(_ int, w http.ResponseWriter, _ *http.Request) {
			chunk := bytes.Repeat([]byte("x"), 32<<10)
			for range 1 << 12 { // 128 MiB at most, should nobody stop reading
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL, Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
		if !r.Delivered() {
			t.Fatalf("Result %+v", r)
		}
	})

	t.Run("429 with Retry-After", func(t *testing.T) {
		rc := newReceiver(t, false, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL, Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
		if r.Delivered() || r.Status != 429 || r.RetryAfter != 2*time.Minute {
			t.Fatalf("Result %+v", r)
		}
	})

	t.Run("503 with Retry-After as a date", func(t *testing.T) {
		now := time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)
		c := webhook.NewClient(webhook.Options{AllowInsecureLoopback: true, Now: func() time.Time { return now }, Log: discardLog()})
		rc := newReceiver(t, false, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", now.Add(time.Hour).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		})
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL, Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
		if r.Status != 503 || r.RetryAfter != time.Hour {
			t.Fatalf("Result %+v", r)
		}
	})

	t.Run("410 Gone", func(t *testing.T) {
		rc := newReceiver(t, false, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL, Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
		if r.Delivered() || !r.Gone() {
			t.Fatalf("Result %+v", r)
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: "http://" + addr, Secrets: []webhook.Secret{mustSecret(t)}}, offered(t))
		if r.Delivered() || r.Status != 0 || errors.Is(r.Err, webhook.ErrForbiddenAddress) {
			t.Fatalf("Result %+v", r)
		}
	})

	t.Run("no secret", func(t *testing.T) {
		rc := newReceiver(t, false, nil)
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL}, offered(t))
		if !errors.Is(r.Err, webhook.ErrNoSecret) || len(rc.seen()) != 0 {
			t.Fatalf("Result %+v, %d requests", r, len(rc.seen()))
		}
	})

	t.Run("event id with a dot", func(t *testing.T) {
		rc := newReceiver(t, false, nil)
		ev := offered(t)
		ev.ID = "evt.1"
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: rc.srv.URL, Secrets: []webhook.Secret{mustSecret(t)}}, ev)
		if !errors.Is(r.Err, webhook.ErrInvalidID) || len(rc.seen()) != 0 {
			t.Fatalf("Result %+v", r)
		}
	})

	t.Run("data not JSON", func(t *testing.T) {
		ev := offered(t)
		ev.Data = json.RawMessage(`{"a":`)
		r := c.Deliver(context.Background(), webhook.Endpoint{URL: "http://127.0.0.1:1", Secrets: []webhook.Secret{mustSecret(t)}}, ev)
		if r.Err == nil {
			t.Fatal("sent data that is not JSON")
		}
	})
}

func TestEventBody(t *testing.T) {
	ev := offered(t)
	a, err := ev.Body()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ev.Body()
	if !bytes.Equal(a, b) {
		t.Error("Body differs between calls")
	}
	want := `{"type":"assignment.offered","timestamp":"2025-03-04T09:30:00Z","data":{"assignment_id":"asg_1","deadline":"2025-03-06T09:30:00Z","profile":{"stage":"seed"}}}`
	if string(a) != want {
		t.Errorf("Body = %s\nwant   %s", a, want)
	}
	empty, err := webhook.Event{ID: "e", Type: "statement.paid", Time: ev.Time}.Body()
	if err != nil || !strings.HasSuffix(string(empty), `"data":{}}`) {
		t.Errorf("Body without data = %s, %v", empty, err)
	}
}

func TestResultClass(t *testing.T) {
	for _, c := range []struct {
		r         webhook.Result
		class     string
		permanent bool
	}{
		{webhook.Result{Status: 204}, "", false},
		{webhook.Result{Status: 503, Err: &webhook.StatusError{Code: 503}}, webhook.ClassHTTPStatus, false},
		{webhook.Result{Status: 302, Err: &webhook.StatusError{Code: 302}}, webhook.ClassRedirect, false},
		{webhook.Result{Err: fmt.Errorf("dial: %w", &webhook.AddressError{Reason: "a private address"})}, webhook.ClassForbiddenAddress, true},
		{webhook.Result{Err: fmt.Errorf("%w: http is not allowed", webhook.ErrInvalidURL)}, webhook.ClassInvalidURL, true},
		{webhook.Result{Err: webhook.ErrNoSecret}, webhook.ClassNoSecret, true},
		{webhook.Result{Err: fmt.Errorf("webhook: POST timed out: %w", context.DeadlineExceeded)}, webhook.ClassTimeout, false},
		{webhook.Result{Err: errors.New("connection refused")}, webhook.ClassConnection, false},
	} {
		if got := c.r.Class(); got != c.class || c.r.Permanent() != c.permanent {
			t.Errorf("%v: class %q permanent %v, want %q %v", c.r.Err, got, c.r.Permanent(), c.class, c.permanent)
		}
	}
}
