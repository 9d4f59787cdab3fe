package whatsmeow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"

	// Drivers: modernc SQLite (pure Go, "sqlite") and pgx ("pgx").
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/waauto/waauto/workflow"
)

// DeviceStore holds the whatsmeow device keys of every number, and which
// number (session id) owns which device.
type DeviceStore struct {
	// Container is whatsmeow's store of devices.
	Container *sqlstore.Container
	db        *sql.DB
	sqlite    bool
}

const sessionTable = `CREATE TABLE IF NOT EXISTS waauto_wa_sessions (
	session_id TEXT PRIMARY KEY,
	jid        TEXT NOT NULL
)`

// OpenSQLite opens (creating with mode 0600) the SQLite file at path as a
// device store, with foreign keys on, WAL and a busy timeout. Keep it a
// file of its own: not the application's database.
func OpenSQLite(ctx context.Context, path string, logger *slog.Logger) (*DeviceStore, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create device store: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create device store: %w", err)
	}
	// An existing file may have looser permissions: tighten them.
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("protect device store: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open device store: %w", err)
	}
	return open(ctx, db, "sqlite", true, logger)
}

// OpenPostgres opens a PostgreSQL device store through pgx. Give it a
// schema or database that the dashboard's role cannot read.
func OpenPostgres(ctx context.Context, dsn string, logger *slog.Logger) (*DeviceStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open device store: %w", err)
	}
	return open(ctx, db, "pgx", false, logger)
}

func open(ctx context.Context, db *sql.DB, dialect string, sqlite bool, logger *slog.Logger) (*DeviceStore, error) {
	c := sqlstore.NewWithDB(db, dialect, NewWALogger(logger, "store"))
	if err := c.Upgrade(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("upgrade device store: %w", err)
	}
	if _, err := db.ExecContext(ctx, sessionTable); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("create session table: %w", err)
	}
	return &DeviceStore{Container: c, db: db, sqlite: sqlite}, nil
}

// SetMaxOpenConns bounds the device store's connection pool (n ≤ 0:
// unbounded); callers wait for a free connection.
func (s *DeviceStore) SetMaxOpenConns(n int) {
	s.db.SetMaxOpenConns(n)
	s.db.SetMaxIdleConns(n)
}

// Close closes the database.
func (s *DeviceStore) Close() error { return s.Container.Close() }

// ForeignKeys reports whether foreign keys are enforced (always true on
// PostgreSQL).
func (s *DeviceStore) ForeignKeys(ctx context.Context) (bool, error) {
	if !s.sqlite {
		return true, nil
	}
	var on bool
	if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
		return false, fmt.Errorf("read foreign_keys: %w", err)
	}
	return on, nil
}

// Bind records that session owns the device jid.
func (s *DeviceStore) Bind(ctx context.Context, session string, jid types.JID) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO waauto_wa_sessions (session_id, jid) VALUES ($1, $2)
		ON CONFLICT (session_id) DO UPDATE SET jid = excluded.jid`, session, jid.String())
	if err != nil {
		return fmt.Errorf("bind session %s: %w", session, err)
	}
	return nil
}

// Unbind forgets the device of session.
func (s *DeviceStore) Unbind(ctx context.Context, session string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM waauto_wa_sessions WHERE session_id = $1`, session); err != nil {
		return fmt.Errorf("unbind session %s: %w", session, err)
	}
	return nil
}

// Bindings lists the device JID of every bound session.
func (s *DeviceStore) Bindings(ctx context.Context) (map[string]types.JID, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT session_id, jid FROM waauto_wa_sessions`)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	out := map[string]types.JID{}
	for rows.Next() {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		jid, err := types.ParseJID(raw)
		if err != nil {
			return nil, fmt.Errorf("session %s: bad jid %q: %w", id, raw, err)
		}
		out[id] = jid
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// ErrNoDevice is returned by Device when the session's device was removed
// (for example logged out from the phone, which deletes its keys).
var ErrNoDevice = errors.New("no device for session")

// Device returns the stored device of session, or a new unpaired device
// when the session is not bound yet. A bound session whose device is gone
// returns ErrNoDevice.
func (s *DeviceStore) Device(ctx context.Context, session string) (*store.Device, error) {
	b, err := s.Bindings(ctx)
	if err != nil {
		return nil, err
	}
	jid, ok := b[session]
	if !ok {
		return s.Container.NewDevice(), nil
	}
	dev, err := s.Container.GetDevice(ctx, jid)
	if err != nil {
		return nil, fmt.Errorf("load device of session %s: %w", session, err)
	}
	if dev == nil {
		return nil, fmt.Errorf("session %s: %w", session, ErrNoDevice)
	}
	return dev, nil
}

// secretPattern matches long hex or base64 runs: key bytes, QR payloads
// and node dumps that may carry them.
var secretPattern = regexp.MustCompile(`[A-Za-z0-9+/=_\-]{24,}(,[A-Za-z0-9+/=_\-]+)*`)

// Redact masks anything in s that looks like key material or a QR
// payload, besides the secrets workflow.Redactor masks.
func Redact(s string) string {
	return secretPattern.ReplaceAllString((*workflow.Redactor)(nil).Redact(s), "[redacted]")
}

// waLogger adapts *slog.Logger to whatsmeow's logger. Debug output (which
// includes QR codes and raw nodes) is dropped; the rest is redacted.
type waLogger struct {
	log *slog.Logger
}

// NewWALogger returns a whatsmeow logger writing to logger (nil: discard).
// It drops whatsmeow's debug output, which contains QR codes and raw
// protocol nodes, and redacts key-like strings from the rest.
func NewWALogger(logger *slog.Logger, module string) waLog.Logger {
	if logger == nil {
		return waLog.Noop
	}
	return waLogger{log: logger.With("module", "whatsmeow/"+module)}
}

func (l waLogger) Warnf(msg string, args ...any) {
	l.log.Warn(Redact(fmt.Sprintf(msg, args...)))
}

func (l waLogger) Errorf(msg string, args ...any) {
	l.log.Error(Redact(fmt.Sprintf(msg, args...)))
}

func (l waLogger) Infof(msg string, args ...any) {
	l.log.Info(Redact(fmt.Sprintf(msg, args...)))
}

func (l waLogger) Debugf(string, ...any) {}

func (l waLogger) Sub(module string) waLog.Logger {
	return waLogger{log: l.log.With("sub", module)}
}
