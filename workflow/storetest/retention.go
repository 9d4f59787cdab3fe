package storetest

import (
	"testing"

	"github.com/waauto/waauto/workflow"
)

func testRetention(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("PurgeMessages/oldest_first_in_batches", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		for i := range 10 {
			phone := phoneA
			if i%2 == 1 {
				phone = phoneB
			}
			get(s.RecordInbound(ctx, inbound(sess1, phone, "m"+string(rune('0'+i)), i))).must(t, "RecordInbound")
		}
		if n := get(s.PurgeMessages(ctx, at(5), 3)).must(t, "PurgeMessages"); n != 3 {
			t.Errorf("PurgeMessages(before minute 5, limit 3) = %d, want 3", n)
		}
		_, err := s.Message(ctx, sess1, "m2")
		wantErr(t, err, "Message(m2, purged in the first batch)", workflow.ErrNotFound)
		get(s.Message(ctx, sess1, "m3")).must(t, "Message(m3, older but not yet purged)")
		if n := get(s.PurgeMessages(ctx, at(5), 0)).must(t, "PurgeMessages"); n != 2 {
			t.Errorf("PurgeMessages(before minute 5, no limit) = %d, want the 2 left", n)
		}
		hist := get(s.History(ctx, sess1, phoneA, 0, 100)).must(t, "History")
		if len(hist) != 2 || hist[0].ID != "m6" || hist[1].ID != "m8" {
			t.Errorf("History of A after the purge = %+v, want m6 and m8", hist)
		}
		if n := get(s.PurgeMessages(ctx, at(5), 0)).must(t, "PurgeMessages"); n != 0 {
			t.Errorf("PurgeMessages again = %d, want 0", n)
		}
	})

	t.Run("PurgeFirings/oldest_done_first_and_forgotten", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		// fire begins and finishes a firing; it returns false when the firing exists.
		fire := func(msg string, minute int) bool {
			t.Helper()
			f := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: msg, At: at(minute)}
			began := get(s.BeginFiring(ctx, f)).must(t, "BeginFiring")
			if began {
				ok(t, s.FinishFiring(ctx, f, firingLog("x-"+msg, f)), "FinishFiring")
			}
			return began
		}
		running := workflow.Firing{WorkflowID: "w1", Session: sess1, Phone: phoneA, MessageID: "r1", At: at(0)}
		get(s.BeginFiring(ctx, running)).must(t, "BeginFiring")
		fire("m1", 1)
		fire("m2", 4)
		fire("m3", 6)
		if n := get(s.PurgeFirings(ctx, at(5), 1)).must(t, "PurgeFirings"); n != 1 {
			t.Errorf("PurgeFirings(before minute 5, limit 1) = %d, want 1", n)
		}
		if fire("m2", 4) {
			t.Error("m2 was purged before the older m1")
		}
		if n := get(s.PurgeFirings(ctx, at(5), 0)).must(t, "PurgeFirings"); n != 1 {
			t.Errorf("PurgeFirings(before minute 5) = %d, want 1", n)
		}
		if got := get(s.LastFired(ctx, "w1", sess1, phoneA)).must(t, "LastFired"); !got.Equal(at(6)) {
			t.Errorf("LastFired after the purge = %v, want %v", got, at(6))
		}
		if !fire("m1", 1) {
			t.Error("BeginFiring of a purged firing = false, want true (forgotten)")
		}
		if fs := get(s.FiringsOf(ctx, sess1, "r1")).must(t, "FiringsOf"); len(fs) != 1 || fs[0].State != workflow.FiringStateRunning {
			t.Errorf("running firing older than the purge = %+v, want kept for its job to resume", fs)
		}
	})

	t.Run("PurgeContacts/inactive_only_never_excluded_or_imported", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "a1", 0))).must(t, "RecordInbound")
		get(s.RecordInbound(ctx, inbound(sess1, phoneC, "c1", 1))).must(t, "RecordInbound")
		if err := s.SetExcluded(ctx, phoneC, true); err != nil {
			t.Fatal(err)
		}
		if err := s.PutContact(ctx, workflow.Contact{Phone: "+33644444444", Imported: true, CreatedAt: at(0)}); err != nil {
			t.Fatal(err)
		}
		get(s.RecordInbound(ctx, inbound(sess1, phoneB, "b1", 20))).must(t, "RecordInbound")
		if n := get(s.PurgeContacts(ctx, at(10), 0)).must(t, "PurgeContacts"); n != 0 {
			t.Errorf("PurgeContacts while their messages are kept = %d, want 0", n)
		}
		get(s.PurgeMessages(ctx, at(10), 0)).must(t, "PurgeMessages")
		if n := get(s.PurgeContacts(ctx, at(10), 0)).must(t, "PurgeContacts"); n != 3 {
			t.Errorf("PurgeContacts = %d, want 3 (the conversations of A and C, the contact A)", n)
		}
		_, err := s.Contact(ctx, phoneA)
		wantErr(t, err, "Contact(A, inactive)", workflow.ErrNotFound)
		_, err = s.Conversation(ctx, sess1, phoneA)
		wantErr(t, err, "Conversation(A, inactive)", workflow.ErrNotFound)
		for _, p := range []string{phoneB, phoneC, "+33644444444"} {
			get(s.Contact(ctx, p)).must(t, "Contact "+p+" (active, excluded or imported)")
		}
		get(s.Conversation(ctx, sess1, phoneB)).must(t, "Conversation(B, active)")
		if n := get(s.PurgeContacts(ctx, at(10), 0)).must(t, "PurgeContacts"); n != 0 {
			t.Errorf("PurgeContacts again = %d, want 0", n)
		}
	})
}
