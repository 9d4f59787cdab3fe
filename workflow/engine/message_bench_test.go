package engine_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// BenchmarkMessage is one customer message through Engine.Handle on the
// in-memory store: recorded, evaluated against a workflow that fires,
// answered through the transport. It is the whole path a span wraps;
// with Config.Tracer nil it must cost the allocations it cost before
// tracing existed (adapters/otel's BenchmarkMessage compares tracers).
//
//	go test ./workflow/engine -run '^$' -bench 'BenchmarkMessage$' -count 6
func BenchmarkMessage(b *testing.B) {
	ctx := context.Background()
	clock := workflowtest.NewClock(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC))
	eng, err := engine.New(engine.Config{
		Store:     memstore.New(),
		Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil }),
		Compiler:  expr.New(),
		Clock:     clock,
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := eng.Load(ctx, "shop.yaml", []byte(`
name: Prix
trigger: incoming_message
conditions: {text: {contains: prix}}
actions: [{reply: {text: "Nos prix sont sur le site."}}]
`)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		// A new conversation each time: the loop breaker never trips.
		execs, err := eng.Handle(ctx, trigger.Message{ID: "m" + strconv.Itoa(i), Session: "main",
			Phone: "+336" + strconv.Itoa(10000000+i%90000000), Text: "Quel est le prix du pull ?", Time: clock.Now()})
		if err != nil || len(execs) != 1 {
			b.Fatalf("%v %v", execs, err)
		}
	}
}
