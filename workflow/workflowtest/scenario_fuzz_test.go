package workflowtest_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// FuzzParseScenario: the scenario loader never panics and every error is
// a LoadErrors of *LoadError at a line and column (but for a file over the
// size limit). The seeds are the repository's scenarios and the sources of
// the load tests.
func FuzzParseScenario(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/scenarios/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, src := range []string{
		"name: x\nsteps:\n  - mesage: {from: \"+33611111111\"}\n",
		"name: x\ncredits: {balance: lots}\n",
		"name: x\nsteps:\n  - at: 2026-13-40T25:00\n",
		"name: x\ntimezone: Europe/Pariss\nsessions: [{id: a, modules: [ai, nope]}]\n",
		"name: x\nsteps:\n  - expect: [{send: {workflow: Nope}}]\n",
		"name: x\nsteps:\n  - {exclude: {phone: \"+33611111111\"}, include: {phone: \"+33611111111\"}}\n",
		"name: x\nworkflow_files: [missing.yaml]\nstart: 2026-01-05T09:00\nsteps:\n  - at: 2026-01-05T08:00\n",
	} {
		f.Add([]byte(src))
	}
	path := filepath.Join(f.TempDir(), "s.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := workflowtest.ParseScenario(path, data, workflow.LoadOptions{})
		if err == nil {
			return
		}
		var les workflow.LoadErrors
		if !errors.As(err, &les) || len(les) == 0 {
			t.Fatalf("error %T is not LoadErrors: %v", err, err)
		}
		for _, le := range les {
			if le.File == path && (le.Line <= 0 || le.Column <= 0) && len(data) <= yamlpos.MaxSize {
				t.Fatalf("error without a position: %#v", le)
			}
		}
	})
}
