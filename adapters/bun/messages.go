package bun

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// errDuplicate rolls back a transaction that found its message stored.
var errDuplicate = errors.New("duplicate message")

const (
	// createConversation creates (session, phone) unless it exists; its
	// row count says whether it did. On PostgreSQL a concurrent creator
	// waits for the first to commit, so exactly one sees 1.
	createConversation = `INSERT INTO waauto_conversations (session, phone) VALUES (?, ?)
		ON CONFLICT (session, phone) DO NOTHING`
	insertMessage = `INSERT INTO waauto_messages (session, id, phone, author, kind, type, text, at, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session, id) DO NOTHING`
	// countInbound counts a customer message in its conversation.
	countInbound = `UPDATE waauto_conversations SET message_count = message_count + 1,
		last_inbound_seq = message_count + 1, last_inbound_at = ?
		WHERE session = ? AND phone = ? RETURNING *`
	// countOutbound counts an outgoing message in its conversation (an
	// agent's also moves last_agent_seq).
	countOutbound = `UPDATE waauto_conversations SET message_count = message_count + 1,
		last_reply_at = ?,
		last_agent_seq = CASE WHEN ? THEN message_count + 1 ELSE last_agent_seq END
		WHERE session = ? AND phone = ? RETURNING *`
	// upsertContact creates the contact of an inbound message, or names it
	// when it has no name yet.
	upsertContact = `INSERT INTO waauto_contacts (phone, name, labels, excluded, imported, created_at)
		VALUES (?, ?, '[]', FALSE, FALSE, ?)
		ON CONFLICT (phone) DO UPDATE SET name = CASE WHEN waauto_contacts.name = ''
			THEN excluded.name ELSE waauto_contacts.name END
		RETURNING *`
)

// RecordInbound stores m, its contact and conversation in one transaction
// (one statement on PostgreSQL: recordInboundPG).
// The primary key (session, id) decides duplicates: of two concurrent
// calls with the same id, the second finds the key taken and rolls back.
func (s *Store) RecordInbound(ctx context.Context, m trigger.Message) (workflow.Inbound, error) {
	if m.Type == "" {
		m.Type = trigger.MessageText
	}
	var in workflow.Inbound
	var err error
	if s.pg {
		in, err = s.recordInboundOne(ctx, m)
	} else {
		err = s.recordInboundTx(ctx, m, &in)
	}
	if errors.Is(err, errDuplicate) {
		return s.duplicateInbound(ctx, m.Session, m.ID)
	}
	if err != nil {
		return workflow.Inbound{}, fmt.Errorf("record inbound %s/%s: %w", m.Session, m.ID, err)
	}
	return in, nil
}

// recordInboundTx is RecordInbound as a transaction of four statements
// (SQLite); errDuplicate rolls it back.
func (s *Store) recordInboundTx(ctx context.Context, m trigger.Message, in *workflow.Inbound) error {
	return s.write(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := s.execArgs(ctx, tx, createConversation, m.Session, m.Phone)
		if err != nil {
			return fmt.Errorf("create conversation: %w", err)
		}
		created, err := res.RowsAffected()
		if err != nil {
			return err
		}
		var conv conversationRow
		err = s.queryRowArgs(ctx, tx, &conv, countInbound, nanos(m.Time), m.Session, m.Phone)
		if err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
		res, err = s.execArgs(ctx, tx, insertMessage, m.Session, m.ID, m.Phone, string(workflow.AuthorCustomer), "",
			string(m.Type), m.Text, nanos(m.Time), conv.MessageCount)
		if err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errDuplicate
		}
		var contact contactRow
		err = s.queryRowArgs(ctx, tx, &contact, upsertContact, m.Phone, m.PushName, nanos(m.Time))
		if err != nil {
			return fmt.Errorf("upsert contact: %w", err)
		}
		c, err := contact.contact()
		if err != nil {
			return err
		}
		*in = workflow.Inbound{
			Conversation: conv.conversation(), Contact: c, Seq: conv.MessageCount,
			NewContact: created == 1 && !c.Imported,
		}
		return nil
	})
}

// duplicateInbound reports what is stored for a message recorded before.
func (s *Store) duplicateInbound(ctx context.Context, session, id string) (workflow.Inbound, error) {
	old, err := s.Message(ctx, session, id)
	if err != nil {
		return workflow.Inbound{}, err
	}
	in := workflow.Inbound{Seq: old.Seq, Duplicate: true}
	if in.Conversation, err = s.Conversation(ctx, session, old.Phone); err != nil {
		return workflow.Inbound{}, err
	}
	if in.Contact, err = s.Contact(ctx, old.Phone); err != nil && !errors.Is(err, workflow.ErrNotFound) {
		return workflow.Inbound{}, err
	}
	return in, nil
}

