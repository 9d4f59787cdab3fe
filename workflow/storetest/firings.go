package storetest

import (
	"sync"
	"testing"

	"github.com/waauto/waauto/workflow"
)

func testFirings(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("BeginFiring/once_per_workflow_session_and_message", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(0)}
		if !get(s.BeginFiring(ctx, f)).must(t, "BeginFiring") {
			t.Errorf("first BeginFiring(%+v) = false, want true", f)
		}
		again := f
		again.At, again.Phone = at(5), phoneB
		if get(s.BeginFiring(ctx, again)).must(t, "BeginFiring") {
			t.Errorf("BeginFiring of the same (workflow, session, message) = true, want false")
		}
		ok(t, s.FinishFiring(ctx, f, firingLog("x1", f)), "FinishFiring")
		if get(s.BeginFiring(ctx, again)).must(t, "BeginFiring") {
			t.Errorf("BeginFiring of a done firing = true, want false")
		}
		for _, other := range []workflow.Firing{
			{WorkflowID: "w2", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(0)},
			{WorkflowID: "w1", Session: sess2, Phone: phoneA, MessageID: "m1", At: at(0)},
			{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m2", At: at(0)},
		} {
			if !get(s.BeginFiring(ctx, other)).must(t, "BeginFiring") {
				t.Errorf("BeginFiring(%+v) = false after only %+v, want true", other, f)
			}
		}
	})

	t.Run("FiringsOf/running_with_steps_then_done", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(1)}
		other := workflow.Firing{WorkflowID: "w2", Session: sess1, Phone: phoneA, MessageID: "m2", At: at(2)}
		get(s.BeginFiring(ctx, f)).must(t, "BeginFiring")
		get(s.BeginFiring(ctx, other)).must(t, "BeginFiring")
		sent := workflow.FiringStep{Key: "0/send/0"}
		reply := workflow.FiringStep{Key: "0", Result: workflow.ActionResult{Type: "reply", Outcome: workflow.OutcomeFired, Detail: "sent"}}
		for _, st := range []workflow.FiringStep{sent, reply, {Key: "0", Result: workflow.ActionResult{Type: "changed"}}} {
			ok(t, s.CompleteStep(ctx, f.ID(), st), "CompleteStep")
		}
		got := get(s.FiringsOf(ctx, sess1, "m1")).must(t, "FiringsOf")
		if len(got) != 1 {
			t.Fatalf("FiringsOf(m1) = %+v, want the one firing of m1", got)
		}
		want := f
		want.State, want.Steps = workflow.FiringStateRunning, []workflow.FiringStep{reply, sent}
		checkFiring(t, "running firing", got[0], want)

		log := firingLog("x1", f)
		ok(t, s.FinishFiring(ctx, f, log), "FinishFiring")
		ok(t, s.FinishFiring(ctx, f, firingLog("x2", f)), "FinishFiring of a done firing")
		got = get(s.FiringsOf(ctx, sess1, "m1")).must(t, "FiringsOf")
		want.State, want.Steps = workflow.FiringStateDone, nil
		if len(got) != 1 {
			t.Fatalf("FiringsOf(m1) after finish = %+v, want one", got)
		}
		checkFiring(t, "done firing", got[0], want)
		page := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs")
		if len(page.Entries) != 1 {
			t.Fatalf("log after finishing twice = %+v, want the first finish's row only", page.Entries)
		}
		checkExecution(t, "the firing's log row", page.Entries[0], log)
		if got := get(s.FiringsOf(ctx, sess2, "m1")).must(t, "FiringsOf"); len(got) != 0 {
			t.Errorf("FiringsOf of a message without firings = %+v, want none", got)
		}
	})

	t.Run("FinishFiring/errors", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(1)}
		wantErr(t, s.FinishFiring(ctx, f, firingLog("x1", f)), "FinishFiring of an unknown firing", workflow.ErrNotFound)
		get(s.BeginFiring(ctx, f)).must(t, "BeginFiring")
		wantErr(t, s.FinishFiring(ctx, f, firingLog("", f)), "FinishFiring with a log row without ID", workflow.ErrLogWithoutID)
		got := get(s.FiringsOf(ctx, sess1, "m1")).must(t, "FiringsOf")
		if len(got) != 1 || got[0].State != workflow.FiringStateRunning {
			t.Errorf("firing after a failed finish = %+v, want still running", got)
		}
	})

	t.Run("LastFired", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		if got := get(s.LastFired(ctx, "w1", sess1, phoneA)).must(t, "LastFired"); !got.IsZero() {
			t.Errorf("LastFired before any firing = %v, want the zero time", got)
		}
		fire := func(wf, session, phone, msg string, minute int) {
			t.Helper()
			get(s.BeginFiring(ctx, workflow.Firing{WorkflowID: wf, Session: session, Phone: phone, MessageID: msg, At: at(minute)})).must(t, "BeginFiring")
		}
		fire("w1", sess1, phoneA, "m1", 1)
		fire("w1", sess1, phoneA, "m2", 4)
		fire("w1", sess1, phoneA, "m3", 2) // recorded late, fired earlier
		fire("w1", sess1, phoneA, "m2", 9) // duplicate: not a firing
		fire("w2", sess1, phoneA, "m4", 20)
		fire("w1", sess2, phoneA, "m5", 30)
		fire("w1", sess1, phoneB, "m6", 40)
		if got := get(s.LastFired(ctx, "w1", sess1, phoneA)).must(t, "LastFired"); !got.Equal(at(4)) {
			t.Errorf("LastFired(w1, shop-1, A) = %v, want %v (the latest firing of this workflow in this conversation)", got, at(4))
		}
		if got := get(s.LastFired(ctx, "w3", sess1, phoneA)).must(t, "LastFired"); !got.IsZero() {
			t.Errorf("LastFired of a workflow that never fired = %v, want zero", got)
		}
	})

	t.Run("Next", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		for want := range int64(3) {
			if got := get(s.Next(ctx, "round-robin:sales", "", "")).must(t, "Next"); got != want {
				t.Errorf("Next call %d = %d, want %d", want+1, got, want)
			}
		}
		if got := get(s.Next(ctx, "other", "", "")).must(t, "Next"); got != 0 {
			t.Errorf("Next of a new counter = %d, want 0", got)
		}
	})

	t.Run("Next/once_per_firing_step", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(1)}
		get(s.BeginFiring(ctx, f)).must(t, "BeginFiring")
		get(s.Next(ctx, "rr", "", "")).must(t, "Next") // 0 goes to a call without step
		for range 3 {
			if got := get(s.Next(ctx, "rr", f.ID(), "2/next/rr")).must(t, "Next"); got != 1 {
				t.Errorf("Next for one firing step = %d, want 1 on every call (drawn once)", got)
			}
		}
		if got := get(s.Next(ctx, "rr", f.ID(), "3/next/rr")).must(t, "Next"); got != 2 {
			t.Errorf("Next for another step = %d, want 2", got)
		}
		if got := get(s.Next(ctx, "rr", "", "")).must(t, "Next"); got != 3 {
			t.Errorf("Next after the steps = %d, want 3 (each step drew once)", got)
		}
	})
}

