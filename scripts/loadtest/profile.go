package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jmoiron/sqlx"
)

// profiles gathers, while the worker drains the backlog, a Go CPU profile
// of the server (--cpuprofile) and the statements Postgres ran for its
// database (--pg-statements).
type profiles struct {
	done chan error
}

// wait returns once both are written.
func (p *profiles) wait() error {
	if p == nil {
		return nil
	}
	return <-p.done
}

func startProfiles(ctx context.Context, o options, srv *server, db *sqlx.DB, log logger) (*profiles, error) {
	if o.cpuProfile == "" && o.pgStatements == "" {
		return nil, nil
	}
	if o.pgStatements != "" {
		// The view lives in the database it is created in; its counters are
		// the whole server's, filtered to this database below.
		if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
			return nil, fmt.Errorf("--pg-statements: %w", err)
		}
		if _, err := db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
			return nil, fmt.Errorf("--pg-statements (is pg_stat_statements in shared_preload_libraries?): %w", err)
		}
	}
	log.f("      profiling the drain for %s:%s%s", o.profileFor, map[bool]string{true: " CPU profile → " + o.cpuProfile}[o.cpuProfile != ""],
		map[bool]string{true: " pg_stat_statements → " + o.pgStatements}[o.pgStatements != ""])
	p := &profiles{done: make(chan error, 1)}
	go func() {
		var errs []string
		start := time.Now()
		if o.cpuProfile != "" {
			if err := fetchProfile(ctx, srv.metrics, o.cpuProfile, o.profileFor); err != nil {
				errs = append(errs, "--cpuprofile: "+err.Error())
			}
		}
		if o.pgStatements != "" {
			select {
			case <-ctx.Done():
			case <-time.After(o.profileFor - time.Since(start)):
			}
			if err := writeStatements(ctx, db, o.pgStatements, time.Since(start)); err != nil {
				errs = append(errs, "--pg-statements: "+err.Error())
			}
		}
		if len(errs) > 0 {
			p.done <- fmt.Errorf("%s", strings.Join(errs, "; "))
			return
		}
		p.done <- nil
	}()
	return p, nil
}

// fetchProfile streams /debug/pprof/profile for d into path.
func fetchProfile(ctx context.Context, base, path string, d time.Duration) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, int(d.Seconds())), nil)
	if err != nil {
		return err
	}
	res, err := (&http.Client{Timeout: d + 30*time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("%s: %s", res.Status, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeStatements writes the statements of the server's database by total
// execution time, with what each cost per call and per routed intake.
func writeStatements(ctx context.Context, db *sqlx.DB, path string, over time.Duration) error {
	type stmt struct {
		Query   string  `db:"query"`
		Calls   int64   `db:"calls"`
		TotalMS float64 `db:"total_ms"`
		MeanMS  float64 `db:"mean_ms"`
		Rows    int64   `db:"rows"`
	}
	var st []stmt
	err := db.SelectContext(ctx, &st, `SELECT regexp_replace(query, '\s+', ' ', 'g') AS query, calls, total_exec_time AS total_ms,
		mean_exec_time AS mean_ms, rows
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY total_exec_time DESC LIMIT 40`)
	if err != nil {
		return err
	}
	var offered int64
	if err := db.GetContext(ctx, &offered, `SELECT count(*) FROM assignments WHERE offered_at >= now() - make_interval(secs => $1)`, over.Seconds()); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	var total float64
	var calls int64
	for _, s := range st {
		total += s.TotalMS
		calls += s.Calls
	}
	fmt.Fprintf(f, "pg_stat_statements over %.1fs of the backlog drain: %d offers made, %d calls, %.0f ms of execution in the top %d statements\n\n",
		over.Seconds(), offered, calls, total, len(st))
	tw := tabwriter.NewWriter(f, 2, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "total ms\tshare\tcalls\tcalls/offer\tmean ms\trows\tstatement")
	for _, s := range st {
		per := 0.0
		if offered > 0 {
			per = float64(s.Calls) / float64(offered)
		}
		q := s.Query
		if len(q) > 160 {
			q = q[:160] + "…"
		}
		fmt.Fprintf(tw, "%.0f\t%.1f%%\t%d\t%.2f\t%.3f\t%d\t%s\n", s.TotalMS, 100*s.TotalMS/max(total, 1), s.Calls, per, s.MeanMS, s.Rows, q)
	}
	if err := tw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
