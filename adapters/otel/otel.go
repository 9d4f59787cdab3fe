package otel

import (
	"context"

	otelapi "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/waauto/waauto/workflow/engine"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/waauto/waauto/adapters/otel"

// Config configures a Tracer; its zero value uses OpenTelemetry's global
// provider and the W3C trace context.
type Config struct {
	// TracerProvider makes the tracer; nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// Propagator writes and reads the span context a queued job carries;
	// nil means propagation.TraceContext (the traceparent header).
	Propagator propagation.TextMapPropagator
}

// Tracer is an engine.Tracer over OpenTelemetry. It is safe for
// concurrent use.
type Tracer struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
}

var _ engine.Tracer = (*Tracer)(nil)

// New returns a Tracer for Config.Tracer.
func New(cfg Config) *Tracer {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otelapi.GetTracerProvider()
	}
	p := cfg.Propagator
	if p == nil {
		p = propagation.TraceContext{}
	}
	return &Tracer{tracer: tp.Tracer(ScopeName), propagator: p}
}

// options are the start options of the engine's spans, made once: their
// kind. A message comes in (consumer), goes out (producer), the model is
// a remote call (client); the others are internal.
var options = map[engine.SpanType][]trace.SpanStartOption{
	engine.SpanReceive:    {trace.WithSpanKind(trace.SpanKindConsumer)},
	engine.SpanSend:       {trace.WithSpanKind(trace.SpanKindProducer)},
	engine.SpanAIGenerate: {trace.WithSpanKind(trace.SpanKindClient)},
}

var internal = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal)}

// Start begins the span name as a child of the span in ctx.
func (t *Tracer) Start(ctx context.Context, name engine.SpanType) (context.Context, engine.Span) {
	opts, ok := options[name]
	if !ok {
		opts = internal
	}
	ctx, s := t.tracer.Start(ctx, string(name), opts...)
	return ctx, span{s}
}

// Inject returns the span context of ctx in the propagator's fields
// (traceparent, tracestate), nil when ctx carries none.
func (t *Tracer) Inject(ctx context.Context) map[string]string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	c := propagation.MapCarrier{}
	t.propagator.Inject(ctx, c)
	if len(c) == 0 {
		return nil
	}
	return c
}

// Extract returns ctx with the remote span context of carrier as the
// parent of the spans started from it; ctx unchanged when carrier is
// empty.
func (t *Tracer) Extract(ctx context.Context, carrier map[string]string) context.Context {
	if len(carrier) == 0 {
		return ctx
	}
	return t.propagator.Extract(ctx, propagation.MapCarrier(carrier))
}

// span is an engine.Span over an OpenTelemetry span. A span that is not
// recording (not sampled) builds no attribute.
type span struct{ s trace.Span }

func (s span) SetString(key, value string) {
	if s.s.IsRecording() {
		s.s.SetAttributes(attribute.String(key, value))
	}
}

func (s span) SetInt(key string, value int64) {
	if s.s.IsRecording() {
		s.s.SetAttributes(attribute.Int64(key, value))
	}
}

func (s span) SetBool(key string, value bool) {
	if s.s.IsRecording() {
		s.s.SetAttributes(attribute.Bool(key, value))
	}
}

// End records err (RecordError, status Error) and ends the span.
func (s span) End(err error) {
	if err != nil {
		s.s.RecordError(err)
		s.s.SetStatus(codes.Error, err.Error())
	}
	s.s.End()
}
