package bun_test

import (
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
