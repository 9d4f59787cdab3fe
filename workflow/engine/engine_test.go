package engine_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// recorder is a transport that keeps what it sends. Send is safe for
// concurrent use (the in-memory queue's workers send at once); read sent
// once the engine is idle or closed.
type recorder struct {
	mu   sync.Mutex
	sent []workflow.Outgoing
}

func (r *recorder) Send(_ context.Context, m workflow.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return nil
}

func mustLoad(t *testing.T, src string, opts workflow.LoadOptions) workflow.Definitions {
	t.Helper()
	d, err := workflow.Load("test.yaml", []byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const twoWorkflows = `
hours:
  shop: {weekly: {mon: ["09:00-18:00"]}}
workflows:
  - name: Bonjour
    trigger: incoming_message
    priority: 5
    conditions: {text: {contains: bonjour}}
    actions: [{reply: {text: "Salut {{contact.name}}"}}]
  - name: Horaires
    trigger: incoming_message
    conditions: {schedule: {hours: shop}}
    actions: [{label: {add: [open]}}]
`

func TestRestoreAfterRestart(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	e1, err := engine.New(engine.Config{Store: st, Transport: &recorder{}, Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	if err := e1.SetWorkflows(ctx, mustLoad(t, twoWorkflows, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := e1.SetEnabled(ctx, []string{"Horaires"}, false); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	e2, _ := engine.New(engine.Config{Store: st, Transport: rec, Compiler: expr.New()})
	if err := e2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	ws := e2.Workflows()
	if len(ws) != 2 || ws[0].Name != "Bonjour" || ws[1].Name != "Horaires" || ws[1].Enabled || !ws[0].Enabled {
		t.Fatalf("restored workflows = %+v", ws)
	}
	if _, err := e2.Handle(ctx, trigger.Message{ID: "1", Session: "main", Phone: "+33611111111", PushName: "Léa", Text: "Bonjour !"}); err != nil {
		t.Fatal(err)
	}
	if len(rec.sent) != 1 || rec.sent[0].Text != "Salut Léa" {
		t.Fatalf("sent = %+v", rec.sent)
	}
	if err := e2.DeleteWorkflows(ctx, []string{"Bonjour"}); err != nil {
		t.Fatal(err)
	}
	stored, _ := st.Workflows(ctx)
	if len(stored) != 1 || stored[0].Name != "Horaires" {
		t.Fatalf("stored after delete = %+v", stored)
	}
}

func TestUserTemplates(t *testing.T) {
	ctx := context.Background()
	e, _ := engine.New(engine.Config{Store: memstore.New(), Transport: &recorder{}, Compiler: expr.New()})
	d := mustLoad(t, "name: Promo\ntrigger: incoming_message\nconditions: {text: {contains: promo}}\nactions: [{reply: {text: \"-10%\"}}]\n", workflow.LoadOptions{})
	if err := e.SaveTemplate(ctx, d.Workflows[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.SaveTemplate(ctx, workflow.Workflow{Name: "welcome"}); !errors.Is(err, workflow.ErrConflict) {
		t.Fatalf("saving over a built-in: %v, want ErrConflict", err)
	}
	tpls, err := e.Templates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d2 := mustLoad(t, "name: Promo Noël\ntemplate: Promo\npriority: 3\n", workflow.LoadOptions{Templates: tpls})
	w := d2.Workflows[0]
	if w.Priority != 3 || len(w.Actions) != 1 || w.Actions[0].Type != "reply" || w.Conditions == nil {
		t.Fatalf("workflow from user template = %+v", w)
	}
}

type panicky struct{}

func (*panicky) Run(context.Context, *action.Call) error { panic("boom") }

// failingCompiler compiles every tree to a program whose evaluation fails.
type failingCompiler struct{ condition.Compiler }

type failingProgram struct{}

func (failingProgram) Eval(context.Context, *condition.Facts) (condition.Result, error) {
	return condition.Result{}, condition.ErrCostLimit
}

func (failingProgram) Match(context.Context, *condition.Scope) (bool, error) {
	return false, condition.ErrCostLimit
}

func (failingProgram) Trace(context.Context, *condition.Scope) (condition.Result, error) {
	return condition.Result{}, condition.ErrCostLimit
}

func (f failingCompiler) Compile(tree condition.Node, env condition.Env) (condition.Program, error) {
	if tree != nil {
		return failingProgram{}, nil
	}
	return f.Compiler.Compile(tree, env)
}

func TestFailuresStayInTheirWorkflowAndAreLogged(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	rec := &recorder{}
	e, _ := engine.New(engine.Config{Store: st, Transport: rec, Compiler: failingCompiler{expr.New()}})
	ws := []workflow.Workflow{
		{Name: "Panique", Enabled: true, Priority: 1, Actions: []workflow.Step{{Type: "panicky", Action: &panicky{}}, {Type: "reply", Action: &action.Reply{Text: "après la panique"}}}},
		{Name: "Coûteux", Enabled: true, Priority: 2, Conditions: condition.Text{Op: condition.OpContains, Value: "x"}, Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{Text: "jamais"}}}},
		{Name: "Normal", Enabled: true, Priority: 3, Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{Text: "ok"}}}},
	}
	if err := e.SetWorkflows(ctx, workflow.Definitions{Workflows: ws}); err == nil {
		t.Fatal("a workflow with an unregistered action type saved without error")
	}
	reg := action.NewRegistry()
	reg.MustRegister("panicky", action.Of[panicky]())
	e, _ = engine.New(engine.Config{Store: st, Transport: rec, Compiler: failingCompiler{expr.New()}, Registry: reg})
	if err := e.SetWorkflows(ctx, workflow.Definitions{Workflows: ws}); err != nil {
		t.Fatal(err)
	}
	execs, err := e.Handle(ctx, trigger.Message{ID: "m1", Session: "main", Phone: "+33611111111", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.sent) != 2 || rec.sent[0].Text != "après la panique" || rec.sent[1].Text != "ok" {
		t.Fatalf("sent = %+v", rec.sent)
	}
	if len(execs) != 3 || execs[0].Outcome != workflow.OutcomeFailed || !strings.Contains(execs[0].Actions[0].Error, "panic: boom") ||
		execs[1].Outcome != workflow.OutcomeFailed || !strings.Contains(execs[1].Reason, "cost limit") || execs[2].Outcome != workflow.OutcomeFired {
		t.Fatalf("executions = %+v", execs)
	}
	page, err := st.QueryLogs(ctx, workflow.LogQuery{Outcome: workflow.OutcomeFailed})
	if err != nil || len(page.Entries) != 2 {
		t.Fatalf("failed log entries = %+v, %v", page.Entries, err)
	}
}

func TestFailedSendIsRetriedWithTheSameID(t *testing.T) {
	ctx := context.Background()
	tr := &flakyTransport{fail: 2}
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) { c.Transport = tr }})
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, "name: R\ntrigger: incoming_message\nactions: [{reply: {text: hi}}]\n", workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "yo"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Effects) != 0 {
		t.Fatalf("effects before the retry = %+v", res.Effects)
	}
	effects := h.Advance(ctx, time.Minute)
	if len(tr.tries) != 3 || tr.tries[0].ID != tr.tries[1].ID || tr.tries[1].ID != tr.tries[2].ID {
		t.Fatalf("attempts = %+v, want 3 with one id", tr.tries)
	}
	if len(effects) != 1 || effects[0].Text != "hi" {
		t.Fatalf("effects after retry = %+v", effects)
	}
}

// Receive only records and queues: the workflows run from the job queue,
// so a slow action never blocks the transport's handler.
func TestReceiveQueuesTheEvaluation(t *testing.T) {
	ctx := context.Background()
	tr := &recorder{}
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) { c.Transport = tr }})
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, "name: R\ntrigger: incoming_message\nactions: [{reply: {text: hi}}]\n", workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	m := trigger.Message{ID: "w1", Session: "main", Phone: "+33611111111", Text: "yo"}
	if err := h.Engine.Receive(ctx, m); err != nil {
		t.Fatal(err)
	}
	if len(tr.sent) != 0 {
		t.Fatalf("sent before the queue ran: %+v", tr.sent)
	}
	inbound := 0
	for _, j := range h.Clock.Pending() {
		if j.Kind == workflow.JobInbound {
			inbound++
		}
	}
	if inbound != 1 {
		t.Fatalf("%d inbound jobs pending, want 1", inbound)
	}
	h.Clock.Settle(ctx)
	if len(tr.sent) != 1 || tr.sent[0].Text != "hi" {
		t.Fatalf("sent = %+v", tr.sent)
	}
	// The same WhatsApp id delivered again is recorded once and answered once.
	if err := h.Engine.Receive(ctx, m); err != nil {
		t.Fatal(err)
	}
	h.Clock.Settle(ctx)
	if len(tr.sent) != 1 {
		t.Fatalf("redelivery answered again: %+v", tr.sent)
	}
}

