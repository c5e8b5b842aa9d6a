// Package postgres is CloudRoute's storage: sqlx over lib/pq, one file per
// aggregate. Public methods own their transaction; driver errors are
// translated to *domain.Error here and nowhere else.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// DB is CloudRoute's storage: the connection pool, kept unexported so that
// every query lives in this package, and the clock used for every
// timestamp that business rules depend on, so tests can move time without
// sleeping.
type DB struct {
	pool *sqlx.DB
	// Clock returns the current time. Tests replace it.
	Clock func() time.Time
	// stmts caches prepared statements of the hot paths (submission,
	// routing): Postgres then parses and plans them once per connection
	// instead of on every call.
	stmts sync.Map // query → *sqlx.Stmt
	// rcache holds routing's slowly changing inputs (see routingcache.go).
	rcache *routingCache
	// seal keeps the secrets stored encrypted (see secrets.go).
	seal atomic.Pointer[sealers]
	// url is the connection string the pool was opened with, for the
	// connections that live outside it (ListenOutbox).
	url string
	// notifier wakes the relays after commits that wrote events.
	notifier *outboxNotifier
}

// stmt returns the cached prepared statement for q, preparing it once.
func (db *DB) stmt(ctx context.Context, q string) (*sqlx.Stmt, error) {
	if s, ok := db.stmts.Load(q); ok {
		return s.(*sqlx.Stmt), nil
	}
	s, err := db.pool.PreparexContext(ctx, q)
	if err != nil {
		return nil, translate(err)
	}
	if prev, loaded := db.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return s, nil
}

// txStmt returns the cached statement for q bound to tx.
func (db *DB) txStmt(ctx context.Context, tx *Tx, q string) (*sqlx.Stmt, error) {
	s, err := db.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return tx.StmtxContext(ctx, s), nil
}

// Open connects to Postgres and checks that it answers.
func Open(ctx context.Context, url string, maxConns int) (*DB, error) {
	// Every timestamp leaves in UTC, whatever the server's TimeZone.
	if !strings.Contains(url, "timezone=") {
		if strings.Contains(url, "?") {
			url += "&timezone=UTC"
		} else {
			url += "?timezone=UTC"
		}
	}
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("ping postgres: %w", err)
	}
	out := &DB{pool: db, Clock: func() time.Time { return time.Now().UTC() }, rcache: &routingCache{}, url: url}
	out.seal.Store(randomSealers())
	out.startOutboxNotifier()
	return out, nil
}

// Ping checks that Postgres answers.
func (db *DB) Ping(ctx context.Context) error { return translate(db.pool.PingContext(ctx)) }

// Close closes the pool and the cached prepared statements.
func (db *DB) Close() error {
	db.stopOutboxNotifier()
	db.stmts.Range(func(_, s any) bool { s.(*sqlx.Stmt).Close(); return true })
	return db.pool.Close()
}

// Now is the clock's time in UTC, truncated to microseconds as Postgres
// stores it. A transaction takes it once (Tx.now), so that every row one
// change writes carries the same time.
func (db *DB) Now() time.Time { return db.Clock().UTC().Truncate(time.Microsecond) }

// Tx is a transaction with its one time: every timestamp the transaction
// writes is now (wtf's Tx.now).
type Tx struct {
	*sqlx.Tx
	now time.Time
	// emitted is set when the transaction writes to the outbox: its commit
	// then wakes the relays (notifyOutbox).
	emitted bool
}

func (db *DB) begin(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.pool.BeginTxx(ctx, opts)
	if err != nil {
		return nil, translate(err)
	}
	return &Tx{Tx: tx, now: db.Now()}, nil
}

// inTx runs fn in a transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, nil, fn)
}

// run runs fn in a transaction with opts, committing when fn returns nil.
func (db *DB) run(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	tx, err := db.begin(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.commit(db)
}

// commit commits tx and, if it wrote events, wakes the relays.
func (tx *Tx) commit(db *DB) error {
	if err := translate(tx.Commit()); err != nil {
		return err
	}
	if tx.emitted {
		db.notifyOutbox()
	}
	return nil
}

// inSnapshot runs fn in a read-only REPEATABLE READ transaction: every
// query fn makes sees the same snapshot, so figures that must agree with
// one another (the ledger and the statements, the admin metrics) cannot be
// torn apart by a change committed between two of the queries.
func (db *DB) inSnapshot(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, fn)
}

// asyncCommit lets tx commit without waiting for its WAL to reach disk.
// Only for work that is derived and re-derivable: if the server crashed
// right after such a commit, the change would be lost, and the job that made
// it runs again (routing: the drain re-routes intakes left in received or
// routing; the relay: a row relayed again is the same asynq TaskID). It
// keeps background work from competing with submissions for WAL flushes.
func asyncCommit(ctx context.Context, tx *Tx) error {
	_, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`)
	return translate(err)
}

// constraintCodes gives the meaning of the unique and check constraints that
// clients can trip, so a race lost in the database reads like the rule.
var constraintCodes = map[string]*domain.Error{
	"intakes_open_domain":                  {Code: domain.ECodeDuplicateIntake, Message: "an open intake already exists for this customer"},
	"intakes_open_account":                 {Code: domain.ECodeDuplicateIntake, Message: "an open intake already exists for this customer"},
	"assignments_one_active":               {Code: domain.ECodeConflict, Message: "the intake already has an active assignment"},
	"assignments_intake_id_partner_id_key": {Code: domain.ECodeConflict, Message: "this partner has already been assigned this intake"},
}

// translate turns driver errors into domain errors: no rows is not found, a
// known constraint is its rule, any other unique violation is a conflict,
// and a lost or refused connection is unavailable (a 503 that a client may
// retry). Everything else stays internal. The original error is kept
// (wrapped) behind an unavailable error, for the log.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.NotFound()
	}
	if isConnectionError(err) {
		return &domain.Error{Code: domain.ECodeUnavailable, Message: "the database is unavailable; retry shortly", Err: err}
	}
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		if e, ok := constraintCodes[pqe.Constraint]; ok {
			return &domain.Error{Code: e.Code, Message: e.Message}
		}
		switch pqe.Code {
		case "23505":
			return domain.Errorf(domain.ECodeConflict, "the change conflicts with existing data")
		case "40001", "40P01":
			return domain.Errorf(domain.ECodeConflict, "a concurrent change won; retry")
		}
	}
	return err
}

// isConnectionError reports whether err means Postgres could not be
// reached or dropped the connection, as opposed to refusing the statement:
// a network error, a closed connection, a deadline passed while waiting,
// or a server error of class 08 (connection exception) or one that says
// the server is shutting down, starting up or out of connections.
func isConnectionError(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		switch {
		case strings.HasPrefix(string(pqe.Code), "08"),
			pqe.Code == "57P01", pqe.Code == "57P02", pqe.Code == "57P03", // admin shutdown, crash shutdown, cannot connect now
			pqe.Code == "53300": // too many connections
			return true
		}
	}
	return false
}
