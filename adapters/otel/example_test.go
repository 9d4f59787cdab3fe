package otel_test

import (
	"context"
	"fmt"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/waauto/waauto/adapters/otel"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// Tracing an engine: give Config.Tracer an otel.Tracer over your
// TracerProvider (here one that records in memory; in production one
// with an OTLP exporter, shut down at exit to flush the spans). Every
// message is then one trace.
func Example() {
	ctx := context.Background()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(ctx) }()

	eng, err := engine.New(engine.Config{
		Store:     memstore.New(),
		Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil }),
		Compiler:  expr.New(),
		Tracer:    otel.New(otel.Config{TracerProvider: tp}),
	})
	if err != nil {
		panic(err)
	}
	if _, err := eng.Load(ctx, "shop.yaml", []byte(`
name: Prix
trigger: incoming_message
conditions: {text: {contains: prix}}
actions: [{reply: {text: "Nos prix sont sur le site."}}]
`)); err != nil {
		panic(err)
	}
	if _, err := eng.Handle(ctx, trigger.Message{ID: "m1", Session: "main", Phone: "+33611111111", Text: "Le prix ?"}); err != nil {
		panic(err)
	}
	// Print the tree: each span under its parent.
	ended := spans.Ended()
	var print func(parent string, depth int)
	print = func(parent string, depth int) {
		for _, s := range ended {
			if s.Parent().SpanID().String() == parent {
				fmt.Printf("%s%s\n", strings.Repeat("  ", depth), s.Name())
				print(s.SpanContext().SpanID().String(), depth+1)
			}
		}
	}
	print("0000000000000000", 0)
	// Output:
	// waauto.receive
	//   waauto.evaluate
	//     waauto.workflow
	//       waauto.send
}
