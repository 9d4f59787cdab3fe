package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// duringWait is a pacing transport (workflow.Pacer) whose wait runs meanwhile
// once per message id: what happens in the conversation while "typing…"
// shows. Sends go to next; paced counts the Pace calls, sent the messages
// handed to next that Pace had paced, cancelled the ids handed back by
// Cancel.
type duringWait struct {
	meanwhile func(ctx context.Context, m workflow.Outgoing)
	next      workflow.Transport

	mu          sync.Mutex
	paced, sent int
	cancelled   []string
	seen        map[string]bool
}

func (d *duringWait) Cancel(_ context.Context, m workflow.Outgoing) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !m.Paced {
		return errors.New("Cancel of a message Pace did not return")
	}
	d.cancelled = append(d.cancelled, m.ID)
	return nil
}

func (d *duringWait) Pace(ctx context.Context, m workflow.Outgoing) (workflow.Outgoing, error) {
	d.mu.Lock()
	first := !d.seen[m.ID]
	d.seen[m.ID] = true
	d.paced++
	d.mu.Unlock()
	if first && d.meanwhile != nil {
		d.meanwhile(ctx, m)
	}
	m.Paced = true
	return m, nil
}

func (d *duringWait) Send(ctx context.Context, m workflow.Outgoing) error {
	if m.Paced {
		d.mu.Lock()
		d.sent++
		d.mu.Unlock()
	}
	return d.next.Send(ctx, m)
}

func duringWaitHarness(t *testing.T, o workflowtest.Options, d *duringWait) *workflowtest.Harness {
	d.seen = map[string]bool{}
	o.Configure = func(c *engine.Config) { d.next = c.Transport; c.Transport = d }
	return workflowtest.New(t, o)
}

