// Package jobs runs CloudRoute's background work on asynq: the handlers of
// every task type, the effects each domain event sets off (effects.go),
// the relay that moves the outbox's events to Redis as those effects, the
// scheduler of periodic tasks, and the notifications: mails (notify.go,
// digests.go) and webhooks (webhooks.go).
package jobs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/events"
	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/tasks"
	"github.com/cloudroute/cloudroute/internal/webhook"
)

// Queues and their priorities: routing and expiry first, then the rest.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// queueOf places each task type on a queue.
var queueOf = map[string]string{
	tasks.TypeRouteIntake:      QueueCritical,
	tasks.TypeExpireOffer:      QueueCritical,
	tasks.TypeSweepOffers:      QueueCritical,
	tasks.TypeAccrueCommission: QueueDefault,
	tasks.TypeSweepAccruals:    QueueDefault,
	tasks.TypeUpdateIndex:      QueueDefault,
	tasks.TypeDrainUnroutable:  QueueDefault,
	tasks.TypeRebuildIndex:     QueueLow,
	tasks.TypeCloseStatements:  QueueLow,
	tasks.TypeHygieneScan:      QueueLow,
	tasks.TypeWriteSnapshots:   QueueLow,
	tasks.TypePurgeIdempotency: QueueLow,
	tasks.TypeRemindOffer:      QueueCritical,
	tasks.TypeSendMail:         QueueDefault,
	tasks.TypeNoteForAdmins:    QueueDefault,
	tasks.TypeAdminDigest:      QueueLow,
	tasks.TypeHygieneDigest:    QueueLow,
	tasks.TypeWebhookFanout:    QueueDefault,
	tasks.TypeDeliverWebhook:   QueueDefault,
	tasks.TypeACEPush:          QueueDefault,
	tasks.TypeACEPull:          QueueDefault,
	tasks.TypeACEPoll:          QueueDefault,
}

// Periodic tasks and their schedules (UTC). Each handler claims its period
// in Postgres, so several schedulers enqueueing the same period run it once.
var periodic = []struct {
	spec     string
	taskType string
}{
	{"@every 1m", tasks.TypeSweepOffers},
	{"@every 5m", tasks.TypeDrainUnroutable},
	{"@every 5m", tasks.TypeSweepAccruals},
	{"15 2 * * *", tasks.TypeRebuildIndex},
	{"5 0 1 * *", tasks.TypeCloseStatements},
	{"30 3 * * *", tasks.TypeHygieneScan},
	{"20 0 1 * *", tasks.TypeWriteSnapshots},
	{"0 * * * *", tasks.TypePurgeIdempotency},
	{"*/15 * * * *", tasks.TypeAdminDigest},
	{"0 7 * * 1", tasks.TypeHygieneDigest},
	{"@every 1m", tasks.TypeACEPoll},
}

// Metrics are the job counters exported on /metrics.
type Metrics struct {
	Processed *prometheus.CounterVec
	Relayed   prometheus.Counter
	Backlog   prometheus.GaugeFunc
	// Accrued and Paid read the ledger, so every process reports the same
	// totals whichever one wrote them.
	Accrued prometheus.GaugeFunc
	Paid    prometheus.GaugeFunc
}

