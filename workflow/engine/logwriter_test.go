package engine_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// failingLogs fails its first n AppendLogs calls, then stores.
type failingLogs struct {
	workflow.Logs
	mu      sync.Mutex
	n       int
	batches []int
}

func (f *failingLogs) AppendLogs(ctx context.Context, es []workflow.Execution) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n > 0 {
		f.n--
		return errors.New("database is locked")
	}
	f.batches = append(f.batches, len(es))
	return f.Logs.AppendLogs(ctx, es)
}

func entry(i int) workflow.Execution {
	return workflow.Execution{ID: fmt.Sprintf("%08d", i), Time: time.Unix(int64(i), 0), Workflow: "W", Outcome: workflow.OutcomeFired}
}

// Batches of at most BatchSize; a failed batch is kept and written later; nothing is lost.
func TestLogWriterBatchesAndLosesNothing(t *testing.T) {
	ctx := context.Background()
	store := &failingLogs{Logs: memstore.New(), n: 1}
	w := engine.NewLogWriter(store, engine.LogWriterConfig{BatchSize: 100})
	for i := range 250 {
		err := w.Write(ctx, entry(i))
		if i == 99 && err == nil {
			t.Fatal("the failing inline flush was not reported")
		}
		if i != 99 && err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := store.QueryLogs(ctx, workflow.LogQuery{Limit: 1000})
	if err != nil || len(page.Entries) != 250 {
		t.Fatalf("stored %d entries (%v), want 250", len(page.Entries), err)
	}
	for _, n := range store.batches {
		if n > 100 {
			t.Fatalf("batch of %d rows, want at most 100: %v", n, store.batches)
		}
	}
}

// With Start, entries reach the store without an explicit Flush.
func TestLogWriterFlushesInTheBackground(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	w := engine.NewLogWriter(store, engine.LogWriterConfig{Interval: time.Millisecond})
	w.Start(ctx)
	defer w.Close(ctx)
	if err := w.Write(ctx, entry(1)); err != nil {
		t.Fatal(err)
	}
	for range 5000 {
		page, _ := store.QueryLogs(ctx, workflow.LogQuery{})
		if len(page.Entries) == 1 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("entry not flushed in the background")
}
