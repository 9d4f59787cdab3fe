package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// ErrEmptyText: a message to send has no text.
var ErrEmptyText = errors.New("empty message")

// QueuedError is AgentReply's answer when the message could not be sent
// at once (the number is away or held, pacing put it off, WhatsApp
// failed): it is recorded and queued, and the queue sends it with the same
// id. Err says why it did not go now.
type QueuedError struct {
	ID  string
	Err error
}

// Error says that the message is queued, and why.
func (e *QueuedError) Error() string {
	return "agent reply " + e.ID + " not sent yet, queued to be sent again: " + e.Err.Error()
}

// Unwrap returns why the message did not go at once.
func (e *QueuedError) Unwrap() error { return e.Err }

// AgentReply sends text to the customer phone on session as a person (the
// agent named agent, e.g. from a dashboard). It takes the send path of
// automation: the message is recorded with its id before the first
// attempt, so that a failed send is retried with the same id and reaches
// the customer once, and pacing is the transport's. Recorded as an agent
// reply, it cancels a pending AI reply whose pre-send check looks for one
// (verify_before_send.agent_reply) and counts for since_last_reply. The
// loop breaker, which counts automated messages, does not limit a person.
// It returns the message id; a *QueuedError when the message did not go
// at once and its retry is queued.
func (e *Engine) AgentReply(ctx context.Context, session, phone, agent, text string) (string, error) {
	phone, err := trigger.NormalizePhone(phone)
	if err != nil {
		return "", fmt.Errorf("agent reply: %w", err)
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("agent reply to %s: %w", phone, ErrEmptyText)
	}
	now := e.cfg.Clock.Now()
	m := workflow.Outgoing{ID: e.cfg.NewMessageID(), Session: session, To: phone, Text: text}
	if _, err := e.cfg.Store.RecordOutbound(ctx, workflow.Outbound{Session: session, Phone: phone, ID: m.ID, Author: workflow.AuthorAgent, Text: text, Time: now}); err != nil {
		return "", fmt.Errorf("agent reply: record: %w", err)
	}
	e.log.InfoContext(ctx, "agent reply", slog.String("session", session), slog.String("agent", agent), slog.String("id", m.ID))
	if err := e.deliver(ctx, m, now); err != nil {
		// Recorded, so shown in the conversation: it must go, later.
		if qerr := e.queueFailedSend(ctx, m, err); qerr != nil {
			return m.ID, fmt.Errorf("agent reply %s: not sent, and its retry could not be queued: %w", m.ID, errors.Join(err, qerr))
		}
		return m.ID, &QueuedError{ID: m.ID, Err: err}
	}
	return m.ID, nil
}
