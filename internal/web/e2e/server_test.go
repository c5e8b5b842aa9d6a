package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/browsertest"
	"github.com/cloudroute/cloudroute/internal/cloudrouteapi"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// redisDB is this package's private Redis database.
const redisDB = 4

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	testenv.DropTemplates()
	os.Exit(code)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// binary builds cmd/cloudroute once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		root := browsertest.RepoRoot(t)
		binDir, binErr = os.MkdirTemp("", "cloudroute-e2e-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "cloudroute")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/cloudroute")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/cloudroute: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// server is one `cloudroute serve` of a test.
type server struct {
	URL      string
	AdminKey string
	// DatabaseURL is the server's own database, for what a test must do
	// behind its back (the end of a month).
	DatabaseURL string
	out         *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// serve starts the real binary, API with worker, on a fresh database and a
// flushed private Redis database, and waits until it is ready.
func serve(t *testing.T) *server {
	t.Helper()
	bin := binary(t)
	testenv.MustRedis(t, redisDB) // flushes it
	ru, err := url.Parse(testenv.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	n := redisDB
	if off, err := strconv.Atoi(os.Getenv("TEST_REDIS_DB_OFFSET")); err == nil {
		n += off
	}
	ru.Path = "/" + strconv.Itoa(n)
	port := freePort(t)
	s := &server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), AdminKey: "e2e-admin-" + randHex(12), DatabaseURL: testenv.URL(t),
		out: &syncBuffer{}}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+s.DatabaseURL,
		"REDIS_URL="+ru.String(),
		"HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"METRICS_ADDR=off",
		"CLOUDROUTE_BOOTSTRAP_ADMIN_KEY="+s.AdminKey,
		"CLOUDROUTE_SECRET_KEY="+randHex(32),
		"OUTBOX_POLL=50ms",
		"LOG_LEVEL=debug",
	)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("cloudroute serve output (tail):\n%s", tail(s.out.String(), 8000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(s.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		select {
		case <-done:
			t.Fatalf("cloudroute serve exited before it was ready:\n%s", tail(s.out.String(), 8000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("cloudroute serve was not ready within 60s:\n%s", tail(s.out.String(), 8000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// api is a client of the server's JSON API with key.
func (s *server) api(key string) *cloudrouteapi.Client {
	return cloudrouteapi.New(s.URL, key, &http.Client{Timeout: 30 * time.Second})
}

// partner creates an advanced partner serving eu and us_east through the
// admin API, gives it the track record of trackRecord(n), waits until
// routing sees it, and returns its id and API key.
func (s *server) partner(t *testing.T, name string, n int) (string, string) {
	t.Helper()
	ctx := context.Background()
	admin := s.api(s.AdminKey)
	var p cloudrouteapi.Created
	if err := admin.Do(ctx, "POST", "/v1/admin/partners", cloudrouteapi.Partner{Name: name, Tier: "advanced",
		Regions: []string{"eu", "us_east"}, Capacity: 10, Status: "active", ContactEmail: "partners@harbor.example"}, 201, &p); err != nil {
		t.Fatal(err)
	}
	var key struct {
		Key string `json:"key"`
	}
	if err := admin.Do(ctx, "POST", "/v1/admin/partners/"+p.ID+"/api-keys", nil, 201, &key); err != nil {
		t.Fatal(err)
	}
	if err := admin.Do(ctx, "POST", "/v1/admin/partners/"+p.ID+"/track-record", trackRecord(n), 201, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the routing index to hold "+name, 30*time.Second, func() bool {
		var idx struct {
			Items []struct {
				Decided int `json:"decided"`
			} `json:"items"`
		}
		if err := admin.Do(ctx, "GET", "/v1/admin/routing-index?partner_id="+p.ID+"&axis=stage", nil, 200, &idx); err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, c := range idx.Items {
			sum += c.Decided
		}
		return sum >= n
	})
	return p.ID, key.Key
}

// trackRecord is n past outcomes, mostly on the profile the tests send
// (series_a, eu, b2b_saas, ai_heavy, build) and some on others, so that
// each axis has figures of its own; about four in five are approved.
func trackRecord(n int) []cloudrouteapi.Outcome {
	pick := func(i, every int, usual, other string) string {
		if i%every == every-1 {
			return other
		}
		return usual
	}
	now := time.Now().UTC()
	rows := make([]cloudrouteapi.Outcome, n)
	for i := range rows {
		rows[i] = cloudrouteapi.Outcome{DecidedAt: now.AddDate(0, 0, -20-i).Format(time.RFC3339),
			SubmittedAt: now.AddDate(0, 0, -34-i).Format(time.RFC3339),
			Stage:       pick(i, 4, "series_a", "seed"), Region: pick(i, 3, "eu", "us_east"),
			Vertical: pick(i, 5, "b2b_saas", "fintech"), ServiceProfile: pick(i, 2, "ai_heavy", "data_heavy"),
			EngagementType: pick(i, 6, "build", "migrate"), FundingSource: "portfolio",
			Outcome: "rejected", RequestedUSD: 100_000}
		if i%9 != 4 && i%7 != 3 {
			rows[i].Outcome, rows[i].ApprovedUSD = "approved", 100_000
		}
	}
	return rows
}

// cell counts the outcomes of rows with value on axis: wins, decided.
func cell(rows []cloudrouteapi.Outcome, axis, value string) (wins, decided int) {
	for _, r := range rows {
		v := map[string]string{"stage": r.Stage, "region": r.Region, "vertical": r.Vertical,
			"service_profile": r.ServiceProfile, "engagement_type": r.EngagementType}[axis]
		if v != value {
			continue
		}
		decided++
		if r.Outcome == "approved" {
			wins++
		}
	}
	return wins, decided
}

// accept has the partner accept its offer of intakeID through the API,
// and returns the assignment's id.
func (s *server) accept(t *testing.T, partnerKey, intakeID string) string {
	t.Helper()
	ctx := context.Background()
	var list struct {
		Items []struct {
			ID       string `json:"id"`
			IntakeID string `json:"intake_id"`
		} `json:"items"`
	}
	if err := s.api(partnerKey).Do(ctx, "GET", "/v1/partner/assignments?status=offered", nil, 200, &list); err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Items {
		if a.IntakeID == intakeID {
			if err := s.api(partnerKey).Do(ctx, "POST", "/v1/assignments/"+a.ID+"/accept", nil, 200, nil); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
	}
	t.Fatalf("the partner has no offer of intake %s: %+v", intakeID, list)
	return ""
}

// draft has the partner draft an ACE record (state identified) for its
// assignment through the API.
func (s *server) draft(t *testing.T, partnerKey, assignmentID, pool string, usd int64) {
	t.Helper()
	body := map[string]any{"funding_source": pool, "requested_usd": usd}
	if err := s.api(partnerKey).Do(context.Background(), "POST", "/v1/assignments/"+assignmentID+"/ace-records", body, 201, nil); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
