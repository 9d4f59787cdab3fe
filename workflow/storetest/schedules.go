package storetest

import (
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

func scheduled(id, session string, minute int, status workflow.ScheduleStatus) workflow.ScheduledMessage {
	return workflow.ScheduledMessage{
		ID: id, Session: session, Phone: phoneA, Text: "scheduled " + id,
		At: at(minute), Location: "Europe/Paris", Status: status,
		MessageID: "wa-" + id, CreatedAt: at(-100),
	}
}

func scheduledIDs(ms []workflow.ScheduledMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func testSchedules(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("PutScheduled/round_trip_and_conflict", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		m := scheduled("s1", sess1, 10, workflow.SchedulePending)
		ok(t, s.PutScheduled(ctx, m), "PutScheduled")
		checkScheduled(t, "Scheduled", get(s.Scheduled(ctx, "s1")).must(t, "Scheduled"), m)
		other := scheduled("s1", sess2, 20, workflow.ScheduleSent)
		wantErr(t, s.PutScheduled(ctx, other), "PutScheduled of an existing ID", workflow.ErrConflict)
		checkScheduled(t, "Scheduled after the conflicting put", get(s.Scheduled(ctx, "s1")).must(t, "Scheduled"), m)
	})

	t.Run("PutScheduled/origin_round_trip", func(t *testing.T) {
		// A follow-up keeps its workflow and the trigger's facts for the
		// send-time check (verify_before_send.conditions), trace included;
		// a message scheduled by hand has no origin.
		s, ctx := newStore(t), t.Context()
		m := scheduled("f1", sess1, 10, workflow.SchedulePending)
		m.Origin = &workflow.SendOrigin{WorkflowID: "wf-1", Workflow: "Relance", MessageID: "in-1", Text: "Bonjour, où en est ma commande ?",
			Type: trigger.MessageText, NewContact: true, VerifyConditions: true,
			Trace: condition.Trace{{Path: "all[0].labels", Leaf: `labels has_not "client"`, Value: true}, {Path: "all[1].not.schedule", Leaf: "schedule mon-fri 09:00-18:00", Value: false}}}
		ok(t, s.PutScheduled(ctx, m), "PutScheduled")
		m.Origin.Trace[0].Value = false // the caller's slice changes: the store kept its own copy
		got := get(s.Scheduled(ctx, "f1")).must(t, "Scheduled")
		m.Origin.Trace[0].Value = true
		checkScheduled(t, "Scheduled", got, m)
		plain := scheduled("p1", sess1, 20, workflow.SchedulePending)
		ok(t, s.PutScheduled(ctx, plain), "PutScheduled")
		ok(t, s.TransitionScheduled(ctx, "f1", workflow.SchedulePending, workflow.ScheduleCancelled, "conditions_changed", at(10)), "pending→cancelled")
		m.Status, m.Reason, m.DoneAt = workflow.ScheduleCancelled, "conditions_changed", at(10)
		list := get(s.ListScheduled(ctx, workflow.ScheduleQuery{})).must(t, "ListScheduled")
		if len(list) != 2 {
			t.Fatalf("ListScheduled = %v, want f1 and p1", scheduledIDs(list))
		}
		checkScheduled(t, "ListScheduled[0]", list[0], m)
		checkScheduled(t, "ListScheduled[1]", list[1], plain)
	})

	t.Run("Scheduled/not_found", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		_, err := s.Scheduled(ctx, "nope")
		wantErr(t, err, "Scheduled(unknown)", workflow.ErrNotFound)
	})

	t.Run("ListScheduled/filters_and_order", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		if ms := get(s.ListScheduled(ctx, workflow.ScheduleQuery{})).must(t, "ListScheduled"); len(ms) != 0 {
			t.Errorf("ListScheduled of a new store = %v, want none", scheduledIDs(ms))
		}
		for _, m := range []workflow.ScheduledMessage{
			scheduled("e", sess1, 30, workflow.SchedulePending),
			scheduled("b", sess1, 10, workflow.SchedulePending),
			scheduled("a", sess2, 10, workflow.ScheduleSent),
			scheduled("d", sess2, 20, workflow.ScheduleFailed),
			scheduled("c", sess1, 20, workflow.ScheduleCancelled),
			scheduled("f", sess1, 40, workflow.ScheduleSending),
		} {
			ok(t, s.PutScheduled(ctx, m), "PutScheduled("+m.ID+")")
		}
		for _, c := range []struct {
			name string
			q    workflow.ScheduleQuery
			want []string
		}{
			{"all", workflow.ScheduleQuery{}, []string{"a", "b", "c", "d", "e", "f"}},
			{"pending", workflow.ScheduleQuery{Status: []workflow.ScheduleStatus{workflow.SchedulePending}}, []string{"b", "e"}},
			{"sent or failed", workflow.ScheduleQuery{Status: []workflow.ScheduleStatus{workflow.ScheduleSent, workflow.ScheduleFailed}}, []string{"a", "d"}},
			{"session", workflow.ScheduleQuery{Session: sess2}, []string{"a", "d"}},
			{"from inclusive", workflow.ScheduleQuery{From: at(20)}, []string{"c", "d", "e", "f"}},
			{"to exclusive", workflow.ScheduleQuery{To: at(20)}, []string{"a", "b"}},
			{"period", workflow.ScheduleQuery{From: at(10).Add(time.Microsecond), To: at(30).Add(time.Microsecond)}, []string{"c", "d", "e"}},
			{"limit", workflow.ScheduleQuery{Limit: 3}, []string{"a", "b", "c"}},
			{"combined", workflow.ScheduleQuery{Session: sess1, Status: []workflow.ScheduleStatus{workflow.SchedulePending, workflow.ScheduleCancelled}, From: at(15), Limit: 1}, []string{"c"}},
			{"no match", workflow.ScheduleQuery{Session: "unknown"}, nil},
		} {
			got := scheduledIDs(get(s.ListScheduled(ctx, c.q)).must(t, "ListScheduled"))
			if !same(got, c.want) {
				t.Errorf("ListScheduled(%s: %+v) = %v, want %v (ordered by At, then ID)", c.name, c.q, got, c.want)
			}
		}
	})

	t.Run("TransitionScheduled/claim_then_send", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		m := scheduled("s1", sess1, 10, workflow.SchedulePending)
		ok(t, s.PutScheduled(ctx, m), "PutScheduled")
		ok(t, s.TransitionScheduled(ctx, "s1", workflow.SchedulePending, workflow.ScheduleSending, "", at(10)), "pending→sending")
		m.Status = workflow.ScheduleSending
		checkScheduled(t, "after pending→sending (not final: DoneAt stays zero)", get(s.Scheduled(ctx, "s1")).must(t, "Scheduled"), m)
		ok(t, s.TransitionScheduled(ctx, "s1", workflow.ScheduleSending, workflow.ScheduleSent, "", at(11)), "sending→sent")
		m.Status, m.DoneAt = workflow.ScheduleSent, at(11)
		checkScheduled(t, "after sending→sent", get(s.Scheduled(ctx, "s1")).must(t, "Scheduled"), m)
	})

	t.Run("TransitionScheduled/final_statuses_set_reason_and_done_at", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		for _, c := range []struct {
			to     workflow.ScheduleStatus
			reason string
		}{
			{workflow.ScheduleCancelled, "cancelled by the shop"},
			{workflow.ScheduleFailed, "session deleted"},
		} {
			m := scheduled(string(c.to), sess1, 10, workflow.SchedulePending)
			ok(t, s.PutScheduled(ctx, m), "PutScheduled")
			ok(t, s.TransitionScheduled(ctx, m.ID, workflow.SchedulePending, c.to, c.reason, at(12)), "pending→"+string(c.to))
			m.Status, m.Reason, m.DoneAt = c.to, c.reason, at(12)
			checkScheduled(t, "after pending→"+string(c.to), get(s.Scheduled(ctx, m.ID)).must(t, "Scheduled"), m)
		}
	})

	t.Run("TransitionScheduled/conflict_changes_nothing", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		m := scheduled("s1", sess1, 10, workflow.SchedulePending)
		ok(t, s.PutScheduled(ctx, m), "PutScheduled")
		ok(t, s.TransitionScheduled(ctx, "s1", workflow.SchedulePending, workflow.ScheduleCancelled, "by user", at(1)), "pending→cancelled")
		err := s.TransitionScheduled(ctx, "s1", workflow.SchedulePending, workflow.ScheduleSending, "", at(2))
		wantErr(t, err, "pending→sending of a cancelled message", workflow.ErrConflict)
		m.Status, m.Reason, m.DoneAt = workflow.ScheduleCancelled, "by user", at(1)
		checkScheduled(t, "after the lost transition", get(s.Scheduled(ctx, "s1")).must(t, "Scheduled"), m)
		err = s.TransitionScheduled(ctx, "nope", workflow.SchedulePending, workflow.ScheduleSending, "", at(2))
		wantErr(t, err, "TransitionScheduled(unknown id)", workflow.ErrNotFound, workflow.ErrConflict)
	})
}
