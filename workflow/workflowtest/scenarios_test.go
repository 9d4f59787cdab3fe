package workflowtest_test

import (
	"testing"

	"github.com/waauto/waauto/workflow/workflowtest"
)

func TestPublicScenarios(t *testing.T) {
	workflowtest.RunDir(t, "../../../shared/scenarios")
}
