package whatsmeow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// Errors of Transport.Send.
var (
	// ErrUnknownSession: no client for the message's session.
	ErrUnknownSession = errors.New("unknown whatsapp session")
	// ErrNotConnected: the session exists but its socket is down; retry later.
	ErrNotConnected = errors.New("whatsapp session not connected")
	// ErrNoMessageID: Outgoing.ID was empty; ids must be generated and stored before sending.
	ErrNoMessageID = errors.New("outgoing message without id")
)

// Transport implements workflow.Transport over one whatsmeow client per
// session. Every send uses the caller's pre-generated Outgoing.ID, so a
// retry never produces a second message.
type Transport struct {
	// Lookup returns the client of a session.
	Lookup func(session string) (Client, bool)
	// Typing returns how long to show "typing…" before a message with
	// Outgoing.Typing; nil means DefaultTyping.
	Typing func(text string) time.Duration
	// MinInterval is the minimum time between two sends of one session
	// (pacing); 0 disables pacing.
	MinInterval time.Duration
	// Clock defaults to the system clock.
	Clock Clock
	// Sleep waits d or until ctx ends; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger defaults to discarding.
	Logger *slog.Logger

	mu   sync.Mutex
	last map[string]time.Time
}

var _ workflow.Transport = (*Transport)(nil)

// DefaultTyping shows "typing…" for about 40 ms per character, between 1 and 5 seconds.
func DefaultTyping(text string) time.Duration {
	d := time.Duration(len([]rune(text))) * 40 * time.Millisecond
	return min(max(d, time.Second), 5*time.Second)
}

// Send sends m.Text to m.To from session m.Session.
func (t *Transport) Send(ctx context.Context, m workflow.Outgoing) error {
	if m.ID == "" {
		return fmt.Errorf("send to %s: %w", m.To, ErrNoMessageID)
	}
	var cli Client
	ok := false
	if t.Lookup != nil {
		cli, ok = t.Lookup(m.Session)
	}
	if !ok || cli == nil {
		return fmt.Errorf("send %s: session %q: %w", m.ID, m.Session, ErrUnknownSession)
	}
	if !cli.IsConnected() {
		return fmt.Errorf("send %s: session %q: %w", m.ID, m.Session, ErrNotConnected)
	}
	to, err := PhoneJID(m.To)
	if err != nil {
		return fmt.Errorf("send %s: %w", m.ID, err)
	}
	if err := t.pace(ctx, m.Session); err != nil {
		return fmt.Errorf("send %s: %w", m.ID, err)
	}
	log := t.logger()
	if m.Typing {
		if err := cli.SendChatPresence(ctx, to, types.ChatPresenceComposing, types.ChatPresenceMediaText); err != nil {
			log.Warn("whatsmeow: typing indicator failed", "session", m.Session, "id", m.ID, "err", err)
		}
		defer func() {
			// Paused even when the send failed, so the indicator never hangs.
			if err := cli.SendChatPresence(context.WithoutCancel(ctx), to, types.ChatPresencePaused, types.ChatPresenceMediaText); err != nil {
				log.Warn("whatsmeow: clearing typing indicator failed", "session", m.Session, "id", m.ID, "err", err)
			}
		}()
		typing := DefaultTyping
		if t.Typing != nil {
			typing = t.Typing
		}
		if err := t.sleep(ctx, typing(m.Text)); err != nil {
			return fmt.Errorf("send %s: %w", m.ID, err)
		}
	}
	resp, err := cli.SendMessage(ctx, to, &waE2E.Message{Conversation: &m.Text}, whatsmeow.SendRequestExtra{ID: types.MessageID(m.ID)})
	t.mark(m.Session)
	if err != nil {
		log.Warn("whatsmeow: send failed", "session", m.Session, "id", m.ID, "err", err)
		return fmt.Errorf("send %s to %s: %w", m.ID, m.To, err)
	}
	log.Debug("whatsmeow: sent", "session", m.Session, "id", m.ID, "server_id", resp.ServerID)
	return nil
}

// PhoneJID converts an E.164 phone number to a WhatsApp user JID.
func PhoneJID(phone string) (types.JID, error) {
	p, err := trigger.NormalizePhone(phone)
	if err != nil {
		return types.JID{}, fmt.Errorf("recipient: %w", err)
	}
	return types.NewJID(strings.TrimPrefix(p, "+"), types.DefaultUserServer), nil
}

func (t *Transport) pace(ctx context.Context, session string) error {
	if t.MinInterval <= 0 {
		return nil
	}
	t.mu.Lock()
	last := t.last[session]
	t.mu.Unlock()
	if last.IsZero() {
		return nil
	}
	wait := last.Add(t.MinInterval).Sub(t.now())
	if wait <= 0 {
		return nil
	}
	return t.sleep(ctx, wait)
}

func (t *Transport) mark(session string) {
	if t.MinInterval <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[string]time.Time{}
	}
	t.last[session] = t.now()
}

func (t *Transport) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	return sleepCtx(ctx, d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func (t *Transport) now() time.Time {
	if t.Clock == nil {
		return time.Now()
	}
	return t.Clock.Now()
}

func (t *Transport) logger() *slog.Logger {
	if t.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Logger
}

// NewMessageID returns a generator of WhatsApp message ids in the format
// WhatsApp Web uses, for the engine to pre-generate and store ids before
// sending. It does not need a connected client.
func NewMessageID() func() string {
	var none *whatsmeow.Client // GenerateMessageID is nil-safe
	return func() string { return string(none.GenerateMessageID()) }
}
