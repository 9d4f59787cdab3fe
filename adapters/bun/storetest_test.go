package bun_test

import (
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/storetest"
)

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) workflow.Store { return newSQLite(t) })
}

func TestConformancePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) workflow.Store { return newPostgres(t) })
}
