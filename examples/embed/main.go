// Command embed shows the engine inside one's own Go program: workflows
// from a YAML file, the in-memory store, and a transport of your own (here
// it prints). A real app would use adapters/bun for the store and
// adapters/whatsmeow for the transport, as the product (internal/app) does.
//
//	go run ./examples/embed
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	_ "time/tzdata" // binaries carry the time zone database; libraries do not

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// shopWorkflows is what a shop would keep in workflows.yaml.
const shopWorkflows = `
workflows:
  - name: Prix
    priority: 10
    trigger: incoming_message
    conditions:
      any:
        - text: {contains: prix}
        - text: {contains: tarif}
    actions:
      - reply: {text: "Bonjour {{contact.name}}, nos prix sont sur https://laine.example/prix."}
      - label: {add: prospect}
  - template: welcome
`

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

// run loads the workflows, plays two customer messages and prints what
// was sent and why each workflow ran.
func run(ctx context.Context, out io.Writer) error {
	printer := workflow.TransportFunc(func(_ context.Context, m workflow.Outgoing) error { _, err := fmt.Fprintln(out, m); return err })
	eng, err := engine.New(engine.Config{Store: memstore.New(), Transport: printer, Compiler: expr.New()})
	if err != nil {
		return err
	}
	if err := eng.Start(ctx); err != nil {
		return err
	}
	defer eng.Close(ctx)
	if _, err := eng.Load(ctx, "workflows.yaml", []byte(shopWorkflows)); err != nil {
		return err // every problem, each as file:line:col: path: message
	}
	for i, text := range []string{"Bonjour !", "Quels sont vos tarifs ?"} {
		execs, err := eng.Handle(ctx, trigger.Message{
			ID: fmt.Sprintf("m%d", i), Session: "main", Phone: "+33 6 11 11 11 11", PushName: "Marie", Text: text,
		})
		if err != nil {
			return err
		}
		for _, x := range execs {
			fmt.Fprintf(out, "  %s: %s (%s)\n", x.Workflow, x.Outcome, x.Reason)
		}
	}
	return nil
}