// NewMetrics registers the job metrics on reg (which may be nil).
func NewMetrics(reg prometheus.Registerer, db *postgres.DB) (*Metrics, error) {
	m := &Metrics{
		Processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cloudroute_jobs_processed_total", Help: "Jobs processed by type and outcome (ok, error, skipped).",
		}, []string{"type", "outcome"}),
		Relayed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cloudroute_outbox_relayed_total", Help: "Outbox events relayed to Redis (as their effects).",
		}),
	}
	m.Backlog = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cloudroute_outbox_backlog", Help: "Outbox events not yet relayed to Redis.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := db.OutboxBacklog(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	ledger := func(read func(context.Context) (int64, error)) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			n, err := read(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}
	}
	m.Accrued = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cloudroute_commission_accrued_cents", Help: "Commission accrued on closed records, in cents (the ledger's accruals).",
	}, ledger(db.CommissionAccruedCents))
	m.Paid = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cloudroute_commission_paid_cents", Help: "Commission on paid statements, in cents.",
	}, ledger(db.CommissionPaidCents))
	if reg != nil {
		for _, c := range []prometheus.Collector{m.Processed, m.Relayed, m.Backlog, m.Accrued, m.Paid} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// Worker is the asynq server, scheduler and outbox relay of one process.
type Worker struct {
	db          *postgres.DB
	rdb         redis.UniversalClient
	client      *asynq.Client
	log         *slog.Logger
	metrics     *Metrics
	concurrency int
	// poll is the relay's interval while it cannot listen for the outbox's
	// notifications; pollListening, while it can.
	poll          time.Duration
	pollListening time.Duration
	noListen      bool
	handlers      *Handlers
	// webhookRetry replaces webhook.RetryDelay in tests.
	webhookRetry func(n int) time.Duration
}

// Options configure a Worker. The zero value works: mails are stored in
// Postgres, links point at http://localhost:8080, and webhooks follow the
// production rules.
type Options struct {
	Concurrency int
	// OutboxPoll is how often the relay polls the outbox while it cannot
	// listen for its notifications (OUTBOX_POLL, default 100 ms);
	// OutboxPollListening, how often while it can, in case one was lost
	// (OUTBOX_POLL_LISTENING, default 1 s).
	OutboxPoll          time.Duration
	OutboxPollListening time.Duration
	// OutboxNoListen makes the relay poll only, every OutboxPoll.
	OutboxNoListen bool

	// Mail is the transport of the notification mails; nil keeps them in
	// Postgres, the embedded default (no SMTP_URL).
	Mail mail.Transport
	// EmailFrom is the sender (EMAIL_FROM); empty is
	// config.DefaultEmailFrom.
	EmailFrom string
	// PublicURL starts every link in a mail (PUBLIC_URL); empty is
	// config.DefaultPublicURL.
	PublicURL string
	// AdminEmails get the admin digest (ADMIN_EMAIL).
	AdminEmails []string
	// SecretKey signs the unsubscribe links (CLOUDROUTE_SECRET_KEY); nil
	// makes a random key, whose links no other process accepts.
	SecretKey []byte
	// WebhookAllowInsecureLoopback lets deliveries use http and reach
	// loopback addresses: development and tests only.
	WebhookAllowInsecureLoopback bool
	// WebhookResolver resolves endpoint hosts; nil is the system's.
	WebhookResolver webhook.Resolver
	// WebhookRetryDelay replaces the wait before retry n of a delivery
	// (webhook.RetryDelay's schedule, about a day), for tests that cannot
	// wait; nil keeps the schedule.
	WebhookRetryDelay func(n int) time.Duration
	// ACE reaches Partner Central for the ACE sync; nil leaves the sync's
	// tasks doing nothing.
	ACE *aceconnect.Connector
}

// NewWorker builds a worker over the given Postgres and Redis. It panics
// on an EmailFrom that is not an address, which config.Load refuses.
func NewWorker(db *postgres.DB, rdb redis.UniversalClient, log *slog.Logger, m *Metrics, o Options) *Worker {
	if o.Concurrency <= 0 {
		o.Concurrency = 10
	}
	if o.OutboxPoll <= 0 {
		o.OutboxPoll = 100 * time.Millisecond
	}
	if o.OutboxPollListening <= 0 {
		o.OutboxPollListening = time.Second
	}
	if o.EmailFrom == "" {
		o.EmailFrom = config.DefaultEmailFrom
	}
	if o.PublicURL == "" {
		o.PublicURL = config.DefaultPublicURL
	}
	if o.Mail == nil {
		o.Mail = storedTransport{db: db}
	}
	if len(o.SecretKey) == 0 {
		o.SecretKey = make([]byte, config.MinSecretKeyBytes)
		if _, err := rand.Read(o.SecretKey); err != nil {
			panic("crypto/rand: " + err.Error())
		}
	}
	composer, err := mail.NewComposer(o.EmailFrom, db.Now)
	if err != nil {
		panic(err)
	}
	client := asynq.NewClientFromRedisClient(rdb)
	h := &Handlers{DB: db, Log: log, enqueue: client,
		notify: &notifier{db: db, log: log, composer: composer, transport: o.Mail, links: links{base: strings.TrimRight(o.PublicURL, "/")},
			unsub: mail.NewUnsubscriber(o.SecretKey), admins: o.AdminEmails},
		// The warning that the insecure setting is on is logged once, by
		// main, at start.
		hooks: webhook.NewClient(webhook.Options{AllowInsecureLoopback: o.WebhookAllowInsecureLoopback, Resolver: o.WebhookResolver,
			Now: db.Now, Log: slog.New(slog.DiscardHandler)}),
	}
	if o.ACE != nil {
		h.ACE = &aceconnect.Syncer{DB: db, Conn: o.ACE, Log: log}
	}
	return &Worker{db: db, rdb: rdb, client: client, log: log, metrics: m,
		concurrency: o.Concurrency, poll: o.OutboxPoll, pollListening: o.OutboxPollListening, noListen: o.OutboxNoListen,
		handlers: h, webhookRetry: o.WebhookRetryDelay}
}

// Handlers exposes the task handlers, so tests can run one directly.
func (w *Worker) Handlers() *Handlers { return w.handlers }

// Mux routes each task type to its handler, with metrics and logging.
func (w *Worker) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(w.observe)
	w.handlers.register(mux)
	return mux
}

