package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/waauto/waauto/workflow"
)

func testConversationLists(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	// Four conversations: A on shop-1 (customer waiting, vip, Alice),
	// B on shop-1 (answered by an agent, assigned to lea), A on shop-2
	// (answered by automation), C on shop-2 (assigned only, no message,
	// excluded contact "Zoé").
	seed := func(t *testing.T) workflow.Store {
		s, ctx := newStore(t), t.Context()
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "a1", 1))).must(t, "RecordInbound")
		get(s.RecordInbound(ctx, inbound(sess1, phoneB, "b1", 2))).must(t, "RecordInbound")
		get(s.RecordOutbound(ctx, outbound(sess1, phoneB, "b2", workflow.AuthorAgent, 5))).must(t, "RecordOutbound")
		get(s.RecordInbound(ctx, inbound(sess2, phoneA, "a2", 3))).must(t, "RecordInbound")
		get(s.RecordOutbound(ctx, outbound(sess2, phoneA, "a3", workflow.AuthorAutomation, 4))).must(t, "RecordOutbound")
		get(s.RecordInbound(ctx, inbound(sess1, phoneA, "a4", 6))).must(t, "RecordInbound")
		ok(t, s.Assign(ctx, sess1, phoneB, "lea"), "Assign")
		ok(t, s.Assign(ctx, sess2, phoneC, "max"), "Assign")
		get(s.UpdateLabels(ctx, phoneA, []string{"vip", "50%_off"}, nil)).must(t, "UpdateLabels")
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneB, Name: "Bob", Labels: []string{"vipx"}}), "PutContact")
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneC, Name: "Zoé", Excluded: true, Imported: true}), "PutContact")
		return s
	}
	keys := func(p workflow.ConversationPage) string {
		var out []string
		for _, r := range p.Rows {
			out = append(out, r.Session[len(r.Session)-1:]+r.Phone[len(r.Phone)-1:])
		}
		return strings.Join(out, " ")
	}

	t.Run("ListConversations/newest_first_with_contact_and_last_message", func(t *testing.T) {
		s := seed(t)
		p := get(s.ListConversations(t.Context(), workflow.ConversationQuery{})).must(t, "ListConversations")
		// 1A at minute 6, 1B at 5, 2A at 4, 2C never.
		if got := keys(p); got != "11 12 21 23" || p.Next != "" {
			t.Fatalf("order = %q (next %q), want \"11 12 21 23\" and no next page", got, p.Next)
		}
		a := p.Rows[0]
		if a.Contact.Name != "Alice" || len(a.Contact.Labels) != 2 || a.Last.ID != "a4" || a.Last.Author != workflow.AuthorCustomer ||
			a.Last.Text != "text of a4" || !a.Last.Time.Equal(at(6)) || a.Last.Seq != 2 || !a.Awaiting() || !a.Activity().Equal(at(6)) {
			t.Errorf("row 1A = %+v", a)
		}
		b := p.Rows[1]
		if b.Agent != "lea" || b.Contact.Name != "Bob" || b.Last.ID != "b2" || b.Last.Author != workflow.AuthorAgent || b.Awaiting() {
			t.Errorf("row 1B = %+v", b)
		}
		c := p.Rows[3]
		if c.Agent != "max" || c.Last.ID != "" || !c.Activity().IsZero() || c.Awaiting() || !c.Contact.Excluded || c.Contact.Name != "Zoé" {
			t.Errorf("row 2C = %+v", c)
		}
	})

	t.Run("ListConversations/filters", func(t *testing.T) {
		s, ctx := seed(t), t.Context()
		lea, none, yes, no := "lea", "", true, false
		for _, c := range []struct {
			name string
			q    workflow.ConversationQuery
			want string
		}{
			{"session", workflow.ConversationQuery{Session: sess2}, "21 23"},
			{"agent", workflow.ConversationQuery{Agent: &lea}, "12"},
			{"unassigned", workflow.ConversationQuery{Agent: &none}, "11 21"},
			{"label (exact, not a prefix)", workflow.ConversationQuery{Label: "vip"}, "11 21"},
			{"label with LIKE characters", workflow.ConversationQuery{Label: "50%_off"}, "11 21"},
			{"label matching nothing", workflow.ConversationQuery{Label: "50%"}, ""},
			{"awaiting", workflow.ConversationQuery{Awaiting: &yes}, "11"},
			{"not awaiting", workflow.ConversationQuery{Awaiting: &no}, "12 21 23"},
			{"excluded", workflow.ConversationQuery{Excluded: &yes}, "23"},
			{"included", workflow.ConversationQuery{Excluded: &no}, "11 12 21"},
			{"search name, any case", workflow.ConversationQuery{Search: "aLiCe"}, "11 21"},
			{"search accented name", workflow.ConversationQuery{Search: "Zoé"}, "23"},
			{"search phone digits", workflow.ConversationQuery{Search: "2222"}, "12"},
			{"search with LIKE characters", workflow.ConversationQuery{Search: "%"}, ""},
			{"combined", workflow.ConversationQuery{Session: sess1, Label: "vip", Awaiting: &yes}, "11"},
		} {
			if got := keys(get(s.ListConversations(ctx, c.q)).must(t, c.name)); got != c.want {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
		}
	})

	t.Run("ListConversations/keyset_pages", func(t *testing.T) {
		s, ctx := seed(t), t.Context()
		var got []string
		after := ""
		for range 4 {
			p := get(s.ListConversations(ctx, workflow.ConversationQuery{Limit: 1, After: after})).must(t, "ListConversations(page)")
			got = append(got, keys(p))
			if after = p.Next; after == "" {
				break
			}
		}
		if strings.Join(got, ",") != "11,12,21,23" || after != "" {
			t.Fatalf("pages of 1 = %q (last next %q)", got, after)
		}
		p := get(s.ListConversations(ctx, workflow.ConversationQuery{Limit: 2})).must(t, "ListConversations(2)")
		// A new message moves 2A to the top; the second page stays stable.
		get(s.RecordInbound(ctx, inbound(sess2, phoneA, "a5", 7))).must(t, "RecordInbound")
		if got := keys(get(s.ListConversations(ctx, workflow.ConversationQuery{Limit: 2, After: p.Next})).must(t, "page 2")); got != "23" {
			t.Errorf("second page after 2A moved up = %q, want \"23\"", got)
		}
		if _, err := s.ListConversations(ctx, workflow.ConversationQuery{After: "garbage"}); !errors.Is(err, workflow.ErrBadCursor) {
			t.Errorf("bad cursor: %v, want ErrBadCursor", err)
		}
	})
}
