package bun

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/waauto/waauto/workflow"
)

// Options configures a Store; the zero value is the default.
type Options struct {
	// Clock stamps the records the store creates on its own (contacts
	// created by UpdateLabels or SetExcluded); nil means the system clock.
	Clock workflow.Clock
	// Logger receives start-up and migration messages; nil discards them.
	Logger *slog.Logger
	// Shared lets Open use a SQLite file that already holds other
	// applications' tables (e.g. whatsmeow's). By default such a file is
	// refused as foreign so that a wrong path never gets our tables.
	Shared bool
	// MaxOpenConns bounds the connection pool Open creates, on SQLite and
	// on PostgreSQL; 0 means DefaultMaxOpenConns. Callers that need a
	// connection when all are busy wait for one (until their context
	// ends): a saturated database slows the product down, it never
	// refuses work with "too many clients".
	MaxOpenConns int
	// GroupCommit says whether concurrent writes share transactions (the
	// callers answered after the one commit, a failed write undone alone);
	// GroupCommitDefault turns it on, on SQLite and PostgreSQL.
	GroupCommit GroupCommit
}

// DefaultMaxOpenConns is the pool bound of Open when Options.MaxOpenConns
// is 0: far below PostgreSQL's default max_connections (100), and enough
// for 100 job-queue workers on this package's measurements
// (internal/app/BENCHMARKS.md).
const DefaultMaxOpenConns = 16

// poolSize is opts' pool bound.
func (opts Options) poolSize() int {
	if opts.MaxOpenConns > 0 {
		return opts.MaxOpenConns
	}
	return DefaultMaxOpenConns
}

// Store is a workflow.Store on a bun database. It is safe for concurrent
// use. Create it with Open or New; Close releases the pool Open created.
type Store struct {
	db    *bun.DB
	pg    bool
	owned bool // Close closes db
	// shared: Options.Shared, a SQLite file may hold foreign tables.
	shared bool
	clock  workflow.Clock
	log    *slog.Logger
	// name identifies the database in errors: a file path or a redacted URL.
	name string
	// wsem lets one writer at a time into SQLite from this process, so
	// that writers queue in Go rather than spin in SQLite's busy handler.
	// It is nil on PostgreSQL.
	wsem chan struct{}
	// gc queues concurrent writes for shared transactions on SQLite; nil
	// when group commit is off and on PostgreSQL.
	gc *batchQueue[*writeReq]
	// pgb queues the hot single-statement writes for pipelined
	// transactions on PostgreSQL (pgbatch.go); nil when group commit is
	// off and on SQLite.
	pgb *batchQueue[*pgStmt]
}

var _ workflow.Store = (*Store)(nil)

// ErrForeignDatabase is returned by Open for a SQLite file that is not a
// SQLite database, is corrupt, or belongs to another application.
var ErrForeignDatabase = errors.New("not a WhatsApp Auto database")

// New returns a Store on db, which the caller owns and closes (Close does
// not close it). It runs the migrations first. For SQLite, db's DSN should
// enable WAL, busy_timeout and foreign keys on every connection, as Open
// does (see SQLiteDSN).
func New(ctx context.Context, db *bun.DB, opts Options) (*Store, error) {
	s := newStore(db, opts, db.Dialect().Name().String())
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func newStore(db *bun.DB, opts Options, name string) *Store {
	s := &Store{db: db, clock: opts.Clock, log: opts.Logger, name: name, shared: opts.Shared}
	if s.clock == nil {
		s.clock = workflow.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.pg = db.Dialect().Name() == dialect.PG
	if !s.pg {
		s.wsem = make(chan struct{}, 1)
	}
	switch on := opts.GroupCommit != GroupCommitOff; {
	case on && !s.pg:
		s.gc = s.newGroupCommit()
	case on && pgxDriver(db.DB.Driver()):
		s.pgb = s.newPGBatch()
	}
	return s
}

// DB returns the underlying database, e.g. to share its pool and
// transactions with a job queue.
func (s *Store) DB() *bun.DB { return s.db }

// Close closes the pool when Open created it; it does nothing for New.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.name, err)
	}
	return nil
}

// lockWrite waits for this process's SQLite write slot; the returned func
// releases it. On PostgreSQL it does nothing.
func (s *Store) lockWrite(ctx context.Context) (func(), error) {
	if s.wsem == nil {
		return func() {}, nil
	}
	select {
	case s.wsem <- struct{}{}:
		return func() { <-s.wsem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// write runs fn in one transaction, holding the write slot on SQLite;
// with group commit, a transaction shared with concurrent writes (see
// writeGrouped). A nil error means fn's writes are committed.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if s.gc != nil {
		return s.writeGrouped(ctx, fn)
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.db.RunInTx(ctx, nil, fn)
}

// exec runs one writing statement, holding the write slot on SQLite, in
// a shared transaction with group commit.
func (s *Store) exec(ctx context.Context, q execQuery) (sql.Result, error) {
	if s.gc != nil {
		var res sql.Result
		err := s.write(ctx, func(ctx context.Context, tx bun.Tx) error {
			var err error
			res, err = onConn(q, tx).Exec(ctx)
			return err
		})
		return res, err
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return q.Exec(ctx)
}

// greatest is the SQL function returning the larger of its arguments.
func (s *Store) greatest() string {
	if s.pg {
		return "GREATEST"
	}
	return "MAX"
}

// notFound wraps workflow.ErrNotFound for a missing row and other errors
// with what was read.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, workflow.ErrNotFound)
	}
	return fmt.Errorf("read %s: %w", what, err)
}
