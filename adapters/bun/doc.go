// Package bun stores everything WhatsApp Auto keeps — messages,
// conversations, contacts, firings, workflows, sessions, scheduled messages,
// the execution log and credits — in SQLite (embedded, pure Go, the
// default) or PostgreSQL (for several instances) through
// github.com/uptrace/bun. It implements workflow.Store and passes
// workflow/storetest on both databases.
//
// Open a file path or a postgres:// URL:
//
//	st, err := bun.Open(ctx, "waauto.db", bun.Options{})
//	...
//	defer st.Close()
//
// or hand over a *bun.DB you own with New. Either way the embedded
// migrations run first, in one transaction under a lock (BEGIN IMMEDIATE
// on SQLite, an advisory lock on PostgreSQL), so two processes starting
// at once are safe.
//
// Uniqueness is kept by the database, never by maps in memory: an inbound
// message is unique on (session, id), a firing on (workflow, session,
// message), a scheduled message moves between states by a conditional
// UPDATE, and a credit debit is one statement that cannot go below zero.
//
// Times are stored as Unix nanoseconds (BIGINT) so that both databases
// keep them exactly and compare them as integers; the zero time.Time is
// stored as 0 and read back as the zero value. Label and module lists,
// traces and action results are JSON text columns.
//
// The execution log is append-only with time-ordered IDs and is
// keyset-paginated by ID. The engine writes the rows of one inbound
// message in one AppendLogs call (a retried batch skips the IDs already
// stored) and a firing's row in the transaction of FinishFiring; see
// BENCHMARKS.md for what batching buys on each database. Beyond workflow.Store, CountLogs counts entries per period
// and reason (e.g. collisions avoided) and PurgeLogsBefore deletes old
// entries in bounded batches.
//
// Concurrent writes share transactions (group commit, Options.GroupCommit,
// on by default): each call still returns only after its writes are
// committed, or with its own error and nothing of it written. On
// PostgreSQL the hot single statements of a message's path are sent
// together as one pipelined transaction (one round trip, one commit).
// SQLite connections opened by Open keep their prepared statements and
// take turns at writing in Go rather than in SQLite's busy handler, so a
// job queue on the same file (River) is served in order with the store.
// internal/app/BENCHMARKS.md has the measurements.
//
// The package is pure Go on SQLite (modernc.org/sqlite through bun's
// sqliteshim): it builds and passes its tests with CGO_ENABLED=0.
package bun