// A restart re-queues pending scheduled messages; with the in-memory queue
// it also resends, with the same id, one that a crash left "sending".
func TestStartRequeuesScheduledMessages(t *testing.T) {
	ctx := context.Background()
	put := func(st workflow.Store, at time.Time) {
		for _, m := range []workflow.ScheduledMessage{
			{ID: "a", Session: "main", Phone: "+33611111111", Text: "A", At: at, Status: workflow.SchedulePending, MessageID: "ID-A"},
			{ID: "b", Session: "main", Phone: "+33622222222", Text: "B", At: at, Status: workflow.ScheduleSending, MessageID: "ID-B"},
			{ID: "c", Session: "main", Phone: "+33633333333", Text: "C", At: at, Status: workflow.ScheduleSent, MessageID: "ID-C"},
		} {
			if err := st.PutScheduled(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A queue other than the in-memory one (here the harness's) may be shared with
	// live instances: only pending rows are re-queued.
	st := memstore.New()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	put(st, at)
	tr := &recorder{}
	workflowtest.New(t, workflowtest.Options{Store: st, Start: at.Add(time.Minute), Configure: func(c *engine.Config) { c.Transport = tr }})
	if len(tr.sent) != 1 || tr.sent[0].ID != "ID-A" {
		t.Fatalf("sent = %+v, want only A", tr.sent)
	}

	st = memstore.New()
	put(st, time.Now())
	tr = &recorder{}
	e, _ := engine.New(engine.Config{Store: st, Transport: tr, Compiler: expr.New()})
	_ = e.PutSession(ctx, workflow.Session{ID: "main"})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		a, _ := st.Scheduled(ctx, "a")
		b, _ := st.Scheduled(ctx, "b")
		if a.Status == workflow.ScheduleSent && b.Status == workflow.ScheduleSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a %s, b %s; want both sent", a.Status, b.Status)
		}
	}
	_ = e.Close(ctx) // waits for the queue's workers: tr is safe to read
	if len(tr.sent) != 2 || tr.sent[0].ID == tr.sent[1].ID || tr.sent[0].ID+tr.sent[1].ID != "ID-AID-B" && tr.sent[0].ID+tr.sent[1].ID != "ID-BID-A" {
		t.Fatalf("sent = %+v, want A and B with their ids", tr.sent)
	}
}

// Config.Middleware wraps every action run, in order.
func TestActionMiddleware(t *testing.T) {
	ctx := context.Background()
	var ran []string
	meter := func(next action.Action) action.Action {
		return action.Func(func(ctx context.Context, c *action.Call) error {
			ran = append(ran, c.Workflow)
			return next.Run(ctx, c)
		})
	}
	rec := &recorder{}
	e, _ := engine.New(engine.Config{Store: memstore.New(), Transport: rec, Compiler: expr.New(), Middleware: []action.Middleware{meter}})
	if err := e.SetWorkflows(ctx, mustLoad(t, "name: R\ntrigger: incoming_message\nactions: [{reply: {text: a}}, {label: {add: x}}]\n", workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Handle(ctx, trigger.Message{ID: "1", Session: "main", Phone: "+33611111111", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 2 || len(rec.sent) != 1 {
		t.Fatalf("middleware saw %v, sent %d", ran, len(rec.sent))
	}
}

// flakyQueue fails its first inbound enqueue, as a crash between recording
// a message and queueing its evaluation would.
type flakyQueue struct {
	workflow.JobQueue
	failed bool
}

func (q *flakyQueue) Enqueue(ctx context.Context, j workflow.Job) error {
	if j.Kind == workflow.JobInbound && !q.failed {
		q.failed = true
		return errors.New("database is locked")
	}
	return q.JobQueue.Enqueue(ctx, j)
}

// A message recorded but whose evaluation was never queued is evaluated
// when WhatsApp delivers it again, and answered once.
func TestRedeliveryQueuesALostEvaluation(t *testing.T) {
	ctx := context.Background()
	tr := &recorder{}
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) {
		c.Transport = tr
		c.Jobs = &flakyQueue{JobQueue: c.Jobs}
	}})
	if err := h.Engine.SetWorkflows(ctx, mustLoad(t, "name: R\ntrigger: incoming_message\nactions: [{reply: {text: hi}}]\n", workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	m := trigger.Message{ID: "lost", Session: "main", Phone: "+33611111111", Text: "yo"}
	if err := h.Engine.Receive(ctx, m); err == nil {
		t.Fatal("a failed enqueue was not reported to the transport")
	}
	h.Clock.Settle(ctx)
	if len(tr.sent) != 0 {
		t.Fatalf("sent = %+v", tr.sent)
	}
	for range 2 { // redelivered, twice
		if err := h.Engine.Receive(ctx, m); err != nil {
			t.Fatal(err)
		}
		h.Clock.Settle(ctx)
	}
	if len(tr.sent) != 1 || tr.sent[0].Text != "hi" {
		t.Fatalf("sent = %+v, want one answer", tr.sent)
	}
	if c, _ := h.Store.Conversation(ctx, "main", "+33611111111"); c.MessageCount != 2 {
		t.Fatalf("message count = %d, want 2 (the message once, the answer once)", c.MessageCount)
	}
}

// A scheduled send that completes while its job's context ends is still
// recorded as sent, so that the retry does not send it again.
func TestScheduledSentDespiteJobTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := memstore.New()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	h := workflowtest.New(t, workflowtest.Options{Store: st, Start: at, Configure: func(c *engine.Config) {
		c.Transport = workflow.TransportFunc(func(context.Context, workflow.Outgoing) error {
			cancel() // the job times out while the send completes
			return nil
		})
	}})
	if _, err := h.Engine.Schedule(context.Background(), engine.ScheduleRequest{ID: "r", Session: "main", Phone: "+33611111111", Text: "hi", At: at.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(ctx, 2*time.Minute)
	if m, _ := st.Scheduled(context.Background(), "r"); m.Status != workflow.ScheduleSent {
		t.Fatalf("status %s, want sent", m.Status)
	}
}

// NewMessageID is the one generator of message ids (the whatsmeow adapter's
// twin went): WhatsApp Web's format, "3EB0" and 18 upper-case hex digits.
func TestNewMessageID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := engine.NewMessageID()
		if !regexp.MustCompile(`^3EB0[0-9A-F]{18}$`).MatchString(id) || seen[id] {
			t.Fatalf("id %q: not WhatsApp's format or repeated", id)
		}
		seen[id] = true
	}
}
