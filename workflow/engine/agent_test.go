package engine_test

import (
	"errors"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// TestAgentReplyCancelsPendingAI: a person answering while the model is
// still writing cancels the AI reply (pre-send verification), and the
// person's message is sent once and recorded as the agent's.
func TestAgentReplyCancelsPendingAI(t *testing.T) {
	ctx := t.Context()
	h := workflowtest.New(t, workflowtest.Options{AI: &workflowtest.ScriptedAI{Latency: 10 * time.Second}})
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, `
name: IA
trigger: incoming_message
actions: [{ai_reply: {verify_before_send: {agent_reply: true}}}]
`, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Receive(ctx, trigger.Message{Phone: "+33644444444", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	h.Advance(ctx, 3*time.Second)
	id, err := h.Engine.AgentReply(ctx, "main", "+33 6 44 44 44 44", "lea", "Bonjour, je regarde !")
	if err != nil {
		t.Fatal(err)
	}
	var sends, cancels []engine.Effect
	for _, ef := range append(h.TakeEffects(), h.Advance(ctx, 30*time.Second)...) {
		switch ef.Kind {
		case engine.EffectSend:
			sends = append(sends, ef)
		case engine.EffectCancel:
			cancels = append(cancels, ef)
		}
	}
	if len(sends) != 1 || sends[0].Text != "Bonjour, je regarde !" || sends[0].SendKind != "" {
		t.Fatalf("sends = %+v, want only the agent's", sends)
	}
	if len(cancels) != 1 || cancels[0].Reason != "agent_reply" || cancels[0].Workflow != "IA" {
		t.Fatalf("cancels = %+v, want the AI reply cancelled by agent_reply", cancels)
	}
	rec, err := h.Store.Message(ctx, "main", id)
	if err != nil || rec.Author != workflow.AuthorAgent || rec.Text != "Bonjour, je regarde !" {
		t.Fatalf("stored agent reply = %+v, %v", rec, err)
	}
	if _, err := h.Engine.AgentReply(ctx, "main", "+33644444444", "lea", "  "); !errors.Is(err, engine.ErrEmptyText) {
		t.Errorf("empty reply: %v, want ErrEmptyText", err)
	}
	if _, err := h.Engine.AgentReply(ctx, "main", "call me", "lea", "hi"); !errors.Is(err, trigger.ErrBadPhone) {
		t.Errorf("bad phone: %v, want ErrBadPhone", err)
	}
}

// An agent's reply that WhatsApp refuses at once is recorded, reported
// as queued (*QueuedError, why inside) and sent by its retry, once, with
// the same id. It used to be recorded, shown in the conversation, and
// never sent.
func TestAgentReplyFailedAtOnceIsQueuedAndSent(t *testing.T) {
	ctx := t.Context()
	h := failingOnceHarness(t, workflowtest.Options{})
	id, err := h.Engine.AgentReply(ctx, "main", "+33644444444", "lea", "Je regarde votre commande")
	var queued *engine.QueuedError
	if !errors.As(err, &queued) || queued.ID != id || queued.Err == nil {
		t.Fatalf("AgentReply = %q, %v; want a *QueuedError for its id, with why", id, err)
	}
	got := h.Advance(ctx, time.Minute)
	if len(got) != 1 || got[0].Kind != engine.EffectSend || got[0].Text != "Je regarde votre commande" {
		t.Fatalf("effects of the retry = %+v, want the agent's reply sent once", got)
	}
	hist, err := h.Store.History(ctx, "main", "+33644444444", 0, 10)
	if err != nil || len(hist) != 1 || hist[0].ID != id || hist[0].Author != workflow.AuthorAgent {
		t.Fatalf("history %+v, %v: want the reply recorded once, as the agent's", hist, err)
	}
}
