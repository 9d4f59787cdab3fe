package whatsmeow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/waauto/waauto/workflow"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// DefaultMaxMediaSize bounds media downloads when Receiver.MaxMediaSize is 0.
const DefaultMaxMediaSize = 16 << 20

// DefaultRecordTimeout bounds one Inbox call when Receiver.RecordTimeout is 0.
const DefaultRecordTimeout = 30 * time.Second

// ErrNoMedia is returned by Media.Fetch when the message has nothing to download.
var ErrNoMedia = errors.New("message has no downloadable media")

// Receiver turns the message events of one number into Inbox calls. It
// only classifies and records: no model call or slow work happens on
// whatsmeow's event goroutine.
type Receiver struct {
	// Session is the id of the number.
	Session string
	// Inbox records messages durably.
	Inbox workflow.Inbox
	// Client downloads media; nil leaves Media.Fetch nil.
	Client Client
	// LIDs resolves …@lid senders without a phone-number alternative; may be nil.
	LIDs LIDResolver
	// Own returns the account's phone-number and LID JIDs; may be nil.
	Own func() (pn, lid types.JID)
	// Clock defaults to the system clock.
	Clock Clock
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Groups enables group messages.
	Groups bool
	// MaxMediaSize bounds downloads; 0 means DefaultMaxMediaSize.
	MaxMediaSize int64
	// RecordTimeout bounds one Inbox call; 0 means DefaultRecordTimeout.
	RecordTimeout time.Duration
}

// Handle processes one whatsmeow event. For *events.Message it returns
// true when the message is recorded or deliberately dropped, and false
// when recording failed, so that whatsmeow withholds the receipt and
// WhatsApp redelivers. Other events return true. It never panics.
func (r *Receiver) Handle(ctx context.Context, evt any) (ok bool) {
	m, isMsg := evt.(*events.Message)
	if !isMsg {
		return true
	}
	log := r.logger()
	recording := false
	defer func() {
		if p := recover(); p != nil {
			log.Error("whatsmeow: panic while handling message", "session", r.Session, "id", safeID(m), "panic", fmt.Sprint(p))
			// A panic before the Inbox call cannot be fixed by redelivery; one
			// inside it may be transient, so ask for the message again.
			ok = !recording
		}
	}()
	return r.handleMessage(ctx, m, &recording)
}

func safeID(m *events.Message) string {
	if m == nil {
		return ""
	}
	return m.Info.ID
}

func (r *Receiver) handleMessage(ctx context.Context, evt *events.Message, recording *bool) bool {
	log := r.logger()
	opt := ClassifyOptions{
		Session: r.Session,
		Now:     r.now(),
		Groups:  r.Groups,
	}
	if r.Own != nil {
		opt.Own, opt.OwnLID = r.Own()
	}
	if r.LIDs != nil {
		opt.ResolveLID = func(lid types.JID) (types.JID, bool) {
			pn, err := r.LIDs.GetPNForLID(ctx, lid)
			if err != nil {
				log.Warn("whatsmeow: lid lookup failed", "session", r.Session, "lid", lid.String(), "err", err)
				return types.JID{}, false
			}
			return pn, !pn.IsEmpty()
		}
	}
	msg, d := Classify(evt, opt)
	attrs := []any{"session", r.Session, "id", evt.Info.ID, "chat", evt.Info.Chat.String(), "verdict", d.Verdict.String(), "reason", string(d.Reason)}
	switch d.Verdict {
	case VerdictIgnore:
		log.Info("whatsmeow: message not automated", attrs...)
		return true
	case VerdictSkip:
		log.Warn("whatsmeow: message skipped", append(attrs, "raw", d.Raw)...)
		return true
	}
	if d.Reason == ReasonUnknownType {
		log.Warn("whatsmeow: unknown message type recorded as other", append(attrs, "media_type", evt.Info.MediaType)...)
	}
	if msg.Time.IsZero() {
		msg.Time = opt.Now
	}
	if msg.Media != nil {
		msg.Media.Ref = mediaRef(evt.Message)
		if r.Client != nil {
			msg.Media.Fetch = r.fetcher(evt, msg.Media.Size)
		}
	}

	rctx, cancel := context.WithTimeout(ctx, r.recordTimeout())
	defer cancel()
	*recording = true
	var err error
	if d.Verdict == VerdictReceiveOwn {
		err = r.Inbox.ReceiveOwn(rctx, msg.Session, msg.Phone, msg.ID, msg.Text, msg.Time)
	} else {
		err = r.Inbox.Receive(rctx, msg)
	}
	if err != nil {
		log.Error("whatsmeow: recording message failed, not acknowledging", append(attrs, "err", err)...)
		return false
	}
	log.Debug("whatsmeow: message recorded", attrs...)
	return true
}

// fetcher returns a lazy, size-limited download of the event's media.
func (r *Receiver) fetcher(evt *events.Message, declared int64) func(ctx context.Context) ([]byte, error) {
	cli, limit := r.Client, r.maxMediaSize()
	payload := downloadable(evt.Message)
	id := evt.Info.ID
	return func(ctx context.Context) ([]byte, error) {
		return download(ctx, cli, payload, declared, limit, id)
	}
}

func (r *Receiver) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

func (r *Receiver) now() time.Time {
	if r.Clock == nil {
		return time.Now()
	}
	return r.Clock.Now()
}

func (r *Receiver) maxMediaSize() int64 {
	if r.MaxMediaSize <= 0 {
		return DefaultMaxMediaSize
	}
	return r.MaxMediaSize
}

func (r *Receiver) recordTimeout() time.Duration {
	if r.RecordTimeout <= 0 {
		return DefaultRecordTimeout
	}
	return r.RecordTimeout
}

// EventHandler adapts Handle to whatsmeow's AddEventHandlerWithSuccessStatus.
func (r *Receiver) EventHandler(ctx context.Context) whatsmeow.EventHandlerWithSuccessStatus {
	return func(evt any) bool { return r.Handle(ctx, evt) }
}
