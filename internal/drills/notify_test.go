package drills_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/testenv"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// TestDrillRedisDownWhileOffering: offers made while Redis is down (an
// admin assigns intakes that waited for review) are not told to anyone
// yet, and nothing is lost: once Redis is back, every offer's mail and
// webhook goes out, each exactly once.
func TestDrillRedisDownWhileOffering(t *testing.T) {
	start := time.Now()
	port := freePort(t)
	rs := startRedis(t, port)
	s := newStack(t, testenv.URL(t), rs.url(), "WEBHOOK_ALLOW_INSECURE_LOOPBACK=true",
		"CLOUDROUTE_SECRET_KEY="+strings.Repeat("5a", 32), "PUBLIC_URL=http://cloudroute.drill")
	s.serve()

	// The partner's receiver, on loopback.
	var mu sync.Mutex
	type hit struct {
		header http.Header
		body   []byte
	}
	var hits []hit
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, hit{r.Header.Clone(), b})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	received := func() []hit { mu.Lock(); defer mu.Unlock(); return append([]hit(nil), hits...) }

	s.must("PUT", "/v1/admin/settings", s.adminKey, map[string]any{"routing_mode": "review"}).want(t, 200)
	pid, key := s.createPartner(1000)
	ep := s.must("POST", "/v1/partner/webhooks", key, map[string]any{"url": rcv.URL + "/hook", "event_types": []string{"assignment.offered"}}).
		want(t, 201).json(t)
	secret, err := webhook.ParseSecret(ep["secret"].(string))
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	got := s.submitBurst(n, 4)
	waitFor(t, "every intake to wait for review", 15*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM intakes WHERE status = 'pending_review'`) == n
	})
	waitFor(t, "the outbox to drain before the outage", 10*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`) == 0
	})

	rs.stop()
	for _, in := range got {
		s.must("POST", "/v1/admin/intakes/"+in.ID+"/assign", s.adminKey, map[string]any{"partner_id": pid, "reason": "confirmed"}).want(t, 200)
	}
	// The offers are made; nobody is told yet, and the events wait.
	if c := s.count(`SELECT count(*) FROM assignments WHERE status = 'offered'`); c != n {
		t.Fatalf("%d offers made while Redis is down, want %d", c, n)
	}
	time.Sleep(500 * time.Millisecond)
	if c := s.count(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND kind = 'assignment.offered'`); c != n {
		t.Errorf("%d assignment.offered events wait in the outbox, want %d", c, n)
	}
	if c := s.count(`SELECT count(*) FROM sent_mail WHERE kind = 'partner.offer'`); c != 0 || len(received()) != 0 {
		t.Errorf("told while Redis is down: %d offer mails, %d webhooks", c, len(received()))
	}
	down := time.Now()

	startRedis(t, port) // the same address, empty
	waitFor(t, "every offer's mail and webhook after Redis returned", 30*time.Second, func() bool {
		return s.count(`SELECT count(*) FROM sent_mail WHERE kind = 'partner.offer'`) == n && len(received()) >= n
	})
	t.Logf("all %d offers told %s after Redis returned", n, time.Since(down).Round(time.Millisecond))
	time.Sleep(time.Second) // room for a duplicate, which must not come

	// Each offer exactly once, by mail and by webhook.
	if c := s.count(`SELECT count(*) FROM sent_mail WHERE kind = 'partner.offer'`); c != n {
		t.Errorf("%d offer mails, want %d", c, n)
	}
	if c := s.count(`SELECT count(DISTINCT event_id) FROM sent_mail WHERE kind = 'partner.offer'`); c != n {
		t.Errorf("offer mails for %d distinct events, want %d", c, n)
	}
	hs := received()
	if len(hs) != n {
		t.Errorf("%d webhooks received, want %d", len(hs), n)
	}
	ids := map[string]bool{}
	assignments := map[string]bool{}
	for _, h := range hs {
		if err := webhook.Verify(h.header, h.body, time.Now(), secret); err != nil {
			t.Errorf("a webhook does not verify: %v", err)
		}
		ids[h.header.Get("webhook-id")] = true
		var b struct {
			Type string `json:"type"`
			Data struct {
				AssignmentID string `json:"assignment_id"`
			} `json:"data"`
		}
		json.Unmarshal(h.body, &b)
		assignments[b.Data.AssignmentID] = b.Type == "assignment.offered"
	}
	if len(ids) != n || len(assignments) != n {
		t.Errorf("webhooks for %d events and %d assignments, want %d each", len(ids), len(assignments), n)
	}
	if c := s.count(`SELECT count(*) FROM webhook_deliveries WHERE delivered`); c != n {
		t.Errorf("%d deliveries logged as delivered, want %d", c, n)
	}
	if c := s.count(`SELECT count(*) FROM mail_deliveries WHERE kind = 'partner.offer' AND state = 'sent'`); c != n {
		t.Errorf("%d offer mails marked sent, want %d", c, n)
	}
	checkInvariants(t, s.db, s.dbURL)
	t.Logf("drill took %s", time.Since(start).Round(time.Millisecond))
}
