// Command customaction shows custom actions: Go code registers
// `notify_team` and `send_catalogue` by name, workflow files use them like
// built-ins, and their fields are validated when the file loads.
// `send_catalogue` sends a picture, something workflow files cannot do on
// their own.
//
//	go run ./examples/customaction
package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"strings"
	_ "time/tzdata" // binaries carry the time zone database; libraries do not

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
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
// engine's Runtime (which only ever acts on this conversation). Actions run
// at least once: a real chat API call would pass c.IdempotencyKey, the same
// when a firing cut by a crash is resumed, so that the channel drops a
// repeat.
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

// SendCatalogue sends the catalogue picture with a caption:
//
//   - send_catalogue: {caption: "Notre catalogue"}
type SendCatalogue struct {
	Caption string `yaml:"caption"`

	// picture is the image to send; a real action would read it from a
	// file or the shop's product database.
	picture []byte
}

// Run sends the picture through the engine's Runtime: same loop breaker,
// pre-generated message id and retries as a text reply.
func (s *SendCatalogue) Run(ctx context.Context, c *action.Call) error {
	return c.Runtime.SendMedia(ctx, trigger.Media{
		Kind:     trigger.MessageImage,
		FileName: "catalogue.png",
		Data:     s.picture, // MIMEType left empty: sniffed from the data
	}, s.Caption)
}

const shopWorkflows = `
workflows:
  - name: Ventes
    trigger: incoming_message
    conditions: {text: {contains_any: [acheter, commander]}}
    actions:
      - notify_team: {channel: "#ventes", mention: alice}
      - reply: {text: "Merci ! Alice vous répond tout de suite."}
  - name: Catalogue
    trigger: incoming_message
    conditions: {text: {contains: catalogue}}
    actions:
      - send_catalogue: {caption: "Notre catalogue de printemps"}
`

// catalogue draws a tiny picture to stand in for a product photo.
func catalogue() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "customaction:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	reg := action.NewRegistry()
	pic, err := catalogue()
	if err != nil {
		return err
	}
	// Of decodes the fields from the workflow file; the function then
	// gives the action what the file cannot (its writer, its picture).
	reg.MustRegister("notify_team", action.Of(func(a *NotifyTeam) { a.out = out }))
	reg.MustRegister("send_catalogue", action.Of(func(a *SendCatalogue) { a.picture = pic }))

	store := memstore.New()
	printer := workflow.TransportFunc(func(_ context.Context, m workflow.Outgoing) error { _, err := fmt.Fprintln(out, m); return err })
	eng, err := engine.New(engine.Config{Store: store, Transport: printer, Compiler: expr.New(), Registry: reg})
	if err != nil {
		return err
	}
	// The engine reads workflow files with its own registry and compiler;
	// a bad definition is rejected with its position.
	_, err = eng.Load(ctx, "bad.yaml", []byte("name: X\ntrigger: incoming_message\nactions:\n  - notify_team: {channel: ventes}\n"))
	fmt.Fprintln(out, "load error:", err)
	if _, err := eng.Load(ctx, "shop.yaml", []byte(shopWorkflows)); err != nil {
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
	_, err = eng.Handle(ctx, trigger.Message{ID: "m2", Session: "main", Phone: "+34600000002", Text: "Vous avez un catalogue ?"})
	return err
}
