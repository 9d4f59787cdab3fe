package engine

import "context"

// Tracer starts the spans of the engine's work, for a tracing system
// (adapters/otel implements it with OpenTelemetry). Like Metrics, it is
// called on the hot path, concurrently: it must be safe for concurrent
// use. Config.Tracer nil traces nothing and costs no allocation.
//
// The spans of one message form one trace:
//
//	SpanReceive        Receive or Handle: the message recorded (and its evaluation queued)
//	└─ SpanEvaluate    the inbound job: the candidate workflows evaluated
//	   └─ SpanWorkflow one per workflow whose conditions matched (fired, shadow, skipped, failed)
//	      ├─ SpanSend  one per message handed to the transport
//	      └─ SpanAIReply   the queued AI reply of an ai_reply action
//	         ├─ SpanAIGenerate  the model call (its duration is the model's latency)
//	         └─ SpanSend
//
// A queued job carries the span context of the span that queued it in its
// payload (Inject when queued, Extract when run), so the job's spans are
// children of it even when another process runs the job. Sends of
// scheduled messages start a trace of their own.
type Tracer interface {
	// Start begins the span name as a child of the span in ctx (or of the
	// span context Extract put there) and returns ctx carrying it.
	Start(ctx context.Context, name SpanType) (context.Context, Span)
	// Inject returns the span context of ctx as text fields, to be carried
	// in a queued job; nil when ctx has none.
	Inject(ctx context.Context) map[string]string
	// Extract returns ctx with the span context carried by a job (what
	// Inject returned), the parent of the spans the job starts.
	Extract(ctx context.Context, carrier map[string]string) context.Context
}

// Span is one traced operation. Its methods are called by the goroutine
// that started it, End last and once.
type Span interface {
	// SetString, SetInt and SetBool record an attribute (keys: the Attr*
	// constants).
	SetString(key, value string)
	SetInt(key string, value int64)
	SetBool(key string, value bool)
	// End ends the span. A non-nil err marks it failed: recorded on the
	// span, with an error status.
	End(err error)
}

// SpanType is which of its operations a span of the engine times; its
// value is the span's name.
type SpanType string

// The spans of the engine (see Tracer).
const (
	SpanReceive    SpanType = "waauto.receive"
	SpanEvaluate   SpanType = "waauto.evaluate"
	SpanWorkflow   SpanType = "waauto.workflow"
	SpanSend       SpanType = "waauto.send"
	SpanAIReply    SpanType = "waauto.ai_reply"
	SpanAIGenerate SpanType = "waauto.ai.generate"
)

// Attribute keys of the engine's spans.
const (
	// AttrSession is the number (session id) of the message or send.
	AttrSession = "waauto.session"
	// AttrMessageID is the WhatsApp id of the received or sent message.
	AttrMessageID = "waauto.message.id"
	// AttrMessageType is the received message's type (text, image...).
	AttrMessageType = "waauto.message.type"
	// AttrDuplicate is true on SpanReceive for a message recorded before.
	AttrDuplicate = "waauto.message.duplicate"
	// AttrIgnored is why a received message is recorded but not automated
	// (excluded, stale, ...), on SpanReceive.
	AttrIgnored = "waauto.message.ignored"
	// AttrCandidates is how many workflows the prefilter left to evaluate.
	AttrCandidates = "waauto.candidates"
	// AttrFired is how many workflows fired (or resumed their firing).
	AttrFired = "waauto.workflows.fired"
	// AttrWorkflow and AttrWorkflowID name the workflow.
	AttrWorkflow   = "waauto.workflow.name"
	AttrWorkflowID = "waauto.workflow.id"
	// AttrOutcome and AttrReason are the execution's (as logged).
	AttrOutcome = "waauto.outcome"
	AttrReason  = "waauto.reason"
	// AttrTransport is the Go type of Config.Transport.
	AttrTransport = "waauto.transport"
	// AttrSendKind is the send's workflow.SendKind (fixed, ai, scheduled).
	AttrSendKind = "waauto.send.kind"
	// AttrCredits is what an AI reply cost.
	AttrCredits = "waauto.ai.credits"
	// AttrModelLatency is how long the model took, in milliseconds, on
	// the engine's Clock.
	AttrModelLatency = "waauto.ai.latency_ms"
	// AttrModel, AttrInputTokens and AttrOutputTokens are the model's
	// usage, named as OpenTelemetry's generative AI conventions name them.
	AttrModel        = "gen_ai.response.model"
	AttrInputTokens  = "gen_ai.usage.input_tokens"
	AttrOutputTokens = "gen_ai.usage.output_tokens"
)

// endSpan ends span with err, redacted as the engine's logs are.
func (e *Engine) endSpan(span Span, err error) {
	if err != nil && e.traced {
		err = e.cfg.Redactor.Error(err)
	}
	span.End(err)
}

// noTracer is the default Tracer: no spans, no allocation.
type noTracer struct{}

func (noTracer) Start(ctx context.Context, _ SpanType) (context.Context, Span) {
	return ctx, noSpan{}
}
func (noTracer) Inject(context.Context) map[string]string { return nil }
func (noTracer) Extract(ctx context.Context, _ map[string]string) context.Context {
	return ctx
}

type noSpan struct{}

func (noSpan) SetString(string, string) {}
func (noSpan) SetInt(string, int64)     {}
func (noSpan) SetBool(string, bool)     {}
func (noSpan) End(error)                {}
