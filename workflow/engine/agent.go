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

// AgentReply sends text to the customer phone on session as a person (the
// agent named agent, e.g. from a dashboard). It takes the send path of
// automation: the message is recorded with its id before the first
// attempt, so that a failed send is retried with the same id and reaches
// the customer once, and pacing is the transport's. Recorded as an agent
// reply, it cancels a pending AI reply whose pre-send check looks for one
// (verify_before_send.agent_reply) and counts for since_last_reply. The
// loop breaker, which counts automated messages, does not limit a person.
// It returns the message id.
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
	return m.ID, e.deliver(ctx, m, now)
}
