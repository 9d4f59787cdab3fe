package bun_test

import (
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
)

// pgEnv names the environment variable with the PostgreSQL test DSN.
const pgEnv = buntest.PostgresEnv

func quiet() bunstore.Options { return buntest.Quiet() }

func newSQLite(t testing.TB) *bunstore.Store { return buntest.SQLite(t) }

func postgresDSN(t testing.TB) string { return buntest.PostgresDSN(t) }

func newPostgres(t testing.TB) *bunstore.Store { return buntest.Postgres(t) }

// backends are the databases every test runs on.
var backends = []struct {
	name string
	open func(testing.TB) *bunstore.Store
}{
	{"sqlite", newSQLite},
	{"postgres", newPostgres},
}

// eachDatabase runs f on a fresh SQLite file, then on a fresh PostgreSQL
// schema (skipped without WAAUTO_TEST_POSTGRES).
func eachDatabase(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "w.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, postgresDSN(t)) })
}

// twoStores opens two stores on one database, from two pools, as two
// processes would.
func twoStores(t *testing.T, dsn string) [2]*bunstore.Store {
	return [2]*bunstore.Store{buntest.Open(t, dsn), buntest.Open(t, dsn)}
}
