package workflowtest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/waauto/waauto/workflow/workflowtest"
)

const (
	// publicDir holds the repository's copies of the public scenarios.
	publicDir = "../../testdata/public-scenarios"
	// sharedDir is the project's shared folder beside the repository, the
	// copies' source.
	sharedDir = "../../../shared/scenarios"
)

// The public scenarios, from the repository's copies.
func TestPublicScenarios(t *testing.T) {
	workflowtest.RunDir(t, publicDir)
}

// The copies are the shared folder's files, byte for byte, when it is
// beside the repository.
func TestPublicScenariosMatchShared(t *testing.T) {
	shared, err := workflowtest.ScenarioFiles(sharedDir)
	if err != nil {
		t.Skipf("public scenarios not found at %s (shared/ is beside the repository in CI): %v", sharedDir, err)
	}
	copies, err := workflowtest.ScenarioFiles(publicDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != len(shared) {
		t.Errorf("%s has %d scenarios, %s %d (want the same files)", publicDir, len(copies), sharedDir, len(shared))
	}
	for _, s := range shared {
		want, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(publicDir, filepath.Base(s)))
		if err != nil {
			t.Errorf("%v (copy %s into %s)", err, s, publicDir)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (copy it again)", filepath.Join(publicDir, filepath.Base(s)), s)
		}
	}
}

// The project's own scenarios: one per behaviour rule.
func TestOwnScenarios(t *testing.T) {
	workflowtest.RunDir(t, "../../testdata/scenarios")
}
