// Package drills holds CloudRoute's fault drills and bad-client limits
// (issue 9), written as Go tests that run with the rest of the suite.
//
// Each drill builds the real cloudroute binary once and runs it as a
// subprocess against backing services of its own: a private redis-server on
// a free port, a fresh database on the shared Postgres (internal/testenv),
// or, for the Postgres restart, a private Postgres cluster made with initdb
// in a temporary directory. A drill never stops, flushes or restarts the
// machine's shared Postgres or Redis. Every drill ends by checking the
// invariants in SQL: one active assignment per intake, one open intake per
// customer, one ledger entry per closed record, and the ledger reconciled
// with the statements.
//
// The package has no non-test code; this file only makes the folder a
// package.
package drills
