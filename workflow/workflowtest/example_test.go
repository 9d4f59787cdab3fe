package workflowtest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

const vipWorkflows = `
workflows:
  - name: VIP
    trigger: incoming_message
    conditions: {labels: {has: vip}}
    actions:
      - assign: {agent: alice}
  - name: IA
    trigger: incoming_message
    conditions: {not: {labels: {has: vip}}}
    actions:
      - ai_reply: {prefix: "[Auto] "}
`

// Unit-testing a workflow file: load it into a harness, send messages,
// check what fired and what was sent. In a test, h := workflowtest.New(t,
// opts) is closed when the test ends, and workflowtest.RunFile(t, path)
// plays a scenario file.
func Example_workflowFile() {
	ctx := context.Background()
	h, err := workflowtest.Start(ctx, workflowtest.Options{})
	if err != nil {
		panic(err)
	}
	defer h.Close()
	if err := h.Load(ctx, "prices.yaml", []byte(`
name: Prix
trigger: incoming_message
conditions: {text: {contains_any: [prix, tarif]}}
actions: [{reply: {text: "Nos prix sont sur https://laine.example/prix"}}]
`)); err != nil {
		panic(err)
	}
	for _, text := range []string{"Quels sont vos TARIFS ?", "Bonjour"} {
		res, _ := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: text})
		fmt.Printf("%q fired %v, sent %q\n", text, res.Fired(), res.Sent())
	}
	// Output:
	// "Quels sont vos TARIFS ?" fired [Prix], sent ["Nos prix sont sur https://laine.example/prix"]
	// "Bonjour" fired [], sent []
}

// Testing your own workflows in go test: the harness runs the real engine
// on a virtual clock with a scripted model.
func Example() {
	ctx := context.Background()
	// In a test: h := workflowtest.New(t, opts), closed when the test ends.
	h, err := workflowtest.Start(ctx, workflowtest.Options{AI: &workflowtest.ScriptedAI{Latency: 3 * time.Second, ReplyTemplate: "Réponse: {{message}}"}})
	if err != nil {
		panic(err)
	}
	defer h.Close()
	if err := h.Load(ctx, "shop.yaml", []byte(vipWorkflows)); err != nil {
		panic(err)
	}

	res, _ := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "Bonjour"})
	fmt.Println("fired:", res.Fired(), "sent now:", res.Sent())
	for _, e := range h.Advance(ctx, 5*time.Second) {
		fmt.Println(workflowtest.FormatEffect(e))
	}
	_ = h.Engine.Label(ctx, "+33611111111", []string{"vip"}, nil)
	res, _ = h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "C'est Marie"})
	fmt.Println("fired:", res.Fired())
	// Output:
	// fired: [IA] sent now: []
	// send to="+33611111111" session="main" text="[Auto] Réponse: Bonjour" kind="ai" workflow="IA"
	// fired: [VIP]
}

func TestRequireHelpers(t *testing.T) {
	ctx := context.Background()
	h := workflowtest.New(t, workflowtest.Options{})
	defs, err := workflow.Load("shop.yaml", []byte(vipWorkflows), workflow.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = h.Engine.SetWorkflows(ctx, defs)
	_ = h.Engine.Label(ctx, "+33611111111", []string{"vip"}, nil)
	res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	workflowtest.RequireFired(t, res, "VIP")
	workflowtest.RequireSent(t, res)
	workflowtest.RequireEffects(t, res.Effects, `assign phone="+33611111111" agent="alice" workflow="VIP"`)
	if x, ok := res.Execution("VIP"); !ok || len(x.Trace) != 1 || !x.Trace[0].Value {
		t.Fatalf("VIP execution = %+v", x)
	}
}
