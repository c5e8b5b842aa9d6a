package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/testenv"
)

// relayLoop runs w's relay until the test ends.
func relayLoop(t *testing.T, w *jobs.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.RelayLoop(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// listenerBackend waits until a connection to the test's database LISTENs
// and returns its backend pid. A moment is then left for the relay's first
// passes, those that any start or return of the listener sets off, so that
// what the test does next is not relayed by them.
func listenerBackend(t *testing.T, db *testDB) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var pids []int
		if err := db.x.Select(&pids, `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN %'`); err != nil {
			t.Fatal(err)
		}
		if len(pids) == 1 {
			time.Sleep(300 * time.Millisecond)
			return pids[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections LISTEN after 10s, want 1", len(pids))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// event writes one event to the outbox behind storage's back, so that no
// notification follows it, and returns its id.
func event(t *testing.T, db *testDB, subject string) string {
	t.Helper()
	var id string
	db.Get(t, &id, `INSERT INTO outbox (event_id, kind, subject, payload) VALUES (gen_random_uuid(), 'partner.updated', $1,
		jsonb_build_object('partner_id', $1::text, 'tier', 'advanced', 'status', 'active')) RETURNING event_id`, subject)
	return id
}

// newPartner creates a partner through storage, which notifies the
// relays, and returns the id of its partner.created event.
func newPartner(t *testing.T, db *testDB, name string) string {
	t.Helper()
	p, err := db.CreatePartner(context.Background(), domain.PartnerPatch{Name: ptr(name), Tier: ptr("advanced"),
		Regions: ptr([]string{"eu"}), ContactEmail: ptr("p@p.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	db.Get(t, &id, `SELECT event_id FROM outbox WHERE kind = 'partner.created' AND subject = $1`, p.ID)
	return id
}

// relayedWithin fails the test unless the event is marked sent within d.
func relayedWithin(t *testing.T, db *testDB, id string, d time.Duration, how string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		var sent bool
		db.Get(t, &sent, `SELECT sent_at IS NOT NULL FROM outbox WHERE event_id = $1`, id)
		if sent {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("event not relayed within %s %s", d, how)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRelayWokenByNotify: with both polls an hour long, the events of a
// change are relayed within moments of its commit: storage notifies, and
// the relay listens.
func TestRelayWokenByNotify(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{OutboxPoll: time.Hour, OutboxPollListening: time.Hour})
	relayLoop(t, w)
	listenerBackend(t, db)
	for _, name := range []string{"P1", "P2", "P3"} {
		relayedWithin(t, db, newPartner(t, db, name), 5*time.Second, "with no poll due")
	}
}

// TestRelayPollsWithoutNotifications: an event whose notification never
// comes is relayed by the poll the relay keeps while it listens.
func TestRelayPollsWithoutNotifications(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{OutboxPoll: time.Hour, OutboxPollListening: 200 * time.Millisecond})
	relayLoop(t, w)
	listenerBackend(t, db)
	relayedWithin(t, db, event(t, db, "p1"), 10*time.Second, "by the poll while listening")
}

// TestRelayPollsWithoutListening: a relay told not to listen polls every
// OutboxPoll.
func TestRelayPollsWithoutListening(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	w := jobs.NewWorker(db.DB, rdb, quiet, nil, jobs.Options{OutboxPoll: 200 * time.Millisecond, OutboxPollListening: time.Hour,
		OutboxNoListen: true})
	relayLoop(t, w)
	time.Sleep(300 * time.Millisecond)
	relayedWithin(t, db, event(t, db, "p1"), 10*time.Second, "by the poll")
	var listening int
	db.Get(t, &listening, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`)
	if listening != 0 {
		t.Errorf("%d connections LISTEN, want none", listening)
	}
}

// syncBuffer is a log destination the relay's goroutine writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) count(sub string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.b.String(), sub)
}

// TestRelayListenerLost: when the listener's connection is cut, the relay
// says so once, goes back to its short poll, and, once the listener is back,
// relays what came meanwhile without waiting for a poll.
func TestRelayListenerLost(t *testing.T) {
	db := openTestDB(t)
	rdb := testenv.MustRedis(t, redisDB)
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	w := jobs.NewWorker(db.DB, rdb, log, nil, jobs.Options{OutboxPoll: time.Hour, OutboxPollListening: time.Hour})
	relayLoop(t, w)
	pid := listenerBackend(t, db)
	// An event whose notification is missed, as one committed while the
	// listener reconnects would be.
	id := event(t, db, "p1")
	db.MustExec(`SELECT pg_terminate_backend($1)`, pid)
	relayedWithin(t, db, id, 10*time.Second, "after the listener came back")
	deadline := time.Now().Add(10 * time.Second)
	for logs.count("outbox relay: listening again") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no return of the listener logged:\n%s", logs.b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := logs.count("outbox relay: lost its LISTEN connection"); n != 1 {
		t.Errorf("the loss logged %d times, want once:\n%s", n, logs.b.String())
	}
	relayedWithin(t, db, newPartner(t, db, "P"), 5*time.Second, "once the listener is back")
}
