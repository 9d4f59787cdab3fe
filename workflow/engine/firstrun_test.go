package engine_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// firingReads is a Store that counts FiringsOf.
type firingReads struct {
	workflow.Store
	n atomic.Int32
}

func (s *firingReads) FiringsOf(ctx context.Context, session, messageID string) ([]workflow.Firing, error) {
	s.n.Add(1)
	return s.Store.FiringsOf(ctx, session, messageID)
}

// lossyQueue is a jobBox whose first lose Enqueue calls fail, as a crash
// between recording a message and queueing its job.
type lossyQueue struct {
	jobBox
	lose int
}

func (q *lossyQueue) Enqueue(ctx context.Context, j workflow.Job) error {
	if q.lose > 0 {
		q.lose--
		return errors.New("enqueue: connection reset")
	}
	return q.jobBox.Enqueue(ctx, j)
}

// The first run of the job of a message Receive recorded reads no
// firings (it has none); every other run reads them, so that a firing cut
// by a crash is resumed, never begun again: a retry (attempt 2), a job of
// unknown attempt (0), and the job a duplicate delivery queued after the
// first one was lost.
func TestFirstRunReadsNoFirings(t *testing.T) {
	ctx := context.Background()
	t.Run("first_run", func(t *testing.T) {
		mem, tr, q := memstore.New(), &flakyTransport{}, &jobBox{}
		st := &firingReads{Store: mem}
		e := newOnceEngine(t, st, tr, q)
		if err := e.Receive(ctx, onceMsg); err != nil {
			t.Fatal(err)
		}
		j := q.jobs[0]
		j.Attempt = 1
		if err := e.RunJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		checkOnce(t, mem, tr)
		if n := st.n.Load(); n != 0 {
			t.Errorf("FiringsOf calls on the first run = %d, want 0", n)
		}
	})
	t.Run("handle", func(t *testing.T) {
		mem, tr := memstore.New(), &flakyTransport{}
		st := &firingReads{Store: mem}
		e := newOnceEngine(t, st, tr, &jobBox{})
		if _, err := e.Handle(ctx, onceMsg); err != nil {
			t.Fatal(err)
		}
		checkOnce(t, mem, tr)
		if n := st.n.Load(); n != 0 {
			t.Errorf("FiringsOf calls of Handle's run = %d, want 0", n)
		}
	})
	for _, attempt := range []int{0, 2} {
		t.Run("crash_then_attempt_"+strconv.Itoa(attempt), func(t *testing.T) {
			// The first run dies before its firing is finished: the reply
			// went out, the label step is recorded. The next run must
			// resume the firing: no second reply, one row, one label.
			mem, tr, q := memstore.New(), &flakyTransport{}, &jobBox{}
			st := &firingReads{Store: &faultStore{Store: mem, fail: map[string]int{"FinishFiring": 1}}}
			e1 := newOnceEngine(t, st, tr, q)
			if err := e1.Receive(ctx, onceMsg); err != nil {
				t.Fatal(err)
			}
			j := q.jobs[0]
			j.Attempt = 1
			if err := e1.RunJob(ctx, j); err == nil {
				t.Fatal("the first run met a failing FinishFiring and returned nil")
			}
			if n := st.n.Load(); n != 0 {
				t.Errorf("FiringsOf calls on the first run = %d, want 0", n)
			}
			e2, err := engine.New(engine.Config{Store: st, Transport: tr, Compiler: expr.New(), Jobs: &jobBox{}})
			if err != nil {
				t.Fatal(err)
			}
			if err := e2.Restore(ctx); err != nil {
				t.Fatal(err)
			}
			j.Attempt = attempt
			if err := e2.RunJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			checkOnce(t, mem, tr)
			if len(tr.tries) != 1 {
				t.Errorf("transport attempts = %+v, want 1", tr.tries)
			}
			if n := st.n.Load(); n != 1 {
				t.Errorf("FiringsOf calls on attempt %d = %d, want 1", attempt, n)
			}
		})
	}
	t.Run("redelivered_after_lost_job", func(t *testing.T) {
		// Receive records the message and its job is lost (a crash in
		// between): the redelivery's job is not fresh and reads the
		// firings even on its first attempt.
		mem, tr := memstore.New(), &flakyTransport{}
		q := &lossyQueue{lose: 1}
		st := &firingReads{Store: mem}
		e := newOnceEngine(t, st, tr, q)
		if err := e.Receive(ctx, onceMsg); err == nil {
			t.Fatal("Receive with a failing queue returned nil")
		}
		if err := e.Receive(ctx, onceMsg); err != nil {
			t.Fatal(err)
		}
		st.n.Store(0) // the redelivery looked for firings (none): count the job's reads
		j := q.jobs[0]
		j.Attempt = 1
		if err := e.RunJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		checkOnce(t, mem, tr)
		if n := st.n.Load(); n != 1 {
			t.Errorf("FiringsOf calls on the redelivery's job = %d, want 1", n)
		}
	})
}

// queueLog is a JobQueue that keeps every job it is given, checking no
// ID, as a queue that batches New jobs does.
type queueLog struct{ jobs []workflow.Job }

func (q *queueLog) Enqueue(_ context.Context, j workflow.Job) error {
	q.jobs = append(q.jobs, j)
	return nil
}

// A message's first delivery queues its job as New; a redelivery after
// its evaluation began a firing queues nothing (the queue may not find
// the first job by its ID), and one before (the first job lost or not run
// yet) queues the evaluation again, not New.
func TestRedeliveryQueuesOnlyUnevaluatedMessages(t *testing.T) {
	ctx := context.Background()
	mem, tr, q := memstore.New(), &flakyTransport{}, &queueLog{}
	e := newOnceEngine(t, mem, tr, q)
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	if len(q.jobs) != 1 || !q.jobs[0].New {
		t.Fatalf("first delivery queued %+v, want one New job", q.jobs)
	}
	if err := e.Receive(ctx, onceMsg); err != nil { // before its job ran
		t.Fatal(err)
	}
	if len(q.jobs) != 2 || q.jobs[1].New || q.jobs[1].ID != q.jobs[0].ID {
		t.Fatalf("redelivery before the evaluation queued %+v, want the same job again, not New", q.jobs[1:])
	}
	first := q.jobs[0]
	first.Attempt = 1
	if err := e.RunJob(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := e.Receive(ctx, onceMsg); err != nil { // after it fired
		t.Fatal(err)
	}
	if len(q.jobs) != 2 {
		t.Fatalf("redelivery after the evaluation fired queued %+v, want nothing", q.jobs[2:])
	}
	second := q.jobs[1]
	second.Attempt = 1
	if err := e.RunJob(ctx, second); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, mem, tr)
}
