package whatsmeow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
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
// retry never produces a second message. It implements pacing.Typer: wrap
// it in a pacing.Pacer, which alone decides how long "typing…" shows and
// when each message leaves.
type Transport struct {
	// Lookup returns the client of a session.
	Lookup func(session string) (Client, bool)
	// Logger defaults to discarding.
	Logger *slog.Logger
	// MaxMediaSize bounds FetchMedia downloads; 0 means DefaultMaxMediaSize.
	MaxMediaSize int64
}

var (
	_ workflow.Transport    = (*Transport)(nil)
	_ workflow.MediaFetcher = (*Transport)(nil)
	_ pacing.Typer          = (*Transport)(nil)
)

// recipient returns the connected client of m's session and m's recipient.
func (t *Transport) recipient(m workflow.Outgoing) (Client, types.JID, error) {
	var cli Client
	ok := false
	if t.Lookup != nil {
		cli, ok = t.Lookup(m.Session)
	}
	if !ok || cli == nil {
		return nil, types.JID{}, fmt.Errorf("session %q: %w", m.Session, ErrUnknownSession)
	}
	if !cli.IsConnected() {
		return nil, types.JID{}, fmt.Errorf("session %q: %w", m.Session, ErrNotConnected)
	}
	to, err := PhoneJID(m.To)
	if err != nil {
		return nil, types.JID{}, err
	}
	return cli, to, nil
}

// presence is the indicator of m: "recording audio…" for audio, "typing…"
// otherwise.
func presence(m workflow.Outgoing) types.ChatPresenceMedia {
	if m.Media != nil && m.Media.Kind == trigger.MessageAudio {
		return types.ChatPresenceMediaAudio
	}
	return types.ChatPresenceMediaText
}

// SendTyping shows "typing…" ("recording audio…" for audio) in the chat m
// goes to; sending m clears it. It waits for nothing: the pacing.Pacer
// calling it decides how long the indicator shows.
func (t *Transport) SendTyping(ctx context.Context, m workflow.Outgoing) error {
	cli, to, err := t.recipient(m)
	if err != nil {
		return fmt.Errorf("typing before %s: %w", m.ID, err)
	}
	return cli.SendChatPresence(ctx, to, types.ChatPresenceComposing, presence(m))
}

// StopTyping clears the indicator SendTyping showed in m's chat ("paused"):
// the pacing.Pacer calls it when the reply is cancelled after its wait, so
// that the customer does not see "typing…" for a reply that never comes.
func (t *Transport) StopTyping(ctx context.Context, m workflow.Outgoing) error {
	cli, to, err := t.recipient(m)
	if err != nil {
		return fmt.Errorf("clear typing of %s: %w", m.ID, err)
	}
	return cli.SendChatPresence(ctx, to, types.ChatPresencePaused, presence(m))
}

// Send sends m.Text to m.To from session m.Session, or, when m.Media is
// set, uploads the file and sends it with m.Text as its caption. With
// m.Typing (a caller without a pacing.Pacer) the indicator shows during the
// send and is cleared after it; the transport never waits.
func (t *Transport) Send(ctx context.Context, m workflow.Outgoing) error {
	if m.ID == "" {
		return fmt.Errorf("send to %s: %w", m.To, ErrNoMessageID)
	}
	cli, to, err := t.recipient(m)
	if err != nil {
		return fmt.Errorf("send %s: %w", m.ID, err)
	}
	log := t.logger()
	msg := &waE2E.Message{Conversation: &m.Text}
	if m.Media != nil {
		if msg, err = upload(ctx, cli, m); err != nil {
			log.Warn("whatsmeow: upload failed", "session", m.Session, "id", m.ID, "kind", m.Media.Kind, "err", err)
			return err
		}
	}
	if m.Typing {
		if err := cli.SendChatPresence(ctx, to, types.ChatPresenceComposing, presence(m)); err != nil {
			log.Warn("whatsmeow: typing indicator failed", "session", m.Session, "id", m.ID, "err", err)
		}
		defer func() {
			// Paused even when the send failed, so the indicator never hangs.
			if err := cli.SendChatPresence(context.WithoutCancel(ctx), to, types.ChatPresencePaused, presence(m)); err != nil {
				log.Warn("whatsmeow: clearing typing indicator failed", "session", m.Session, "id", m.ID, "err", err)
			}
		}()
	}
	resp, err := cli.SendMessage(ctx, to, msg, whatsmeow.SendRequestExtra{ID: types.MessageID(m.ID)})
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
	if err := workflow.ValidateMedia(md, m.Text); err != nil {
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

func (t *Transport) logger() *slog.Logger {
	if t.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Logger
}
