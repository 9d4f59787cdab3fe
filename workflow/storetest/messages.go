package storetest

import (
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

func testMessages(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("RecordInbound/first_message_creates_contact_and_conversation", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		m := inbound(sess1, phoneA, "m1", 0)
		m.Type = trigger.MessageImage
		in := get(s.RecordInbound(ctx, m)).must(t, "RecordInbound(m1)")
		if in.Seq != 1 || !in.NewContact || in.Duplicate {
			t.Errorf("RecordInbound(m1) = Seq %d, NewContact %v, Duplicate %v; want 1, true, false", in.Seq, in.NewContact, in.Duplicate)
		}
		wantConv := workflow.Conversation{Session: sess1, Phone: phoneA, MessageCount: 1, LastInboundSeq: 1, LastInboundAt: at(0)}
		checkConversation(t, "RecordInbound(m1).Conversation", in.Conversation, wantConv)
		wantContact := workflow.Contact{Phone: phoneA, Name: "Alice"}
		checkContact(t, "RecordInbound(m1).Contact", in.Contact, wantContact)
		checkConversation(t, "Conversation after m1", get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"), wantConv)
		checkContact(t, "Contact after m1", get(s.Contact(ctx, phoneA)).must(t, "Contact"), wantContact)
		checkMessage(t, "Message(m1)", get(s.Message(ctx, sess1, "m1")).must(t, "Message(m1)"), workflow.MessageRecord{
			Session: sess1, Phone: phoneA, ID: "m1", Author: workflow.AuthorCustomer,
			Type: trigger.MessageImage, Text: "text of m1", Time: at(0), Seq: 1,
		})
	})

	t.Run("RecordInbound/next_message_advances_the_conversation", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound(m1)")
		in := get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m2", 3))).must(t, "RecordInbound(m2)")
		if in.Seq != 2 || in.NewContact || in.Duplicate {
			t.Errorf("RecordInbound(m2) = Seq %d, NewContact %v, Duplicate %v; want 2, false, false", in.Seq, in.NewContact, in.Duplicate)
		}
		checkConversation(t, "RecordInbound(m2).Conversation", in.Conversation,
			workflow.Conversation{Session: sess1, Phone: phoneA, MessageCount: 2, LastInboundSeq: 2, LastInboundAt: at(3)})
	})

	t.Run("RecordInbound/duplicate_changes_nothing", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound(m1)")
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m2", 1))).must(t, "RecordInbound(m2)")
		before := get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation")
		again := inbound(sess1, phoneA, "m1", 5)
		again.Text, again.PushName = "redelivered with other text", "Someone else"
		in := get(s.RecordInbound(ctx, again)).must(t, "RecordInbound(m1) again")
		if !in.Duplicate || in.Seq != 1 || in.NewContact {
			t.Errorf("RecordInbound(m1) again = Duplicate %v, Seq %d, NewContact %v; want true, 1 (the stored Seq), false", in.Duplicate, in.Seq, in.NewContact)
		}
		checkConversation(t, "Conversation after duplicate", get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"), before)
		if got := get(s.Message(ctx, sess1, "m1")).must(t, "Message(m1)"); got.Text != "text of m1" || !got.Time.Equal(at(0)) {
			t.Errorf("Message(m1) after duplicate = %q at %v, want the first recording %q at %v", got.Text, got.Time, "text of m1", at(0))
		}
		if c := get(s.Contact(ctx, phoneA)).must(t, "Contact"); c.Name != "Alice" {
			t.Errorf("Contact.Name after duplicate = %q, want %q", c.Name, "Alice")
		}
		if h := get(s.History(ctx, sess1, phoneA, 0, 100)).must(t, "History"); len(h) != 2 {
			t.Errorf("History after duplicate has %d messages, want 2", len(h))
		}
	})

	t.Run("RecordInbound/same_id_in_another_session_is_not_a_duplicate", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound(shop-1, m1)")
		in := get(s.RecordInbound(ctx, inbound(sess2, phoneA, "m1", 1))).must(t, "RecordInbound(shop-2, m1)")
		if in.Duplicate || in.Seq != 1 {
			t.Errorf("RecordInbound(shop-2, m1) = Duplicate %v, Seq %d; want false, 1", in.Duplicate, in.Seq)
		}
	})

	t.Run("RecordInbound/a_phone_is_new_once_per_session", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound(shop-1)")
		in := get(s.RecordInbound(ctx, inbound(sess2, phoneA, "m2", 1))).must(t, "RecordInbound(shop-2)")
		if !in.NewContact {
			t.Errorf("first message of a known, not imported phone to another session: NewContact = false, want true")
		}
		checkConversation(t, "shop-2 conversation", in.Conversation,
			workflow.Conversation{Session: sess2, Phone: phoneA, MessageCount: 1, LastInboundSeq: 1, LastInboundAt: at(1)})
	})

	t.Run("RecordInbound/imported_contact_is_never_new", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneA, Name: "Bob", Labels: []string{"vip"}, Imported: true, CreatedAt: at(-60)}), "PutContact")
		in := get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		if in.NewContact {
			t.Errorf("first message of an imported contact: NewContact = true, want false")
		}
		want := workflow.Contact{Phone: phoneA, Name: "Bob", Labels: []string{"vip"}, Imported: true, CreatedAt: at(-60)}
		checkContact(t, "RecordInbound.Contact (PushName must not replace a name)", in.Contact, want)
		checkContact(t, "Contact", get(s.Contact(ctx, phoneA)).must(t, "Contact"), want)
	})

	t.Run("RecordInbound/push_name_fills_an_empty_name", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneA, Imported: true, CreatedAt: at(-60)}), "PutContact")
		in := get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		if in.Contact.Name != "Alice" {
			t.Errorf("RecordInbound.Contact.Name = %q, want the push name %q", in.Contact.Name, "Alice")
		}
		if c := get(s.Contact(ctx, phoneA)).must(t, "Contact"); c.Name != "Alice" || !c.Imported {
			t.Errorf("Contact = name %q, imported %v; want %q, true", c.Name, c.Imported, "Alice")
		}
	})

	t.Run("RecordInbound/existing_conversation_is_not_new", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.Assign(ctx, sess1, phoneA, "anna"), "Assign")
		in := get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		if in.NewContact {
			t.Errorf("first message into a conversation that existed (assigned): NewContact = true, want false")
		}
		checkConversation(t, "RecordInbound.Conversation", in.Conversation,
			workflow.Conversation{Session: sess1, Phone: phoneA, Agent: "anna", MessageCount: 1, LastInboundSeq: 1, LastInboundAt: at(0)})
	})

	t.Run("RecordOutbound/automation_and_agent_replies", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		conv := get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "o1", workflow.AuthorAutomation, 1))).must(t, "RecordOutbound(automation)")
		checkConversation(t, "after automation reply", conv, workflow.Conversation{
			Session: sess1, Phone: phoneA, MessageCount: 2, LastInboundSeq: 1, LastInboundAt: at(0), LastReplyAt: at(1),
		})
		conv = get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "a1", workflow.AuthorAgent, 2))).must(t, "RecordOutbound(agent)")
		want := workflow.Conversation{
			Session: sess1, Phone: phoneA, MessageCount: 3, LastInboundSeq: 1, LastAgentSeq: 3, LastInboundAt: at(0), LastReplyAt: at(2),
		}
		checkConversation(t, "after agent reply", conv, want)
		checkConversation(t, "Conversation", get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"), want)
		o1 := get(s.Message(ctx, sess1, "o1")).must(t, "Message(o1)")
		checkMessage(t, "Message(o1)", o1, workflow.MessageRecord{
			Session: sess1, Phone: phoneA, ID: "o1", Author: workflow.AuthorAutomation, Kind: workflow.SendFixed,
			Type: o1.Type, // the contract leaves the type of outgoing messages open
			Text: "reply o1", Time: at(1), Seq: 2,
		})
		if got := get(s.Message(ctx, sess1, "a1")).must(t, "Message(a1)"); got.Author != workflow.AuthorAgent || got.Seq != 3 {
			t.Errorf("Message(a1) = author %q, seq %d; want agent, 3", got.Author, got.Seq)
		}
	})

	t.Run("RecordOutbound/duplicate_changes_nothing", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		first := get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "o1", workflow.AuthorAutomation, 1))).must(t, "RecordOutbound")
		again := outbound(sess1, phoneA, "o1", workflow.AuthorAgent, 9)
		again.Text = "retry"
		conv := get(s.RecordOutbound(ctx, again)).must(t, "RecordOutbound again")
		checkConversation(t, "RecordOutbound duplicate result", conv, first)
		checkConversation(t, "Conversation after duplicate", get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"), first)
		if got := get(s.Message(ctx, sess1, "o1")).must(t, "Message"); got.Text != "reply o1" || got.Author != workflow.AuthorAutomation {
			t.Errorf("Message(o1) after duplicate = %q by %q, want the first recording", got.Text, got.Author)
		}
	})

	t.Run("RecordOutbound/creates_the_conversation", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		conv := get(s.RecordOutbound(ctx, outbound(sess1, phoneB, "o1", workflow.AuthorAgent, 0))).must(t, "RecordOutbound")
		want := workflow.Conversation{Session: sess1, Phone: phoneB, MessageCount: 1, LastAgentSeq: 1, LastReplyAt: at(0)}
		checkConversation(t, "RecordOutbound result", conv, want)
		checkConversation(t, "Conversation", get(s.Conversation(ctx, sess1, phoneB)).must(t, "Conversation"), want)
	})

	t.Run("Message/not_found", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		_, err := s.Message(ctx, sess1, "nope")
		wantErr(t, err, "Message(unknown id)", workflow.ErrNotFound)
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		_, err = s.Message(ctx, sess2, "m1")
		wantErr(t, err, "Message(id of another session)", workflow.ErrNotFound)
	})

	t.Run("History", func(t *testing.T) { testHistory(t, newStore(t)) })
	t.Run("CountSent", func(t *testing.T) { testCountSent(t, newStore(t)) })
	t.Run("RecordOutboundUnder", func(t *testing.T) { testRecordOutboundUnder(t, newStore(t)) })
}

