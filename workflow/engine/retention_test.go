package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// TestDailyPurgeKeepsRetentionAndCooldowns: the daily purge deletes
// messages, firings and inactive contacts past their retention, but keeps
// a firing as long as a workflow's cooldown needs it.
func TestDailyPurgeKeepsRetentionAndCooldowns(t *testing.T) {
	ctx := context.Background()
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) {
		c.MessageRetention, c.FiringRetention, c.ContactRetention = 48*time.Hour, 24*time.Hour, 72*time.Hour
	}})
	d := mustLoad(t, "name: Prix\ntrigger: incoming_message\ncooldown: 240h\nconditions: {text: {contains: prix}}\nactions: [{reply: {text: Nos prix}}]\n", workflow.LoadOptions{})
	if err := h.Engine.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	const phone = "+33611111111"
	if res, err := h.Receive(ctx, trigger.Message{ID: "first", Phone: phone, Text: "prix ?"}); err != nil || len(res.Effects) != 1 {
		t.Fatalf("first message: %+v %v", res.Effects, err)
	}
	if last, err := h.Store.LastFired(ctx, "prix", "main", phone); err != nil || last.IsZero() {
		t.Fatalf("no firing recorded for prix: %v %v", last, err)
	}
	h.Advance(ctx, 72*time.Hour)
	if _, err := h.Store.Message(ctx, "main", "first"); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("a message 3 days old with 48 h retention: %v, want purged", err)
	}
	if res, err := h.Receive(ctx, trigger.Message{Phone: phone, Text: "prix ?"}); err != nil || len(res.Effects) != 0 {
		t.Fatalf("within the 10-day cooldown (firings kept for it although FiringRetention is 24 h): %+v %v", res.Effects, err)
	}
	h.Advance(ctx, 20*24*time.Hour)
	if _, err := h.Store.Contact(ctx, phone); !errors.Is(err, workflow.ErrNotFound) {
		t.Fatalf("a contact silent for 20 days with 72 h retention: %v, want purged", err)
	}
	if last, err := h.Store.LastFired(ctx, "prix", "main", phone); err != nil || !last.IsZero() {
		t.Fatalf("firings after their retention and the cooldown: last %v %v, want none", last, err)
	}
}
