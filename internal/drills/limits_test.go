package drills_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/testenv"
)

// limitsStack serves the API (without a worker) on a fresh database and a
// private Redis.
func limitsStack(t *testing.T, env ...string) *stack {
	t.Helper()
	rs := startRedis(t, freePort(t))
	s := newStack(t, testenv.URL(t), rs.url(), env...)
	s.serve("--no-worker")
	return s
}

// cutOff is what a slow client saw: how long the connection lasted, what
// the server sent, and whether the server ended it (rather than the
// client giving up at its own limit).
type cutOff struct {
	after    time.Duration
	sent     string
	byServer bool
	err      error
}

// dribble writes the first bytes, then keeps dribbling one more every
// interval until the server closes the connection (or answers, which it
// does before closing), or until limit passes. It calls no t methods, so
// goroutines may run it.
func dribble(addr, first, more string, interval, limit time.Duration) cutOff {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return cutOff{err: err}
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.WriteString(c, first); err != nil {
		return cutOff{err: err}
	}
	if err := c.SetReadDeadline(start.Add(limit)); err != nil {
		return cutOff{err: err}
	}
	type read struct {
		b   []byte
		err error
	}
	got := make(chan read, 1)
	go func() {
		b, err := io.ReadAll(c) // returns when the server closes, or at the deadline
		got <- read{b, err}
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case r := <-got:
			var ne net.Error
			timedOut := errors.As(r.err, &ne) && ne.Timeout()
			if r.err != nil && !timedOut && !errors.Is(r.err, syscall.ECONNRESET) {
				return cutOff{after: time.Since(start), sent: string(r.b), err: r.err}
			}
			return cutOff{after: time.Since(start), sent: string(r.b), byServer: !timedOut}
		case <-tick.C:
			// A write after the server closed may fail; the reader reports
			// the close.
			c.Write([]byte{more[i%len(more)]})
		}
	}
}

// TestLimitsSlowloris: a client that sends its headers, or its body, a byte
// at a time is cut off by the server (ReadHeaderTimeout, 5 s, and
// ReadTimeout, 15 s), well before the client would give up, and the server
// stays healthy. The durations are logged, not asserted.
func TestLimitsSlowloris(t *testing.T) {
	s := limitsStack(t)
	const limit = 60 * time.Second
	var headers, body cutOff
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		headers = dribble(s.addr, "POST /v1/intakes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", "abcdefgh", 300*time.Millisecond, limit)
	}()
	go func() {
		defer wg.Done()
		<-start
		head := "POST /v1/intakes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"company_name\": \""
		body = dribble(s.addr, head, "abcdefgh", 300*time.Millisecond, limit)
	}()
	close(start)
	wg.Wait()

	for _, c := range []struct {
		name string
		got  cutOff
	}{{"slow headers", headers}, {"slow body", body}} {
		if c.got.err != nil {
			t.Errorf("%s: %v", c.name, c.got.err)
			continue
		}
		t.Logf("%s: cut off after %s (server sent %q)", c.name, c.got.after.Round(time.Millisecond), firstLine(c.got.sent))
		if !c.got.byServer {
			t.Errorf("%s: the server kept the connection open for %s", c.name, limit)
		}
		if c.got.sent != "" && !strings.HasPrefix(c.got.sent, "HTTP/1.1 4") {
			t.Errorf("%s: the server answered %q, want a 4xx or a close", c.name, firstLine(c.got.sent))
		}
	}
	// The server is still healthy.
	s.must("GET", "/healthz", "", nil).want(t, 200)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// TestLimitsOversized: a body over 1 MiB is 413, whether its length is
