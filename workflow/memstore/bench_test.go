package memstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
)

func BenchmarkRecordInbound(b *testing.B) {
	s := memstore.New()
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for i := 0; b.Loop(); i++ {
		_, err := s.RecordInbound(b.Context(), trigger.Message{
			ID: fmt.Sprint(i), Session: "shop", Phone: fmt.Sprintf("+336%08d", i%1000), Text: "prix ?", Time: t0,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryLogs pages 50 entries of a filtered log of 100 000 entries.
func BenchmarkQueryLogs(b *testing.B) {
	s := memstore.New()
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	entries := make([]workflow.Execution, 100_000)
	for i := range entries {
		entries[i] = workflow.Execution{
			ID: fmt.Sprintf("%012d", i), Time: t0.Add(time.Duration(i) * time.Second),
			WorkflowID: fmt.Sprintf("w%d", i%10), Outcome: workflow.OutcomeFired,
		}
	}
	if err := s.AppendLogs(b.Context(), entries); err != nil {
		b.Fatal(err)
	}
	q := workflow.LogQuery{WorkflowID: "w3", After: fmt.Sprintf("%012d", 50_000)}
	for b.Loop() {
		page, err := s.QueryLogs(b.Context(), q)
		if err != nil || len(page.Entries) != 50 {
			b.Fatal(err, len(page.Entries))
		}
	}
}
