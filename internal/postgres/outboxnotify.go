package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/lib/pq"
)

// OutboxChannel is the channel storage notifies after a transaction that
// wrote events to the outbox commits, so that the relays, which LISTEN on
// it (ListenOutbox), wake at once instead of at their next poll. The
// notification carries no payload.
const OutboxChannel = "cloudroute_outbox"

// notifyOutboxSQL is the notification. It is sent in a transaction of its
// own, after the one that wrote the events has committed, and never inside
// that one: Postgres makes the commits of transactions that NOTIFY wait for
// one another, under a database-wide lock held until each one's commit
// record is flushed, so submissions that notified would commit one at a
// time (docs/benchmarks.md, the outbox's NOTIFY). A transaction that writes
// nothing but its notification does not wait for a flush, so it holds that
// lock only a moment; lost in a crash, it costs the relays a poll's wait.
const notifyOutboxSQL = `NOTIFY ` + OutboxChannel

// notifyGap is the least time between two notifications of one process:
// under load, the commits of a gap share one notification, so the relays
// run at most one pass per gap and per process for them, each relaying
// more, rather than one per commit. It is a bound on the delay a
// notification adds, far below the relay's 1 s poll.
const notifyGap = 20 * time.Millisecond

// outboxNotifier sends notifyOutboxSQL for the commits that ask for it, one
// at a time and at most one per notifyGap: the commits made meanwhile share
// the next.
type outboxNotifier struct {
	kick chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

func (db *DB) startOutboxNotifier() {
	ctx, stop := context.WithCancel(context.Background())
	n := &outboxNotifier{kick: make(chan struct{}, 1), stop: stop, done: make(chan struct{})}
	db.notifier = n
	go func() {
		defer close(n.done)
		gap := time.NewTimer(notifyGap)
		defer gap.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-n.kick:
			}
			nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			// An error loses only this wake-up; the relays poll.
			db.pool.ExecContext(nctx, notifyOutboxSQL)
			cancel()
			gap.Reset(notifyGap)
			select {
			case <-ctx.Done():
				return
			case <-gap.C:
			}
		}
	}()
}

// notifyOutbox wakes the relays, soon, for events committed just now.
func (db *DB) notifyOutbox() {
	select {
	case db.notifier.kick <- struct{}{}:
	default: // a notification is already due, and will follow this commit
	}
}

// stopOutboxNotifier ends the notifier, dropping a notification not sent.
func (db *DB) stopOutboxNotifier() {
	db.notifier.stop()
	<-db.notifier.done
}

// OutboxListener LISTENs on OutboxChannel on a connection of its own,
// outside the pool, which lib/pq re-opens when it is lost. It tells a relay
// when there may be events to relay (Wake) and whether it is listening at
// all (State), so that the relay can poll slowly while it is, and
// quickly while it is not. Its methods are safe on a nil listener, which
// never wakes and never listens.
type OutboxListener struct {
	l       *pq.Listener
	wake    chan struct{}
	changed chan struct{}

	mu      sync.Mutex
	up      bool
	losses  int
	lastErr error
}

// ListenOutbox starts listening in the background: Listening is false until
// the connection is open and LISTENs, and again whenever it is lost, until
// it is back. Close it when done.
func (db *DB) ListenOutbox() *OutboxListener {
	o := &OutboxListener{wake: make(chan struct{}, 1), changed: make(chan struct{}, 1)}
	o.l = pq.NewListener(db.url, 100*time.Millisecond, 5*time.Second, o.event)
	go func() {
		// Listen waits for the first connection; once it returns, the
		// listener LISTENs again by itself on every new connection.
		if err := o.l.Listen(OutboxChannel); err != nil {
			o.fail(err)
			return
		}
		o.set(true)
	}()
	go func() {
		// pq blocks on a full Notify, so it is drained at once; many
		// notifications make one pending wake-up. A nil one, sent after a
		// reconnection, wakes too: notifications may have been missed.
		for range o.l.Notify {
			o.poke(o.wake)
		}
	}()
	return o
}

func (o *OutboxListener) event(ev pq.ListenerEventType, err error) {
	switch ev {
	case pq.ListenerEventReconnected:
		o.set(true)
	case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
		o.fail(err)
	}
}

func (o *OutboxListener) fail(err error) {
	if err != nil {
		o.mu.Lock()
		o.lastErr = err
		o.mu.Unlock()
	}
	o.set(false)
}

// set records whether the listener listens. Starting to listen wakes the
// relay, which may have missed notifications meanwhile.
func (o *OutboxListener) set(up bool) {
	o.mu.Lock()
	was := o.up
	o.up = up
	if was && !up {
		o.losses++
	}
	o.mu.Unlock()
	if was == up {
		return
	}
	o.poke(o.changed)
	if up {
		o.poke(o.wake)
	}
}

func (o *OutboxListener) poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Wake receives when events may be waiting: a notification arrived, or the
// listener has just started listening.
func (o *OutboxListener) Wake() <-chan struct{} {
	if o == nil {
		return nil
	}
	return o.wake
}

// Changed receives when State may have changed.
func (o *OutboxListener) Changed() <-chan struct{} {
	if o == nil {
		return nil
	}
	return o.changed
}

// State reports whether the listener's connection is open and LISTENs, how
// many times a listening connection was lost so far, and why the last one
// was lost or a new one could not be opened. A connection that died without
// a word (a host gone) counts as open until TCP's keepalive finds out; the
// relay's poll covers that time.
func (o *OutboxListener) State() (listening bool, losses int, err error) {
	if o == nil {
		return false, 0, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.up, o.losses, o.lastErr
}

// Listening reports whether the listener's connection is open and LISTENs.
func (o *OutboxListener) Listening() bool {
	up, _, _ := o.State()
	return up
}

// Close closes the connection and stops listening.
func (o *OutboxListener) Close() {
	if o == nil {
		return
	}
	o.l.Close()
}
