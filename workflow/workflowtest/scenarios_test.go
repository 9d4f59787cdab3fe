package workflowtest_test

import (
	"os"
	"testing"

	"github.com/waauto/waauto/workflow/workflowtest"
)

// The public scenarios live in the project's shared folder beside the repository.
func TestPublicScenarios(t *testing.T) {
	const dir = "../../../shared/scenarios"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("public scenarios not found at %s (shared/ is beside the repository in CI): %v", dir, err)
	}
	workflowtest.RunDir(t, dir)
}

// The project's own scenarios: one per behaviour rule.
func TestOwnScenarios(t *testing.T) {
	workflowtest.RunDir(t, "../../testdata/scenarios")
}
