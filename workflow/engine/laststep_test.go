package engine_test

import (
	"context"
	"sync"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// stepCounter is a faultStore that counts the steps recorded on their own.
type stepCounter struct {
	*faultStore
	mu    sync.Mutex
	steps []string
}

func (s *stepCounter) CompleteStep(ctx context.Context, firingID string, st workflow.FiringStep) error {
	s.mu.Lock()
	s.steps = append(s.steps, st.Key)
	s.mu.Unlock()
	return s.faultStore.CompleteStep(ctx, firingID, st)
}

const lastReplyWorkflow = "name: R\ntrigger: incoming_message\nactions: [{reply: {text: hi}}]\n"

func newLastStepEngine(t *testing.T, st workflow.Store, tr workflow.Transport, q workflow.JobQueue, mw ...action.Middleware) *engine.Engine {
	t.Helper()
	e, err := engine.New(engine.Config{Store: st, Transport: tr, Compiler: expr.New(), Jobs: q, Middleware: mw})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetWorkflows(context.Background(), mustLoad(t, lastReplyWorkflow, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	return e
}

// The send of a built-in reply that is a firing's last action is
// recorded by FinishFiring, not as a step of its own: one write less per
// reply. When FinishFiring fails, the step is recorded after all, so the
// retry finds the reply sent and does not send it again; when that write
// fails too, the retry sends it again with the same id, as after a crash
// between the send and its step.
func TestLastReplyIsRecordedByFinishFiring(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		fail     map[string]int
		mw       []action.Middleware
		steps    []string // the steps recorded on their own
		attempts int      // transport attempts, all with one id
	}{
		{name: "no failure", steps: nil, attempts: 1},
		{name: "FinishFiring fails once", fail: map[string]int{"FinishFiring": 1}, steps: []string{"0/send/0"}, attempts: 1},
		{name: "FinishFiring and the step fail once", fail: map[string]int{"FinishFiring": 1, "CompleteStep": 1}, steps: []string{"0/send/0"}, attempts: 2},
		{name: "with middleware", mw: []action.Middleware{func(a action.Action) action.Action { return a }}, steps: []string{"0/send/0"}, attempts: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem, tr, q := memstore.New(), &flakyTransport{}, &jobBox{}
			st := &stepCounter{faultStore: &faultStore{Store: mem, fail: tc.fail}}
			e := newLastStepEngine(t, st, tr, q, tc.mw...)
			if err := e.Receive(ctx, onceMsg); err != nil {
				t.Fatal(err)
			}
			q.drain(t, e)
			if len(tr.tries) != tc.attempts {
				t.Errorf("transport attempts = %d, want %d", len(tr.tries), tc.attempts)
			}
			for _, m := range tr.tries {
				if m.ID != tr.tries[0].ID {
					t.Errorf("attempts with two ids: %q and %q", tr.tries[0].ID, m.ID)
				}
			}
			if len(st.steps) != len(tc.steps) || (len(tc.steps) > 0 && st.steps[0] != tc.steps[0]) {
				t.Errorf("steps recorded on their own = %q, want %q", st.steps, tc.steps)
			}
			page, err := mem.QueryLogs(ctx, workflow.LogQuery{WorkflowID: "r"})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Entries) != 1 || page.Entries[0].Outcome != workflow.OutcomeFired {
				t.Errorf("execution rows = %+v, want one fired", page.Entries)
			}
			fs, err := mem.FiringsOf(ctx, onceMsg.Session, onceMsg.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].State != workflow.FiringStateDone {
				t.Errorf("firings = %+v, want one done", fs)
			}
		})
	}
}