func (w *Worker) observe(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		outcome := "ok"
		switch {
		case errors.Is(err, errSkipped):
			outcome, err = "skipped", nil
		case err != nil:
			outcome = "error"
			w.log.Warn("job failed", "type", t.Type(), "err", err.Error())
		}
		if w.metrics != nil {
			w.metrics.Processed.WithLabelValues(t.Type(), outcome).Inc()
		}
		w.log.Debug("job done", "type", t.Type(), "outcome", outcome, "duration_ms", time.Since(start).Milliseconds())
		return err
	})
}

// errRedis marks a relay failure on the Redis side.
var errRedis = errors.New("redis")

// errSkipped marks a handler that found nothing to do (already done); it
// counts as success.
var errSkipped = errors.New("skipped")

// Run serves tasks, schedules periodic tasks and relays the outbox until
// ctx ends, then stops taking new tasks and waits for the running ones.
func (w *Worker) Run(ctx context.Context, shutdownTimeout time.Duration) error {
	srv := asynq.NewServerFromRedisClient(w.rdb, asynq.Config{
		Concurrency:     w.concurrency,
		Queues:          map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1},
		ShutdownTimeout: shutdownTimeout,
		// asynq idles a second between checks of empty queues by default;
		// an intake must be offered well within a second of submission.
		TaskCheckInterval:        50 * time.Millisecond,
		DelayedTaskCheckInterval: time.Second,
		// Retries come quickly at first (1 s, 2 s, 4 s ... up to 32 s): a
		// brief outage of Postgres must not leave intakes waiting a minute.
		// A webhook delivery follows its own schedule, about a day long, so
		// that a receiver's outage is ridden out (webhook.RetryDelay).
		RetryDelayFunc: func(n int, err error, t *asynq.Task) time.Duration {
			if t.Type() == tasks.TypeDeliverWebhook {
				if w.webhookRetry != nil {
					return w.webhookRetry(n)
				}
				return webhookRetryDelay(n, err)
			}
			return time.Second << min(n, 5)
		},
		Logger:   asynqLogger{w.log},
		LogLevel: asynq.WarnLevel,
	})
	if err := srv.Start(w.Mux()); err != nil {
		return fmt.Errorf("asynq server: %w", err)
	}
	sched := asynq.NewSchedulerFromRedisClient(w.rdb, &asynq.SchedulerOpts{Location: time.UTC, Logger: asynqLogger{w.log}, LogLevel: asynq.WarnLevel})
	for _, p := range periodic {
		t := asynq.NewTask(p.taskType, []byte(`{}`))
		// Unique keeps a second scheduler's copy of the same tick out of the
		// queue; the Postgres period claim is the backstop.
		if _, err := sched.Register(p.spec, t, asynq.Queue(queueOf[p.taskType]), asynq.Unique(50*time.Second)); err != nil {
			srv.Shutdown()
			return fmt.Errorf("schedule %s: %w", p.taskType, err)
		}
	}
	if err := sched.Start(); err != nil {
		srv.Shutdown()
		return fmt.Errorf("asynq scheduler: %w", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); w.RelayLoop(ctx) }()
	<-ctx.Done()
	sched.Shutdown()
	srv.Shutdown()
	wg.Wait()
	return nil
}