// testRecordOutboundUnder checks workflow.OutboundLimiter, for a store
// that has it: a message is recorded while fewer than limit messages of
// its author went to the conversation since the time given, refused
// (nothing stored) at the limit, and let through at the limit when it is
// stored already.
func testRecordOutboundUnder(t *testing.T, s workflow.Store) {
	lim, isLimiter := s.(workflow.OutboundLimiter)
	if !isLimiter {
		t.Skip("the store is no workflow.OutboundLimiter")
	}
	ctx := t.Context()
	get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
	get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "a1", workflow.AuthorAgent, 1))).must(t, "RecordOutbound(agent)")
	for i, c := range []struct {
		id    string
		min   int
		since time.Time
		limit int
		want  bool
	}{
		{"o1", 2, at(0), 2, true},  // none before
		{"o2", 3, at(0), 2, true},  // one before
		{"o3", 4, at(0), 2, false}, // two before: the limit
		{"o2", 3, at(0), 2, true},  // stored already: the retry of a send let through
		{"o3", 4, at(3), 2, true},  // o1 before the window, o2 in it
		{"o4", 5, at(0), 3, false}, // o1, o2, o3 in the window
	} {
		m := outbound(sess1, phoneA, c.id, workflow.AuthorAutomation, c.min)
		got := get(lim.RecordOutboundUnder(ctx, m, c.since, c.limit)).must(t, "RecordOutboundUnder")
		if got != c.want {
			t.Errorf("%d: RecordOutboundUnder(%s at minute %d, since %v, limit %d) = %v, want %v", i, c.id, c.min, c.since, c.limit, got, c.want)
		}
		_, err := s.Message(ctx, sess1, c.id)
		if stored := err == nil; stored != c.want {
			t.Errorf("%d: after RecordOutboundUnder(%s) = %v, stored = %v (%v)", i, c.id, got, stored, err)
		}
	}
	if got := get(s.CountSent(ctx, sess1, phoneA, workflow.AuthorAutomation, time.Time{})).must(t, "CountSent"); got != 3 {
		t.Errorf("automated messages stored = %d, want 3 (o1, o2, o3)", got)
	}
	c := get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation")
	if c.MessageCount != 5 {
		t.Errorf("conversation count = %d, want 5 (m1, a1, o1, o2, o3): a refused or repeated message counts nothing", c.MessageCount)
	}
}

