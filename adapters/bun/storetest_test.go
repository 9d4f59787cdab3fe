package bun_test

import (
	"os"
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/storetest"
)

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) workflow.Store { return newSQLite(t) })
}

func TestConformancePostgres(t *testing.T) {
	if os.Getenv(pgEnv) == "" {
		t.Skipf("PostgreSQL conformance skipped: set %s, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", pgEnv)
	}
	storetest.Run(t, func(t *testing.T) workflow.Store {
		s := newPostgres(t)
		if !s.GroupsCommits() {
			t.Fatal("group commit (pipelined, the default) is off")
		}
		return s
	})
}
