// Command gendata fills a database with the synthetic marketplace the
// routing benchmarks measure (SPEC §6): partners and their imported ACE
// track records, then optionally rebuilds the routing index and prints how
// long it took. See docs/benchmarks.md.
//
//	go run ./scripts/gendata --help
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/benchdata"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/cloudroute_bench?sslmode=disable"

const usage = `Usage: go run ./scripts/gendata [flags]

Creates the database if it does not exist, applies the migrations, inserts
synthetic partners and track-record outcomes (internal/benchdata, with COPY,
deterministic for a seed), and with --rebuild times a full routing-index
rebuild. The database must not already hold partners: drop it or pick
another name.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gendata", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := getenv("DATABASE_URL")
	if dbURL == "" {
		dbURL = defaultURL
	}
	fs.StringVar(&dbURL, "database-url", dbURL, "Postgres URL; $DATABASE_URL when set")
	partners := fs.Int("partners", 2000, "number of partners to insert")
	outcomes := fs.Int("outcomes", 1_000_000, "number of track-record outcomes to insert")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same data")
	rebuild := fs.Bool("rebuild", true, "rebuild the routing index afterwards and print how long it took")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *partners < 1 || *outcomes < 0 {
		return errors.New("--partners must be at least 1 and --outcomes at least 0")
	}

	if err := createIfMissing(ctx, dbURL, stdout); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, dbURL, 4)
	if err != nil {
		return err
	}
	defer db.Close()
	// A plain connection for the bulk load and the counts, beside storage.
	x, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer x.Close()

	start := time.Now()
	ran, err := db.Migrate(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations: %d applied in %s\n", len(ran), since(start))

	var existing int
	if err := x.GetContext(ctx, &existing, `SELECT count(*) FROM partners`); err != nil {
		return err
	}
	if existing > 0 {
		return fmt.Errorf("the database already holds %d partners; drop it or use another --database-url", existing)
	}

	fmt.Fprintf(stdout, "loading %d partners and %d outcomes (seed %d)...\n", *partners, *outcomes, *seed)
	start = time.Now()
	if err := benchdata.Load(ctx, x.DB, db.Now(), *partners, *outcomes, *seed); err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "load: %s (%.0f outcomes/s, including VACUUM ANALYZE)\n", el.Round(time.Millisecond),
		float64(*outcomes)/el.Seconds())

	if *rebuild {
		start = time.Now()
		if err := db.RebuildIndex(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "index rebuild: %s\n", since(start))
		var cells, stats int
		if err := x.GetContext(ctx, &cells, `SELECT count(*) FROM routing_index`); err != nil {
			return err
		}
		if err := x.GetContext(ctx, &stats, `SELECT count(*) FROM partner_stats`); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "routing_index: %d cells, partner_stats: %d rows\n", cells, stats)
		// What autovacuum would do next, so the database is in the state
		// routing meets in service (the benchmark server may run without it).
		start = time.Now()
		if _, err := x.ExecContext(ctx, `VACUUM (ANALYZE) routing_index, partner_stats`); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "vacuum analyze of the index: %s\n", since(start))
	}
	return nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

// createIfMissing creates the URL's database when Postgres says it does not
// exist, connecting to the server's postgres database to do it.
func createIfMissing(ctx context.Context, dbURL string, stdout io.Writer) error {
	db, err := postgres.Open(ctx, dbURL, 1)
	if err == nil {
		db.Close()
		return nil
	}
	var pqe *pq.Error
	if !errors.As(err, &pqe) || pqe.Code != "3D000" { // invalid_catalog_name
		return err
	}
	u, perr := url.Parse(dbURL)
	if perr != nil {
		return err
	}
	name := u.Path
	if len(name) > 0 && name[0] == '/' {
		name = name[1:]
	}
	u.Path = "/postgres"
	admin, aerr := sqlx.Open("postgres", u.String())
	if aerr != nil {
		return aerr
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	fmt.Fprintf(stdout, "created database %s\n", name)
	return nil
}
