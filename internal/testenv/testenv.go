// Package testenv gives tests a fresh, migrated Postgres database and a
// private Redis database on the real services that .ci/run starts. It is
// imported only by _test.go files.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"github.com/cloudroute/cloudroute/internal/postgres"
)

// AdminURL is the server URL tests connect to for creating databases:
// TEST_DATABASE_URL, or the local trust-auth default.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is TEST_REDIS_URL or the local default.
func RedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
)

func withDB(base, name string) string {
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

func randName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// template builds, once per test binary, a migrated template database.
func template(ctx context.Context) (string, error) {
	tmplOnce.Do(func() {
		admin, err := sqlx.Open("postgres", AdminURL())
		if err != nil {
			tmplErr = err
			return
		}
		defer admin.Close()
		tmplName = randName("cloudroute_tmpl_")
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+tmplName); err != nil {
			tmplErr = fmt.Errorf("create template database (is Postgres running? see scripts/services.sh): %w", err)
			return
		}
		db, err := postgres.Open(ctx, withDB(AdminURL(), tmplName), 2)
		if err != nil {
			tmplErr = err
			return
		}
		_, tmplErr = db.Migrate(ctx, nil)
		db.Close()
	})
	return tmplName, tmplErr
}

// URL returns the URL of a fresh migrated database, dropped at the end of
// the test.
func URL(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	tmpl, err := template(ctx)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	admin, err := sqlx.Open("postgres", AdminURL())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	name := randName("cloudroute_test_")
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tmpl); err != nil {
		tb.Fatalf("testenv: create database: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sqlx.Open("postgres", AdminURL())
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return withDB(AdminURL(), name)
}

// MustOpenDB returns a connection pool to a fresh migrated database.
func MustOpenDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, _ := MustOpenDBWithSQL(tb)
	return db
}

// MustOpenDBWithSQL returns storage on a fresh migrated database, and a
// plain connection to the same database for what a test checks or sets up
// behind storage's back (rows, constraints, clocks in the data).
func MustOpenDBWithSQL(tb testing.TB) (*postgres.DB, *sqlx.DB) {
	tb.Helper()
	u := URL(tb)
	db, err := postgres.Open(context.Background(), u, 20)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db, MustOpenSQL(tb, u)
}

// MustOpenSQL returns a plain connection pool to the database at url,
// closed when the test ends.
func MustOpenSQL(tb testing.TB, url string) *sqlx.DB {
	tb.Helper()
	x, err := sqlx.Open("postgres", url)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	x.SetMaxOpenConns(10)
	tb.Cleanup(func() { x.Close() })
	return x
}

var redisMu sync.Mutex

// MustRedis returns a client on Redis database n, flushed. Each test
// package uses its own n so packages running at once do not share queues;
// tests within a package that use Redis must not run in parallel.
func MustRedis(tb testing.TB, n int) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		tb.Fatal(err)
	}
	// TEST_REDIS_DB_OFFSET shifts every package's database, so two test
	// runs on one machine do not flush each other's queues.
	if off, err := strconv.Atoi(os.Getenv("TEST_REDIS_DB_OFFSET")); err == nil {
		n += off
	}
	opt.DB = n
	c := redis.NewClient(opt)
	redisMu.Lock()
	defer redisMu.Unlock()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		tb.Fatalf("testenv: redis (is it running? see scripts/services.sh): %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// DropTemplates removes template databases left by earlier runs; call it
// from TestMain after m.Run.
func DropTemplates() {
	if tmplName == "" {
		return
	}
	admin, err := sqlx.Open("postgres", AdminURL())
	if err != nil {
		return
	}
	defer admin.Close()
	admin.Exec(`DROP DATABASE IF EXISTS ` + tmplName + ` WITH (FORCE)`)
}

// Quote makes s safe inside a SQL string literal (for test fixtures only).
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
