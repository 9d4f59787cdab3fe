package memstore_test

import (
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) workflow.Store { return memstore.New() })
}
