package riverqueue_test

import (
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
)

func quiet() bunstore.Options { return buntest.Quiet() }

func openSQLite(t testing.TB, path string) *bunstore.Store { return buntest.Open(t, path) }

func newSQLite(t testing.TB) *bunstore.Store { return buntest.SQLite(t) }

func postgresDSN(t testing.TB) string { return buntest.PostgresDSN(t) }

func openPostgres(t testing.TB, dsn string) *bunstore.Store { return buntest.Open(t, dsn) }

func newPostgres(t testing.TB) *bunstore.Store { return buntest.Postgres(t) }

var backends = []struct {
	name string
	open func(testing.TB) *bunstore.Store
}{
	{"sqlite", newSQLite},
	{"postgres", newPostgres},
}
