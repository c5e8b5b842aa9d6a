package postgres_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/events"
)

func (e *env) backlog() int {
	e.t.Helper()
	n, err := e.db.OutboxBacklog(e.ctx)
	must(e.t, "backlog", err)
	return n
}

// sendAll is a relay's send that delivers everything.
func sendAll(got *[]string) func([]events.Event) (int, error) {
	return func(ms []events.Event) (int, error) {
		for _, m := range ms {
			*got = append(*got, m.ID)
		}
		return len(ms), nil
	}
}

func TestRelayOutbox(t *testing.T) {
	e := newEnv(t)
	for range 5 {
		e.submit()
	}
	total := e.backlog()
	if total < 5 {
		t.Fatalf("backlog %d after five submissions, want at least 5", total)
	}

	var first []string
	t.Run("a batch, in order, marked sent", func(t *testing.T) {
		e := e.in(t)
		n, err := e.db.RelayOutbox(e.ctx, 2, sendAll(&first))
		if err != nil || n != 2 || len(first) != 2 {
			t.Errorf("relay: %d, %v, sent %v; want 2 in order", n, err, first)
		}
		if b := e.backlog(); b != total-2 {
			t.Errorf("backlog %d, want %d", b, total-2)
		}
	})
	var failedAt string
	t.Run("a failed send keeps the rest", func(t *testing.T) {
		e := e.in(t)
		boom := errors.New("redis is down")
		n, err := e.db.RelayOutbox(e.ctx, 3, func(ms []events.Event) (int, error) {
			failedAt = ms[1].ID
			return 1, boom
		})
		if !errors.Is(err, boom) || n != 1 {
			t.Errorf("relay: %d, %v; want 1 and the send's error", n, err)
		}
		if b := e.backlog(); b != total-3 {
			t.Errorf("backlog %d, want %d", b, total-3)
		}
	})
	t.Run("the next pass starts at the failure", func(t *testing.T) {
		e := e.in(t)
		var next []string
		n, err := e.db.RelayOutbox(e.ctx, 100, sendAll(&next))
		if err != nil || n != total-3 || len(next) == 0 || next[0] != failedAt || slices.Contains(next, first[0]) {
			t.Errorf("relay: %d, %v, sent %v; want the %d left, from %s", n, err, next, total-3, failedAt)
		}
		if b := e.backlog(); b != 0 {
			t.Errorf("backlog %d, want 0", b)
		}
		n, err = e.db.RelayOutbox(e.ctx, 100, func([]events.Event) (int, error) {
			t.Error("send called with nothing to send")
			return 0, nil
		})
		if err != nil || n != 0 {
			t.Errorf("relay of an empty outbox: %d, %v", n, err)
		}
	})
	t.Run("sent rows are purged", func(t *testing.T) {
		e := e.in(t)
		e.submit()
		unsent := e.backlog()
		must(t, "purge young rows", e.db.PurgeSentOutbox(e.ctx, time.Hour))
		if n := e.count(`SELECT count(*) FROM outbox`); n != total+unsent {
			t.Errorf("%d rows after purging nothing old enough, want %d", n, total+unsent)
		}
		e.setClock(time.Now().Add(2 * time.Hour))
		must(t, "purge", e.db.PurgeSentOutbox(e.ctx, time.Hour))
		if n := e.count(`SELECT count(*) FROM outbox`); n != unsent {
			t.Errorf("%d rows after the purge, want the %d unsent", n, unsent)
		}
	})
}

// TestRelayOutboxRace: relays running at once never deliver a row twice,
// and together deliver every row.
func TestRelayOutboxRace(t *testing.T) {
	const relays = 4
	e := newEnv(t)
	for range 30 {
		e.submit()
	}
	total := e.backlog()
	// Every relay gets its connection before the start, so that none
	// drains the outbox while the others are still connecting.
	for _, err := range race(relays, func(int) error { _, err := e.db.OutboxBacklog(e.ctx); return err }) {
		must(t, "connect", err)
	}
	var mu sync.Mutex
	sent := map[string]int{}
	errs := race(relays, func(int) error {
		for {
			n, err := e.db.RelayOutbox(e.ctx, 3, func(ms []events.Event) (int, error) {
				mu.Lock()
				for _, m := range ms {
					sent[m.ID]++
				}
				mu.Unlock()
				time.Sleep(2 * time.Millisecond) // a send to Redis takes a while
				return len(ms), nil
			})
			if err != nil || n == 0 {
				return err
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("relay: %v", err)
		}
	}
	twice := map[string]int{}
	for id, n := range sent {
		if n > 1 {
			twice[id] = n
		}
	}
	if d := cmp.Diff(map[string]int{}, twice); d != "" || len(sent) != total {
		t.Errorf("%d rows of %d delivered; delivered more than once (-want +got):\n%s", len(sent), total, d)
	}
	if b := e.backlog(); b != 0 {
		t.Errorf("backlog %d after the relays, want 0", b)
	}
}

// TestListenOutbox: a change that writes events wakes the listener once it
// has committed, whichever way storage commits it: a transaction, the
// submission's lone statement, the submission under an Idempotency-Key.
func TestListenOutbox(t *testing.T) {
	e := newEnv(t)
	l := e.db.ListenOutbox()
	defer l.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !l.Listening() {
		if time.Now().After(deadline) {
			_, _, err := l.State()
			t.Fatalf("not listening after 10s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	woken := func(what string) {
		t.Helper()
		select {
		case <-l.Wake():
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no wake-up within 5s", what)
		}
	}
	// Starting to listen wakes the relay once, for what came before.
	woken("starting to listen")

	e.partner("P")
	woken("a transaction")
	e.submit()
	woken("a submission")
	b, dom := e.body()
	_, err := e.db.SubmitIntake(e.ctx, b, dom, "key-"+dom, []byte(dom))
	must(t, "submit with a key", err)
	woken("a submission with an Idempotency-Key")
}
