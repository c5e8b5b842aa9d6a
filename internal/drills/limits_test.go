package drills_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// closedWithin writes the first bytes, then keeps dribbling one more every
// interval, and reports how long the server took to close the connection
// (or to answer, which the server does before closing) and what it sent.
func closedWithin(t *testing.T, addr, first string, dribble string, interval, max time.Duration) (time.Duration, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.WriteString(c, first); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		c.SetReadDeadline(time.Now().Add(max))
		b, _ := io.ReadAll(c) // returns when the server closes (or at max)
		got <- string(b)
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case s := <-got:
			return time.Since(start), s
		case <-tick.C:
			if time.Since(start) < max {
				// A write after the server closed may fail; the reader reports.
				c.Write([]byte{dribble[i%len(dribble)]})
			}
		}
	}
}

// TestLimitsSlowloris: a client that sends its headers, or its body, a byte
// at a time is cut off by ReadHeaderTimeout (5 s) and ReadTimeout (15 s).
func TestLimitsSlowloris(t *testing.T) {
	s := limitsStack(t)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		d, out := closedWithin(t, s.addr, "POST /v1/intakes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", "abcdefgh", 300*time.Millisecond, 20*time.Second)
		t.Logf("slow headers: closed after %s (server sent %q)", d.Round(time.Millisecond), firstLine(out))
		if d < 4*time.Second || d > 8*time.Second {
			t.Errorf("slow headers: connection closed after %s, want about ReadHeaderTimeout (5s)", d)
		}
	}()
	go func() {
		defer wg.Done()
		head := "POST /v1/intakes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"company_name\": \""
		d, out := closedWithin(t, s.addr, head, "abcdefgh", 300*time.Millisecond, 30*time.Second)
		t.Logf("slow body: cut off after %s (server sent %q)", d.Round(time.Millisecond), firstLine(out))
		if d < 13*time.Second || d > 19*time.Second {
			t.Errorf("slow body: cut off after %s, want about ReadTimeout (15s)", d)
		}
		if out != "" && !strings.HasPrefix(out, "HTTP/1.1 4") {
			t.Errorf("slow body: the server answered %q, want a 4xx or a close", firstLine(out))
		}
	}()
	wg.Wait()
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
		req, _ := http.NewRequest("POST", s.base+path, io.MultiReader(bytes.NewReader(body)))
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
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 413 {
			t.Errorf("%s chunked 2 MiB: %d %s, want 413", path, res.StatusCode, b)
		}
	}
	if c := s.count(`SELECT count(*) FROM intakes`) + s.count(`SELECT count(*) FROM partners`); c != 0 {
		t.Errorf("an oversized body created %d rows", c)
	}
}

// TestLimitsDeepJSON: deeply nested or huge JSON is refused with 400 before
// it is decoded whole, quickly.
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
		if d > 2*time.Second {
			t.Errorf("%s: took %s to refuse", c.name, d)
		}
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
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < flood; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.do("POST", "/v1/intakes", "", intakeBody())
			if err != nil {
				t.Errorf("flood request: %v", err)
				return
			}
			if r.status == 429 {
				r.problem(t, 429, "rate_limited")
				ra, err := strconv.Atoi(r.header.Get("Retry-After"))
				if err != nil || ra < 1 || ra > 60 {
					t.Errorf("429 with Retry-After %q, want 1..60 seconds", r.header.Get("Retry-After"))
				}
			}
			mu.Lock()
			statuses[r.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
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
