package bun_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// execution is a typical log row: three leaves of trace, one action.
func execution(i int) workflow.Execution {
	return workflow.Execution{
		ID:   fmt.Sprintf("01JD%020d", i),
		Time: time.Unix(1_790_000_000, 0).Add(time.Duration(i) * time.Millisecond),
		// A plausible shop: a few workflows, many customers.
		WorkflowID: fmt.Sprintf("wf-%d", i%5), Workflow: "Prices outside hours",
		Session: "shop-1", Phone: fmt.Sprintf("+336%08d", i%1000), MessageID: fmt.Sprintf("wamid.%d", i),
		Trigger: "customer_message", Outcome: workflow.OutcomeFired, Reason: "conditions matched",
		Trace: condition.Trace{
			{Path: "all[0]", Leaf: `text contains "prix"`, Value: true},
			{Path: "all[1].not.schedule", Leaf: "in hours business", Value: false},
			{Path: "all[2]", Leaf: "contact is not excluded", Value: true},
		},
		Actions: []workflow.ActionResult{{Type: "send_message", Outcome: workflow.OutcomeFired, Detail: "sent 42 chars"}},
	}
}

// BenchmarkAppendLogs writes execution log rows one per transaction
// (rows=1) and 100 per transaction (rows=100, one multi-row INSERT). One
// op is one row, so ns/op compare directly.
func BenchmarkAppendLogs(b *testing.B) {
	for _, be := range backends {
		for _, batch := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/rows=%d", be.name, batch), func(b *testing.B) {
				s := be.open(b)
				ctx := context.Background()
				buf := make([]workflow.Execution, 0, batch)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					buf = append(buf, execution(i))
					if len(buf) == batch || i == b.N-1 {
						if err := s.AppendLogs(ctx, buf); err != nil {
							b.Fatal(err)
						}
						buf = buf[:0]
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

// BenchmarkRecordInboundParallel records customer messages from 16
// goroutines per core, as the product does under a burst: on SQLite the
// writes share group-commit transactions. One op is one message.
func BenchmarkRecordInboundParallel(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			ctx := context.Background()
			var next atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					m := trigger.Message{Session: "shop-1", ID: fmt.Sprintf("wamid.%d", i), Phone: fmt.Sprintf("+336%08d", i%1000),
						Text: "bonjour, quel est le prix ?", Time: time.Unix(1_790_000_000+i, 0)}
					if _, err := s.RecordInbound(ctx, m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
		})
	}
}