// RelayLoop relays the outbox until ctx ends. It LISTENs for the
// outbox's notifications (postgres.ListenOutbox), so an event is relayed as
// soon as its transaction commits; it polls as well, every pollListening
// while it listens (for a notification lost) and every poll while it cannot
// (a connection being re-opened). It drains a backlog without waiting.
func (w *Worker) RelayLoop(ctx context.Context) {
	var ln *postgres.OutboxListener
	if !w.noListen {
		ln = w.db.ListenOutbox()
		defer ln.Close()
	}
	// Timers of Go 1.23 on: Reset drops a tick not yet received.
	t := time.NewTimer(w.poll)
	defer t.Stop()
	var st relayState
	for {
		st.lastPass = time.Now()
		n, err := w.RelayOnce(ctx)
		if err != nil && ctx.Err() == nil {
			if !st.failing {
				what := "Postgres"
				if errors.Is(err, errRedis) {
					what = "Redis"
				}
				w.log.Warn("outbox relay: cannot reach "+what+"; rows stay in the outbox until it returns", "err", err.Error())
			}
			st.failing = true
		} else if err == nil && st.failing {
			w.log.Info("outbox relay: running again")
			st.failing = false
		}
		if n > 0 && err == nil {
			continue // drain a backlog without waiting
		}
		if !w.awaitRelay(ctx, t, ln, &st) {
			return
		}
	}
}

// relayState is what RelayLoop remembers between passes, so that it logs
// each change once.
type relayState struct {
	failing bool
	// listening and losses are the listener's state as last seen; lost,
	// that a loss was logged and the return not yet.
	listening bool
	losses    int
	lost      bool
	// lastPass is when the last pass began.
	lastPass time.Time
}

// relayWakeGap is the least time between the starts of two passes that
// notifications set off: each process notifies at most once per 20 ms
// (postgres.notifyGap), and the notifications of several processes that
// come within a gap are taken in one pass. A backlog is drained without it.
const relayWakeGap = 20 * time.Millisecond

// awaitRelay waits for a reason to look at the outbox again: a
// notification, the listener's return, or the poll. It returns false when
// ctx ends.
func (w *Worker) awaitRelay(ctx context.Context, t *time.Timer, ln *postgres.OutboxListener, st *relayState) bool {
	for {
		if st.listening {
			t.Reset(w.pollListening)
		} else {
			t.Reset(w.poll)
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		case <-ln.Wake():
			if d := time.Until(st.lastPass.Add(relayWakeGap)); d > 0 {
				t.Reset(d)
				select {
				case <-ctx.Done():
					return false
				case <-t.C:
				}
			}
			return true
		case <-ln.Changed():
			w.noteListener(ln, st)
		}
	}
}

// noteListener takes in the listener's new state: logs its loss once, and
// its return. The listener wakes the relay itself when it is back.
func (w *Worker) noteListener(ln *postgres.OutboxListener, st *relayState) {
	up, losses, err := ln.State()
	if losses != st.losses && !st.lost {
		args := []any{}
		if err != nil {
			args = append(args, "err", err.Error())
		}
		w.log.Warn("outbox relay: lost its LISTEN connection to Postgres; polling every "+w.poll.String()+" until it is back", args...)
		st.lost = true
	}
	st.listening, st.losses = up, losses
	if up && st.lost {
		w.log.Info("outbox relay: listening again")
		st.lost = false
	}
}

