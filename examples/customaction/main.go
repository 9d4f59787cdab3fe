// Command customaction shows a custom action: Go code registers
// `notify_team` by name, workflow files use it like a built-in, and its
// fields are validated when the file loads.
//
//	go run ./examples/customaction
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	_ "time/tzdata" // binaries carry the time zone database; libraries do not

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
)

// NotifyTeam tells a team channel that a customer needs someone. Its
// fields are read from the workflow file:
//
//   - notify_team: {channel: "#ventes", mention: alice}
type NotifyTeam struct {
	Channel string `yaml:"channel"`
	Mention string `yaml:"mention"`

	// out is where notifications go; a real action would call a chat API.
	out io.Writer
}

// Validate runs when the workflow file is loaded: a bad definition is a
// positioned load error, never a failure at run time.
func (n *NotifyTeam) Validate() error {
	if !strings.HasPrefix(n.Channel, "#") {
		return &action.FieldError{Field: "channel", Msg: fmt.Sprintf("%q must start with #", n.Channel)}
	}
	return nil
}

// Run posts the notification and labels the customer through the
// engine's Runtime (which only ever acts on this conversation).
func (n *NotifyTeam) Run(ctx context.Context, c *action.Call) error {
	msg := fmt.Sprintf("%s: %s wrote %q (workflow %s)", n.Channel, c.Contact.Phone, c.Event.Message.Text, c.Workflow)
	if n.Mention != "" {
		msg += " @" + n.Mention
	}
	if _, err := fmt.Fprintln(n.out, msg); err != nil {
		return fmt.Errorf("notify_team: %w", err)
	}
	return c.Runtime.Label(ctx, []string{"notified"}, nil)
}

const salesWorkflow = `
name: Ventes
trigger: incoming_message
conditions: {text: {contains_any: [acheter, commander]}}
actions:
  - notify_team: {channel: "#ventes", mention: alice}
  - reply: {text: "Merci ! Alice vous répond tout de suite."}
`

type printer struct{ w io.Writer }

func (p printer) Send(_ context.Context, m workflow.Outgoing) error {
	_, err := fmt.Fprintf(p.w, "→ %s: %s\n", m.To, m.Text)
	return err
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "customaction:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	reg := action.NewRegistry()
	// The factory decodes the fields, then the action gets its writer.
	base := action.Of[*NotifyTeam]()
	if err := reg.Register("notify_team", &NotifyTeam{}, func(d action.Decoder) (action.Action, error) {
		a, err := base(d)
		if err != nil {
			return nil, err
		}
		a.(*NotifyTeam).out = out
		return a, nil
	}); err != nil {
		return err
	}

	// A bad definition is rejected with its position.
	_, err := workflow.Load("bad.yaml", []byte("name: X\ntrigger: incoming_message\nactions:\n  - notify_team: {channel: ventes}\n"), workflow.LoadOptions{Registry: reg})
	fmt.Fprintln(out, "load error:", err)

	compiler := expr.New()
	defs, err := workflow.Load("sales.yaml", []byte(salesWorkflow), workflow.LoadOptions{Registry: reg, Compiler: compiler})
	if err != nil {
		return err
	}
	store := memstore.New()
	eng, err := workflow.New(workflow.Config{Store: store, Transport: printer{out}, Compiler: compiler, Registry: reg})
	if err != nil {
		return err
	}
	if err := eng.SetWorkflows(ctx, defs); err != nil {
		return err
	}
	if _, err := eng.Handle(ctx, trigger.Message{ID: "m1", Session: "main", Phone: "+34600000001", Text: "Je veux commander"}); err != nil {
		return err
	}
	c, err := store.Contact(ctx, "+34600000001")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "labels:", c.Labels)
	return nil
}
