package replay_test

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/replay"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// A shop answered "prix"; would a draft answering "tarif" as well have
// answered the same customers?
func ExampleRun() {
	ctx := context.Background()
	st := memstore.New()
	h, _ := workflowtest.Start(ctx, workflowtest.Options{Store: st})
	defer h.Close()
	opts := workflow.LoadOptions{Compiler: expr.New()}
	live, _ := workflow.Load("live.yaml", []byte(`
name: Prix
trigger: incoming_message
conditions: {text: {contains: prix}}
actions: [{reply: {text: "Nos prix sont en ligne."}}]
`), opts)
	_ = h.Engine.SetWorkflows(ctx, live)
	start := h.Clock.Now()
	for _, text := range []string{"quel prix ?", "vos tarifs ?", "bonjour"} {
		_, _ = h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: text})
	}

	draft, _ := workflow.Load("draft.yaml", []byte(`
name: Prix
trigger: incoming_message
conditions: {text: {contains_any: [prix, tarif]}}
actions: [{reply: {text: "Nos prix sont en ligne."}}]
`), opts)
	rep, err := replay.Run(ctx, st, draft, replay.Options{Since: start, Compiler: expr.New()})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range rep.Workflows {
		fmt.Printf("%s: %d messages, fired before %d, would fire %d, new %d, no longer %d\n", w.Name, rep.Messages, w.Before, w.Would, w.New, w.NoLonger)
		for _, e := range w.NewExamples {
			fmt.Printf("new: %q\n%s", e.Text, e.Trace)
		}
	}
	// Output:
	// Prix: 3 messages, fired before 1, would fire 2, new 1, no longer 0
	// new: "vos tarifs ?"
	// ✓ text: text contains_any ["prix", "tarif"]
}
