package bun

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
)

// applicationID marks a SQLite file as ours ("WAAU"), see
// https://www.sqlite.org/pragma.html#pragma_application_id.
const applicationID = 0x57414155

// migrations are the schema steps, in order. A step must never change once
// released; add a new one instead.
func migrations(pg bool) *migrate.Migrations {
	ms := migrate.NewMigrations()
	ms.Add(migrate.Migration{
		Name: "20261201000001", Comment: "initial_schema",
		Up: func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error {
			return execAll(ctx, m.DB(), schemaV1, pg)
		},
	})
	ms.Add(migrate.Migration{
		Name: "20261220000001", Comment: "retention_indexes",
		Up: func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error {
			return execAll(ctx, m.DB(), schemaRetention, pg)
		},
	})
	ms.Add(migrate.Migration{
		Name: "20261227000001", Comment: "durable_firings",
		Up: func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error {
			return execAll(ctx, m.DB(), schemaFirings, pg)
		},
	})
	ms.Add(migrate.Migration{
		Name: "20261228000001", Comment: "scheduled_origin",
		Up: func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error {
			return execAll(ctx, m.DB(), schemaScheduledOrigin, pg)
		},
	})
	return ms
}

// schemaScheduledOrigin adds the originating workflow of a follow-up to
// scheduled messages: its id, and its whole workflow.SendOrigin as JSON
// (empty for a message scheduled by hand).
var schemaScheduledOrigin = []string{
	`ALTER TABLE waauto_scheduled ADD COLUMN workflow_id {{key}} NOT NULL DEFAULT ''`,
	`ALTER TABLE waauto_scheduled ADD COLUMN origin TEXT NOT NULL DEFAULT ''`,
}

// schemaRetention indexes what the retention purges look up: messages and
// firings by age, conversations by number.
var schemaRetention = []string{
	`CREATE INDEX waauto_messages_at ON waauto_messages (at)`,
	`CREATE INDEX waauto_firings_at ON waauto_firings (at)`,
	`CREATE INDEX waauto_conversations_phone ON waauto_conversations (phone)`,
}

// schemaV1 is the first schema. {{key}} is a text column compared
// bytewise (IDs sort as Go strings do), {{bytes}} a binary column, and
// {{clustered}} stores a SQLite table in its primary key's b-tree (one
// b-tree less to update per row).
var schemaV1 = []string{
	`CREATE TABLE waauto_conversations (
		session {{key}} NOT NULL, phone {{key}} NOT NULL,
		agent TEXT NOT NULL DEFAULT '',
		message_count BIGINT NOT NULL DEFAULT 0,
		last_inbound_seq BIGINT NOT NULL DEFAULT 0, last_agent_seq BIGINT NOT NULL DEFAULT 0,
		last_inbound_at BIGINT NOT NULL DEFAULT 0, last_reply_at BIGINT NOT NULL DEFAULT 0,
		PRIMARY KEY (session, phone))`,
	`CREATE INDEX waauto_conversations_agent ON waauto_conversations (agent)`,
	`CREATE TABLE waauto_messages (
		session {{key}} NOT NULL, id {{key}} NOT NULL, phone {{key}} NOT NULL,
		author TEXT NOT NULL, kind TEXT NOT NULL DEFAULT '', type TEXT NOT NULL DEFAULT '',
		text TEXT NOT NULL DEFAULT '', at BIGINT NOT NULL, seq BIGINT NOT NULL,
		PRIMARY KEY (session, id),
		FOREIGN KEY (session, phone) REFERENCES waauto_conversations (session, phone))`,
	`CREATE INDEX waauto_messages_conversation ON waauto_messages (session, phone, seq)`,
	`CREATE INDEX waauto_messages_sent ON waauto_messages (session, phone, author, at)`,
	`CREATE TABLE waauto_contacts (
		phone {{key}} PRIMARY KEY, name TEXT NOT NULL DEFAULT '',
		labels TEXT NOT NULL DEFAULT '[]',
		excluded BOOLEAN NOT NULL DEFAULT FALSE, imported BOOLEAN NOT NULL DEFAULT FALSE,
		created_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE TABLE waauto_firings (
		workflow_id {{key}} NOT NULL, session {{key}} NOT NULL, message_id {{key}} NOT NULL,
		phone {{key}} NOT NULL, at BIGINT NOT NULL,
		PRIMARY KEY (workflow_id, session, message_id))`,
	`CREATE INDEX waauto_firings_last ON waauto_firings (workflow_id, session, phone, at)`,
	`CREATE TABLE waauto_counters (key {{key}} PRIMARY KEY, value BIGINT NOT NULL)`,
	`CREATE TABLE waauto_workflows (
		id {{key}} PRIMARY KEY, name TEXT NOT NULL DEFAULT '', position INTEGER NOT NULL DEFAULT 0,
		definition {{bytes}}, template BOOLEAN NOT NULL DEFAULT FALSE,
		updated_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE TABLE waauto_sessions (
		id {{key}} PRIMARY KEY, label TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',
		disabled TEXT NOT NULL DEFAULT '[]',
		disconnected_at BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE TABLE waauto_scheduled (
		id {{key}} PRIMARY KEY, session {{key}} NOT NULL, phone {{key}} NOT NULL,
		text TEXT NOT NULL DEFAULT '', at BIGINT NOT NULL, location TEXT NOT NULL DEFAULT '',
		status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', message_id TEXT NOT NULL DEFAULT '',
		created_at BIGINT NOT NULL DEFAULT 0, done_at BIGINT NOT NULL DEFAULT 0)`,
	`CREATE INDEX waauto_scheduled_status ON waauto_scheduled (status, at)`,
	`CREATE INDEX waauto_scheduled_session ON waauto_scheduled (session, at)`,
	`CREATE TABLE waauto_executions (
		id {{key}} PRIMARY KEY, at BIGINT NOT NULL,
		workflow_id {{key}} NOT NULL DEFAULT '', workflow TEXT NOT NULL DEFAULT '',
		session {{key}} NOT NULL DEFAULT '', phone {{key}} NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '', trigger TEXT NOT NULL DEFAULT '',
		outcome TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
		trace TEXT NOT NULL DEFAULT '[]', actions TEXT NOT NULL DEFAULT '[]'){{clustered}}`,
	`CREATE INDEX waauto_executions_at ON waauto_executions (at)`,
	`CREATE INDEX waauto_executions_workflow ON waauto_executions (workflow_id, id)`,
	// Serves the contact filter and per-conversation history; a filter on
	// the number alone scans IDs, as most rows of a shop match it anyway.
	`CREATE INDEX waauto_executions_contact ON waauto_executions (phone, session, id)`,
	`CREATE TABLE waauto_credits (id INTEGER PRIMARY KEY, balance BIGINT NOT NULL)`,
	`INSERT INTO waauto_credits (id, balance) VALUES (1, 0)`,
}

