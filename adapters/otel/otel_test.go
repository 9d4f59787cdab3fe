package otel_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/adapters/otel"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/workflowtest"
)

const shop = `
workflows:
  - name: Prix
    trigger: incoming_message
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "Nos prix sont sur le site."}}]
  - name: Conseil
    trigger: incoming_message
    conditions: {text: {contains: conseil}}
    actions: [{ai_reply: {}}]
`

// down is the phone whose sends fail.
const down = "+33699999999"

type model struct{}

func (model) Respond(context.Context, ai.Request) (ai.Reply, error) {
	return ai.Reply{Text: "Prenez le bleu.", Usage: ai.Usage{Model: "test-model", PromptTokens: 120, CompletionTokens: 4}}, nil
}

// world is an engine on the memory store whose jobs run on a virtual
// clock, traced into rec.
type world struct {
	eng   *engine.Engine
	clock *workflowtest.Clock
	rec   *tracetest.SpanRecorder
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := t.Context()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	clock := workflowtest.NewClock(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC))
	st := memstore.New()
	if err := st.SetCredits(ctx, 100); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{
		Store: st, Compiler: expr.New(), Clock: clock, Jobs: clock, Responder: model{}, MeterCredits: true,
		Transport: workflow.TransportFunc(func(_ context.Context, m workflow.Outgoing) error {
			if m.To == down {
				return errors.New("whatsapp: connection lost")
			}
			return nil
		}),
		Tracer: otel.New(otel.Config{TracerProvider: tp}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Load(ctx, "shop.yaml", []byte(shop)); err != nil {
		t.Fatal(err)
	}
	if err := clock.Start(ctx, eng.RunJob); err != nil {
		t.Fatal(err)
	}
	return &world{eng: eng, clock: clock, rec: rec}
}

// receive hands a message to Receive and runs the jobs it queued.
func (w *world) receive(t *testing.T, id, phone, text string) {
	t.Helper()
	if err := w.eng.Receive(t.Context(), trigger.Message{ID: id, Session: "main", Phone: phone, Text: text}); err != nil {
		t.Fatal(err)
	}
	w.clock.Settle(t.Context())
}

// one returns the one ended span named name whose attribute key is value.
func one(t *testing.T, spans []sdktrace.ReadOnlySpan, name engine.SpanType, key, value string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == string(name) && attr(s, key).AsString() == value {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d spans %s with %s=%q, want 1 (spans: %s)", len(found), name, key, value, names(spans))
	}
	return found[0]
}

func attr(s sdktrace.ReadOnlySpan, key string) attribute.Value {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func names(spans []sdktrace.ReadOnlySpan) string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return strings.Join(out, ", ")
}

// childOf fails unless child's parent is parent, in parent's trace.
func childOf(t *testing.T, child, parent sdktrace.ReadOnlySpan) {
	t.Helper()
	if child.Parent().SpanID() != parent.SpanContext().SpanID() || child.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("%s (parent %s, trace %s) is not a child of %s (span %s, trace %s)", child.Name(), child.Parent().SpanID(),
			child.SpanContext().TraceID(), parent.Name(), parent.SpanContext().SpanID(), parent.SpanContext().TraceID())
	}
}

func wantAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := attr(s, k).AsInterface(); got != v {
			t.Errorf("%s: %s = %v (%T), want %v (%T)", s.Name(), k, got, got, v, v)
		}
	}
}