func testHistory(t *testing.T, s workflow.Store) {
	ctx := t.Context()
	get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound(m1)")
	get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "o2", workflow.AuthorAutomation, 1))).must(t, "RecordOutbound(o2)")
	get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m3", 2))).must(t, "RecordInbound(m3)")
	get(s.RecordInbound(ctx, inbound(sess1, phoneB, "x1", 2))).must(t, "RecordInbound(other phone)")
	get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "a4", workflow.AuthorAgent, 3))).must(t, "RecordOutbound(a4)")
	get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m5", 4))).must(t, "RecordInbound(m5)")

	ids := func(h []workflow.MessageRecord) []string {
		out := make([]string, len(h))
		for i, m := range h {
			out[i] = m.ID
		}
		return out
	}
	for _, c := range []struct {
		before int64
		limit  int
		want   []string
	}{
		{0, 10, []string{"m1", "o2", "m3", "a4", "m5"}},
		{0, 5, []string{"m1", "o2", "m3", "a4", "m5"}},
		{0, 2, []string{"a4", "m5"}},
		{4, 2, []string{"o2", "m3"}},
		{4, 10, []string{"m1", "o2", "m3"}},
		{2, 10, []string{"m1"}},
		{1, 10, nil},
		{99, 1, []string{"m5"}},
	} {
		h := get(s.History(ctx, sess1, phoneA, c.before, c.limit)).must(t, "History")
		if got := ids(h); !same(got, c.want) {
			t.Errorf("History(beforeSeq %d, limit %d) = %v, want %v (the last messages before the bound, oldest first)", c.before, c.limit, got, c.want)
		}
	}
	h := get(s.History(ctx, sess1, phoneA, 0, 10)).must(t, "History")
	if len(h) == 5 {
		checkMessage(t, "History[3]", h[3], workflow.MessageRecord{
			Session: sess1, Phone: phoneA, ID: "a4", Author: workflow.AuthorAgent, Type: h[3].Type /* open for outgoing messages */, Text: "reply a4", Time: at(3), Seq: 4,
		})
		checkMessage(t, "History[4]", h[4], workflow.MessageRecord{
			Session: sess1, Phone: phoneA, ID: "m5", Author: workflow.AuthorCustomer, Type: trigger.MessageText, Text: "text of m5", Time: at(4), Seq: 5,
		})
		h[0].Text = "mutated by the caller"
		if got := get(s.Message(ctx, sess1, "m1")).must(t, "Message(m1)"); got.Text != "text of m1" {
			t.Errorf("mutating a History result changed the store: Message(m1).Text = %q", got.Text)
		}
		if again := get(s.History(ctx, sess1, phoneA, 2, 1)).must(t, "History"); len(again) != 1 || again[0].Text != "text of m1" {
			t.Errorf("mutating a History result changed the store: History = %+v", again)
		}
	}
	if h := get(s.History(ctx, sess2, phoneA, 0, 10)).must(t, "History(unknown conversation)"); len(h) != 0 {
		t.Errorf("History of an unknown conversation = %v, want none", ids(h))
	}
}

