package engine_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/pacing"
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

// pacedHarness is a harness whose transport paces replies to one per
// minute per customer, deferring (pacing.DeferredError) any send whose
// slot is more than a second away, as the product's pacer does past its
// maximum wait.
func pacedHarness(t *testing.T) *workflowtest.Harness {
	return workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) {
		c.Transport = pacing.New(c.Transport, pacing.Config{Clock: c.Clock, Sleeper: c.Clock.(pacing.Sleeper),
			Reply: pacing.Rule{Every: time.Minute, Burst: 1}, MaxWait: time.Second, Typing: func(string) time.Duration { return 0 }})
	}})
}

// cancelledLog is the only log entry with outcome cancelled.
func cancelledLog(t *testing.T, h *workflowtest.Harness) workflow.Execution {
	t.Helper()
	page, err := h.Store.QueryLogs(t.Context(), workflow.LogQuery{Outcome: workflow.OutcomeCancelled})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || page.Entries[0].Reason != "conditions_changed" {
		t.Fatalf("cancelled log entries = %+v, want one, conditions_changed", page.Entries)
	}
	return page.Entries[0]
}

// bothTraces fails unless tr is the trigger's trace then the send's, of
// leaves leaves each, with the first leaf true at the trigger and false at
// send.
func bothTraces(t *testing.T, tr condition.Trace, leaves int) {
	t.Helper()
	ok := len(tr) == 2*leaves
	for i := 0; ok && i < leaves; i++ {
		ok = strings.HasPrefix(tr[i].Path, engine.TraceAtTrigger) && strings.HasPrefix(tr[leaves+i].Path, engine.TraceAtSend)
	}
	if !ok || !tr[0].Value || tr[leaves].Value {
		t.Fatalf("trace = %+v, want %d leaves at trigger then at send, the first true then false", tr, leaves)
	}
}

