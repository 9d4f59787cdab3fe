package lint_test

import (
	"fmt"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/lint"
)

// Linting a workflow file: the second workflow can never run, the stop
// workflow before it answers every message it would.
func ExampleFile() {
	src := []byte(`
workflows:
  - name: Humain
    trigger: incoming_message
    priority: 10
    stop: true
    conditions: {text: {contains_any: [humain, agent]}}
    actions: [{assign: {agent: alice}}]
  - name: Conseiller humain
    trigger: incoming_message
    conditions: {all: [{text: {contains: "un humain"}}, {message_count: {gt: 2}}]}
    actions: [{assign: {agent: bob}}]
`)
	for _, f := range lint.File("shop.yaml", src, workflow.LoadOptions{Compiler: expr.New()}, lint.Options{Compiler: expr.New()}) {
		fmt.Println(f.Check, f.Workflow)
		fmt.Println(f)
	}
	// Output:
	// unreachable Conseiller humain
	// shop.yaml:9:5: error: workflow "Conseiller humain" never runs: the stop workflow "Humain" comes first and fires on every message it matches (give it a smaller priority number, or narrow the stop workflows)
}
