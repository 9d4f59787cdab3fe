// Package buntest opens bun stores for tests: on a SQLite file in the
// test's temp dir, or on PostgreSQL in a fresh schema dropped when the test
// ends (tests never see each other's rows), skipping with a clear message
// when WAAUTO_TEST_POSTGRES is unset.
package buntest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	bunstore "github.com/waauto/waauto/adapters/bun"
)

// PostgresEnv names the environment variable with the PostgreSQL test DSN.
const PostgresEnv = "WAAUTO_TEST_POSTGRES"

// Quiet is bunstore.Options that discard logs.
func Quiet() bunstore.Options {
	return bunstore.Options{Logger: slog.New(slog.DiscardHandler)}
}

// Open opens (creating, migrating) a store on dsn, closed at cleanup.
func Open(t testing.TB, dsn string) *bunstore.Store {
	t.Helper()
	s, err := bunstore.Open(context.Background(), dsn, Quiet())
	if err != nil {
		t.Fatalf("Open(%s): %v", bunstore.Redact(dsn), err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// SQLite opens a store on a fresh file in t's temp dir.
func SQLite(t testing.TB) *bunstore.Store {
	t.Helper()
	return Open(t, filepath.Join(t.TempDir(), "waauto.db"))
}

// Postgres opens a store in a fresh schema, or skips t.
func Postgres(t testing.TB) *bunstore.Store {
	t.Helper()
	return Open(t, PostgresDSN(t))
}

// PostgresDSN returns WAAUTO_TEST_POSTGRES with its search_path set to a
// fresh schema, dropped at cleanup. It skips t when the variable is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", PostgresEnv)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}
