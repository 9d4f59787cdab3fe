package bun

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// recordInboundPG is RecordInbound's transaction as one PostgreSQL
// statement (one round trip instead of six: BEGIN, four statements,
// COMMIT). Its parts take their locks in the transaction's order
// (conversation, message, contact), and the statement is atomic:
//
//   - a message stored before (the common duplicate) makes conv empty, so
//     nothing is written and no row is returned;
//   - a duplicate that a concurrent statement inserted after this one's
//     snapshot (the race the primary key decides) leaves msg empty: the
//     final division by its row count fails (division_by_zero), which
//     undoes the conversation's count and the contact's upsert, as the
//     rolled back transaction did.
//
// created is PostgreSQL's "inserted, not updated" test for an upsert: the
// row version an ON CONFLICT DO UPDATE writes carries the updater in xmax,
// a freshly inserted one carries 0. A conversation created concurrently
// waits for its creator's commit and then takes the update branch, so
// exactly one of two concurrent first messages sees created.
//
// The message's number (waauto_sessions) is read in the same statement
// for the engine (workflow.Inbound.Session): one read less per message.
const recordInboundPG = `WITH conv AS (
	INSERT INTO waauto_conversations AS c (session, phone, message_count, last_inbound_seq, last_inbound_at)
	SELECT $1::text, $2::text, 1::bigint, 1::bigint, $3::bigint
	WHERE NOT EXISTS (SELECT 1 FROM waauto_messages WHERE session = $1::text AND id = $4::text)
	ON CONFLICT (session, phone) DO UPDATE SET message_count = c.message_count + 1,
		last_inbound_seq = c.message_count + 1, last_inbound_at = excluded.last_inbound_at
	RETURNING ` + pgConvColumns + `, c.xmax = 0 AS created
), msg AS (
	INSERT INTO waauto_messages (session, id, phone, author, kind, type, text, at, seq)
	SELECT $1::text, $4::text, $2::text, $5::text, '', $6::text, $7::text, $3::bigint, conv.message_count FROM conv
	ON CONFLICT (session, id) DO NOTHING
	RETURNING seq
), contact AS (
	INSERT INTO waauto_contacts AS k (phone, name, labels, excluded, imported, created_at)
	SELECT $2::text, $8::text, '[]', FALSE, FALSE, $3::bigint FROM conv
	ON CONFLICT (phone) DO UPDATE SET name = CASE WHEN k.name = '' THEN excluded.name ELSE k.name END
	RETURNING k.phone, k.name, k.labels, k.excluded, k.imported, k.created_at
)
SELECT conv.*,
	contact.phone, contact.name, contact.labels, contact.excluded, contact.imported, contact.created_at,
	1 / (SELECT count(*) FROM msg),
	n.label, n.status, n.disabled, n.disconnected_at, n.created_at
FROM conv CROSS JOIN contact LEFT JOIN waauto_sessions n ON n.id = $1::text`

// pgDivisionByZero is the SQLSTATE recordInboundPG fails with on a
// concurrent duplicate.
const pgDivisionByZero = "22012"

// recordInboundOne runs recordInboundPG; errDuplicate when the message was
// stored before (by anyone, this statement having changed nothing).
func (s *Store) recordInboundOne(ctx context.Context, m trigger.Message) (workflow.Inbound, error) {
	var (
		conv    conversationRow
		contact contactRow
		created bool
		one     int64
		num     struct {
			label, status, disabled sql.NullString
			disconnectedAt, created sql.NullInt64
		}
	)
	err := s.queryRowPG(ctx, recordInboundPG, append(conv.pgFields(), &created,
		&contact.Phone, &contact.Name, &contact.Labels, &contact.Excluded, &contact.Imported, &contact.CreatedAt,
		&one, &num.label, &num.status, &num.disabled, &num.disconnectedAt, &num.created),
		m.Session, m.Phone, nanos(m.Time), m.ID, string(workflow.AuthorCustomer), string(m.Type), m.Text, m.PushName)
	if err != nil {
		return workflow.Inbound{}, pgDuplicate(err)
	}
	c, err := contact.contact()
	if err != nil {
		return workflow.Inbound{}, err
	}
	in := workflow.Inbound{
		Conversation: conv.conversation(), Contact: c, Seq: conv.MessageCount,
		NewContact: created && !c.Imported,
	}
	if num.label.Valid {
		n, err := sessionRow{ID: m.Session, Label: num.label.String, Status: num.status.String, Disabled: num.disabled.String,
			DisconnectedAt: num.disconnectedAt.Int64, CreatedAt: num.created.Int64}.session()
		if err != nil {
			return workflow.Inbound{}, err
		}
		in.Session = &n
	}
	return in, nil
}

// recordOutboundPG is RecordOutbound's transaction as one PostgreSQL
// statement (one round trip instead of five), atomic as recordInboundPG
// is: a message stored before writes nothing and returns no row, a
// concurrent duplicate fails the final division and undoes the count.
const recordOutboundPG = outboundHeadPG + outboundTailPG + `
SELECT conv.*, 1 / (SELECT count(*) FROM msg) FROM conv`