func testCountSent(t *testing.T, s workflow.Store) {
	ctx := t.Context()
	get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
	get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "o1", workflow.AuthorAutomation, 1))).must(t, "RecordOutbound")
	get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "o2", workflow.AuthorAutomation, 2))).must(t, "RecordOutbound")
	get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "a1", workflow.AuthorAgent, 3))).must(t, "RecordOutbound")
	get(s.RecordOutbound(ctx, outbound(sess1, phoneB, "o3", workflow.AuthorAutomation, 2))).must(t, "RecordOutbound(other phone)")
	get(s.RecordOutbound(ctx, outbound(sess2, phoneA, "o4", workflow.AuthorAutomation, 2))).must(t, "RecordOutbound(other session)")
	for _, c := range []struct {
		author workflow.Author
		since  time.Time
		want   int
	}{
		{workflow.AuthorAutomation, time.Time{}, 2},
		{workflow.AuthorAutomation, at(1), 2},
		{workflow.AuthorAutomation, at(2), 1},
		{workflow.AuthorAutomation, at(2).Add(time.Microsecond), 0},
		{workflow.AuthorAgent, time.Time{}, 1},
		{workflow.AuthorCustomer, at(0), 1},
	} {
		got := get(s.CountSent(ctx, sess1, phoneA, c.author, c.since)).must(t, "CountSent")
		if got != c.want {
			t.Errorf("CountSent(%s since %v) = %d, want %d", c.author, c.since, got, c.want)
		}
	}
	if got := get(s.CountSent(ctx, sess1, phoneC, workflow.AuthorAutomation, time.Time{})).must(t, "CountSent"); got != 0 {
		t.Errorf("CountSent of an unknown conversation = %d, want 0", got)
	}
}