// Replies wait for their pacing slot before they are recorded, and are
// checked again after that wait: an AI reply overtaken meanwhile by the
// customer or by an agent, or a fixed reply whose verify_before_send
// conditions no longer hold, is cancelled with its reason, neither sent nor
// recorded. A reply nothing overtook, or one that asks for no check, is sent
// once, after its wait.
func TestRepliesAreCheckedAfterTheirPacingWait(t *testing.T) {
	const phone = "+33611111111"
	ai := "name: IA\ntrigger: incoming_message\nconditions: {text: {contains: bonjour}}\nactions: [{ai_reply: {}}]\n"
	verified := "name: Accueil\ntrigger: incoming_message\nconditions: {agent: {assigned: false}}\n" +
		"actions: [{reply: {text: \"Un conseiller arrive.\", verify_before_send: {conditions: true}}}]\n"
	unverified := "name: Accueil\ntrigger: incoming_message\nconditions: {agent: {assigned: false}}\n" +
		"actions: [{reply: {text: \"Un conseiller arrive.\"}}]\n"
	var h *workflowtest.Harness
	customerWrites := func(ctx context.Context, m workflow.Outgoing) {
		if _, err := h.Store.RecordInbound(ctx, trigger.Message{Session: m.Session, Phone: m.To, ID: "later", Text: "Vous êtes là ?", Time: h.Clock.Now()}); err != nil {
			t.Error(err)
		}
	}
	agentReplies := func(ctx context.Context, m workflow.Outgoing) {
		if err := h.Engine.ReceiveOwn(ctx, m.Session, m.To, "agent-1", "Je m'en occupe.", h.Clock.Now()); err != nil {
			t.Error(err)
		}
	}
	agentAssigned := func(ctx context.Context, m workflow.Outgoing) {
		if err := h.Engine.Assign(ctx, m.Session, m.To, "alice"); err != nil {
			t.Error(err)
		}
	}
	for _, tc := range []struct {
		name, workflow string
		meanwhile      func(context.Context, workflow.Outgoing)
		reason         string // "": sent
	}{
		{"ai, nothing meanwhile", ai, nil, ""},
		{"ai, the customer writes", ai, customerWrites, "customer_message"},
		{"ai, an agent replies", ai, agentReplies, "agent_reply"},
		{"reply verified, nothing meanwhile", verified, nil, ""},
		{"reply verified, an agent is assigned", verified, agentAssigned, "conditions_changed"},
		{"reply unverified, an agent is assigned", unverified, agentAssigned, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			d := &duringWait{meanwhile: tc.meanwhile}
			h = duringWaitHarness(t, workflowtest.Options{AI: &workflowtest.ScriptedAI{ReplyTemplate: "IA: {{message}}"}}, d)
			if err := h.Engine.SetWorkflows(ctx, mustLoad(t, tc.workflow, workflow.LoadOptions{})); err != nil {
				t.Fatal(err)
			}
			res, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"})
			if err != nil {
				t.Fatal(err)
			}
			var sends, cancels []engine.Effect
			for _, e := range res.Effects {
				switch e.Kind {
				case engine.EffectSend:
					sends = append(sends, e)
				case engine.EffectCancel:
					cancels = append(cancels, e)
				}
			}
			if d.paced != 1 {
				t.Errorf("paced %d times, want once", d.paced)
			}
			automated := automatedMessages(t, h, phone)
			if tc.reason == "" {
				if len(sends) != 1 || len(cancels) != 0 || d.sent != 1 || automated != 1 || len(d.cancelled) != 0 {
					t.Fatalf("sends %+v, cancels %+v, paced sends %d, automated messages recorded %d, handed back to the pacer %v: want one, sent after its wait", sends, cancels, d.sent, automated, d.cancelled)
				}
				return
			}
			if len(sends) != 0 || d.sent != 0 {
				t.Fatalf("sends %+v (%d through the pacer): want none", sends, d.sent)
			}
			if len(d.cancelled) != 1 {
				t.Fatalf("handed back to the pacer: %v, want the cancelled reply once (its slot, its typing indicator)", d.cancelled)
			}
			if len(cancels) != 1 || cancels[0].Reason != tc.reason {
				t.Fatalf("cancels %+v, want one, %s", cancels, tc.reason)
			}
			if automated != 0 {
				t.Fatalf("%d automated messages recorded, want none: the cancelled reply was never sent", automated)
			}
			page, err := h.Store.QueryLogs(ctx, workflow.LogQuery{Outcome: workflow.OutcomeCancelled})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Entries) == 0 || page.Entries[0].Reason != tc.reason {
				t.Fatalf("cancelled log rows %+v, want %s", page.Entries, tc.reason)
			}
			// A cancelled reply's error (an AI reply's row says it by its
			// reason alone) carries its code.
			if acts := page.Entries[0].Actions; len(acts) != 1 || acts[0].Error != "" && acts[0].ErrorCode != tc.reason || tc.workflow == verified && acts[0].Error == "" {
				t.Fatalf("cancelled action %+v, want its error with the code %s", acts, tc.reason)
			}
		})
	}
}

// A pacing wait that fails (the slot is further than the pacer waits in
// place) leaves the reply unrecorded; its retry paces again, is checked
// after that wait, and records and sends it once.
func TestAPacedReplyPutOffIsRecordedWhenSent(t *testing.T) {
	ctx := t.Context()
	const phone = "+33611111111"
	d := &putOff{}
	o := workflowtest.Options{Configure: func(c *engine.Config) { d.next = c.Transport; c.Transport = d }}
	h := workflowtest.New(t, o)
	wf := "name: Accueil\ntrigger: incoming_message\nactions: [{reply: {text: \"Bien reçu.\"}}]\n"
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if res, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"}); err != nil || len(res.Effects) != 0 {
		t.Fatalf("Receive = %+v, %v: want the reply put off", res.Effects, err)
	}
	hist, err := h.Store.History(ctx, "main", phone, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 {
		t.Fatalf("history %+v: want only the customer's message while the reply waits", hist)
	}
	got := h.Advance(ctx, time.Minute)
	if len(got) != 1 || got[0].Kind != engine.EffectSend || got[0].Text != "Bien reçu." {
		t.Fatalf("effects of the retry = %+v, want the reply sent", got)
	}
	if hist, err = h.Store.History(ctx, "main", phone, 0, 10); err != nil || len(hist) != 2 || hist[1].Author != workflow.AuthorAutomation {
		t.Fatalf("history %+v, %v: want the reply recorded once", hist, err)
	}
	if d.calls < 2 {
		t.Fatalf("paced %d times, want the retry to pace again", d.calls)
	}
}

