package trigger

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind names a trigger in workflow files: "incoming_message" or "new_contact".
type Kind string

// The built-in trigger kinds.
const (
	// KindIncomingMessage fires on every message a customer sends to a connected number.
	KindIncomingMessage Kind = "incoming_message"
	// KindNewContact fires on the first message a phone number ever sends to a number.
	KindNewContact Kind = "new_contact"
)

// MessageType is the kind of content of a WhatsApp message.
type MessageType string

// The message types a workflow can test with the message_type condition.
const (
	MessageText     MessageType = "text"
	MessageImage    MessageType = "image"
	MessageAudio    MessageType = "audio"
	MessageVideo    MessageType = "video"
	MessageDocument MessageType = "document"
	MessageSticker  MessageType = "sticker"
	MessageLocation MessageType = "location"
	MessageContact  MessageType = "contact"
	MessageOther    MessageType = "other"
)

// MessageTypes lists every valid MessageType in documentation order.
var MessageTypes = []MessageType{MessageText, MessageImage, MessageAudio, MessageVideo, MessageDocument, MessageSticker, MessageLocation, MessageContact, MessageOther}

// Valid reports whether t is one of MessageTypes.
func (t MessageType) Valid() bool {
	for _, v := range MessageTypes {
		if v == t {
			return true
		}
	}
	return false
}

// Message is one message a customer sent to one of the shop's numbers.
type Message struct {
	// ID is WhatsApp's message id: stable across redelivery, unique per session.
	ID string
	// Session is the id of the shop's number that received the message.
	Session string
	// Phone is the customer's number in E.164 ("+33611111111").
	Phone string
	// PushName is the name the customer set in WhatsApp, if any.
	PushName string
	// Type is the content type; the zero value means Text.
	Type MessageType
	// Text is the message text, or the caption of a media message.
	Text string
	// Time is when the message was sent.
	Time time.Time
	// Group is true for messages in group chats; ignored unless a workflow opts in.
	Group bool
	// Media describes the attachment of a media message; nil for text.
	Media *Media
}

// Media is a file, the one media type: the attachment of an incoming
// message (Size, and Fetch to download its bytes lazily) and the file a
// custom action sends (Kind and Data; action.Runtime.SendMedia,
// workflow.Outgoing).
type Media struct {
	// Kind is MessageImage, MessageDocument, MessageAudio or MessageVideo
	// for a file to send; an attachment's kind is its Message.Type.
	Kind     MessageType `json:",omitempty"`
	MIMEType string
	FileName string
	// Size is an attachment's declared size in bytes.
	Size int64 `json:",omitempty"`
	// Ref is the transport's durable reference to the bytes (whatsmeow: the
	// media message's direct path, key and hashes). It travels with the
	// message in job payloads, so that the bytes can be fetched where and
	// when a job runs, after a restart or on another instance
	// (workflow.MediaFetcher); nil when the transport keeps none.
	Ref []byte `json:",omitempty"`
	// Data is the content of a file to send.
	Data []byte `json:",omitempty"`
	// Fetch downloads the bytes; nil when the transport cannot download. It
	// lives in memory only: a queued job rebuilds it from Ref.
	Fetch func(ctx context.Context) ([]byte, error) `json:"-"`
}

// ErrMediaTooLarge is wrapped by every error about a file over a size
// limit: an attachment over what the transport downloads (Media.Fetch) or
// a model accepts, a file over what the engine sends. It is the one such
// error; test it with errors.Is.
var ErrMediaTooLarge = errors.New("media too large")

// Event is what a trigger looks at: a recorded incoming message and what the
// store learnt while recording it.
type Event struct {
	Message Message
	// NewContact is true when this is the first message the phone ever sent to
	// this session and the contact was not known before.
	NewContact bool
}

// Trigger decides whether an event starts the workflows that use it.
type Trigger interface {
	// Kind is the trigger's name in workflow files.
	Kind() Kind
	// Fires reports whether ev starts workflows of this trigger.
	Fires(ev Event) bool
}

type incoming struct{}

func (incoming) Kind() Kind       { return KindIncomingMessage }
func (incoming) Fires(Event) bool { return true }

type newContact struct{}

func (newContact) Kind() Kind          { return KindNewContact }
func (newContact) Fires(ev Event) bool { return ev.NewContact }

// ForKind returns the built-in trigger for k, or an error naming the valid kinds.
func ForKind(k Kind) (Trigger, error) {
	switch k {
	case KindIncomingMessage:
		return incoming{}, nil
	case KindNewContact:
		return newContact{}, nil
	}
	return nil, fmt.Errorf("unknown trigger %q (want incoming_message or new_contact)", string(k))
}
