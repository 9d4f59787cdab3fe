package riverqueue_test

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

const pgEnv = "WAAUTO_TEST_POSTGRES"

func quiet() bunstore.Options { return bunstore.Options{Logger: slog.New(slog.DiscardHandler)} }

// openSQLite opens (creating) a store on path.
func openSQLite(t testing.TB, path string) *bunstore.Store {
	t.Helper()
	s, err := bunstore.Open(context.Background(), path, quiet())
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newSQLite(t testing.TB) *bunstore.Store {
	return openSQLite(t, filepath.Join(t.TempDir(), "waauto.db"))
}

// postgresDSN returns a DSN on a fresh schema dropped at cleanup, or skips.
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
	schema := "rq_" + hex.EncodeToString(b)
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

func openPostgres(t testing.TB, dsn string) *bunstore.Store {
	t.Helper()
	s, err := bunstore.Open(context.Background(), dsn, quiet())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newPostgres(t testing.TB) *bunstore.Store { return openPostgres(t, postgresDSN(t)) }

var backends = []struct {
	name string
	open func(testing.TB) *bunstore.Store
}{
	{"sqlite", newSQLite},
	{"postgres", newPostgres},
}
