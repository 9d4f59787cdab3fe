package workflow

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// JobHandler runs one job; an error makes the queue retry it later.
type JobHandler func(ctx context.Context, j Job) error

// MemQueue is an in-memory JobQueue on a Clock: jobs run in RunAt order, at
// least once, retried with capped backoff on error. It keeps nothing across
// restarts; use the River queue of adapters/bun for durability.
type MemQueue struct {
	clock Clock
	mu    sync.Mutex
	jobs  []queued
	seen  map[string]bool
	seq   int
	wake  chan struct{}
	stop  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

type queued struct {
	Job
	attempt int
	seq     int
}

// NewMemQueue returns an empty queue on clock (nil: SystemClock).
func NewMemQueue(clock Clock) *MemQueue {
	if clock == nil {
		clock = SystemClock{}
	}
	return &MemQueue{clock: clock, seen: map[string]bool{}, wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Enqueue adds j; an ID enqueued before is ignored.
func (q *MemQueue) Enqueue(ctx context.Context, j Job) error {
	q.mu.Lock()
	if !q.seen[j.ID] {
		q.seen[j.ID] = true
		q.push(queued{Job: j})
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

func (q *MemQueue) push(j queued) {
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
func (q *MemQueue) Next() (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return time.Time{}, false
	}
	return q.jobs[0].RunAt, true
}

// RunDue runs, one at a time and in order, every job due at the clock's
// current time, including jobs they enqueue that are due too.
func (q *MemQueue) RunDue(ctx context.Context, h JobHandler) {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 || q.jobs[0].RunAt.After(q.clock.Now()) {
			q.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		if err := h(ctx, j.Job); err != nil {
			j.attempt++
			j.RunAt = q.clock.Now().Add(min(time.Second<<min(j.attempt, 6), time.Minute))
			q.mu.Lock()
			q.push(j)
			q.mu.Unlock()
		}
	}
}

// Start runs jobs in the background as they fall due, until ctx ends or Stop.
func (q *MemQueue) Start(ctx context.Context, h JobHandler) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		for {
			q.RunDue(ctx, h)
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
}

// Stop ends the background loop started by Start.
func (q *MemQueue) Stop() {
	q.once.Do(func() { close(q.stop) })
	q.wg.Wait()
}