// putOff is a pacer whose first wait fails as a slot too far away does;
// cancelled counts the messages handed back by Cancel.
type putOff struct {
	next             workflow.Transport
	calls, cancelled int
}

func (p *putOff) Cancel(context.Context, workflow.Outgoing) error {
	p.cancelled++
	return nil
}

var errTooFar = errors.New("slot too far")

func (p *putOff) Pace(_ context.Context, m workflow.Outgoing) (workflow.Outgoing, error) {
	p.calls++
	if p.calls == 1 {
		return m, errTooFar
	}
	m.Paced = true
	return m, nil
}

func (p *putOff) Send(ctx context.Context, m workflow.Outgoing) error { return p.next.Send(ctx, m) }

// An AI reply put off by pacing is retried from a job, which checks its
// verify_before_send again: the customer who wrote meanwhile cancels it
// (customer_message, logged, nothing sent or recorded); otherwise it is
// sent and recorded once.
func TestAnAIReplyPutOffIsCheckedByItsRetry(t *testing.T) {
	for _, customerWrites := range []bool{false, true} {
		ctx := t.Context()
		const phone = "+33611111111"
		d := &putOff{}
		h := workflowtest.New(t, workflowtest.Options{AI: &workflowtest.ScriptedAI{ReplyTemplate: "IA: {{message}}"},
			Configure: func(c *engine.Config) { d.next = c.Transport; c.Transport = d }})
		wf := "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {}}]\n"
		if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
			t.Fatal(err)
		}
		if res, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"}); err != nil || len(res.Effects) != 0 {
			t.Fatalf("Receive = %+v, %v: want the reply put off", res.Effects, err)
		}
		if customerWrites {
			if _, err := h.Store.RecordInbound(ctx, trigger.Message{Session: "main", Phone: phone, ID: "later", Text: "Allô ?", Time: h.Clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		got := h.Advance(ctx, time.Minute)
		hist, err := h.Store.History(ctx, "main", phone, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		last := hist[len(hist)-1]
		if !customerWrites {
			if len(got) != 1 || got[0].Kind != engine.EffectSend || last.Author != workflow.AuthorAutomation || last.Text != "IA: Bonjour" || d.cancelled != 0 {
				t.Fatalf("effects %+v, last message %+v, handed back to the pacer %d: want the reply sent and recorded", got, last, d.cancelled)
			}
			continue
		}
		if len(got) != 1 || got[0].Kind != engine.EffectCancel || got[0].Reason != "customer_message" || last.Author != workflow.AuthorCustomer {
			t.Fatalf("effects %+v, last message %+v: want the reply cancelled (customer_message), not recorded", got, last)
		}
		if d.cancelled != 1 {
			t.Fatalf("handed back to the pacer %d times, want the cancelled retry once", d.cancelled)
		}
		page, err := h.Store.QueryLogs(ctx, workflow.LogQuery{Outcome: workflow.OutcomeCancelled})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 1 || page.Entries[0].Reason != "customer_message" || page.Entries[0].Workflow != "IA" {
			t.Fatalf("cancelled log rows %+v, want one for IA, customer_message", page.Entries)
		}
	}
}

// An AI reply recorded by an attempt whose transport failed is sent by its
// retry even if the customer wrote meanwhile: cancelling it would leave the
// conversation showing a reply that never went.
func TestARecordedAIReplyIsSentByItsRetry(t *testing.T) {
	ctx := t.Context()
	const phone = "+33611111111"
	h := failingOnceHarness(t, workflowtest.Options{AI: &workflowtest.ScriptedAI{ReplyTemplate: "IA: {{message}}"}})
	wf := "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {}}]\n"
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if res, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"}); err != nil || len(res.Effects) != 0 {
		t.Fatalf("Receive = %+v, %v: want the send failed", res.Effects, err)
	}
	if _, err := h.Store.RecordInbound(ctx, trigger.Message{Session: "main", Phone: phone, ID: "later", Text: "Allô ?", Time: h.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if got := h.Advance(ctx, time.Minute); len(got) != 1 || got[0].Kind != engine.EffectSend || got[0].Text != "IA: Bonjour" {
		t.Fatalf("effects of the retry = %+v, want the recorded reply sent", got)
	}
	if replies := automatedMessages(t, h, phone); replies != 1 {
		t.Fatalf("%d automated messages recorded, want the reply recorded once", replies)
	}
}

// automatedMessages counts the automated messages recorded in the
// conversation of phone on "main".
func automatedMessages(t *testing.T, h *workflowtest.Harness, phone string) int {
	t.Helper()
	hist, err := h.Store.History(t.Context(), "main", phone, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range hist {
		if r.Author == workflow.AuthorAutomation {
			n++
		}
	}
	return n
}

// A follow-up waits for its pacing slot before it is claimed and checked:
// a label its conditions exclude, added while it waited, cancels it
// (conditions_changed), and it is handed back to the pacer, never sent;
// nothing meanwhile, it is sent once after its wait.
func TestAFollowUpIsCheckedAfterItsPacingWait(t *testing.T) {
	const phone = "+33611111111"
	wf := `name: Relance
trigger: incoming_message
conditions: {labels: {has_not: client}}
actions:
  - reply: {text: "Toujours intéressé ?", delay: 1h, verify_before_send: {conditions: true}}
`
	for _, labelled := range []bool{false, true} {
		ctx := t.Context()
		var h *workflowtest.Harness
		d := &duringWait{meanwhile: func(ctx context.Context, m workflow.Outgoing) {
			if labelled && m.Kind == workflow.SendScheduled {
				if _, err := h.Store.UpdateLabels(ctx, m.To, []string{"client"}, nil); err != nil {
					t.Error(err)
				}
			}
		}}
		h = duringWaitHarness(t, workflowtest.Options{}, d)
		if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: "Bonjour"}); err != nil {
			t.Fatal(err)
		}
		got := h.Advance(ctx, time.Hour)
		list, err := h.Store.ListScheduled(ctx, workflow.ScheduleQuery{})
		if err != nil || len(list) != 1 {
			t.Fatalf("scheduled = %+v, %v: want the follow-up", list, err)
		}
		if d.paced != 1 {
			t.Fatalf("labelled %v: paced %d times, want once", labelled, d.paced)
		}
		if !labelled {
			if len(got) != 1 || got[0].Kind != engine.EffectSend || d.sent != 1 || list[0].Status != workflow.ScheduleSent || len(d.cancelled) != 0 {
				t.Fatalf("effects %+v, paced sends %d, status %s, handed back %v: want the follow-up sent once after its wait", got, d.sent, list[0].Status, d.cancelled)
			}
			continue
		}
		if len(got) != 1 || got[0].Kind != engine.EffectCancel || got[0].Reason != "conditions_changed" || d.sent != 0 {
			t.Fatalf("effects %+v, paced sends %d: want the follow-up cancelled (conditions_changed), not sent", got, d.sent)
		}
		if list[0].Status != workflow.ScheduleCancelled || automatedMessages(t, h, phone) != 0 || len(d.cancelled) != 1 {
			t.Fatalf("follow-up %s, automated messages %d, handed back %v: want it cancelled, unrecorded, handed back once", list[0].Status, automatedMessages(t, h, phone), d.cancelled)
		}
	}
}

// A paced reply the loop breaker stops is handed back to the pacer (its
// "typing…" cleared, its slot given back): it is never sent.
func TestAPacedReplyStoppedByTheLoopBreakerIsHandedBack(t *testing.T) {
	ctx := t.Context()
	const phone = "+33611111111"
	d := &duringWait{seen: map[string]bool{}}
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) {
		d.next, c.Transport = c.Transport, d
		c.LoopLimit = 1
	}})
	wf := "name: Accueil\ntrigger: incoming_message\nactions: [{reply: {text: \"Reçu\"}}]\n"
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"Bonjour", "Encore moi"} {
		if _, err := h.Receive(ctx, trigger.Message{Session: "main", Phone: phone, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if d.paced != 2 || d.sent != 1 || len(d.cancelled) != 1 || automatedMessages(t, h, phone) != 1 {
		t.Fatalf("paced %d, sent %d, handed back %v, automated messages %d: want the second reply stopped by the loop breaker and handed back",
			d.paced, d.sent, d.cancelled, automatedMessages(t, h, phone))
	}
}