func testConversations(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("Conversation/not_found", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		_, err := s.Conversation(ctx, sess1, phoneA)
		wantErr(t, err, "Conversation(unknown)", workflow.ErrNotFound)
	})

	t.Run("Assign/creates_reassigns_and_unassigns", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.Assign(ctx, sess1, phoneA, "anna"), "Assign(anna)")
		checkConversation(t, "after Assign(anna)", get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"),
			workflow.Conversation{Session: sess1, Phone: phoneA, Agent: "anna"})
		ok(t, s.Assign(ctx, sess1, phoneA, "ben"), "Assign(ben)")
		if c := get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"); c.Agent != "ben" {
			t.Errorf("Agent after reassigning = %q, want ben", c.Agent)
		}
		ok(t, s.Assign(ctx, sess1, phoneA, ""), "Assign(\"\")")
		if c := get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"); c.Agent != "" {
			t.Errorf("Agent after unassigning = %q, want \"\"", c.Agent)
		}
	})

	t.Run("Assign/keeps_the_facts", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		get(s.RecordOutbound(ctx, outbound(sess1, phoneA, "a1", workflow.AuthorAgent, 1))).must(t, "RecordOutbound")
		ok(t, s.Assign(ctx, sess1, phoneA, "anna"), "Assign")
		checkConversation(t, "after Assign", get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"), workflow.Conversation{
			Session: sess1, Phone: phoneA, Agent: "anna", MessageCount: 2, LastInboundSeq: 1, LastAgentSeq: 2, LastInboundAt: at(0), LastReplyAt: at(1),
		})
	})

	t.Run("OpenConversations", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		if got := get(s.OpenConversations(ctx, []string{"anna"})).must(t, "OpenConversations(empty store)"); got["anna"] != 0 {
			t.Errorf("OpenConversations on an empty store = %v, want anna: 0", got)
		}
		ok(t, s.Assign(ctx, sess1, phoneA, "anna"), "Assign")
		ok(t, s.Assign(ctx, sess2, phoneA, "anna"), "Assign")
		ok(t, s.Assign(ctx, sess1, phoneB, "ben"), "Assign")
		ok(t, s.Assign(ctx, sess1, phoneC, "ben"), "Assign")
		ok(t, s.Assign(ctx, sess1, phoneC, ""), "Assign(\"\")")
		get(s.RecordInbound(ctx, inbound(sess2, phoneB, "m1", 0))).must(t, "RecordInbound(unassigned)")
		got := get(s.OpenConversations(ctx, []string{"anna", "ben", "carl"})).must(t, "OpenConversations")
		if got["anna"] != 2 || got["ben"] != 1 || got["carl"] != 0 {
			t.Errorf("OpenConversations = %v, want anna: 2 (two sessions), ben: 1 (one unassigned since), carl: 0", got)
		}
		if n, ok := got[""]; ok {
			t.Errorf("OpenConversations counted unassigned conversations under \"\" (%d) without being asked", n)
		}
	})
}