// outboundHeadPG and outboundTailPG are the CTEs of recordOutboundPG:
// conv counts the message in its conversation unless the message is
// stored already (and, in recordOutboundUnderPG, unless the loop breaker's
// limit is reached: a condition between the two), msg inserts it.
const (
	outboundHeadPG = `WITH conv AS (
	INSERT INTO waauto_conversations AS c (session, phone, message_count, last_reply_at, last_agent_seq)
	SELECT $1::text, $2::text, 1::bigint, $3::bigint, CASE WHEN $4::boolean THEN 1::bigint ELSE 0::bigint END
	WHERE NOT EXISTS (SELECT 1 FROM waauto_messages WHERE session = $1::text AND id = $5::text)`
	outboundTailPG = `
	ON CONFLICT (session, phone) DO UPDATE SET message_count = c.message_count + 1,
		last_reply_at = excluded.last_reply_at,
		last_agent_seq = CASE WHEN $4::boolean THEN c.message_count + 1 ELSE c.last_agent_seq END
	RETURNING ` + pgConvColumns + `
), msg AS (
	INSERT INTO waauto_messages (session, id, phone, author, kind, type, text, at, seq)
	SELECT $1::text, $5::text, $2::text, $6::text, $7::text, $8::text, $9::text, $3::bigint, conv.message_count FROM conv
	ON CONFLICT (session, id) DO NOTHING
	RETURNING seq
)`
)

// recordOutboundUnderPG is RecordOutboundUnder as one PostgreSQL statement
// (one round trip instead of two: CountSent and recordOutboundPG): the
// message is counted and inserted only when fewer than $11 messages of its
// author went to the conversation at or after $10. It returns whether it
// recorded the message, whether the message was stored before (both in
// the statement's snapshot), and, when it recorded it, recordOutboundPG's
// division: a concurrent duplicate fails it and undoes the count.
const recordOutboundUnderPG = outboundHeadPG + `
	AND (SELECT count(*) FROM waauto_messages
		WHERE session = $1::text AND phone = $2::text AND author = $6::text AND at >= $10::bigint) < $11::bigint` + outboundTailPG + `
SELECT EXISTS (SELECT 1 FROM conv),
	EXISTS (SELECT 1 FROM waauto_messages WHERE session = $1::text AND id = $5::text),
	CASE WHEN EXISTS (SELECT 1 FROM conv) THEN 1 / (SELECT count(*) FROM msg) END`

var _ workflow.OutboundLimiter = (*Store)(nil)

// RecordOutboundUnder records m when fewer than limit messages of its
// author went to its conversation since since, or when it is stored
// already (workflow.OutboundLimiter). On PostgreSQL it is one statement
// (recordOutboundUnderPG); on SQLite CountSent, then RecordOutbound.
func (s *Store) RecordOutboundUnder(ctx context.Context, m workflow.Outbound, since time.Time, limit int) (bool, error) {
	if !s.pg {
		return s.recordOutboundUnderTwo(ctx, m, since, limit)
	}
	var recorded, stored bool
	var one sql.NullInt64
	err := s.queryRowPG(ctx, recordOutboundUnderPG, []any{&recorded, &stored, &one}, m.Session, m.Phone, nanos(m.Time),
		m.Author == workflow.AuthorAgent, m.ID, string(m.Author), string(m.Kind), string(trigger.MessageText), m.Text, nanos(since), int64(limit))
	switch {
	case errors.Is(pgDuplicate(err), errDuplicate):
		return true, nil // a concurrent send of the same id recorded it
	case err != nil:
		return false, fmt.Errorf("record outbound %s/%s: %w", m.Session, m.ID, err)
	}
	return recorded || stored, nil
}

// recordOutboundUnderTwo is RecordOutboundUnder in two steps, as the
// engine does with a Store that is no OutboundLimiter.
func (s *Store) recordOutboundUnderTwo(ctx context.Context, m workflow.Outbound, since time.Time, limit int) (bool, error) {
	n, err := s.CountSent(ctx, m.Session, m.Phone, m.Author, since)
	if err != nil {
		return false, err
	}
	if n >= limit {
		if _, err := s.Message(ctx, m.Session, m.ID); err != nil {
			if errors.Is(err, workflow.ErrNotFound) {
				return false, nil
			}
			return false, err
		}
	}
	if _, err := s.RecordOutbound(ctx, m); err != nil {
		return false, err
	}
	return true, nil
}

// pgConvColumns are the conversation columns the statements above
// return, in conversationRow.pgFields' order.
const pgConvColumns = `c.session, c.phone, c.agent, c.message_count, c.last_inbound_seq, c.last_agent_seq,
		c.last_inbound_at, c.last_reply_at`

// pgFields are the destinations of pgConvColumns.
func (r *conversationRow) pgFields() []any {
	return []any{&r.Session, &r.Phone, &r.Agent, &r.MessageCount, &r.LastInboundSeq, &r.LastAgentSeq,
		&r.LastInboundAt, &r.LastReplyAt}
}

// recordOutboundOne runs recordOutboundPG; errDuplicate when the message
// was stored before.
func (s *Store) recordOutboundOne(ctx context.Context, m workflow.Outbound) (workflow.Conversation, error) {
	var conv conversationRow
	var one int64
	err := s.queryRowPG(ctx, recordOutboundPG, append(conv.pgFields(), &one), m.Session, m.Phone, nanos(m.Time),
		m.Author == workflow.AuthorAgent, m.ID, string(m.Author), string(m.Kind), string(trigger.MessageText), m.Text)
	if err != nil {
		return workflow.Conversation{}, pgDuplicate(err)
	}
	return conv.conversation(), nil
}

// pgDuplicate is errDuplicate for the no-row and division_by_zero
// outcomes of the statements above, err otherwise.
func pgDuplicate(err error) error {
	var pgErr *pgconn.PgError
	if errors.Is(err, sql.ErrNoRows) || errors.As(err, &pgErr) && pgErr.Code == pgDivisionByZero {
		return errDuplicate
	}
	return err
}