// RelayOnce moves one batch of events from the outbox to Redis: each
// event's effects are enqueued with task ids made from the event id and the
// effect (Effects), so an event relayed twice (a crash between the enqueue
// and marking it sent, or a batch stopped half-way) sets off each effect
// once: asynq's ErrTaskIDConflict means the task is there already.
//
// The route effects of the batch are enqueued first, and together: the
// intakes that several events send to routing for one reason go in tasks
// of up to postgres.MaxRouteBatch, each routed in one transaction
// (routeBatches). A batch relayed again in other company makes other
// tasks, whose intakes are then routed already and left alone.
//
// An event of a kind this build does not know stops the batch and stays in
// the outbox for a build that does; one whose payload cannot be read never
// will be, so it is logged and passed over rather than block the outbox.
func (w *Worker) RelayOnce(ctx context.Context) (int, error) {
	return w.db.RelayOutbox(ctx, 200, func(evs []events.Event) (int, error) {
		effs := make([][]Effect, 0, len(evs))
		var stop error
		for _, ev := range evs {
			e, err := Effects(ev)
			if errors.Is(err, events.ErrUnknownKind) {
				stop = err
				break
			}
			if err != nil {
				w.log.Error("outbox relay: an event cannot be read; its effects are dropped", "event_id", ev.ID,
					"kind", ev.Kind, "err", err.Error())
			}
			effs = append(effs, e)
		}
		routes, rest := routeBatches(effs)
		for _, eff := range routes {
			if err := w.enqueue(ctx, eff); err != nil {
				return 0, err
			}
		}
		for i, es := range rest {
			for _, eff := range es {
				if err := w.enqueue(ctx, eff); err != nil {
					return i, err
				}
			}
			if w.metrics != nil {
				w.metrics.Relayed.Inc()
			}
		}
		return len(effs), stop
	})
}

// enqueue puts one effect's task in Redis; one there already is fine.
func (w *Worker) enqueue(ctx context.Context, eff Effect) error {
	ectx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := w.client.EnqueueContext(ectx, eff.Task, eff.Options()...); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("%w: %w", errRedis, err)
	}
	return nil
}

// routeBatches takes the route effects out of effs (one slice per event)
// and groups them by trigger into tasks of up to postgres.MaxRouteBatch
// intakes, in event order. A group of one keeps its own effect, under its
// event's task id; a larger one's task id is made from its intakes, so
// the same group relayed twice is one task.
func routeBatches(effs [][]Effect) (routes []Effect, rest [][]Effect) {
	type group struct {
		trigger string
		effs    []Effect
		ids     []string
	}
	var groups []*group
	rest = make([][]Effect, len(effs))
	for i, es := range effs {
		for _, eff := range es {
			var p tasks.RouteIntake
			if eff.Task.Type() != tasks.TypeRouteIntake || !eff.ProcessAt.IsZero() ||
				json.Unmarshal(eff.Task.Payload(), &p) != nil || p.IntakeID == "" || len(p.IntakeIDs) > 0 {
				rest[i] = append(rest[i], eff)
				continue
			}
			var g *group
			for _, x := range groups {
				if x.trigger == p.Trigger && len(x.ids) < postgres.MaxRouteBatch {
					g = x
				}
			}
			if g == nil {
				g = &group{trigger: p.Trigger}
				groups = append(groups, g)
			}
			g.effs, g.ids = append(g.effs, eff), append(g.ids, p.IntakeID)
		}
	}
	for _, g := range groups {
		if len(g.effs) == 1 {
			routes = append(routes, g.effs[0])
			continue
		}
		payload, _ := json.Marshal(tasks.RouteIntake{IntakeIDs: g.ids, Trigger: g.trigger})
		sum := sha256.Sum256(payload)
		routes = append(routes, Effect{Name: "route", TaskID: "routes-" + hex.EncodeToString(sum[:16]),
			Task: asynq.NewTask(tasks.TypeRouteIntake, payload), Queue: g.effs[0].Queue})
	}
	return routes, rest
}

// decode unmarshals a payload; a payload that cannot be decoded will never
// succeed, so it skips retries.
func decode(t *asynq.Task, v any) error {
	if err := json.Unmarshal(t.Payload(), v); err != nil {
		return fmt.Errorf("bad payload for %s: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}

// permanent wraps domain errors that retrying cannot fix (not found,
// invalid state) so asynq does not retry them.
func permanent(err error) error {
	if err == nil {
		return nil
	}
	switch domain.ErrorCode(err) {
	case domain.ECodeInternal, domain.ECodeUnavailable, domain.ECodeConflict:
		return err
	}
	return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) {
	msg := fmt.Sprint(args...)
	// The server and scheduler share the process's Redis client and try to
	// close it at shutdown; the client is closed by its owner instead.
	if strings.Contains(msg, "connection is shared") {
		a.l.Debug(msg, "component", "asynq")
		return
	}
	a.l.Error(msg, "component", "asynq")
}
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
