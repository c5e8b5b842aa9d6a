// Command cloudroute is CloudRoute's one binary: the HTTP API with its job
// worker and scheduler (serve), the worker alone (worker), the migrations
// (migrate) and the commission reconciliation (reconcile).
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/api"
	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/config"
	"github.com/cloudroute/cloudroute/internal/jobs"
	"github.com/cloudroute/cloudroute/internal/mail"
	"github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/postgres"
	"github.com/cloudroute/cloudroute/internal/web"
)

const usage = `cloudroute routes startups to AWS partners.

Usage:
  cloudroute serve [--no-worker]   run the HTTP API, the founder's pages and the console, with the job worker and scheduler unless --no-worker
  cloudroute worker                run only the job worker, scheduler and outbox relay
  cloudroute migrate               apply the database migrations and exit
  cloudroute reconcile             check that the commission ledger equals the statements (exit 1 if not),
                                   and name the records on which ACE and CloudRoute disagree
  cloudroute help                  show this help

Every command takes --help.

`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "cloudroute:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage+config.Usage)
		if len(args) == 0 {
			return errors.New("a command is required")
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	noWorker := false
	switch cmd {
	case "serve":
		fs.BoolVar(&noWorker, "no-worker", false, "serve the API only; run workers separately with 'cloudroute worker'")
		fs.Usage = func() {
			fmt.Fprint(stderr, "Usage: cloudroute serve [--no-worker]\n\nApplies the migrations under a lock, makes sure the bootstrap admin key exists,\nthen serves the HTTP API and the founder's web pages (/, /status/...) on HTTP_ADDR\ntogether with the job worker and scheduler,\nand the Prometheus metrics on METRICS_ADDR.\n\nFlags:\n")
			fs.PrintDefaults()
			fmt.Fprint(stderr, "\n"+config.Usage)
		}
	case "worker":
		fs.Usage = func() {
			fmt.Fprint(stderr, "Usage: cloudroute worker\n\nRuns the asynq job worker, the periodic scheduler and the outbox relay,\nand serves their Prometheus metrics on METRICS_ADDR.\n\n"+config.Usage)
		}
	case "migrate":
		fs.Usage = func() {
			fmt.Fprint(stderr, "Usage: cloudroute migrate\n\nApplies every pending migration, in order, one transaction each, under an advisory lock.\n\n"+config.Usage)
		}
	case "reconcile":
		fs.Usage = func() {
			fmt.Fprint(stderr, "Usage: cloudroute reconcile\n\nProves that the sum of the commission ledger equals the sum of the statements\n(closed months plus open accruals), names every statement whose total differs\nfrom its entries, and exits 1 when anything differs. It also names the linked\nrecords on which ACE and CloudRoute disagree (launched in ACE and not closed\nafter ace_launched_unclosed_days, closed here and Closed Lost in ACE, ...).\n\n"+config.Usage)
		}
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%s: unexpected arguments %v", cmd, fs.Args())
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)

	db, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer db.Close()
	switch cmd {
	case "reconcile":
		r, err := db.Reconcile(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "ledger      %d cents\nstatements  %d cents (closed %d, open %d)\n", r.LedgerCents, r.StatementsCents, r.ClosedCents, r.OpenCents)
		for _, d := range r.Differences {
			fmt.Fprintf(stdout, "statement %s: total %d cents, entries %d cents\n", d.StatementID, d.TotalCents, d.EntryCents)
		}
		// What ACE disagrees with is named; it does not unbalance the ledger.
		for _, f := range r.ACEFindings {
			opp := "-"
			if f.OpportunityID != nil {
				opp = *f.OpportunityID
			}
			since := "-"
			if f.Since != nil {
				since = f.Since.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "ace finding %s: record %s (%s) opportunity %s since %s\n", f.Kind, f.RecordID, f.State, opp, since)
		}
		if !r.Balanced {
			return errors.New("the ledger and the statements do not reconcile")
		}
		fmt.Fprintln(stdout, "balanced")
		return nil
	case "migrate":
		ran, err := db.Migrate(ctx, log)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "migrations applied: %d\n", len(ran))
		return nil
	case "serve":
		if _, err := db.Migrate(ctx, log); err != nil {
			return err
		}
		if cfg.BootstrapAdminKey != "" {
			if err := db.EnsureAdminKey(ctx, cfg.BootstrapAdminKey); err != nil {
				return fmt.Errorf("bootstrap admin key: %w", err)
			}
		}
	}

	// Every process of a deployment seals, signs and opens with this key:
	// the webhook secrets, the receipts' sealed tokens, the unsubscribe
	// links.
	cfg.SecretKey = secretKey(cfg, log)
	if err := db.SetSecretKey(cfg.SecretKey); err != nil {
		return err
	}
	if cfg.WebhookAllowInsecureLoopback {
		log.Warn("WEBHOOK_ALLOW_INSECURE_LOOPBACK is on: webhook endpoints may use http and loopback addresses; for local development and tests only")
	}
	transport, err := mailTransport(cfg, log)
	if err != nil {
		return err
	}

	ropt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(ropt)
	defer rdb.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := jobs.NewMetrics(reg, db)
	if err != nil {
		return err
	}
	// The metrics have a listener of their own (METRICS_ADDR), never the
	// public one; the worker serves its job metrics there too. It stops
	// last, so that a scrape during shutdown still sees the final counts.
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, cfg.Pprof, reg, log)
		if err != nil {
			return err
		}
		defer stopMetrics(cfg.ShutdownGrace)
	}

	// One connector for the API and the worker: what one seals, the other
	// opens, and both pace a connection's writes through Redis.
	aceConn, err := aceconnect.New(aceconnect.Options{SecretKey: secretKey(cfg, log), Endpoints: cfg.ACE.Endpoints,
		BaseCredentials: aceBaseCredentials(cfg), STSEndpoint: cfg.ACE.STSEndpoint,
		Limiter: partnercentral.NewRedisLimiter(rdb, partnercentral.RedisLimiterOptions{}), Logger: log})
	if err != nil {
		return err
	}

	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	// workerDone reports the worker's end. It stays nil without a worker,
	// so that the selects below never take a missing worker for a dead one.
	var workerDone chan error
	if cmd == "worker" || !noWorker {
		workerDone = make(chan error, 1)
		// The worker gets a pool of its own, so handlers waiting on locks
		// can never starve the API of connections (and the reverse).
		wdb, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.WorkerConcurrency+4)
		if err != nil {
			return err
		}
		defer wdb.Close()
		if err := wdb.SetSecretKey(cfg.SecretKey); err != nil {
			return err
		}
		w := jobs.NewWorker(wdb, rdb, log, metrics, jobs.Options{Concurrency: cfg.WorkerConcurrency, OutboxPoll: cfg.OutboxPoll,
			OutboxPollListening: cfg.OutboxPollListening, OutboxNoListen: !cfg.OutboxListen,
			Mail: transport, EmailFrom: cfg.EmailFrom, PublicURL: cfg.PublicURL, AdminEmails: cfg.AdminEmails,
			SecretKey: cfg.SecretKey, WebhookAllowInsecureLoopback: cfg.WebhookAllowInsecureLoopback, ACE: aceConn})
		go func() { workerDone <- w.Run(workerCtx, cfg.ShutdownGrace) }()
		log.Info("worker started", "concurrency", cfg.WorkerConcurrency)
	}
	if cmd == "worker" {
		// A worker that fails to start, or stops on its own, ends the
		// process with an error, so that a supervisor restarts it instead
		// of keeping a live process that routes nothing.
		select {
		case err := <-workerDone:
			return fmt.Errorf("worker stopped: %w", orStopped(err))
		case <-ctx.Done():
		}
		log.Info("shutting down worker")
		stopWorker()
		return <-workerDone
	}

	// The API and the founder's pages share one rate limiter, so a client
	// has one allowance of intake submissions whichever it uses.
	limiter := api.NewRateLimiter(rdb, cfg.IntakeRateLimit, cfg.IntakeRateWindow, log)
	pages, err := web.New(web.Deps{DB: db, Limiter: limiter, SecretKey: secretKey(cfg, log), Log: log})
	if err != nil {
		return err
	}
	srv, err := api.New(api.Deps{DB: db, Redis: rdb, Config: cfg, Log: log, Registry: reg, Limiter: limiter, Pages: pages.Register, ACE: aceConn})
	if err != nil {
		return err
	}
	hs := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.ListenAndServe() }()
	log.Info("serving", "addr", cfg.HTTPAddr, "worker", !noWorker)
	select {
	case err := <-serveErr:
		stopWorker()
		if workerDone != nil {
			<-workerDone
		}
		return fmt.Errorf("http server: %w", err)
	case err := <-workerDone:
		// The API alone would accept intakes that nothing routes: stop.
		log.Error("worker stopped; shutting down", "err", orStopped(err).Error())
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
		defer cancel()
		hs.Shutdown(sctx)
		return fmt.Errorf("worker stopped: %w", orStopped(err))
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests and jobs", "grace", cfg.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("http shutdown", "err", err.Error())
	}
	stopWorker()
	if workerDone != nil {
		if err := <-workerDone; err != nil {
			log.Error("worker", "err", err.Error())
		}
	}
	log.Info("stopped")
	return nil
}

