package engine

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/waauto/waauto/workflow"
)

// memQueue is an in-memory JobQueue on a Clock: jobs run in RunAt order, at
// least once, retried with capped backoff on error. It keeps nothing across
// restarts; use the River queue of adapters/bun for durability.
type memQueue struct {
	// Workers bounds the jobs running at once; 0 means 4. Set before Start.
	Workers int
	clock   workflow.Clock
	mu      sync.Mutex
	jobs    []queued
	seen    map[string]bool
	seq     int
	wake    chan struct{}
	stop    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

type queued struct {
	workflow.Job
	attempt int // failed runs, for the backoff
	seq     int
}

// newMemQueue returns an empty queue on clock (nil: SystemClock).
func newMemQueue(clock workflow.Clock) *memQueue {
	if clock == nil {
		clock = workflow.SystemClock{}
	}
	return &memQueue{clock: clock, seen: map[string]bool{}, wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Enqueue adds j; an ID enqueued before is ignored.
func (q *memQueue) Enqueue(ctx context.Context, j workflow.Job) error {
	q.mu.Lock()
	if !q.seen[j.ID] {
		q.seen[j.ID] = true
		j.Attempt = 0
		q.push(queued{Job: j})
	}
	q.mu.Unlock()
	q.signal()
	return nil
}

func (q *memQueue) push(j queued) {
	q.seq++
	j.seq = q.seq
	i, _ := slices.BinarySearchFunc(q.jobs, j, compareQueued)
	q.jobs = slices.Insert(q.jobs, i, j)
}

func compareQueued(a, b queued) int {
	if c := a.RunAt.Compare(b.RunAt); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// Next returns the RunAt of the earliest job.
func (q *memQueue) Next() (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return time.Time{}, false
	}
	return q.jobs[0].RunAt, true
}

// pop removes and returns the earliest job due at the clock's time.
func (q *memQueue) pop() (queued, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 || q.jobs[0].RunAt.After(q.clock.Now()) {
		return queued{}, false
	}
	j := q.jobs[0]
	q.jobs = q.jobs[1:]
	return j, true
}

// run runs one job and re-queues it with capped backoff when it fails.
func (q *memQueue) run(ctx context.Context, h workflow.JobHandler, j queued) {
	j.Attempt++
	if err := h(ctx, j.Job); err != nil {
		var later *workflow.RetryAtError
		if errors.As(err, &later) {
			j.RunAt = later.At
		} else {
			j.attempt++
			j.RunAt = q.clock.Now().Add(min(time.Second<<min(j.attempt, 6), time.Minute))
		}
		q.mu.Lock()
		q.push(j)
		q.mu.Unlock()
		q.signal()
	}
}

func (q *memQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

var _ workflow.JobRunner = (*memQueue)(nil)

// Start runs jobs in the background as they fall due, at most Workers at
// a time (default 4) so that a slow job (an AI reply) never holds up the
// others, until ctx ends or Stop.
func (q *memQueue) Start(ctx context.Context, h workflow.JobHandler) error {
	workers := q.Workers
	if workers <= 0 {
		workers = 4
	}
	sem := make(chan struct{}, workers)
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		for {
			for {
				j, ok := q.pop()
				if !ok {
					break
				}
				sem <- struct{}{}
				q.wg.Add(1)
				go func() {
					defer func() { <-sem; q.wg.Done() }()
					q.run(ctx, h, j)
				}()
			}
			wait := time.Hour
			if at, ok := q.Next(); ok {
				wait = max(at.Sub(q.clock.Now()), time.Millisecond)
			}
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-q.wake:
			case <-q.stop:
				t.Stop()
				return
			case <-ctx.Done():
				t.Stop()
				return
			}
			t.Stop()
		}
	}()
	return nil
}

// Stop ends the background loop started by Start and waits for the
// running jobs; jobs not yet run are dropped (the queue is not durable).
func (q *memQueue) Stop() {
	q.once.Do(func() { close(q.stop) })
	q.wg.Wait()
}
