// Package otel traces the engine with OpenTelemetry
// (go.opentelemetry.io/otel): it implements engine.Tracer over a
// trace.TracerProvider, so every message becomes one trace — receive,
// evaluate, each workflow that matched, each send, and the AI reply with
// its model call — exported wherever the provider sends spans.
//
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
//	defer tp.Shutdown(ctx) // flushes the spans
//	eng, err := engine.New(engine.Config{..., Tracer: otel.New(otel.Config{TracerProvider: tp})})
//
// Span names are the engine.SpanType values, attributes the engine.Attr*
// keys; errors are recorded on their span (RecordError, status Error).
// The span context crosses the job queue in the W3C traceparent format
// (Config.Propagator), so a job run by another instance continues the
// message's trace. The product (examples/waauto) turns it on with the
// standard OTEL_* environment variables.
package otel