// declared or it is streamed without one.
func TestLimitsOversized(t *testing.T) {
	s := limitsStack(t)
	big := bytes.Repeat([]byte("a"), 2<<20)
	body := append(append([]byte(`{"company_name":"`), big...), `"}`...)
	for _, path := range []string{"/v1/intakes", "/v1/admin/partners"} {
		s.must("POST", path, s.adminKey, body).problem(t, 413, "payload_too_large")
		// Chunked: no Content-Length, so the limit bites while reading.
		req, err := http.NewRequest("POST", s.base+path, io.MultiReader(bytes.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.adminKey)
		req.ContentLength = -1
		res, err := s.client.Do(req)
		if err != nil {
			// The server may answer and close before the client has sent it
			// all; that is a refusal too, but the answer must be 413 when seen.
			t.Logf("%s chunked: %v", path, err)
			continue
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Errorf("%s chunked: reading the answer: %v", path, err)
		}
		if res.StatusCode != 413 {
			t.Errorf("%s chunked 2 MiB: %d %s, want 413", path, res.StatusCode, b)
		}
	}
	if c := s.count(`SELECT count(*) FROM intakes`) + s.count(`SELECT count(*) FROM partners`); c != 0 {
		t.Errorf("an oversized body created %d rows", c)
	}
}

// TestLimitsDeepJSON: deeply nested or huge JSON is refused with 400 before
// it is decoded whole. How long each refusal took is logged.
func TestLimitsDeepJSON(t *testing.T) {
	s := limitsStack(t)
	deep := strings.Repeat("[", 100000)
	cases := []struct {
		name, path, body string
	}{
		{"intake, bare nesting", "/v1/intakes", deep},
		{"intake, nesting in a field", "/v1/intakes", `{"company_name":"x","use_case":` + deep},
		{"intake, nesting in an unknown field", "/v1/intakes", `{"x":` + strings.Repeat(`{"a":`, 50000) + "1" + strings.Repeat("}", 50000) + "}"},
		{"intake, a huge array", "/v1/intakes", `{"requested_funding_sources":[` + strings.Repeat(`"founders",`, 90000) + `"founders"]}`},
		{"partner, bare nesting", "/v1/admin/partners", deep},
		{"partner, nesting in a field", "/v1/admin/partners", `{"name":` + deep},
		{"partner, closed nesting", "/v1/admin/partners", `{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}"},
	}
	for _, c := range cases {
		start := time.Now()
		r := s.must("POST", c.path, s.adminKey, c.body)
		d := time.Since(start)
		if r.status != 400 {
			t.Errorf("%s (%d bytes): %d %s, want 400", c.name, len(c.body), r.status, r.body)
			continue
		}
		r.problem(t, 400, "malformed_request")
		t.Logf("%s (%d bytes): 400 in %s", c.name, len(c.body), d.Round(time.Microsecond))
	}
	if c := s.count(`SELECT count(*) FROM intakes`) + s.count(`SELECT count(*) FROM partners`); c != 0 {
		t.Errorf("a hostile body created %d rows", c)
	}
}

// TestLimitsFlood: past INTAKE_RATE_LIMIT a client gets 429 with
// Retry-After.
func TestLimitsFlood(t *testing.T) {
	s := limitsStack(t, "INTAKE_RATE_LIMIT=5", "INTAKE_RATE_WINDOW=1m")
	const flood = 20
	type answer struct {
		r   resp
		err error
	}
	answers := make([]answer, flood)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := s.do("POST", "/v1/intakes", "", intakeBody())
			answers[i] = answer{r, err}
		}()
	}
	close(start)
	wg.Wait()
	statuses := map[int]int{}
	for _, a := range answers {
		if a.err != nil {
			t.Errorf("flood request: %v", a.err)
			continue
		}
		statuses[a.r.status]++
		if a.r.status == 429 {
			a.r.problem(t, 429, "rate_limited")
			ra, err := strconv.Atoi(a.r.header.Get("Retry-After"))
			if err != nil || ra < 1 || ra > 60 {
				t.Errorf("429 with Retry-After %q, want 1..60 seconds", a.r.header.Get("Retry-After"))
			}
		}
	}
	t.Logf("flood of %d: %v", flood, statuses)
	// A fixed window: 5 pass, or up to 10 if the flood straddles a window edge.
	if statuses[201] < 5 || statuses[201] > 10 || statuses[201]+statuses[429] != flood {
		t.Errorf("flood of %d with a limit of 5: %v, want 5 (at most 10) 201s and the rest 429", flood, statuses)
	}
	if c := s.count(`SELECT count(*) FROM intakes`); c != statuses[201] {
		t.Errorf("%d intakes stored, %d accepted", c, statuses[201])
	}
	// Other routes are not limited.
	for i := 0; i < 10; i++ {
		s.must("GET", "/healthz", "", nil).want(t, 200)
	}
}
