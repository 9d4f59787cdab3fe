package bun_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// Every pooled connection, not only the first, has the pragmas.
func TestSQLitePragmasOnEveryConnection(t *testing.T) {
	s := newSQLite(t)
	ctx := context.Background()
	const n = 4
	conns := make([]*sql.Conn, n)
	for i := range conns {
		c, err := s.DB().DB.Conn(ctx) // held, so each is a distinct connection
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	want := map[string]string{"journal_mode": "wal", "synchronous": "1", "busy_timeout": "10000", "foreign_keys": "1", "wal_autocheckpoint": "10000"}
	for i, c := range conns {
		for pragma, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, pragma, err)
			}
			if got != w {
				t.Errorf("conn %d: PRAGMA %s = %s, want %s", i, pragma, got, w)
			}
		}
	}
}

// Foreign keys are enforced: a message needs its conversation.
func TestSQLiteForeignKeysEnforced(t *testing.T) {
	s := newSQLite(t)
	_, err := s.DB().ExecContext(context.Background(),
		`INSERT INTO waauto_messages (session, id, phone, author, at, seq) VALUES ('s', 'm', '+1', 'customer', 1, 1)`)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("insert of an orphan message: err = %v, want a FOREIGN KEY failure", err)
	}
}

// The database file and its WAL and shared-memory files are 0600.
func TestSQLiteFileMode0600(t *testing.T) {
	s := newSQLite(t)
	ctx := context.Background()
	if _, err := s.RecordInbound(ctx, trigger.Message{ID: "m1", Session: "s", Phone: "+331", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	var path string
	if err := s.DB().NewRaw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(ctx, &path); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), m)
		}
	}
}

// TestSQLiteExistingFileTightenedTo0600: a database (and its WAL) left
// 0644 by an older version or a copy is made 0600 when opened.
func TestSQLiteExistingFileTightenedTo0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waauto.db")
	s, err := bunstore.Open(t.Context(), path, bunstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordInbound(t.Context(), trigger.Message{ID: "m1", Session: "s", Phone: "+331", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(path+"-wal", nil, 0o644); err != nil { // an empty WAL holds nothing
			t.Fatal(err)
		}
	}
	for _, p := range []string{path, path + "-wal"} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err = bunstore.Open(t.Context(), path, bunstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s reopened: mode %o, want 600", filepath.Base(p), m)
		}
	}
}

// writeFile writes content to a new file in t's temp dir.
func writeFile(t *testing.T, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "some.db")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sqliteFile creates a SQLite file with the given statements run on it.
func sqliteFile(t *testing.T, stmts ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return p
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	header := []byte("SQLite format 3\x00")
	corrupt := append(append([]byte{}, header...), []byte(strings.Repeat("\xff", 4080))...)
	cases := []struct {
		name    string
		path    func(t *testing.T) string
		foreign bool // wants ErrForeignDatabase, not just an error
		opts    bunstore.Options
	}{
		{"text file", func(t *testing.T) string { return writeFile(t, []byte("my notes\n")) }, true, bunstore.Options{}},
		{"short file", func(t *testing.T) string { return writeFile(t, header[:8]) }, true, bunstore.Options{}},
		{"corrupt database", func(t *testing.T) string { return writeFile(t, corrupt) }, false, bunstore.Options{}},
		{"other application's tables", func(t *testing.T) string {
			return sqliteFile(t, "CREATE TABLE invoices (id INTEGER)")
		}, true, bunstore.Options{}},
		{"other application_id even when shared", func(t *testing.T) string {
			return sqliteFile(t, "PRAGMA application_id = 42", "CREATE TABLE invoices (id INTEGER)")
		}, true, bunstore.Options{Shared: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.path(t)
			before, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			s, err := bunstore.Open(context.Background(), p, c.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want the file refused")
			}
			if c.foreign && !errors.Is(err, bunstore.ErrForeignDatabase) {
				t.Errorf("err = %v, want ErrForeignDatabase", err)
			}
			if !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line naming %s", err, p)
			}
			after, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(after) != string(before) {
				t.Errorf("the refused file was modified (%d → %d bytes)", len(before), len(after))
			}
		})
	}
}