// A fixed reply that pacing put off is checked again when its firing
// resumes: an agent assigned meanwhile cancels it (logged with both
// traces, the firing's action cancelled), while the same reply without the
// check goes out at its slot.
func TestVerifyConditionsPacedReply(t *testing.T) {
	ctx := t.Context()
	h := pacedHarness(t)
	wf := `workflows:
  - name: Accusé
    priority: 1
    trigger: incoming_message
    actions: [{reply: {text: "Reçu"}}]
  - name: Suite vérifiée
    priority: 2
    trigger: incoming_message
    conditions: {all: [{agent: {assigned: false}}, {phone: {equals: "+33611111111"}}]}
    actions: [{reply: {text: "Un conseiller arrive", verify_before_send: {conditions: true}}}]
  - name: Suite
    priority: 3
    trigger: incoming_message
    conditions: {all: [{agent: {assigned: false}}, {phone: {equals: "+33622222222"}}]}
    actions: [{reply: {text: "Un conseiller arrive"}}]
`
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	for _, phone := range []string{"+33611111111", "+33622222222"} {
		// Accusé takes the slot; the second reply is deferred a minute and
		// its firing cut, to resume from the queue.
		res, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Effects) != 1 || res.Effects[0].Workflow != "Accusé" {
			t.Fatalf("effects at once for %s = %+v, want Accusé's reply only", phone, res.Effects)
		}
		if err := h.Engine.Assign(ctx, "main", phone, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	h.TakeEffects()
	var got []string
	for _, e := range h.Advance(ctx, 10*time.Minute) {
		got = append(got, string(e.Kind)+" "+e.Phone+" "+e.Workflow+" "+e.Reason)
	}
	want := []string{"cancel +33611111111 Suite vérifiée conditions_changed", "send +33622222222 Suite "}
	if !slices.Equal(got, want) {
		t.Fatalf("effects after the slot = %q, want %q", got, want)
	}
	log := cancelledLog(t, h)
	if log.Workflow != "Suite vérifiée" || len(log.Actions) != 1 || log.Actions[0].Type != "reply" {
		t.Fatalf("cancelled log = %+v", log)
	}
	// The firing's own row: its reply cancelled, not failed.
	page, err := h.Store.QueryLogs(ctx, workflow.LogQuery{Phone: "+33611111111"})
	if err != nil {
		t.Fatal(err)
	}
	var firing *workflow.Execution
	for i, e := range page.Entries {
		if e.Workflow == "Suite vérifiée" && e.Outcome != workflow.OutcomeCancelled {
			firing = &page.Entries[i]
		}
	}
	if firing == nil || len(firing.Actions) != 1 || firing.Actions[0].Outcome != workflow.OutcomeCancelled {
		t.Fatalf("firing row of Suite vérifiée = %+v", firing)
	}
	bothTraces(t, log.Trace, 2)
}

// failingOnce is a transport that fails the first attempt of every message
// id (a dropped connection), then sends.
type failingOnce struct {
	mu   sync.Mutex
	seen map[string]bool
	next workflow.Transport
}

func (f *failingOnce) Send(ctx context.Context, m workflow.Outgoing) error {
	f.mu.Lock()
	first := !f.seen[m.ID]
	f.seen[m.ID] = true
	f.mu.Unlock()
	if first {
		return errors.New("connection reset")
	}
	return f.next.Send(ctx, m)
}

func failingOnceHarness(t *testing.T, o workflowtest.Options) *workflowtest.Harness {
	o.Configure = func(c *engine.Config) { c.Transport = &failingOnce{seen: map[string]bool{}, next: c.Transport} }
	return workflowtest.New(t, o)
}

// A follow-up (reply with a delay) is planned once, even when its firing is
// cut after planning it and resumed; when it falls due after a label that
// its conditions exclude was added, it is cancelled: the scheduled message
// becomes cancelled (conditions_changed) and the log has both traces.
func TestVerifyConditionsFollowUp(t *testing.T) {
	ctx := t.Context()
	h := failingOnceHarness(t, workflowtest.Options{})
	wf := `name: Relance
trigger: incoming_message
conditions: {labels: {has_not: client}}
actions:
  - reply: {text: "Toujours intéressé ?", delay: 1h, verify_before_send: {conditions: true}}
  - reply: {text: "Reçu"}
`
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	const phone = "+33611111111"
	if _, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	if got := h.Advance(ctx, 10*time.Second); len(got) != 1 || got[0].Text != "Reçu" {
		t.Fatalf("effects of the resumed firing = %+v, want the reply sent", got)
	}
	list, err := h.Store.ListScheduled(ctx, workflow.ScheduleQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != workflow.SchedulePending || list[0].Origin == nil || list[0].Origin.Workflow != "Relance" ||
		!list[0].Origin.VerifyConditions || list[0].Origin.Text != "Bonjour" || len(list[0].Origin.Trace) != 1 {
		t.Fatalf("scheduled = %+v, want one pending follow-up of Relance with the trigger's facts", list)
	}
	if _, err := h.Store.UpdateLabels(ctx, phone, []string{"client"}, nil); err != nil {
		t.Fatal(err)
	}
	got := h.Advance(ctx, time.Hour)
	if len(got) != 1 || got[0].Kind != engine.EffectCancel || got[0].Reason != "conditions_changed" || got[0].Workflow != "Relance" {
		t.Fatalf("effects when due = %+v, want the follow-up cancelled", got)
	}
	m, err := h.Store.Scheduled(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != workflow.ScheduleCancelled || m.Reason != "conditions_changed" {
		t.Fatalf("follow-up = %s (%s), want cancelled (conditions_changed)", m.Status, m.Reason)
	}
	bothTraces(t, cancelledLog(t, h).Trace, 1)
}

// An AI reply whose send failed is retried from a job; with
// verify_before_send.conditions the job checks the conditions again: an
// agent assigned since cancels it, and without one it is sent.
func TestVerifyConditionsRetriedAISend(t *testing.T) {
	ctx := t.Context()
	h := failingOnceHarness(t, workflowtest.Options{AI: &workflowtest.ScriptedAI{ReplyTemplate: "IA: {{message}}"}})
	wf := "name: IA\ntrigger: incoming_message\nconditions: {agent: {assigned: false}}\nactions: [{ai_reply: {verify_before_send: {conditions: true}}}]\n"
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	for _, phone := range []string{"+33611111111", "+33622222222"} {
		if res, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"}); err != nil || len(res.Effects) != 0 {
			t.Fatalf("Receive(%s) = %+v, %v: want the send failed, nothing sent", phone, res.Effects, err)
		}
	}
	if err := h.Engine.Assign(ctx, "main", "+33611111111", "alice"); err != nil {
		t.Fatal(err)
	}
	h.TakeEffects()
	var got []string
	for _, e := range h.Advance(ctx, time.Minute) {
		got = append(got, string(e.Kind)+" "+e.Phone+" "+e.Reason+e.Text)
	}
	want := []string{"cancel +33611111111 conditions_changed", "send +33622222222 IA: Bonjour"}
	if !slices.Equal(got, want) {
		t.Fatalf("effects of the retries = %q, want %q", got, want)
	}
	bothTraces(t, cancelledLog(t, h).Trace, 1)
}
