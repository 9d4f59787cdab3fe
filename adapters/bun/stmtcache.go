package bun

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
)

// stmtCacheSize bounds the prepared statements each SQLite connection
// keeps.
const stmtCacheSize = 128

// stmtCacheConnector opens SQLite connections that keep their prepared
// statements: a query with arguments (River's, written with placeholders)
// is parsed once per connection instead of at every call, which was a
// third of the process's CPU under load (internal/app/BENCHMARKS.md).
// Queries without arguments (bun's, which inlines its values) go to the
// driver unchanged.
//
// Its connections also take turns at writing: SQLite lets one writer in at
// a time and makes the others sleep and retry (busy_timeout), so a writer
// that keeps coming back (the store's group commit) starved River's fetches
// and completions, which found the file locked at every retry. Here every
// transaction (all are BEGIN IMMEDIATE, see SQLiteDSN) and every
// statement outside one that is not a SELECT first waits for the
// process's write slot, in Go, first come first served.
type stmtCacheConnector struct {
	drv driver.Driver
	dsn string
	// slot is the process's SQLite write slot (capacity 1).
	slot chan struct{}
}

func newStmtCacheConnector(drv driver.Driver, dsn string) *stmtCacheConnector {
	return &stmtCacheConnector{drv: drv, dsn: dsn, slot: make(chan struct{}, 1)}
}

func (c *stmtCacheConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{base: conn, slot: c.slot, index: map[string]*list.Element{}, lru: list.New()}, nil
}

func (c *stmtCacheConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what the SQLite driver's connections implement.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
}

// cachingConn is a SQLite connection with a bounded cache of prepared
// statements, by query text, least recently used out first. Like every
// driver.Conn it is used by one goroutine at a time.
type cachingConn struct {
	base  driver.Conn
	slot  chan struct{}
	inTx  bool                     // a transaction of this connection holds the slot
	index map[string]*list.Element // of *cachedStmt
	lru   *list.List               // front: most recently used
}

// cachedStmt is a prepared statement of the cache; busy while rows it
// returned are open (a second query with the same text then runs
// uncached).
type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool
}

var errNotSQLite = errors.New("statement cache: the driver's connection lacks a context method")

func (c *cachingConn) sqlite() (sqliteConn, error) {
	s, ok := c.base.(sqliteConn)
	if !ok {
		return nil, errNotSQLite
	}
	return s, nil
}

// get returns the idle cached statement of query, preparing it when
// missing; nil when it is busy.
func (c *cachingConn) get(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.index[query]; ok {
		c.lru.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	s, err := c.sqlite()
	if err != nil {
		return nil, err
	}
	st, err := s.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st}
	c.index[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		o := old.Value.(*cachedStmt)
		if o.busy { // its rows close it
			break
		}
		c.lru.Remove(old)
		delete(c.index, o.query)
		_ = o.stmt.Close()
	}
	return cs, nil
}

// acquire waits for the write slot.
func (c *cachingConn) acquire(ctx context.Context) error {
	select {
	case c.slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *cachingConn) release() { <-c.slot }

// needsSlot says whether query, outside a transaction, must wait for the
// write slot: anything but a SELECT may write.
func (c *cachingConn) needsSlot(query string) bool {
	if c.inTx {
		return false
	}
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) < 6 || !strings.EqualFold(q[:6], "select")
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.needsSlot(query) {
		if err := c.acquire(ctx); err != nil {
			return nil, err
		}
		defer c.release()
	}
	return c.exec(ctx, query, args)
}

func (c *cachingConn) exec(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.sqlite()
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return s.ExecContext(ctx, query, args)
	}
	cs, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return s.ExecContext(ctx, query, args)
	}
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs query, from the cache when it has arguments. A query
// that may write, outside a transaction, holds the write slot until its
// rows are closed (SQLite holds the lock as long).
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	var release func()
	if c.needsSlot(query) {
		if err := c.acquire(ctx); err != nil {
			return nil, err
		}
		release = c.release
	}
	rows, err := c.query(ctx, query, args)
	if err != nil || rows == nil {
		if release != nil {
			release()
		}
		return nil, err
	}
	if cr, ok := rows.(*cachedRows); ok {
		cr.release = release
		return cr, nil
	}
	if release == nil {
		return rows, nil
	}
	return &cachedRows{Rows: rows, release: release}, nil
}

func (c *cachingConn) query(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.sqlite()
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return s.QueryContext(ctx, query, args)
	}
	cs, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return s.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.base.Prepare(query) }

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.sqlite()
	if err != nil {
		return nil, err
	}
	return s.PrepareContext(ctx, query)
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx waits for the write slot, which the transaction holds until it
// ends.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	s, err := c.sqlite()
	if err != nil {
		return nil, err
	}
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	tx, err := s.BeginTx(ctx, opts)
	if err != nil {
		c.release()
		return nil, err
	}
	c.inTx = true
	return &slotTx{Tx: tx, c: c}, nil
}

// slotTx is a transaction holding its connection's write slot.
type slotTx struct {
	driver.Tx
	c *cachingConn
}

func (t *slotTx) Commit() error {
	defer t.end()
	return t.Tx.Commit()
}

func (t *slotTx) Rollback() error {
	defer t.end()
	return t.Tx.Rollback()
}

func (t *slotTx) end() {
	if t.c.inTx {
		t.c.inTx = false
		t.c.release()
	}
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	if c.inTx { // closed in a transaction: SQLite rolls it back
		c.inTx = false
		c.release()
	}
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.index)
	return errors.Join(append(errs, c.base.Close())...)
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.base.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.base.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.base.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// cachedRows are rows of a cached statement, or of a statement holding
// the write slot: closing them resets the statement (the driver's job),
// makes it idle again and releases the slot.
type cachedRows struct {
	driver.Rows
	cs      *cachedStmt // nil: not cached
	release func()      // nil: no slot held
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.cs != nil {
		r.cs.busy = false
		r.cs = nil
	}
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
