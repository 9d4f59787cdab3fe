package engine_test

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// printTransport prints what the engine sends.
var printTransport = workflow.TransportFunc(func(_ context.Context, m workflow.Outgoing) error { fmt.Println(m); return nil })

const shopWorkflows = `
workflows:
  - name: Prix
    trigger: incoming_message
    conditions:
      any:
        - text: {contains: prix}
        - text: {contains: tarif}
    actions:
      - reply: {text: "Bonjour {{contact.name}}, nos prix sont sur le site."}
      - label: {add: prospect}
`

// Embedding the engine on the in-memory store: load a workflow file, feed
// a message, print what was sent.
func Example_embedding() {
	ctx := context.Background()
	eng, err := engine.New(engine.Config{
		Store:     memstore.New(),
		Transport: workflow.TransportFunc(func(_ context.Context, m workflow.Outgoing) error { fmt.Println(m); return nil }),
		Compiler:  expr.New(),
	})
	if err != nil {
		panic(err)
	}
	if _, err := eng.Load(ctx, "shop.yaml", []byte(`
name: Prix
trigger: incoming_message
conditions: {text: {contains: prix}}
actions: [{reply: {text: "Bonjour {{contact.name}}, nos prix sont sur le site."}}]
`)); err != nil {
		panic(err)
	}
	// Handle runs the workflows before returning; a transport calls Receive,
	// which records the message and queues the same work (run by Start).
	if _, err := eng.Handle(ctx, trigger.Message{ID: "m1", Session: "main", Phone: "+33 6 11 11 11 11", PushName: "Marie", Text: "Quel est le PRIX du pull ?"}); err != nil {
		panic(err)
	}
	// Output:
	// → +33611111111 (Prix, fixed): Bonjour Marie, nos prix sont sur le site.
}

// NotifySlack is a custom action: its fields come from the workflow file.
type NotifySlack struct {
	Channel string `yaml:"channel"`
}

// Validate is called when the workflow is loaded.
func (a *NotifySlack) Validate() error {
	if a.Channel == "" {
		return &action.FieldError{Field: "channel", Msg: "is required"}
	}
	return nil
}

// Run posts to Slack; here it prints.
func (a *NotifySlack) Run(ctx context.Context, c *action.Call) error {
	fmt.Printf("slack %s: %s wrote %q (workflow %s)\n", a.Channel, c.Contact.Phone, c.Event.Message.Text, c.Workflow)
	return nil
}

// A custom action registered by name and used from a workflow file.
func Example_customAction() {
	ctx := context.Background()
	reg := action.NewRegistry()
	reg.MustRegister("notify_slack", action.Of[NotifySlack]())

	eng, _ := engine.New(engine.Config{Store: memstore.New(), Transport: printTransport, Compiler: expr.New(), Registry: reg})
	if _, err := eng.Load(ctx, "sales.yaml", []byte(`
name: Ventes
trigger: incoming_message
conditions: {text: {contains_any: [acheter, commander]}}
actions:
  - notify_slack: {channel: "#sales"}
`)); err != nil {
		panic(err)
	}
	_, _ = eng.Handle(ctx, trigger.Message{ID: "m1", Session: "main", Phone: "+34600000001", Text: "Je veux commander"})

	_, err := eng.Load(ctx, "bad.yaml", []byte("name: X\ntrigger: incoming_message\nactions:\n  - notify_slack: {}\n"))
	fmt.Println(err)
	// Output:
	// slack #sales: +34600000001 wrote "Je veux commander" (workflow Ventes)
	// bad.yaml:4:19: actions[0].notify_slack.channel: is required
}

// Reading the trace: every leaf's value explains why a workflow fired.
func ExampleEngine_Handle() {
	ctx := context.Background()
	eng, _ := engine.New(engine.Config{Store: memstore.New(), Transport: printTransport, Compiler: expr.New()})
	_, _ = eng.Load(ctx, "shop.yaml", []byte(shopWorkflows))
	execs, _ := eng.Handle(ctx, trigger.Message{ID: "m2", Session: "main", Phone: "+33611111111", Text: "Vos tarifs ?"})
	for _, x := range execs {
		fmt.Printf("%s: %s (%s)\n%s", x.Workflow, x.Outcome, x.Reason, x.Trace)
	}
	// Output:
	// → +33611111111 (Prix, fixed): Bonjour , nos prix sont sur le site.
	// Prix: fired (conditions matched)
	// ✗ any[0].text: text contains "prix"
	// ✓ any[1].text: text contains "tarif"
}