// schemaFirings makes a firing a durable unit: its state (firings recorded
// before it were done) and the completed steps of a running one.
var schemaFirings = []string{
	`ALTER TABLE waauto_firings ADD COLUMN state TEXT NOT NULL DEFAULT 'done'`,
	`CREATE INDEX waauto_firings_message ON waauto_firings (session, message_id)`,
	`CREATE TABLE waauto_firing_steps (
		firing_id {{key}} NOT NULL, key {{key}} NOT NULL,
		result TEXT NOT NULL DEFAULT '{}', value BIGINT NOT NULL DEFAULT 0,
		PRIMARY KEY (firing_id, key)){{clustered}}`,
}

// execAll runs the statements of one migration step.
func execAll(ctx context.Context, db bun.IDB, stmts []string, pg bool) error {
	r := strings.NewReplacer("{{key}}", "TEXT", "{{bytes}}", "BLOB", "{{clustered}}", " WITHOUT ROWID")
	if pg {
		r = strings.NewReplacer("{{key}}", `TEXT COLLATE "C"`, "{{bytes}}", "BYTEA", "{{clustered}}", "")
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, r.Replace(q)); err != nil {
			return fmt.Errorf("%.60s…: %w", strings.Join(strings.Fields(q), " "), err)
		}
	}
	return nil
}

// MigrationError is a failed start-up migration: which database, what failed.
type MigrationError struct {
	// Database is the SQLite path or the redacted PostgreSQL URL.
	Database string
	Err      error
}

// Error names the database and the cause.
func (e *MigrationError) Error() string {
	return fmt.Sprintf("migrate %s: %v", e.Database, e.Err)
}

// Unwrap returns the cause.
func (e *MigrationError) Unwrap() error { return e.Err }

// migrate brings the schema up to date. Every step and the bookkeeping run
// in one transaction on one connection, under a lock that a second process
// waits for: BEGIN IMMEDIATE on SQLite, a transaction-level advisory lock
// on PostgreSQL. A failed step leaves the database as it was.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return &MigrationError{s.name, fmt.Errorf("connect: %w", err)}
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		return s.migrateOn(ctx, dc.(driver.Conn))
	})
	if err != nil {
		return &MigrationError{s.name, err}
	}
	return nil
}

