package engine_test

import (
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// TestAIFallbackWithoutModelOrCredits: an AI reply that cannot be given
// because no model is configured or credits ran out is never silent: the
// failure is logged and the fallback runs, as when the model fails.
func TestAIFallbackWithoutModelOrCredits(t *testing.T) {
	fallback := []workflow.Step{{Type: "assign", Action: &action.Assign{Agent: "humain"}}}
	zero := int64(0)
	for _, c := range []struct {
		name    string
		opts    workflowtest.Options
		outcome workflow.Outcome
		reason  string
	}{
		{"no model", workflowtest.Options{Configure: func(c *engine.Config) { c.AIFallback = fallback }},
			workflow.OutcomeFailed, "no AI model configured"},
		{"no credits", workflowtest.Options{Credits: &zero, Configure: func(c *engine.Config) { c.Responder, c.AIFallback = &captureAI{}, fallback }},
			workflow.OutcomeSkipped, "insufficient credits"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			h := workflowtest.New(t, c.opts)
			if err := h.Engine.SetWorkflows(ctx, mustLoad(t, "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {}}]\n", workflow.LoadOptions{})); err != nil {
				t.Fatal(err)
			}
			res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "Prix ?"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Effects) != 1 || res.Effects[0].Kind != engine.EffectAssign || res.Effects[0].Agent != "humain" {
				t.Fatalf("effects = %+v, want the fallback's assign", res.Effects)
			}
			page, _ := h.Store.QueryLogs(ctx, workflow.LogQuery{Outcome: c.outcome})
			if len(page.Entries) != 1 || page.Entries[0].Reason != c.reason || len(page.Entries[0].Actions) != 2 {
				t.Fatalf("log = %+v, want %s with the fallback's action", page.Entries, c.reason)
			}
		})
	}
}
