package bun

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/waauto/waauto/workflow"
)

// activitySQL is a conversation's last activity: its last message either way.
const activitySQL = "CASE WHEN c.last_reply_at > c.last_inbound_at THEN c.last_reply_at ELSE c.last_inbound_at END"

// conversationListRow is a conversation joined with its contact and its
// last message.
type conversationListRow struct {
	Session        string `bun:"session"`
	Phone          string `bun:"phone"`
	Agent          string `bun:"agent"`
	MessageCount   int64  `bun:"message_count"`
	LastInboundSeq int64  `bun:"last_inbound_seq"`
	LastAgentSeq   int64  `bun:"last_agent_seq"`
	LastInboundAt  int64  `bun:"last_inbound_at"`
	LastReplyAt    int64  `bun:"last_reply_at"`
	Name           string `bun:"name"`
	Labels         string `bun:"labels"`
	Excluded       bool   `bun:"excluded"`
	Imported       bool   `bun:"imported"`
	CreatedAt      int64  `bun:"created_at"`
	HasContact     bool   `bun:"has_contact"`
	LastID         string `bun:"last_id"`
	LastAuthor     string `bun:"last_author"`
	LastKind       string `bun:"last_kind"`
	LastType       string `bun:"last_type"`
	LastText       string `bun:"last_text"`
	LastAt         int64  `bun:"last_at"`
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '\'.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListConversations returns the conversations matching q with their
// contact and last message, newest activity first, keyset-paginated.
func (s *Store) ListConversations(ctx context.Context, q workflow.ConversationQuery) (workflow.ConversationPage, error) {
	after, err := workflow.ParseConversationCursor(q.After)
	if err != nil {
		return workflow.ConversationPage{}, err
	}
	limit := workflow.PageLimit(q.Limit, 50, 500)
	var rows []conversationListRow
	sel := s.db.NewSelect().TableExpr("waauto_conversations AS c").
		ColumnExpr("c.session, c.phone, c.agent, c.message_count, c.last_inbound_seq, c.last_agent_seq, c.last_inbound_at, c.last_reply_at").
		ColumnExpr("COALESCE(ct.name, '') AS name, COALESCE(ct.labels, '[]') AS labels, COALESCE(ct.excluded, FALSE) AS excluded").
		ColumnExpr("COALESCE(ct.imported, FALSE) AS imported, COALESCE(ct.created_at, 0) AS created_at, ct.phone IS NOT NULL AS has_contact").
		ColumnExpr("COALESCE(m.id, '') AS last_id, COALESCE(m.author, '') AS last_author, COALESCE(m.kind, '') AS last_kind").
		ColumnExpr("COALESCE(m.type, '') AS last_type, COALESCE(m.text, '') AS last_text, COALESCE(m.at, 0) AS last_at").
		Join("LEFT JOIN waauto_contacts AS ct ON ct.phone = c.phone").
		Join("LEFT JOIN waauto_messages AS m ON m.session = c.session AND m.phone = c.phone AND m.seq = c.message_count AND c.message_count > 0").
		OrderExpr(activitySQL + " DESC").OrderExpr("c.session ASC").OrderExpr("c.phone ASC").
		Limit(int64(limit) + 1)
	if q.Session != "" {
		sel = sel.Where("c.session = ?", q.Session)
	}
	if q.Agent != nil {
		sel = sel.Where("c.agent = ?", *q.Agent)
	}
	if q.Label != "" {
		lbl, err := json.Marshal(q.Label)
		if err != nil {
			return workflow.ConversationPage{}, err
		}
		sel = sel.Where(`ct.labels LIKE ? ESCAPE '\'`, "%"+likeEscape.Replace(string(lbl))+"%")
	}
	if q.Awaiting != nil {
		if *q.Awaiting {
			sel = sel.Where("c.last_inbound_seq > 0 AND c.last_inbound_seq = c.message_count")
		} else {
			sel = sel.Where("NOT (c.last_inbound_seq > 0 AND c.last_inbound_seq = c.message_count)")
		}
	}
	if q.Excluded != nil {
		sel = sel.Where("COALESCE(ct.excluded, FALSE) = ?", *q.Excluded)
	}
	if q.Search != "" {
		pat := "%" + likeEscape.Replace(strings.ToLower(q.Search)) + "%"
		sel = sel.Where(`(LOWER(COALESCE(ct.name, '')) LIKE ? ESCAPE '\' OR c.phone LIKE ? ESCAPE '\')`, pat, pat)
	}
	if q.After != "" {
		a := nanos(after.Activity)
		sel = sel.Where("("+activitySQL+" < ? OR ("+activitySQL+" = ? AND (c.session > ? OR (c.session = ? AND c.phone > ?))))",
			a, a, after.Session, after.Session, after.Phone)
	}
	if err := sel.Scan(ctx, &rows); err != nil {
		return workflow.ConversationPage{}, fmt.Errorf("list conversations: %w", err)
	}
	var page workflow.ConversationPage
	for i, r := range rows {
		if i == limit {
			page.Next = workflow.CursorOf(page.Rows[limit-1]).String()
			break
		}
		conv := conversationRow{Session: r.Session, Phone: r.Phone, Agent: r.Agent, MessageCount: r.MessageCount,
			LastInboundSeq: r.LastInboundSeq, LastAgentSeq: r.LastAgentSeq, LastInboundAt: r.LastInboundAt, LastReplyAt: r.LastReplyAt}
		row := workflow.ConversationRow{Conversation: conv.conversation(), Contact: workflow.Contact{Phone: r.Phone}}
		if r.HasContact {
			ct, err := contactRow{Phone: r.Phone, Name: r.Name, Labels: r.Labels, Excluded: r.Excluded, Imported: r.Imported, CreatedAt: r.CreatedAt}.contact()
			if err != nil {
				return workflow.ConversationPage{}, err
			}
			row.Contact = ct
		}
		if r.LastID != "" {
			row.Last = messageRow{Session: r.Session, Phone: r.Phone, ID: r.LastID, Author: r.LastAuthor, Kind: r.LastKind,
				Type: r.LastType, Text: r.LastText, At: r.LastAt, Seq: r.MessageCount}.record()
		}
		page.Rows = append(page.Rows, row)
	}
	return page, nil
}
