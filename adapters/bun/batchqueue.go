package bun

import (
	"context"
	"sync"
)

// waiter is what every write waiting for a shared transaction carries:
// its caller's context, its outcome, and done, closed once the outcome is
// known.
type waiter struct {
	ctx  context.Context
	err  error
	done chan struct{}
}

func (w *waiter) waiting() *waiter { return w }

// queued is a write a batchQueue holds (a *writeReq, a *pgStmt).
type queued interface{ waiting() *waiter }

// batchQueue queues concurrent writes and commits them batch after batch,
// at most max to a batch. There is no timer: the caller that finds no
// batch running commits the pending writes at once (a lone writer never
// waits for company), and the writes that arrive meanwhile form the next
// batch. run writes a batch of live writes (their contexts not ended) in
// one transaction, sets each write's own error, and returns the commit's
// error, which the queue gives every write still without one.
type batchQueue[R queued] struct {
	max int
	run func(ctx context.Context, live []R) error

	mu      sync.Mutex
	pending []R
	running bool // a goroutine is committing batches
}

// submit queues r and returns its outcome once its batch committed (nil:
// its writes are durable) or its context ended. The caller that finds no
// batch running commits batches until its own write is done, then hands
// the rest to a goroutine.
func (q *batchQueue[R]) submit(r R) error {
	w := r.waiting()
	if err := w.ctx.Err(); err != nil {
		return err
	}
	w.done = make(chan struct{})
	q.mu.Lock()
	q.pending = append(q.pending, r)
	lead := !q.running
	q.running = true
	q.mu.Unlock()
	if lead {
		q.commitBatches(w)
	}
	select {
	case <-w.done:
	case <-w.ctx.Done():
		// The write may still commit: as with a transaction whose commit
		// was cut, the caller does not know, and retries.
		return w.ctx.Err()
	}
	return w.err
}

// commitBatches commits the pending writes batch after batch. With own
// set it returns once own is done, leaving any remaining batch to a new
// goroutine; with own nil it runs until no write is pending.
func (q *batchQueue[R]) commitBatches(own *waiter) {
	for {
		q.mu.Lock()
		if own != nil && isDone(own) && len(q.pending) > 0 {
			q.mu.Unlock()
			go q.commitBatches(nil)
			return
		}
		batch := q.pending[:min(len(q.pending), q.max)]
		q.pending = q.pending[len(batch):]
		if len(batch) == 0 {
			q.running = false
			q.pending = nil
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		q.commitBatch(batch)
	}
}

func isDone(w *waiter) bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// commitBatch runs the live writes of batch in one transaction and
// reports to every caller after the commit; a write whose context ended
// before is not run.
func (q *batchQueue[R]) commitBatch(batch []R) {
	live := batch[:0:0]
	for _, r := range batch {
		w := r.waiting()
		if err := w.ctx.Err(); err != nil {
			w.err = err
			close(w.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// The batch outlives any one caller's cancellation: the others wait for it.
	ctx := context.WithoutCancel(live[0].waiting().ctx)
	err := q.run(ctx, live)
	for _, r := range live {
		w := r.waiting()
		if w.err == nil {
			w.err = err
		}
		close(w.done)
	}
}
