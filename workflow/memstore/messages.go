package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// RecordInbound stores m, creating its contact and conversation when
// needed. A (session, id) recorded before changes nothing and returns
// Duplicate with the stored Seq.
func (s *Store) RecordInbound(ctx context.Context, m trigger.Message) (workflow.Inbound, error) {
	if err := ctx.Err(); err != nil {
		return workflow.Inbound{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	key := msgKey{m.Session, m.ID}
	if old, ok := s.messages[key]; ok {
		in := workflow.Inbound{Seq: old.Seq, Duplicate: true}
		if c, ok := s.conversations[convKey{old.Session, old.Phone}]; ok {
			in.Conversation = c.facts
		}
		if c, ok := s.contacts[old.Phone]; ok {
			in.Contact = copyContact(c)
		}
		return in, nil
	}

	contact, known := s.contacts[m.Phone]
	if !known {
		contact = workflow.Contact{Phone: m.Phone, CreatedAt: m.Time}
	}
	if contact.Name == "" {
		contact.Name = m.PushName
	}
	s.contacts[m.Phone] = contact

	conv, existed := s.conversations[convKey{m.Session, m.Phone}]
	if !existed {
		conv = s.conversation(m.Session, m.Phone)
	}
	rec := workflow.MessageRecord{
		Session: m.Session, Phone: m.Phone, ID: m.ID,
		Author: workflow.AuthorCustomer, Type: m.Type, Text: m.Text, Time: m.Time,
	}
	s.appendMessage(conv, rec)
	conv.facts.LastInboundSeq = conv.facts.MessageCount
	conv.facts.LastInboundAt = m.Time

	return workflow.Inbound{
		Conversation: conv.facts,
		Contact:      copyContact(contact),
		Seq:          conv.facts.MessageCount,
		NewContact:   !existed && !contact.Imported,
	}, nil
}

// RecordOutbound stores an outgoing message; a duplicate (session, id)
// changes nothing. It creates the conversation, not the contact.
func (s *Store) RecordOutbound(ctx context.Context, m workflow.Outbound) (workflow.Conversation, error) {
	if err := ctx.Err(); err != nil {
		return workflow.Conversation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if old, ok := s.messages[msgKey{m.Session, m.ID}]; ok {
		if c, ok := s.conversations[convKey{old.Session, old.Phone}]; ok {
			return c.facts, nil
		}
		return workflow.Conversation{}, nil
	}
	conv := s.conversation(m.Session, m.Phone)
	rec := workflow.MessageRecord{
		Session: m.Session, Phone: m.Phone, ID: m.ID,
		Author: m.Author, Kind: m.Kind, Type: trigger.MessageText, Text: m.Text, Time: m.Time,
	}
	s.appendMessage(conv, rec)
	conv.facts.LastReplyAt = m.Time
	if m.Author == workflow.AuthorAgent {
		conv.facts.LastAgentSeq = conv.facts.MessageCount
	}
	return conv.facts, nil
}

// conversation returns the conversation (session, phone), creating it.
// The caller holds s.mu.
func (s *Store) conversation(session, phone string) *conversation {
	k := convKey{session, phone}
	c, ok := s.conversations[k]
	if !ok {
		c = &conversation{facts: workflow.Conversation{Session: session, Phone: phone}}
		s.conversations[k] = c
	}
	return c
}

// appendMessage gives rec the next Seq of conv and stores it. The caller
// holds s.mu.
func (s *Store) appendMessage(conv *conversation, rec workflow.MessageRecord) {
	conv.facts.MessageCount++
	rec.Seq = conv.facts.MessageCount
	conv.messages = append(conv.messages, rec)
	s.messages[msgKey{rec.Session, rec.ID}] = rec
}

// Message returns the stored message (session, id), or an error wrapping
// workflow.ErrNotFound.
func (s *Store) Message(ctx context.Context, session, id string) (workflow.MessageRecord, error) {
	if err := ctx.Err(); err != nil {
		return workflow.MessageRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.messages[msgKey{session, id}]
	if !ok {
		return workflow.MessageRecord{}, fmt.Errorf("message %q of session %q: %w", id, session, workflow.ErrNotFound)
	}
	return rec, nil
}

// History returns the last limit messages of (session, phone) with Seq
// below beforeSeq (0: no bound), oldest first. A limit of 0 or less means
// no limit. An unknown conversation has no messages.
func (s *Store) History(ctx context.Context, session, phone string, beforeSeq int64, limit int) ([]workflow.MessageRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	conv, ok := s.conversations[convKey{session, phone}]
	if !ok {
		return []workflow.MessageRecord{}, nil
	}
	msgs := conv.messages // Seq i+1 is at index i
	if beforeSeq > 0 && beforeSeq-1 < int64(len(msgs)) {
		msgs = msgs[:beforeSeq-1]
	}
	if limit > 0 && len(msgs) > limit {
		msgs = msgs[len(msgs)-limit:]
	}
	return slices.Clone(msgs), nil
}

// CountSent counts the messages of author in (session, phone) whose Time
// is at or after since.
func (s *Store) CountSent(ctx context.Context, session, phone string, author workflow.Author, since time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	conv, ok := s.conversations[convKey{session, phone}]
	if !ok {
		return 0, nil
	}
	n := 0
	for _, m := range conv.messages {
		if m.Author == author && !m.Time.Before(since) {
			n++
		}
	}
	return n, nil
}

// Conversation returns the facts of (session, phone), or an error wrapping
// workflow.ErrNotFound.
func (s *Store) Conversation(ctx context.Context, session, phone string) (workflow.Conversation, error) {
	if err := ctx.Err(); err != nil {
		return workflow.Conversation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	conv, ok := s.conversations[convKey{session, phone}]
	if !ok {
		return workflow.Conversation{}, fmt.Errorf("conversation %s on session %q: %w", phone, session, workflow.ErrNotFound)
	}
	return conv.facts, nil
}

// Assign sets the agent of (session, phone), creating the conversation
// when needed; "" unassigns.
func (s *Store) Assign(ctx context.Context, session, phone, agent string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conversation(session, phone).facts.Agent = agent
	return nil
}

// OpenConversations counts the conversations assigned to each of agents,
// over all sessions. Every agent asked for is in the map, with 0 when it
// has none.
func (s *Store) OpenConversations(ctx context.Context, agents []string) (map[string]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(agents))
	for _, a := range agents {
		out[a] = 0
	}
	for c := range maps.Values(s.conversations) {
		if _, ok := out[c.facts.Agent]; ok && c.facts.Agent != "" {
			out[c.facts.Agent]++
		}
	}
	return out, nil
}
