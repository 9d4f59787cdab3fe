package bun_test

import (
	"context"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// TestMessageWithNULIsRecordedAndAnswered: a NUL byte or invalid UTF-8 in
// a customer's text or push name (which both databases refuse in text
// columns) is replaced by U+FFFD when the engine receives it, so the
// message is recorded and answered instead of failing, and being
// redelivered, forever.
func TestMessageWithNULIsRecordedAndAnswered(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			h := workflowtest.New(t, workflowtest.Options{Store: st})
			defs, err := workflow.Load("w.yaml", []byte("name: Prix\ntrigger: incoming_message\nconditions: {text: {contains: prix}}\nactions:\n  - reply: {text: \"Bonjour {{contact.name}}\"}\n"), workflow.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if err := h.Engine.SetWorkflows(ctx, defs); err != nil {
				t.Fatal(err)
			}
			res, err := h.Receive(ctx, trigger.Message{ID: "id\x00\xff", Phone: "+33611111111", PushName: "Ma\x00rie\xc3", Text: "le prix\x00 \xffsvp"})
			if err != nil {
				t.Fatalf("receive: %v", err)
			}
			workflowtest.RequireSent(t, res, "Bonjour Ma\uFFFDrie\uFFFD")
			m, err := st.Message(ctx, "main", "id\uFFFD\uFFFD")
			if err != nil || m.Text != "le prix\uFFFD \uFFFDsvp" {
				t.Fatalf("recorded: %+v, %v", m, err)
			}
			// A message from the shop's own phone is cleaned the same way.
			if err := h.Engine.ReceiveOwn(ctx, "main", "+33611111111", "own\x00", "merci\x00\xfe", time.Time{}); err != nil {
				t.Fatalf("receive own: %v", err)
			}
			if m, err := st.Message(ctx, "main", "own\uFFFD"); err != nil || m.Text != "merci\uFFFD\uFFFD" {
				t.Fatalf("own message recorded: %+v, %v", m, err)
			}
		})
	}
}
