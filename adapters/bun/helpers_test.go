package bun_test

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

	_ "github.com/jackc/pgx/v5/stdlib"

	bunstore "github.com/waauto/waauto/adapters/bun"
)

// pgEnv names the environment variable with the PostgreSQL test DSN.
const pgEnv = "WAAUTO_TEST_POSTGRES"

func quiet() bunstore.Options {
	return bunstore.Options{Logger: slog.New(slog.DiscardHandler)}
}

// newSQLite opens a store on a fresh file in t's temp dir.
func newSQLite(t testing.TB) *bunstore.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "waauto.db")
	s, err := bunstore.Open(context.Background(), path, quiet())
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresDSN returns a DSN whose search_path is a fresh schema, dropped
// at cleanup, so tests never see each other's rows. It skips t when
// WAAUTO_TEST_POSTGRES is unset.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(pgEnv)
	if dsn == "" {
		t.Skipf("PostgreSQL tests skipped: set %s, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", pgEnv)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", pgEnv, err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
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

// newPostgres opens a store in a fresh schema, or skips t.
func newPostgres(t testing.TB) *bunstore.Store {
	t.Helper()
	dsn := postgresDSN(t)
	s, err := bunstore.Open(context.Background(), dsn, quiet())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// backends are the databases every test runs on.
var backends = []struct {
	name string
	open func(testing.TB) *bunstore.Store
}{
	{"sqlite", newSQLite},
	{"postgres", newPostgres},
}
