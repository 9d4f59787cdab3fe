package workflowtest_test

import (
	"path/filepath"
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// FuzzParseScenario: the scenario loader never panics and every error is
// a *LoadError at a line and column (RequirePositioned). The seeds are the
// repository's scenarios and sources of the load tests.
func FuzzParseScenario(f *testing.F) {
	workflowtest.AddSeeds(f, "../../testdata/scenarios/*.yaml",
		"name: x\nsteps:\n  - mesage: {from: \"+33611111111\"}\n",
		"name: x\ncredits: {balance: lots}\n",
		"name: x\nsteps:\n  - at: 2026-13-40T25:00\n",
		"name: x\ntimezone: Europe/Pariss\nsessions: [{id: a, modules: [ai, nope]}]\n",
		"name: x\nsteps:\n  - expect: [{send: {workflow: Nope}}]\n",
		"name: x\nsteps:\n  - {exclude: {phone: \"+33611111111\"}, include: {phone: \"+33611111111\"}}\n",
		"name: x\nworkflow_files: [missing.yaml]\nstart: 2026-01-05T09:00\nsteps:\n  - at: 2026-01-05T08:00\n")
	path := filepath.Join(f.TempDir(), "s.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := workflowtest.ParseScenario(path, data, workflow.LoadOptions{})
		workflowtest.RequirePositioned(t, err, path, len(data))
	})
}
