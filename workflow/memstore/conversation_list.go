package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/waauto/waauto/workflow"
)

// ListConversations returns the conversations matching q with their
// contact and last message, newest activity first, keyset-paginated.
func (s *Store) ListConversations(ctx context.Context, q workflow.ConversationQuery) (workflow.ConversationPage, error) {
	if err := ctx.Err(); err != nil {
		return workflow.ConversationPage{}, err
	}
	after, err := workflow.ParseConversationCursor(q.After)
	if err != nil {
		return workflow.ConversationPage{}, err
	}
	search := strings.ToLower(q.Search)
	s.mu.Lock()
	var rows []workflow.ConversationRow
	for _, c := range s.conversations {
		r := workflow.ConversationRow{Conversation: c.facts, Contact: workflow.Contact{Phone: c.facts.Phone}}
		if ct, ok := s.contacts[c.facts.Phone]; ok {
			r.Contact = copyContact(ct)
		}
		if n := len(c.messages); n > 0 {
			r.Last = c.messages[n-1]
		}
		if matches(q, search, r) && (q.After == "" || after.Precedes(r)) {
			rows = append(rows, r)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(rows, func(a, b workflow.ConversationRow) int {
		return cmp.Or(b.Activity().Compare(a.Activity()), cmp.Compare(a.Session, b.Session), cmp.Compare(a.Phone, b.Phone))
	})
	page := workflow.ConversationPage{Rows: rows}
	if limit := workflow.PageLimit(q.Limit, 50, 500); len(rows) > limit {
		page.Rows = rows[:limit]
		page.Next = workflow.CursorOf(rows[limit-1]).String()
	}
	return page, nil
}

// matches applies q's filters to r; search is q.Search in lower case.
func matches(q workflow.ConversationQuery, search string, r workflow.ConversationRow) bool {
	switch {
	case q.Session != "" && r.Session != q.Session,
		q.Agent != nil && r.Agent != *q.Agent,
		q.Label != "" && !slices.Contains(r.Contact.Labels, q.Label),
		q.Awaiting != nil && r.Awaiting() != *q.Awaiting,
		q.Excluded != nil && r.Contact.Excluded != *q.Excluded:
		return false
	}
	return search == "" || strings.Contains(strings.ToLower(r.Contact.Name), search) || strings.Contains(r.Phone, search)
}
