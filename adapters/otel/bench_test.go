package otel_test

import (
	"context"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/waauto/waauto/adapters/otel"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// BenchmarkTracedMessage is workflow/engine's BenchmarkMessage (one
// message through Handle on the memory store, one workflow fires and
// sends) under each tracer: none (Config.Tracer nil), OpenTelemetry's
// no-op provider, the SDK sampling nothing, and the SDK recording every
// span (with no exporter: the cost of making spans, not of shipping them).
//
//	go test ./adapters/otel -run '^$' -bench TracedMessage -count 6
func BenchmarkTracedMessage(b *testing.B) {
	for _, tc := range []struct {
		name   string
		tracer engine.Tracer
	}{
		{"tracer=none", nil},
		{"tracer=otel-noop", otel.New(otel.Config{TracerProvider: noop.NewTracerProvider()})},
		{"tracer=sdk-unsampled", otel.New(otel.Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))})},
		{"tracer=sdk", otel.New(otel.Config{TracerProvider: sdktrace.NewTracerProvider()})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			eng, err := engine.New(engine.Config{Store: memstore.New(), Compiler: expr.New(), Tracer: tc.tracer,
				Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil })})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := eng.Load(ctx, "shop.yaml", []byte(shop)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++ // a new conversation each time: the loop breaker never trips
				m := trigger.Message{ID: "m" + strconv.Itoa(i), Session: "main", Phone: "+336" + strconv.Itoa(10000000+i), Text: "Le prix ?"}
				if execs, err := eng.Handle(ctx, m); err != nil || len(execs) != 1 {
					b.Fatalf("%v %v", execs, err)
				}
			}
		})
	}
}
