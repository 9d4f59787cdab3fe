package workflow_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/workflow"
)

// FuzzLoad: Load never panics and every error is a LoadErrors of
// *LoadError, each at a line and column except for a file over the size
// limit. The seeds are the workflow files of testdata and the sources of
// the load tests. A hang shows as the fuzzer's per-input timeout.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, src := range []string{
		wf("conditions:\n  all:\n    - not:\n        schedule: {days: [mon], from: \"09:00\", to: \"18:00\"}\n    - text: {contains_any: [prix, tarif], word: true}\n" + okActions),
		wf("conditions:\n  any:\n    - expr: \"hour in 9..17 && all(labels, {# != 'x'})\"\n    - phone: {in: [\"+33611111111\"]}\n" + okActions),
		wf("conditions: {text: {matches: \"(?i)^bon(jour|soir)\"}}\ncooldown: 8h\n" + okActions),
		"hours:\n  shop:\n    weekly: {mon: [\"09:00-18:00\"]}\nworkflows:\n  - name: A\n    template: out_of_hours\n",
		`{"name": "J", "trigger": "incoming_message", "actions": [{"reply": {"text": "hi"}}]}`,
		"[[[[x]]]]", "- - - - x", "a: !!binary aGk=\n", "a: [x,]\n", "a: \xff\n",
	} {
		f.Add([]byte(src))
	}
	opts := workflow.LoadOptions{Compiler: expr.New()}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := workflow.Load("f.yaml", data, opts)
		if err == nil {
			return
		}
		var les workflow.LoadErrors
		if !errors.As(err, &les) || len(les) == 0 {
			t.Fatalf("error %T is not LoadErrors: %v", err, err)
		}
		for _, le := range les {
			if le.File != "f.yaml" || (le.Line <= 0 || le.Column <= 0) && len(data) <= yamlpos.MaxSize {
				t.Fatalf("error without a position: %#v", le)
			}
		}
	})
}