// secretKey is CLOUDROUTE_SECRET_KEY, or a random key for this process
// alone when it is unset: the server works, but what it signed or sealed
// (the CSRF tokens of forms already shown, unsubscribe links, webhook
// secrets, the ACE connections' credentials) is void after a restart and on
// any other process.
func secretKey(cfg config.Config, log *slog.Logger) []byte {
	if len(cfg.SecretKey) > 0 {
		return cfg.SecretKey
	}
	key := make([]byte, config.MinSecretKeyBytes)
	if _, err := rand.Read(key); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	log.Warn("CLOUDROUTE_SECRET_KEY is not set: using a random key for this process; forms, links and sealed secrets made now are void after a restart and on any other process. Set it to 32 random bytes in hex, such as the output of `openssl rand -hex 32`")
	return key
}

// mailTransport is the SMTP transport of SMTP_URL, or nil for the embedded
// default, which keeps mails in Postgres for admins to read.
func mailTransport(cfg config.Config, log *slog.Logger) (mail.Transport, error) {
	if cfg.SMTPURL == "" {
		log.Info("mail: no SMTP_URL; mails are stored in Postgres and admins read them at GET /v1/admin/mail")
		return nil, nil
	}
	t, err := mail.NewSMTP(mail.SMTPConfig{URL: cfg.SMTPURL})
	if err != nil {
		return nil, err
	}
	log.Info("mail: sending by SMTP", "server", t.Server().Redacted(), "from", cfg.EmailFrom)
	return t, nil
}

// aceBaseCredentials is CloudRoute's own AWS identity, which assumes the
// partners' roles; nil when none is configured.
func aceBaseCredentials(cfg config.Config) aws.CredentialsProvider {
	if cfg.ACE.AccessKeyID == "" {
		return nil
	}
	return partnercentral.StaticCredentials(cfg.ACE.AccessKeyID, cfg.ACE.SecretAccessKey, cfg.ACE.SessionToken)
}

// orStopped names a worker that returned without an error before it was
// asked to stop: that is a failure too.
func orStopped(err error) error {
	if err == nil {
		return errors.New("the worker returned before shutdown")
	}
	return err
}

// serveMetrics listens on addr at once, so that a taken or bad address stops
// the process before anything else starts, and serves GET /metrics there.
// The returned function shuts the listener down gracefully.
func serveMetrics(addr string, withPprof bool, reg *prometheus.Registry, log *slog.Logger) (func(grace time.Duration), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("METRICS_ADDR: %w", err)
	}
	ms := &http.Server{
		Handler: api.MetricsHandler(reg, withPprof),

		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err.Error())
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String())
	return func(grace time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if err := ms.Shutdown(ctx); err != nil {
			log.Error("metrics shutdown", "err", err.Error())
		}
	}, nil
}