// One message through the engine on the memory store makes one trace:
// receive → evaluate (through the queue) → the workflow that fired → its
// send, with their attributes and unset status.
func TestMessageTrace(t *testing.T) {
	w := newWorld(t)
	w.receive(t, "m1", "+33611111111", "Quel est le prix ?")
	spans := w.rec.Ended()
	if len(spans) != 4 {
		t.Fatalf("spans %s, want receive, evaluate, workflow, send", names(spans))
	}
	recv := one(t, spans, engine.SpanReceive, engine.AttrMessageID, "m1")
	eval := one(t, spans, engine.SpanEvaluate, engine.AttrMessageID, "m1")
	wf := one(t, spans, engine.SpanWorkflow, engine.AttrWorkflow, "Prix")
	send := one(t, spans, engine.SpanSend, engine.AttrWorkflow, "Prix")
	if recv.Parent().IsValid() {
		t.Errorf("receive has a parent %s", recv.Parent().SpanID())
	}
	childOf(t, eval, recv)
	if !eval.Parent().IsRemote() {
		t.Error("evaluate's parent is not remote: the span context did not come through the job's payload")
	}
	childOf(t, wf, eval)
	childOf(t, send, wf)
	wantAttrs(t, recv, map[string]any{engine.AttrSession: "main", engine.AttrMessageType: "text", engine.AttrDuplicate: false})
	wantAttrs(t, eval, map[string]any{engine.AttrCandidates: int64(1), engine.AttrFired: int64(1)})
	wantAttrs(t, wf, map[string]any{engine.AttrWorkflowID: "prix", engine.AttrOutcome: "fired", engine.AttrReason: "conditions matched"})
	wantAttrs(t, send, map[string]any{engine.AttrSession: "main", engine.AttrSendKind: "fixed", engine.AttrTransport: "workflow.TransportFunc"})
	if id := attr(send, engine.AttrMessageID).AsString(); !strings.HasPrefix(id, "3EB0") {
		t.Errorf("send's message id %q", id)
	}
	kinds := map[sdktrace.ReadOnlySpan]trace.SpanKind{recv: trace.SpanKindConsumer, eval: trace.SpanKindInternal, wf: trace.SpanKindInternal, send: trace.SpanKindProducer}
	for s, k := range kinds {
		if s.SpanKind() != k {
			t.Errorf("%s kind %v, want %v", s.Name(), s.SpanKind(), k)
		}
		if s.Status().Code != codes.Unset || len(s.Events()) != 0 {
			t.Errorf("%s status %v events %v, want no error", s.Name(), s.Status(), s.Events())
		}
	}

	// The same message delivered again: a receive span saying so.
	w.rec.Reset()
	w.receive(t, "m1", "+33611111111", "Quel est le prix ?")
	again := one(t, w.rec.Ended(), engine.SpanReceive, engine.AttrMessageID, "m1")
	wantAttrs(t, again, map[string]any{engine.AttrDuplicate: true})
}

// A send the transport refuses is an error on its span, on its
// workflow's and on the evaluation's (the job is retried), with the
// error recorded as an exception event.
func TestFailedSendTrace(t *testing.T) {
	w := newWorld(t)
	w.receive(t, "m2", down, "Le prix ?")
	spans := w.rec.Ended()
	send := one(t, spans, engine.SpanSend, engine.AttrWorkflow, "Prix")
	wf := one(t, spans, engine.SpanWorkflow, engine.AttrWorkflow, "Prix")
	eval := one(t, spans, engine.SpanEvaluate, engine.AttrMessageID, "m2")
	childOf(t, send, wf)
	for _, s := range []sdktrace.ReadOnlySpan{send, wf, eval} {
		if s.Status().Code != codes.Error || !strings.Contains(s.Status().Description, "connection lost") {
			t.Errorf("%s status %+v, want Error with the transport's error", s.Name(), s.Status())
		}
	}
	ev := send.Events()
	if len(ev) != 1 || ev[0].Name != "exception" || !strings.Contains(attrOf(ev[0].Attributes, "exception.message"), "connection lost") {
		t.Errorf("send events %+v, want one exception with the transport's error", ev)
	}
	recv := one(t, spans, engine.SpanReceive, engine.AttrMessageID, "m2")
	if recv.Status().Code != codes.Unset {
		t.Errorf("receive status %+v: the message was recorded and queued", recv.Status())
	}
}

