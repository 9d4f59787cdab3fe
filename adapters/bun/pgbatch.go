package bun

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelined group commit on PostgreSQL.
//
// PostgreSQL's cost per write is its round trip and its commit, not the
// statement: on the project's machine pgbench commits 7,200 one-INSERT
// transactions a second, but 76,750 rows a second as transactions of 50
// INSERTs sent as one pipeline. The store's hot writes are single
// statements (recordInboundPG, beginFiring, recordOutboundUnderPG, the
// step insert, finishFiringPG), so concurrent callers queue them as
// pgStmt values, and one leader sends a batch of them on one connection as
// one pgx.Batch.
//
// pgx sends a batch as one pipeline: the statements (Parse/Bind/Execute)
// and a single Sync at the end (Conn.sendBatchExtendedWithDescription in
// pgx v5.12.0; statements new to the connection are prepared first, in a
// pipeline of their own with its own Sync). PostgreSQL runs the messages
// between two Syncs as one implicit transaction and commits it at the
// Sync; on an error it skips the rest up to the Sync and rolls the
// transaction back. So the batch has no BEGIN or COMMIT: it is one round
// trip, its statements see each other's writes in order, and
// BatchResults.Close returns once the Sync's ReadyForQuery arrived, i.e.
// after the commit (or with the commit's error). An explicit BEGIN would
// leave the connection in a failed transaction block after an error,
// needing one more round trip to roll it back.
//
// Failure handling is the SQLite group commit's (runBatch): a statement
// that fails gets its own error, the batch is rolled back by PostgreSQL
// and the statements before it are sent again without it; a commit or
// connection error goes to every statement of the batch, whose callers
// retry as before. A statement chosen as a deadlock or serialization
// victim is not blamed: the batch is sent again with it, a few times.

// maxPGBatch bounds the statements of one pipelined transaction.
const maxPGBatch = 256

// pgRetries bounds how often a batch is sent again because one of its
// statements was a deadlock or serialization victim.
const pgRetries = 3

// pgStmt is one statement waiting for its pipelined batch: a statement
// returning one row scanned into dest, or, with dest nil, one whose row
// count goes to affected (when not nil).
type pgStmt struct {
	waiter
	sql      string
	args     []any
	dest     []any
	affected *int64
}

// read reads st's result from the batch. An error from the server (a
// *pgconn.PgError) means the statement failed and the transaction is
// rolled back; any other error is the statement's own outcome (e.g.
// pgx.ErrNoRows, which is sql.ErrNoRows), its writes committed with the
// batch. read runs again when the batch is sent again; the last run
// counts.
func (st *pgStmt) read(br pgx.BatchResults) error {
	if st.dest != nil {
		return br.QueryRow().Scan(st.dest...)
	}
	tag, err := br.Exec()
	if err == nil && st.affected != nil {
		*st.affected = tag.RowsAffected()
	}
	return err
}

// newPGBatch returns the queue of s's pipelined transactions.
func (s *Store) newPGBatch() *batchQueue[*pgStmt] {
	return &batchQueue[*pgStmt]{max: maxPGBatch, run: s.runPGBatch}
}

// pgxDriver reports whether d is pgx's database/sql driver, which the
// pipelined group commit needs (it sends pgx batches).
func pgxDriver(d driver.Driver) bool {
	_, ok := d.(*stdlib.Driver)
	return ok
}

// queryRowPG runs a statement returning one row, scanned into dest:
// queued for the next pipelined transaction with group commit on, alone
// (autocommit) otherwise. It returns once the statement is committed
// (nil, or sql.ErrNoRows when it returned no row) or with the error of
// the statement or of the commit.
func (s *Store) queryRowPG(ctx context.Context, query string, dest []any, args ...any) error {
	if s.pgb != nil {
		return s.pgb.submit(&pgStmt{waiter: waiter{ctx: ctx}, sql: query, args: args, dest: dest})
	}
	return s.db.DB.QueryRowContext(ctx, query, args...).Scan(dest...)
}

// execPG is queryRowPG for a statement returning no row: it returns the
// number of rows the statement wrote.
func (s *Store) execPG(ctx context.Context, query string, args ...any) (int64, error) {
	if s.pgb != nil {
		var n int64
		if err := s.pgb.submit(&pgStmt{waiter: waiter{ctx: ctx}, sql: query, args: args, affected: &n}); err != nil {
			return 0, err // n may still be written by a batch the caller left
		}
		return n, nil
	}
	res, err := s.db.DB.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// runPGBatch sends live as one pipelined transaction on a connection of
// the pool, live shrinking as statements fail, and returns the commit's
// error, also set on each statement of the last try.
func (s *Store) runPGBatch(ctx context.Context, live []*pgStmt) error {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return failAll(live, fmt.Errorf("connection for a batch of %d statements: %w", len(live), err))
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		for retries := 0; len(live) > 0; {
			failed, err := sendPGBatch(ctx, pc, live)
			if err != nil || failed < 0 {
				return err
			}
			if isPGVictim(live[failed].err) && retries < pgRetries {
				retries++
				continue
			}
			// The failed statement keeps its error; the others run again.
			live = append(live[:failed:failed], live[failed+1:]...)
		}
		return nil
	})
	if err != nil {
		return failAll(live, fmt.Errorf("commit of %d statements: %w", len(live), err))
	}
	return nil
}

// failAll gives err to every statement of live, whatever read found: none
// of their writes is known to be committed.
func failAll(live []*pgStmt, err error) error {
	for _, st := range live {
		st.err = err
	}
	return err
}

// sendPGBatch sends live as one batch and reads the results in order. It
// returns the index of the statement that failed (its error in its err,
// the transaction rolled back), or -1 and the error of the commit.
func sendPGBatch(ctx context.Context, pc *pgx.Conn, live []*pgStmt) (int, error) {
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(live))}
	for _, st := range live {
		b.Queue(st.sql, st.args...)
	}
	br := pc.SendBatch(ctx, b)
	failed := -1
	for i, st := range live {
		st.err = st.read(br)
		var pgErr *pgconn.PgError
		if errors.As(st.err, &pgErr) {
			failed = blamed(live, i, st.err)
			break
		}
	}
	err := br.Close()
	if failed >= 0 {
		return failed, nil
	}
	return -1, err
}

// blamed is the index of the statement of live that failed when reading
// the i-th result gave err: i, or for an error while preparing the batch
// (before any statement ran), the first statement with the failing SQL.
func blamed(live []*pgStmt, i int, err error) int {
	var pre pgx.ErrPreprocessingBatch
	if !errors.As(err, &pre) {
		return i
	}
	for j, st := range live {
		if st.sql == pre.SQL() {
			if j != i {
				live[j].err, live[i].err = err, nil
			}
			return j
		}
	}
	return i
}

// isPGVictim reports whether err is a deadlock or serialization failure:
// the statement was rolled back for another transaction's sake and
// succeeds when sent again.
func isPGVictim(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}
