package bun

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// GroupCommit says whether concurrent writes share transactions. On
// SQLite every write queues for a shared transaction (writeGrouped). On
// PostgreSQL the hot single-statement writes of a message's path
// (RecordInbound, BeginFiring, RecordOutbound, RecordOutboundUnder,
// CompleteStep, FinishFiring) queue and are sent together as one
// pipelined transaction, one round trip and one commit for the batch
// (pgbatch.go); it needs pgx's database/sql driver (Open uses it) and is
// off with any other. Either way a call returns only after its own writes
// are committed, or with its own error and nothing of it written.
type GroupCommit int

const (
	// GroupCommitDefault is on for SQLite and for PostgreSQL, as measured
	// by `waauto bench` (internal/app/BENCHMARKS.md).
	GroupCommitDefault GroupCommit = iota
	// GroupCommitOn makes concurrent writes share transactions.
	GroupCommitOn
	// GroupCommitOff gives every write its own transaction.
	GroupCommitOff
)

// GroupsCommits reports whether concurrent writes share transactions
// (Options.GroupCommit). On SQLite every write does, a caller's InTx too;
// on PostgreSQL the hot single-statement writes do (pgbatch.go).
func (s *Store) GroupsCommits() bool { return s.gc != nil || s.pgb != nil }

// maxGroupCommit bounds the writes of one shared transaction, so that a
// batch holds SQLite's write lock for a few milliseconds at most.
const maxGroupCommit = 128

// writeReq is one write waiting for its batch.
type writeReq struct {
	waiter
	fn    func(ctx context.Context, tx bun.Tx) error
	panic any // fn's panic, raised again in the caller
}

// newGroupCommit returns the queue of s's shared transactions.
func (s *Store) newGroupCommit() *batchQueue[*writeReq] {
	return &batchQueue[*writeReq]{max: maxGroupCommit, run: s.runBatch}
}

// writeGrouped queues fn for the next shared transaction and returns once
// that transaction committed (nil: fn's writes are durable), with fn's own
// error (its writes undone, the others' kept; see runBatch) or with the
// commit's error (nothing of the batch was written). With no other
// write pending, fn runs at once in a transaction of its own: one writer
// never waits for company (batchQueue).
func (s *Store) writeGrouped(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	r := &writeReq{waiter: waiter{ctx: ctx}, fn: fn}
	err := s.gc.submit(r)
	if isDone(&r.waiter) && r.panic != nil {
		panic(r.panic)
	}
	return err
}

// runBatch runs the writes of live in one transaction, holding the write
// slot on SQLite, and returns the commit's error. The writes run one after
// the other with no savepoint between them (a savepoint made SQLite copy
// every page it touched to a statement journal, which cost more than the
// commits it saved): when one fails, it gets its error, the transaction is
// rolled back and the writes before it run again, without it, in a new
// one. The committed state is that of the successful writes run one by
// one in order; each failed one saw the writes before it, as if it had
// run alone at its turn.
func (s *Store) runBatch(ctx context.Context, live []*writeReq) error {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	for len(live) > 0 {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin shared transaction: %w", err)
		}
		failed := -1
		for i, r := range live {
			if r.err = callWrite(context.WithoutCancel(r.ctx), tx, r); r.err != nil {
				failed = i
				break
			}
		}
		if failed < 0 {
			return tx.Commit()
		}
		_ = tx.Rollback()
		// The failed write keeps its error; the ones after it have not run.
		live = append(live[:failed:failed], live[failed+1:]...)
	}
	return nil
}

// callWrite runs r.fn on tx, a panic recorded in r.panic (and returned as
// an error) so that it reaches the caller, not the committing goroutine.
func callWrite(ctx context.Context, tx bun.Tx, r *writeReq) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panic = p
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return r.fn(ctx, tx)
}

// execQuery is a writing bun query that Store.exec runs.
type execQuery interface {
	Exec(ctx context.Context, dest ...any) (sql.Result, error)
}

// onConn returns q to run on c (a shared transaction).
func onConn(q execQuery, c bun.IConn) execQuery {
	switch q := q.(type) {
	case *bun.InsertQuery:
		return q.Conn(c)
	case *bun.UpdateQuery:
		return q.Conn(c)
	case *bun.DeleteQuery:
		return q.Conn(c)
	case *bun.RawQuery:
		return q.Conn(c)
	}
	panic(fmt.Sprintf("bun store: exec of %T", q))
}

// pgPlaceholders caches queries with ? rewritten as $1, $2, … for pgx.
var pgPlaceholders sync.Map // string → string

// execArgs runs a constant writing statement with its arguments passed to
// the driver, not formatted into the text as bun does: SQLite's
// connections then parse it once (stmtcache.go), and pgx prepares it once
// per connection. query uses ? placeholders and no ? in literals.
func (s *Store) execArgs(ctx context.Context, db bun.IDB, query string, args ...any) (sql.Result, error) {
	c := sqlConn(db)
	if c == nil {
		return db.ExecContext(ctx, query, args...)
	}
	return c.ExecContext(ctx, s.placeholders(query), args...)
}

// queryRowArgs is execArgs for a statement returning one row (an UPDATE or
// INSERT … RETURNING *), scanned into the bun model dest: sql.ErrNoRows
// when it returns none.
func (s *Store) queryRowArgs(ctx context.Context, db bun.IDB, dest any, query string, args ...any) error {
	c := sqlConn(db)
	if c == nil {
		return db.NewRaw(query, args...).Scan(ctx, dest)
	}
	rows, err := c.QueryContext(ctx, s.placeholders(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := s.db.ScanRow(ctx, rows, dest); err != nil {
		return err
	}
	for rows.Next() { // SQLite may report an error after the first row
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// sqlConn is the database/sql handle under db, nil for other IDBs.
func sqlConn(db bun.IDB) interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
} {
	switch d := db.(type) {
	case bun.Tx:
		return d.Tx
	case *bun.DB:
		return d.DB
	}
	return nil
}

// placeholders returns query as the driver wants it: ? on SQLite, $n on
// PostgreSQL.
func (s *Store) placeholders(query string) string {
	if !s.pg {
		return query
	}
	q, ok := pgPlaceholders.Load(query)
	if !ok {
		q, _ = pgPlaceholders.LoadOrStore(query, numberPlaceholders(query))
	}
	return q.(string)
}

// numberPlaceholders rewrites the ? of query as $1, $2, ….
func numberPlaceholders(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
