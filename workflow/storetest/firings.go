package storetest

import (
	"testing"

	"github.com/waauto/waauto/workflow"
)

func testFirings(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("MarkFired/once_per_workflow_session_and_message", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(0)}
		if !get(s.MarkFired(ctx, f)).must(t, "MarkFired") {
			t.Errorf("first MarkFired(%+v) = false, want true", f)
		}
		again := f
		again.At, again.Phone = at(5), phoneB
		if get(s.MarkFired(ctx, again)).must(t, "MarkFired") {
			t.Errorf("MarkFired of the same (workflow, session, message) = true, want false")
		}
		for _, other := range []workflow.Firing{
			{WorkflowID: "w2", Session: sess1, Phone: phoneA, MessageID: "m1", At: at(0)},
			{WorkflowID: "w1", Session: sess2, Phone: phoneA, MessageID: "m1", At: at(0)},
			{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "m2", At: at(0)},
		} {
			if !get(s.MarkFired(ctx, other)).must(t, "MarkFired") {
				t.Errorf("MarkFired(%+v) = false after only %+v, want true", other, f)
			}
		}
	})

	t.Run("LastFired", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		if got := get(s.LastFired(ctx, "w1", sess1, phoneA)).must(t, "LastFired"); !got.IsZero() {
			t.Errorf("LastFired before any firing = %v, want the zero time", got)
		}
		fire := func(wf, session, phone, msg string, minute int) {
			t.Helper()
			get(s.MarkFired(ctx, workflow.Firing{WorkflowID: wf, Session: session, Phone: phone, MessageID: msg, At: at(minute)})).must(t, "MarkFired")
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
			if got := get(s.Next(ctx, "round-robin:sales")).must(t, "Next"); got != want {
				t.Errorf("Next call %d = %d, want %d", want+1, got, want)
			}
		}
		if got := get(s.Next(ctx, "other")).must(t, "Next"); got != 0 {
			t.Errorf("Next of a new counter = %d, want 0", got)
		}
	})
}
