package bun

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/waauto/waauto/workflow"
)

// BusyTimeoutMillis is how long a SQLite connection waits for another
// writer (another process) before failing with SQLITE_BUSY.
const BusyTimeoutMillis = 10_000

// Open opens the database named by dsn and migrates it: a
// "postgres://" or "postgresql://" URL (or "host=… dbname=…" keywords)
// for PostgreSQL through pgx, anything else is a SQLite file path,
// optionally as a "file:" URI. A SQLite file is created with mode 0600
// when missing, an existing one open to other users is made 0600 (or
// refused with ErrUnsafePermissions when that fails), and refused with ErrForeignDatabase when it is not a
// SQLite database or holds another application's tables. The first SQLite
// database opened in a process reserves up to 8 MiB of the SQLite
// driver's C heap for the life of the process, which saves it a quarter of
// its CPU under load (sqlitemem.go).
//
// Errors are one line naming the database (passwords removed) and what
// failed, for example:
//
//	open postgres://app:xxxxx@db:5432/shop: connect: dial tcp …: connection refused
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if isPostgres(dsn) {
		return openPostgres(ctx, dsn, opts)
	}
	return openSQLite(ctx, dsn, opts)
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") ||
		strings.Contains(dsn, "dbname=") || strings.Contains(dsn, "host=")
}

// Redact returns dsn with any password replaced by "xxxxx", for messages
// (workflow.Redactor's shapes: a password in a URL or a password= keyword).
func Redact(dsn string) string { return (*workflow.Redactor)(nil).Redact(dsn) }

func openPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	name := Redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	sqldb := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(textArrays))
	sqldb.SetMaxOpenConns(opts.poolSize())
	sqldb.SetMaxIdleConns(opts.poolSize())
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open %s: connect: %w", name, err)
	}
	return start(ctx, bun.NewDB(sqldb, pgdialect.New()), opts, name)
}

// start migrates a database Open created and hands it over to the Store.
func start(ctx context.Context, db *bun.DB, opts Options, name string) (*Store, error) {
	s := newStore(db, opts, name)
	s.owned = true
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// SQLiteDSN returns the sqliteshim DSN Open uses for path: WAL (checkpointed
// every 10,000 pages), synchronous=NORMAL, busy_timeout, foreign keys on every connection, and
// immediate transactions (a transaction takes the write lock when it
// begins, so it never fails upgrading a read lock).
func SQLiteDSN(path string) string {
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMillis))
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_pragma", "foreign_keys(ON)")
	v.Add("_pragma", "temp_store(MEMORY)")
	// SQLite copies the WAL back into the database (a checkpoint) in the
	// connection whose commit passed this many pages, inside the process's
	// write slot: every 1,000 pages (SQLite's default), 4 % of the process
	// under a burst. At 10,000 (a WAL of up to 40 MB) a page written many
	// times is copied once: `waauto bench` (SQLite, River, 8,000 messages)
	// 1,627/1,668/1,708 -> 1,774/1,703/1,979 msg/s, alternated.
	v.Add("_pragma", "wal_autocheckpoint(10000)")
	v.Set("_txlock", "immediate")
	return sqliteURI(path) + "?" + v.Encode()
}

// sqliteURI makes path a SQLite URI filename, escaping what a URI would
// otherwise read as its query or fragment.
func sqliteURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// checkSQLiteFile refuses a foreign file before the pool opens it: the
// pool's pragmas (WAL) would rewrite the file header. It reads through a
// read-only connection without pragmas.
func checkSQLiteFile(ctx context.Context, path string, shared bool) error {
	sqldb, err := sql.Open(sqliteshim.ShimName, fmt.Sprintf("%s?mode=ro&_pragma=busy_timeout(%d)", sqliteURI(path), BusyTimeoutMillis))
	if err != nil {
		return err
	}
	defer sqldb.Close()
	return checkSQLiteOwner(ctx, bun.NewDB(sqldb, sqlitedialect.New()), shared)
}

// sqlitePath extracts the file path of a SQLite DSN, dropping any
// parameters: Open always sets its own.
func sqlitePath(dsn string) (string, error) {
	p := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" || p == ":memory:" || strings.HasPrefix(p, "file::memory:") {
		return "", errors.New("a SQLite database needs a file path (an in-memory database is not persistent)")
	}
	return p, nil
}

func openSQLite(ctx context.Context, dsn string, opts Options) (*Store, error) {
	path, err := sqlitePath(dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	name := "sqlite " + path
	warmSQLiteAllocator()
	if err := prepareSQLiteFile(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if err := checkSQLiteFile(ctx, path, opts.Shared); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if err := protectSQLiteFiles(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if err := setWAL(ctx, path); err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	// Connections keep their prepared statements and take turns at
	// writing (stmtcache.go).
	sqldb := sql.OpenDB(newStmtCacheConnector(sqliteshim.Driver(), SQLiteDSN(path)))
	sqldb.SetMaxOpenConns(opts.poolSize())
	sqldb.SetMaxIdleConns(opts.poolSize())
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	s, err := start(ctx, bun.NewDB(sqldb, sqlitedialect.New()), opts, name)
	if err != nil {
		return nil, err
	}
	s.wsem = nil // the connections hold the write slot
	return s, nil
}

// ErrUnsafePermissions: the SQLite file (or its -wal or -shm) is readable
// or writable by other users and could not be made 0600.
var ErrUnsafePermissions = errors.New("database file open to other users")

// protectSQLiteFiles makes the database and its -wal and -shm files mode
// 0600 when other users may read or write them (a file copied or created
// by another tool with 0644 holds every customer's messages); a file whose
// mode cannot be changed (owned by another user) is refused.
func protectSQLiteFiles(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check permissions: %w", err)
		}
		if fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return fmt.Errorf("%w: %s has mode %o and cannot be made 0600 (%v); run chmod 600 on it as its owner", ErrUnsafePermissions, p, fi.Mode().Perm(), err)
		}
	}
	return nil
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// prepareSQLiteFile creates path with mode 0600 when missing, and refuses
// an existing file that does not start with the SQLite header. An empty
// file is accepted: SQLite makes it a new database.
func prepareSQLiteFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create file: %w", err)
	}
	f, err = os.Open(path)
	if err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	defer f.Close()
	head := make([]byte, 100) // the database header is 100 bytes
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return nil
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("read file: %w", err)
	case n < len(head) || !bytes.HasPrefix(head, sqliteHeader):
		return fmt.Errorf("%w: the file is not a SQLite database (wrong header); it was left untouched", ErrForeignDatabase)
	}
	return nil
}
