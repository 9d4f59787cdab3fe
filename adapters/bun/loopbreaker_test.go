package bun_test

import (
	"context"
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// The loop breaker's scenario on each database: the engine applies it
// through the store's RecordOutboundUnder (workflow.OutboundLimiter), one
// statement on PostgreSQL.
func TestLoopBreakerScenario(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			if _, ok := workflow.Store(st).(workflow.OutboundLimiter); !ok {
				t.Fatal("the bun store is no workflow.OutboundLimiter")
			}
			rep, err := workflowtest.Run(t.Context(), "../../testdata/scenarios/loop-breaker.yaml", workflowtest.RunOptions{
				NewStore: func(context.Context) (workflow.Store, func(), error) { return st, func() {}, nil },
			})
			if err != nil || !rep.Passed() {
				t.Fatalf("loop-breaker.yaml: %v %v", err, rep.Failures)
			}
		})
	}
}
