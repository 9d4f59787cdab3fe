package engine_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// A slow job does not hold up the others; a failing job is retried; an id
// enqueued twice runs once.
func TestMemQueue(t *testing.T) {
	q := engine.NewMemQueue(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	var fails atomic.Int32
	done := make(chan struct{}, 10)
	q.Start(ctx, func(ctx context.Context, j workflow.Job) error {
		switch j.ID {
		case "slow":
			<-release
		case "flaky":
			if fails.Add(1) == 1 {
				return errors.New("try again")
			}
		}
		mu.Lock()
		order = append(order, j.ID)
		mu.Unlock()
		done <- struct{}{}
		return nil
	})
	defer q.Stop()
	now := time.Now()
	for _, id := range []string{"slow", "fast", "fast", "flaky"} {
		if err := q.Enqueue(ctx, workflow.Job{ID: id, Kind: "k", RunAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	wait := func() {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("job did not run; ran so far: %v", order)
		}
	}
	wait() // fast, while slow is blocked
	mu.Lock()
	if order[0] != "fast" {
		t.Fatalf("first job to finish = %q, want fast", order[0])
	}
	mu.Unlock()
	close(release)
	wait()
	wait() // flaky, after one retry (about 2s)
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 3 || fails.Load() != 2 {
		t.Fatalf("ran %v with %d flaky attempts; want 3 jobs, 2 attempts", order, fails.Load())
	}
}