func attrOf(kvs []attribute.KeyValue, key string) string {
	for _, kv := range kvs {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

// An AI reply runs in a job of its own: its span is a child of the
// workflow that queued it, the model call (its latency) and the send
// children of it, with the model, its usage and the credits it cost.
func TestAIReplyTrace(t *testing.T) {
	w := newWorld(t)
	w.receive(t, "m3", "+33622222222", "Un conseil ?")
	spans := w.rec.Ended()
	wf := one(t, spans, engine.SpanWorkflow, engine.AttrWorkflow, "Conseil")
	reply := one(t, spans, engine.SpanAIReply, engine.AttrWorkflow, "Conseil")
	gen := one(t, spans, engine.SpanAIGenerate, engine.AttrModel, "test-model")
	send := one(t, spans, engine.SpanSend, engine.AttrWorkflow, "Conseil")
	childOf(t, reply, wf)
	childOf(t, gen, reply)
	childOf(t, send, reply)
	wantAttrs(t, reply, map[string]any{engine.AttrOutcome: "fired", engine.AttrCredits: int64(1), engine.AttrModel: "test-model",
		engine.AttrInputTokens: int64(120), engine.AttrOutputTokens: int64(4), engine.AttrModelLatency: int64(0)})
	wantAttrs(t, send, map[string]any{engine.AttrSendKind: "ai"})
	if gen.SpanKind() != trace.SpanKindClient {
		t.Errorf("generate kind %v", gen.SpanKind())
	}
}

// capture is a job queue that keeps the jobs: what a durable queue
// stores for another process to run.
type capture struct{ jobs []workflow.Job }

func (c *capture) Enqueue(_ context.Context, j workflow.Job) error {
	c.jobs = append(c.jobs, j)
	return nil
}

// The job's bytes alone carry the trace: an engine with a tracer of its
// own (another process) runs the queued evaluation as a child of the
// first one's receive span.
func TestTraceCrossesProcesses(t *testing.T) {
	ctx := t.Context()
	st := memstore.New()
	newEngine := func(q workflow.JobQueue, rec *tracetest.SpanRecorder) *engine.Engine {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		eng, err := engine.New(engine.Config{Store: st, Compiler: expr.New(), Jobs: q, Tracer: otel.New(otel.Config{TracerProvider: tp}),
			Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil })})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Load(ctx, "shop.yaml", []byte(shop)); err != nil {
			t.Fatal(err)
		}
		return eng
	}
	q := &capture{}
	recA, recB := tracetest.NewSpanRecorder(), tracetest.NewSpanRecorder()
	a, b := newEngine(q, recA), newEngine(&capture{}, recB)
	if err := a.Receive(ctx, trigger.Message{ID: "m4", Session: "main", Phone: "+33633333333", Text: "prix"}); err != nil {
		t.Fatal(err)
	}
	if len(q.jobs) != 1 || !strings.Contains(string(q.jobs[0].Payload), `"traceparent"`) {
		t.Fatalf("queued %+v, want one job whose payload carries a traceparent", q.jobs)
	}
	job := workflow.Job{ID: q.jobs[0].ID, Kind: q.jobs[0].Kind, Payload: append([]byte(nil), q.jobs[0].Payload...)}
	if err := b.RunJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	recv := one(t, recA.Ended(), engine.SpanReceive, engine.AttrMessageID, "m4")
	eval := one(t, recB.Ended(), engine.SpanEvaluate, engine.AttrMessageID, "m4")
	childOf(t, eval, recv)
	if len(recB.Ended()) != 3 {
		t.Errorf("the other process's spans: %s, want evaluate, workflow, send", names(recB.Ended()))
	}
}

// Without a span in the context nothing is injected, and an empty
// carrier leaves the context as it is.
func TestInjectExtractWithoutSpan(t *testing.T) {
	tr := otel.New(otel.Config{TracerProvider: sdktrace.NewTracerProvider()})
	ctx := context.Background()
	if c := tr.Inject(ctx); c != nil {
		t.Errorf("Inject without a span: %v", c)
	}
	if got := tr.Extract(ctx, nil); got != ctx {
		t.Error("Extract of no carrier changed the context")
	}
	if sc := trace.SpanContextFromContext(tr.Extract(ctx, map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})); sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || !sc.IsRemote() {
		t.Errorf("Extract of a traceparent: %+v", sc)
	}
}
