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
	"google.golang.org/protobuf/proto"
)

// Errors of Transport.Send.
var (
	// ErrUnknownSession: no client for the message's session.
	ErrUnknownSession = errors.New("unknown whatsapp session")
	// ErrNotConnected: the session exists but its socket is down; retry later.
	ErrNotConnected = errors.New("whatsapp session not connected")
	// ErrNoMessageID: Outgoing.ID was empty; ids must be generated and stored before sending.
	ErrNoMessageID = errors.New("outgoing message without id")
	// ErrUpload: uploading the file of a media message failed; retry later.
	ErrUpload = errors.New("whatsapp media upload failed")
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
	// MaxMediaSize bounds FetchMedia downloads; 0 means DefaultMaxMediaSize.
	MaxMediaSize int64

	mu   sync.Mutex
	last map[string]time.Time
}

var (
	_ workflow.Transport    = (*Transport)(nil)
	_ workflow.MediaFetcher = (*Transport)(nil)
)

// DefaultTyping shows "typing…" for about 40 ms per character, between 1 and 5 seconds.
func DefaultTyping(text string) time.Duration {
	d := time.Duration(len([]rune(text))) * 40 * time.Millisecond
	return min(max(d, time.Second), 5*time.Second)
}

// Send sends m.Text to m.To from session m.Session, or, when m.Media is
// set, uploads the file and sends it with m.Text as its caption. A reply
// shows "typing…" ("recording audio…" for audio) first when m.Typing.
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
	log := t.logger()
	msg := &waE2E.Message{Conversation: &m.Text}
	presence := types.ChatPresenceMediaText
	if m.Media != nil {
		if msg, err = upload(ctx, cli, m); err != nil {
			log.Warn("whatsmeow: upload failed", "session", m.Session, "id", m.ID, "kind", m.Media.Kind, "err", err)
			return err
		}
		if m.Media.Kind == trigger.MessageAudio {
			presence = types.ChatPresenceMediaAudio
		}
	}
	if err := t.pace(ctx, m.Session); err != nil {
		return fmt.Errorf("send %s: %w", m.ID, err)
	}
	if m.Typing {
		if err := cli.SendChatPresence(ctx, to, types.ChatPresenceComposing, presence); err != nil {
			log.Warn("whatsmeow: typing indicator failed", "session", m.Session, "id", m.ID, "err", err)
		}
		defer func() {
			// Paused even when the send failed, so the indicator never hangs.
			if err := cli.SendChatPresence(context.WithoutCancel(ctx), to, types.ChatPresencePaused, presence); err != nil {
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
	resp, err := cli.SendMessage(ctx, to, msg, whatsmeow.SendRequestExtra{ID: types.MessageID(m.ID)})
	t.mark(m.Session)
	if err != nil {
		log.Warn("whatsmeow: send failed", "session", m.Session, "id", m.ID, "err", err)
		return fmt.Errorf("send %s to %s: %w", m.ID, m.To, err)
	}
	log.Debug("whatsmeow: sent", "session", m.Session, "id", m.ID, "server_id", resp.ServerID)
	return nil
}

// upload validates and uploads the file of m and returns the message that
// carries it. Nothing is sent yet: a failure here is retried by the engine
// with the same id.
func upload(ctx context.Context, cli Client, m workflow.Outgoing) (*waE2E.Message, error) {
	md := m.Media
	if err := md.Validate(m.Text); err != nil {
		return nil, fmt.Errorf("send %s: %w", m.ID, err)
	}
	var kind whatsmeow.MediaType
	switch md.Kind {
	case trigger.MessageImage:
		kind = whatsmeow.MediaImage
	case trigger.MessageVideo:
		kind = whatsmeow.MediaVideo
	case trigger.MessageAudio:
		kind = whatsmeow.MediaAudio
	default: // trigger.MessageDocument; Validate rejected the others
		kind = whatsmeow.MediaDocument
	}
	up, err := cli.Upload(ctx, md.Data, kind)
	if err != nil {
		return nil, fmt.Errorf("send %s: %w: %w", m.ID, ErrUpload, err)
	}
	var caption *string
	if m.Text != "" {
		caption = proto.String(m.Text)
	}
	mime := proto.String(md.MIMEType)
	length := proto.Uint64(up.FileLength)
	switch md.Kind {
	case trigger.MessageImage:
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: length,
			Mimetype: mime, Caption: caption,
		}}, nil
	case trigger.MessageVideo:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: length,
			Mimetype: mime, Caption: caption,
		}}, nil
	case trigger.MessageAudio:
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: length,
			Mimetype: mime,
		}}, nil
	}
	var name *string
	if md.FileName != "" {
		name = proto.String(md.FileName)
	}
	return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
		FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: length,
		Mimetype: mime, Caption: caption, FileName: name, Title: name,
	}}, nil
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