// migrateOn runs the migrations on the physical connection dc through a
// one-connection pool, so that bun's migrator works inside our transaction.
func (s *Store) migrateOn(ctx context.Context, dc driver.Conn) (err error) {
	sqldb := sql.OpenDB(pinned{dc})
	sqldb.SetMaxOpenConns(1)
	defer sqldb.Close()
	var db *bun.DB
	if s.pg {
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}

	begin := []string{"BEGIN IMMEDIATE"}
	if s.pg {
		begin = []string{"BEGIN", "SELECT pg_advisory_xact_lock(hashtext('waauto_migrate:' || current_schema()))"}
	}
	for _, q := range begin {
		if _, err := db.ExecContext(ctx, q); err != nil {
			if q != begin[0] {
				_, _ = db.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			}
			return fmt.Errorf("lock: %w", err)
		}
	}
	defer func() {
		if err != nil {
			_, _ = db.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()

	if !s.pg {
		if err := checkSQLiteOwner(ctx, db, s.shared); err != nil {
			return err
		}
	}
	m := migrate.NewMigrator(db, migrations(s.pg),
		migrate.WithTableName("waauto_migrations"),
		migrate.WithLocksTableName("waauto_migration_locks"),
		migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("create migration table: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return err
	}
	if !s.pg {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
			return fmt.Errorf("mark file: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if !group.IsZero() {
		s.log.InfoContext(ctx, "database migrated", "database", s.name, "group", group.String())
	}
	return nil
}

// checkSQLiteOwner refuses a file another application uses: one marked
// with another application_id, or, unless Options.Shared, one with tables
// but none of ours.
func checkSQLiteOwner(ctx context.Context, db bun.IDB, shared bool) error {
	var appID int64
	if err := db.NewRaw("PRAGMA application_id").Scan(ctx, &appID); err != nil {
		return fmt.Errorf("read file header: %w", err)
	}
	if appID != 0 && appID != applicationID {
		return fmt.Errorf("%w: the file belongs to another application (application_id %#x)", ErrForeignDatabase, appID)
	}
	if appID == applicationID || shared {
		return nil
	}
	var foreign []string
	err := db.NewRaw(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'waauto\_%' ESCAPE '\' ORDER BY name LIMIT 3`).
		Scan(ctx, &foreign)
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if len(foreign) > 0 {
		return fmt.Errorf("%w: the file holds other tables (%s); set Options.Shared to share it",
			ErrForeignDatabase, strings.Join(foreign, ", "))
	}
	return nil
}

// pinned is a driver.Connector that always hands out the same physical
// connection, which it never closes: the owning pool does.
type pinned struct{ conn driver.Conn }

func (p pinned) Connect(context.Context) (driver.Conn, error) { return pinnedConn{p.conn}, nil }
func (p pinned) Driver() driver.Driver                        { return nil }

type pinnedConn struct{ driver.Conn }

func (pinnedConn) Close() error { return nil }

func (c pinnedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, q, args)
	}
	return nil, driver.ErrSkip
}

func (c pinnedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if e, ok := c.Conn.(driver.QueryerContext); ok {
		return e.QueryContext(ctx, q, args)
	}
	return nil, driver.ErrSkip
}

func (c pinnedConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if e, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return e.PrepareContext(ctx, q)
	}
	return c.Conn.Prepare(q)
}

func (c pinnedConn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	return nil, errors.New("migrations run inside one transaction already")
}

// setWAL switches the SQLite file at path to WAL before the pool opens
// it. The pool's connections ask for WAL too (SQLiteDSN), but the first
// switch of a new file takes an exclusive lock that SQLite may refuse at
// once with SQLITE_BUSY, without waiting busy_timeout, when it sees a
// deadlock: processes opening a new file together then failed now and then
// (3 of 2,400 opens, TestMigrationsTwiceAndConcurrently under load). Here
// the switch is retried, with backoff, for up to BusyTimeoutMillis; once
// the file is WAL, asking for it again takes no lock.
func setWAL(ctx context.Context, path string) error {
	db, err := sql.Open(sqliteshim.ShimName, fmt.Sprintf("%s?_pragma=busy_timeout(%d)", sqliteURI(path), BusyTimeoutMillis))
	if err != nil {
		return fmt.Errorf("switch to WAL: %w", err)
	}
	defer db.Close()
	deadline := time.Now().Add(BusyTimeoutMillis * time.Millisecond)
	wait := time.Millisecond
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		switch {
		case err == nil && strings.EqualFold(mode, "wal"):
			return nil
		case err == nil:
			return fmt.Errorf("switch to WAL: the file stays in %s mode", mode)
		case !isBusy(err) || time.Now().After(deadline):
			return fmt.Errorf("switch to WAL: %w", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("switch to WAL: %w", ctx.Err())
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or an extended code
// of it), from modernc's driver (a Code method) or by its message.
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()&0xff == 5 // SQLITE_BUSY
	}
	return strings.Contains(err.Error(), "database is locked")
}