// Options.Shared accepts a file that holds other tables, e.g. whatsmeow's.
func TestOpenSharedFile(t *testing.T) {
	p := sqliteFile(t, "CREATE TABLE whatsmeow_device (jid TEXT)")
	s, err := bunstore.Open(context.Background(), p, bunstore.Options{Shared: true})
	if err != nil {
		t.Fatalf("Open shared: %v", err)
	}
	defer s.Close()
	if _, err := s.CreditBalance(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A failing migration is reported in one line naming the database and the
// step, and leaves the database as it was (the whole run is one transaction).
func TestFailedMigrationRollsBack(t *testing.T) {
	p := sqliteFile(t, "CREATE TABLE waauto_contacts (x INTEGER)") // our name, wrong shape
	_, err := bunstore.Open(context.Background(), p, bunstore.Options{})
	var me *bunstore.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a *MigrationError", err)
	}
	msg := err.Error()
	for _, want := range []string{p, "20261201000001", "CREATE TABLE waauto_contacts", "already exists"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
	db, err := sql.Open(sqliteshim.ShimName, "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'waauto_%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d waauto_ objects after the failed migration, want only the pre-existing table", n)
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	dsn := "postgres://shop:s3cret-pw@127.0.0.1:1/shop?sslmode=disable&connect_timeout=2"
	_, err := bunstore.Open(context.Background(), dsn, bunstore.Options{})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cret-pw") {
		t.Errorf("error leaks the password: %q", msg)
	}
	if !strings.Contains(msg, "127.0.0.1:1/shop") || !strings.Contains(msg, "connect") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q, want one line naming the server and the failed connect", msg)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@h:5432/db?sslmode=disable": "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"host=h user=u password=pw dbname=db":       "host=h user=u password=xxxxx dbname=db",
	} {
		if got := bunstore.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// countMigrations returns the rows of the migration table.
func countMigrations(t *testing.T, s *bunstore.Store) int {
	t.Helper()
	n, err := s.DB().NewSelect().TableExpr("waauto_migrations").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// Opening twice, one after the other and concurrently from separate pools
// (as two processes would), migrates once and lets every opener in. On
// SQLite it opens new files in rounds: the first switch of a new file to
// WAL could fail at once with SQLITE_BUSY (about 1 round in 100 of 6
// openers under load, before setWAL); WAAUTO_MIGRATE_ROUNDS=400 makes
// that visible.
func TestMigrationsTwiceAndConcurrently(t *testing.T) {
	rounds := 10
	if n, err := strconv.Atoi(os.Getenv("WAAUTO_MIGRATE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		for r := range rounds {
			openConcurrently(t, filepath.Join(dir, fmt.Sprintf("w%d.db", r)), 6)
		}
	})
	t.Run("postgres", func(t *testing.T) { openConcurrently(t, postgresDSN(t), 4) })
}

// openConcurrently opens n stores on dsn at once, then one more, and
// checks that each migration step ran once.
func openConcurrently(t *testing.T, dsn string, n int) {
	t.Helper()
	ctx := context.Background()
	stores := make([]*bunstore.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = bunstore.Open(ctx, dsn, quiet()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	again, err := bunstore.Open(ctx, dsn, quiet())
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer again.Close()
	if got := countMigrations(t, again); got != 4 {
		t.Errorf("%d migration rows, want 4 (each step once)", got)
	}
}

// Two stores on one database (two processes): the unique key, not
// anything in memory, lets exactly one of them record a message.
func TestRecordInboundAcrossStores(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		stores := twoStores(t, dsn)
		const rounds = 20
		for r := range rounds {
			m := trigger.Message{ID: "wamid-" + string(rune('a'+r)), Session: "s", Phone: "+33611111111", Text: "x"}
			var wins [2]bool
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Go(func() {
					in, err := s.RecordInbound(ctx, m)
					if err != nil {
						t.Errorf("store %d: %v", i, err)
					}
					wins[i] = !in.Duplicate
				})
			}
			wg.Wait()
			if wins[0] == wins[1] {
				t.Fatalf("round %d: wins = %v, want exactly one", r, wins)
			}
		}
		c, err := stores[0].Conversation(ctx, "s", "+33611111111")
		if err != nil {
			t.Fatal(err)
		}
		if c.MessageCount != rounds {
			t.Errorf("MessageCount = %d, want %d", c.MessageCount, rounds)
		}
	})
}

// New uses a *bun.DB the caller owns: the store migrates it and Close
// leaves it open.
func TestNewLeavesCallersDBOpen(t *testing.T) {
	sqldb, err := sql.Open(sqliteshim.ShimName, bunstore.SQLiteDSN(filepath.Join(t.TempDir(), "own.db")))
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, sqlitedialect.New())
	defer db.Close()
	ctx := context.Background()
	s, err := bunstore.New(ctx, db, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetCredits(ctx, 7); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var n int64
	if err := db.NewRaw("SELECT balance FROM waauto_credits").Scan(ctx, &n); err != nil || n != 7 {
		t.Fatalf("after Close, the caller's db reads %d, %v; want 7, nil", n, err)
	}
	if _, err := bunstore.New(ctx, db, quiet()); err != nil {
		t.Fatalf("New again on a migrated db: %v", err)
	}
}

var _ workflow.Store = (*bunstore.Store)(nil)

// Open bounds the pool on both databases: DefaultMaxOpenConns, or
// Options.MaxOpenConns; 40 concurrent holders of a connection on a pool
// of 3 wait their turn and all succeed, never more than 3 open at once.
func TestOpenBoundsThePool(t *testing.T) {
	ctx := context.Background()
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "pool.db")}
	if os.Getenv(buntest.PostgresEnv) != "" {
		dsns["postgres"] = buntest.PostgresDSN(t)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			def, err := bunstore.Open(ctx, dsn, bunstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := def.DB().Stats().MaxOpenConnections
			def.Close()
			if got != bunstore.DefaultMaxOpenConns {
				t.Errorf("default pool bound %d, want %d", got, bunstore.DefaultMaxOpenConns)
			}
			s, err := bunstore.Open(ctx, dsn, bunstore.Options{MaxOpenConns: 3})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var wg sync.WaitGroup
			errs := make(chan error, 40)
			for range 40 {
				wg.Go(func() {
					conn, err := s.DB().Conn(ctx)
					if err != nil {
						errs <- err
						return
					}
					defer conn.Close()
					errs <- conn.QueryRowContext(ctx, "SELECT 1").Scan(new(int))
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if st := s.DB().Stats(); st.MaxOpenConnections != 3 || st.OpenConnections > 3 {
				t.Errorf("pool bound %d with %d open, want 3 and at most 3", st.MaxOpenConnections, st.OpenConnections)
			}
		})
	}
}
