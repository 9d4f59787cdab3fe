package workflowtest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
)

// Clock is a virtual clock and job queue. Time moves only when the test
// says so (Set, Advance); jobs and sleepers (Sleep) due meanwhile run in
// time order, one at a time, each until the system is idle again, so runs
// are deterministic. It implements workflow.Clock and workflow.JobQueue.
type Clock struct {
	mu      sync.Mutex
	idle    *sync.Cond
	now     time.Time
	seq     int
	timers  []*timer
	seen    map[string]bool
	active  int
	handler workflow.JobHandler
}

type timer struct {
	at   time.Time
	seq  int
	job  *workflow.Job
	wake chan struct{}
	try  int
}

// NewClock returns a clock at start.
func NewClock(start time.Time) *Clock {
	c := &Clock{now: start, seen: map[string]bool{}}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// Now returns the virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Enqueue queues a job (workflow.JobQueue); an ID seen before is ignored.
func (c *Clock) Enqueue(_ context.Context, j workflow.Job) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[j.ID] {
		return nil
	}
	c.seen[j.ID] = true
	j.Attempt = 0
	c.push(&timer{at: j.RunAt, job: &j})
	return nil
}

func (c *Clock) push(t *timer) {
	c.seq++
	t.seq = c.seq
	c.timers = append(c.timers, t)
	slices.SortStableFunc(c.timers, func(a, b *timer) int {
		if x := a.at.Compare(b.at); x != 0 {
			return x
		}
		return cmp.Compare(a.seq, b.seq)
	})
}

// Sleep blocks the calling goroutine for d of virtual time. Code under test
// that simulates latency (the scripted AI) calls it.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	t := &timer{at: c.now.Add(d), wake: make(chan struct{})}
	c.push(t)
	c.active--
	c.idle.Broadcast()
	c.mu.Unlock()
	select {
	case <-t.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		if i := slices.Index(c.timers, t); i >= 0 {
			c.timers = slices.Delete(c.timers, i, i+1)
			c.active++
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Set moves the clock to t (never backwards), running everything due on the way.
func (c *Clock) Set(ctx context.Context, t time.Time) {
	for {
		c.mu.Lock()
		for c.active > 0 {
			c.idle.Wait()
		}
		if len(c.timers) == 0 || c.timers[0].at.After(t) {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return
		}
		next := c.timers[0]
		c.timers = c.timers[1:]
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.active++
		c.mu.Unlock()
		if next.wake != nil {
			close(next.wake)
		} else {
			go c.run(ctx, next)
		}
	}
}

// Advance moves the clock forward by d, running everything due.
func (c *Clock) Advance(ctx context.Context, d time.Duration) { c.Set(ctx, c.Now().Add(d)) }

// Settle runs what is due now and waits until the system is idle.
func (c *Clock) Settle(ctx context.Context) { c.Set(ctx, c.Now()) }

func (c *Clock) run(ctx context.Context, t *timer) {
	t.job.Attempt++ // only this goroutine holds t until it is pushed again
	err := c.handler(ctx, *t.job)
	c.mu.Lock()
	var later *workflow.RetryAtError
	var paced *pacing.DeferredError
	switch {
	case errors.As(err, &later):
		t.at = later.At
		c.push(t)
	case errors.As(err, &paced): // snoozed until its slot, as River does
		t.at = paced.Until
		c.push(t)
	case err != nil && t.try < 10:
		t.try++
		t.at = c.now.Add(time.Second << t.try)
		c.push(t)
	}
	c.active--
	c.idle.Broadcast()
	c.mu.Unlock()
}

// Start sets the function that runs jobs (the engine's RunJob); they run
// as the clock moves. It implements workflow.JobRunner.
func (c *Clock) Start(_ context.Context, h workflow.JobHandler) error {
	c.mu.Lock()
	c.handler = h
	c.mu.Unlock()
	return nil
}

// Pending returns the jobs not yet run, in time order.
func (c *Clock) Pending() []workflow.Job {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []workflow.Job
	for _, t := range c.timers {
		if t.job != nil {
			out = append(out, *t.job)
		}
	}
	return out
}