// firingLog is the execution-log row of finishing f, with id.
func firingLog(id string, f workflow.Firing) workflow.Execution {
	return workflow.Execution{ID: id, Time: at(3), WorkflowID: f.WorkflowID, Workflow: "W", Session: f.Session, Phone: f.Phone,
		MessageID: f.MessageID, Trigger: "incoming_message", Outcome: workflow.OutcomeFired, Reason: "conditions matched",
		Actions: []workflow.ActionResult{{Type: "reply", Outcome: workflow.OutcomeFired}}}
}

func checkFiring(t *testing.T, what string, got, want workflow.Firing) {
	t.Helper()
	var f fields
	f.eq("WorkflowID", got.WorkflowID, want.WorkflowID)
	f.eq("Session", got.Session, want.Session)
	f.eq("Phone", got.Phone, want.Phone)
	f.eq("MessageID", got.MessageID, want.MessageID)
	f.eq("At", got.At, want.At)
	f.eq("State", got.State, want.State)
	f.eq("Steps", got.Steps, want.Steps)
	f.report(t, what)
}

// testFiringConcurrency: one winner among concurrent begins, one log row
// among concurrent finishes.
func testFiringConcurrency(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("BeginFiring_one_winner", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		var wins []int
		var mu sync.Mutex
		parallel(16, func(i int) {
			won, err := s.BeginFiring(ctx, workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(i)})
			if err != nil {
				t.Errorf("BeginFiring: %v", err)
			}
			if won {
				mu.Lock()
				wins = append(wins, i)
				mu.Unlock()
			}
		})
		if len(wins) != 1 {
			t.Errorf("16 concurrent BeginFiring of one firing: %d won (goroutines %v), want exactly 1", len(wins), wins)
		}
	})

	t.Run("FinishFiring_one_row", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(0)}
		get(s.BeginFiring(ctx, f)).must(t, "BeginFiring")
		parallel(8, func(i int) {
			if err := s.FinishFiring(ctx, f, firingLog(string(rune('a'+i)), f)); err != nil {
				t.Errorf("FinishFiring: %v", err)
			}
		})
		if page := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs"); len(page.Entries) != 1 {
			t.Errorf("8 concurrent FinishFiring of one firing wrote %d log rows, want 1", len(page.Entries))
		}
	})

	t.Run("Next_one_value_per_step", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(0)}
		get(s.BeginFiring(ctx, f)).must(t, "BeginFiring")
		got := make([]int64, 8)
		parallel(8, func(i int) {
			v, err := s.Next(ctx, "rr", f.ID(), "0/next/rr")
			if err != nil {
				t.Errorf("Next: %v", err)
			}
			got[i] = v
		})
		for _, v := range got {
			if v != got[0] {
				t.Fatalf("8 concurrent Next for one firing step returned %v, want one value", got)
			}
		}
	})
}