// RecordOutbound stores an outgoing message and updates its conversation
// (created when needed; the contact is not created), in one transaction
// (one statement on PostgreSQL: recordOutboundPG). A duplicate (session,
// id) changes nothing and returns the stored conversation.
func (s *Store) RecordOutbound(ctx context.Context, m workflow.Outbound) (workflow.Conversation, error) {
	var out workflow.Conversation
	var err error
	if s.pg {
		out, err = s.recordOutboundOne(ctx, m)
	} else {
		err = s.recordOutboundTx(ctx, m, &out)
	}
	if errors.Is(err, errDuplicate) {
		old, err := s.Message(ctx, m.Session, m.ID)
		if err != nil {
			return workflow.Conversation{}, err
		}
		return s.Conversation(ctx, m.Session, old.Phone)
	}
	if err != nil {
		return workflow.Conversation{}, fmt.Errorf("record outbound %s/%s: %w", m.Session, m.ID, err)
	}
	return out, nil
}

// recordOutboundTx is RecordOutbound as a transaction of three statements
// (SQLite); errDuplicate rolls it back.
func (s *Store) recordOutboundTx(ctx context.Context, m workflow.Outbound, out *workflow.Conversation) error {
	return s.write(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.execArgs(ctx, tx, createConversation, m.Session, m.Phone); err != nil {
			return fmt.Errorf("create conversation: %w", err)
		}
		var conv conversationRow
		err := s.queryRowArgs(ctx, tx, &conv, countOutbound, nanos(m.Time), m.Author == workflow.AuthorAgent, m.Session, m.Phone)
		if err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
		res, err := s.execArgs(ctx, tx, insertMessage, m.Session, m.ID, m.Phone, string(m.Author), string(m.Kind),
			string(trigger.MessageText), m.Text, nanos(m.Time), conv.MessageCount)
		if err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errDuplicate
		}
		*out = conv.conversation()
		return nil
	})
}

// Message returns the stored message (session, id), or ErrNotFound.
func (s *Store) Message(ctx context.Context, session, id string) (workflow.MessageRecord, error) {
	var r messageRow
	err := s.db.NewSelect().Model(&r).Where("session = ? AND id = ?", session, id).Scan(ctx)
	if err != nil {
		return workflow.MessageRecord{}, notFound(err, fmt.Sprintf("message %q of session %q", id, session))
	}
	return r.record(), nil
}

// History returns the last limit messages of (session, phone) with Seq
// below beforeSeq (0: no bound), oldest first; limit 0 or less means all.
func (s *Store) History(ctx context.Context, session, phone string, beforeSeq int64, limit int) ([]workflow.MessageRecord, error) {
	var rows []messageRow
	q := s.db.NewSelect().Model(&rows).Where("session = ? AND phone = ?", session, phone).OrderExpr("seq DESC")
	if beforeSeq > 0 {
		q = q.Where("seq < ?", beforeSeq)
	}
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("read history of %s on %q: %w", phone, session, err)
	}
	out := make([]workflow.MessageRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	slices.Reverse(out)
	return out, nil
}

// CountSent counts the messages of author in (session, phone) at or after since.
func (s *Store) CountSent(ctx context.Context, session, phone string, author workflow.Author, since time.Time) (int, error) {
	var n int64
	err := s.db.DB.QueryRowContext(ctx, s.placeholders(`SELECT COUNT(*) FROM waauto_messages
		WHERE session = ? AND phone = ? AND author = ? AND at >= ?`), session, phone, string(author), nanos(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count sent to %s on %q: %w", phone, session, err)
	}
	return int(n), nil
}

// Conversation returns the facts of (session, phone), or ErrNotFound.
func (s *Store) Conversation(ctx context.Context, session, phone string) (workflow.Conversation, error) {
	var r conversationRow
	err := s.db.NewSelect().Model(&r).Where("session = ? AND phone = ?", session, phone).Scan(ctx)
	if err != nil {
		return workflow.Conversation{}, notFound(err, fmt.Sprintf("conversation %s on session %q", phone, session))
	}
	return r.conversation(), nil
}

// Assign sets the agent of (session, phone), creating the conversation
// when needed; "" unassigns.
func (s *Store) Assign(ctx context.Context, session, phone, agent string) error {
	_, err := s.exec(ctx, s.db.NewRaw(`INSERT INTO waauto_conversations (session, phone, agent) VALUES (?, ?, ?)
		ON CONFLICT (session, phone) DO UPDATE SET agent = excluded.agent`, session, phone, agent))
	if err != nil {
		return fmt.Errorf("assign %s on %q: %w", phone, session, err)
	}
	return nil
}

// OpenConversations counts the conversations assigned to each of agents
// over all sessions; every agent asked for is in the map, 0 when it has none.
func (s *Store) OpenConversations(ctx context.Context, agents []string) (map[string]int, error) {
	out := make(map[string]int, len(agents))
	for _, a := range agents {
		out[a] = 0
	}
	if len(agents) == 0 {
		return out, nil
	}
	var rows []struct {
		Agent string `bun:"agent"`
		N     int    `bun:"n"`
	}
	err := s.db.NewSelect().Model((*conversationRow)(nil)).ColumnExpr("agent, COUNT(*) AS n").
		Where("agent IN (?) AND agent <> ''", bun.List(agents)).Group("agent").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count open conversations: %w", err)
	}
	for _, r := range rows {
		out[r.Agent] = r.N
	}
	return out, nil
}
