package workflow_test

import (
	"testing"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// FuzzLoad: Load never panics and every error is a *LoadError at a line
// and column (workflowtest.RequirePositioned). The seeds are the workflow
// files of testdata and sources of the load tests. A hang shows as the
// fuzzer's per-input timeout.
func FuzzLoad(f *testing.F) {
	workflowtest.AddSeeds(f, "testdata/*.yaml",
		wf("conditions:\n  all:\n    - not:\n        schedule: {days: [mon], from: \"09:00\", to: \"18:00\"}\n    - text: {contains_any: [prix, tarif], word: true}\n"+okActions),
		wf("conditions:\n  any:\n    - expr: \"hour in 9..17 && all(labels, {# != 'x'})\"\n    - phone: {in: [\"+33611111111\"]}\n"+okActions),
		wf("conditions: {text: {matches: \"(?i)^bon(jour|soir)\"}}\ncooldown: 8h\n"+okActions),
		"hours:\n  shop:\n    weekly: {mon: [\"09:00-18:00\"]}\nworkflows:\n  - name: A\n    template: out_of_hours\n",
		`{"name": "J", "trigger": "incoming_message", "actions": [{"reply": {"text": "hi"}}]}`,
		"[[[[x]]]]", "- - - - x", "a: !!binary aGk=\n", "a: [x,]\n", "a: \xff\n")
	opts := workflow.LoadOptions{Compiler: expr.New()}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := workflow.Load("f.yaml", data, opts)
		workflowtest.RequirePositioned(t, err, "f.yaml", len(data))
	})
}
