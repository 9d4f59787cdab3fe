package riverqueue_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
)

// runs records the jobs a handler ran, with the time of each run.
type runs struct {
	mu   sync.Mutex
	at   map[string][]time.Time
	done chan string
}

func newRuns() *runs { return &runs{at: map[string][]time.Time{}, done: make(chan string, 1000)} }

func (r *runs) handle(_ context.Context, j workflow.Job) error {
	r.mu.Lock()
	r.at[j.ID] = append(r.at[j.ID], time.Now())
	r.mu.Unlock()
	r.done <- j.ID
	return nil
}

func (r *runs) get(id string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.at[id]...)
}

func fast() riverqueue.Config {
	return riverqueue.Config{FetchPollInterval: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, HoldRecheck: 200 * time.Millisecond}
}

func wait(t *testing.T, ch <-chan string, want string, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case id := <-ch:
			if id == want {
				return
			}
		case <-timeout:
			t.Fatalf("job %s did not run within %s", want, d)
		}
	}
}

// TestScheduledJobRunsOnTime: on each database (SQLite through the pure-Go
// modernc driver), a job due in 2 s runs after its time and within River's
// scheduler pass (5 s) plus polling; an immediate job runs at once; the
// same ID enqueued again is not run again.
func TestScheduledJobRunsOnTime(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			store := b.open(t)
			r := newRuns()
			q, err := riverqueue.New(ctx, store, fast())
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Start(ctx, r.handle); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Stop(context.Background()) })
			due := time.Now().Add(2 * time.Second)
			for range 2 {
				if err := q.Enqueue(ctx, workflow.Job{ID: "later", Kind: "k", RunAt: due, Payload: []byte(`"x"`)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := q.Enqueue(ctx, workflow.Job{ID: "now", Kind: "k"}); err != nil {
				t.Fatal(err)
			}
			wait(t, r.done, "now", 5*time.Second)
			wait(t, r.done, "later", 10*time.Second)
			got := r.get("later")
			if got[0].Before(due) {
				t.Fatalf("job due at %s ran early, at %s", due.Format(time.StampMilli), got[0].Format(time.StampMilli))
			}
			if late := got[0].Sub(due); late > 6*time.Second {
				t.Fatalf("job ran %s late", late)
			}
			t.Logf("ran %s after its time", got[0].Sub(due))
			// Enqueue after completion: still the same job, not run again.
			if err := q.Enqueue(ctx, workflow.Job{ID: "later", Kind: "k"}); err != nil {
				t.Fatal(err)
			}
			if err := q.Enqueue(ctx, workflow.Job{ID: "marker", Kind: "k"}); err != nil {
				t.Fatal(err)
			}
			wait(t, r.done, "marker", 5*time.Second)
			if n := len(r.get("later")); n != 1 {
				t.Fatalf("job 'later' ran %d times, want 1", n)
			}
		})
	}
}

// TestFailedJobIsRetriedAndHeldJobSnoozed: an error retries with backoff;
// pacing.ErrHeld and a pacing deferral snooze the job instead of failing it.
func TestFailedJobIsRetriedAndHeldJobSnoozed(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			store := b.open(t)
			var mu sync.Mutex
			tries := map[string]int{}
			attempts := map[string][]int{}
			done := make(chan string, 10)
			h := func(_ context.Context, j workflow.Job) error {
				mu.Lock()
				tries[j.ID]++
				n := tries[j.ID]
				attempts[j.ID] = append(attempts[j.ID], j.Attempt)
				mu.Unlock()
				if n < 3 {
					switch j.ID {
					case "fails":
						return errors.New("transport down")
					case "held":
						return fmt.Errorf("send: %w", pacing.ErrHeld)
					case "paced":
						return &pacing.DeferredError{Until: time.Now().Add(100 * time.Millisecond)}
					}
				}
				done <- j.ID
				return nil
			}
			q, err := riverqueue.New(ctx, store, fast())
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Start(ctx, h); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Stop(context.Background()) })
			for _, id := range []string{"fails", "held", "paced"} {
				if err := q.Enqueue(ctx, workflow.Job{ID: id, Kind: "k"}); err != nil {
					t.Fatal(err)
				}
			}
			got := map[string]bool{}
			timeout := time.After(30 * time.Second)
			for len(got) < 3 {
				select {
				case id := <-done:
					got[id] = true
				case <-timeout:
					t.Fatalf("after 30s only %v succeeded (tries %v)", got, tries)
				}
			}
			// Every run counts in workflow.Job.Attempt, a snoozed one too
			// (River gives a snooze its attempt back).
			mu.Lock()
			for id, got := range attempts {
				if !slices.Equal(got, []int{1, 2, 3}) {
					t.Errorf("job %s ran with Attempt %v, want [1 2 3]", id, got)
				}
			}
			mu.Unlock()
			jobs, err := q.Client().JobList(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs.Jobs {
				// A snooze is not a failed attempt: no errors recorded.
				id := string(j.EncodedArgs)
				if len(j.Errors) > 0 && !strings.Contains(id, `"fails"`) {
					t.Errorf("job %s recorded errors %v; held and paced jobs must snooze, not fail", id, j.Errors)
				}
				if strings.Contains(id, `"fails"`) && len(j.Errors) != 2 {
					t.Errorf("job 'fails' recorded %d errors, want 2", len(j.Errors))
				}
			}
		})
	}
}

// TestMigrationsAreIdempotent: New migrates; a second New on the same
// database finds nothing to do and works.
func TestMigrationsAreIdempotent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			store := b.open(t)
			for i := range 2 {
				if _, err := riverqueue.New(ctx, store, fast()); err != nil {
					t.Fatalf("New #%d: %v", i+1, err)
				}
			}
		})
	}
}

// TestSecondProcessOnSQLiteIsRefused: one queue per SQLite file.
func TestSecondProcessOnSQLiteIsRefused(t *testing.T) {
	ctx := context.Background()
	store := newSQLite(t)
	a, err := riverqueue.New(ctx, store, fast())
	if err != nil {
		t.Fatal(err)
	}
	b, err := riverqueue.New(ctx, store, fast())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx, newRuns().handle); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx, newRuns().handle); !errors.Is(err, riverqueue.ErrLocked) {
		t.Fatalf("second Start: %v, want ErrLocked", err)
	}
	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx, newRuns().handle); err != nil {
		t.Fatalf("Start after the first stopped: %v", err)
	}
	b.Stop(ctx)
}
