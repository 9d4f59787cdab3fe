package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// assigningAI assigns the conversation while it generates, as an agent
// taking it from the dashboard would.
type assigningAI struct{ h *workflowtest.Harness }

func (a *assigningAI) Respond(ctx context.Context, r ai.Request) (ai.Reply, error) {
	if err := a.h.Engine.Assign(ctx, "main", "+33611111111", "alice"); err != nil {
		return ai.Reply{}, err
	}
	return ai.Reply{Text: "Bonjour"}, nil
}

// A reply cancelled by verify_before_send.conditions is logged with the
// trace of both evaluations: the leaf true at the trigger, false at send.
func TestVerifyConditionsLogsBothTraces(t *testing.T) {
	ctx := context.Background()
	model := &assigningAI{}
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) { c.Responder = model }})
	model.h = h
	wf := "name: IA\ntrigger: incoming_message\nconditions: {agent: {assigned: false}}\nactions: [{ai_reply: {verify_before_send: {conditions: true}}}]\n"
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	res, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: "+33611111111", Text: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Effects) != 1 || res.Effects[0].Kind != engine.EffectCancel || res.Effects[0].Reason != "conditions_changed" {
		t.Fatalf("effects = %+v", res.Effects)
	}
	page, err := h.Store.QueryLogs(ctx, workflow.LogQuery{Outcome: workflow.OutcomeCancelled})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || page.Entries[0].Reason != "conditions_changed" {
		t.Fatalf("log = %+v", page.Entries)
	}
	tr := page.Entries[0].Trace
	if len(tr) != 2 || !strings.HasPrefix(tr[0].Path, engine.TraceAtTrigger) || !tr[0].Value ||
		!strings.HasPrefix(tr[1].Path, engine.TraceAtSend) || tr[1].Value {
		t.Fatalf("trace = %+v", tr)
	}
}
