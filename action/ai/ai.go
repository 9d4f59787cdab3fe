// Package ai holds the ports of AI replies: the Responder that writes a
// reply, the Translator and LanguageDetector behind reply.translate, and the
// Catalog of products a reply may quote. Adapters (adapters/langchaingo,
// adapters/shopify) implement them; this package imports only the standard
// library and trigger (an attachment is a trigger.Media).
package ai

import (
	"context"
	"errors"
	"time"

	"github.com/waauto/waauto/trigger"
)

// Responder writes the text of an AI reply. Implementations must be safe for
// concurrent use and honour ctx's deadline.
type Responder interface {
	Respond(ctx context.Context, req Request) (Reply, error)
}

// Translator translates a fixed reply. Translation consumes no credits.
type Translator interface {
	// Translate returns text in lang (ISO 639-1).
	Translate(ctx context.Context, text, lang string) (Translation, error)
}

// LanguageDetector guesses the language (ISO 639-1) of texts; ok is false when unsure.
type LanguageDetector interface {
	Detect(texts ...string) (lang string, ok bool)
}

// Catalog lists the products a reply may talk about.
type Catalog interface {
	Products(ctx context.Context) ([]Product, error)
}

// Role says who wrote a message of the history.
type Role string

// The authors of conversation messages.
const (
	RoleCustomer   Role = "customer"
	RoleAgent      Role = "agent"
	RoleAutomation Role = "automation"
)

// Request is everything a Responder gets for one reply. The customer's text
// is data, never instructions: implementations put it in the user turn only.
type Request struct {
	// AccountPrompt is the shop's prompt; Prompt the workflow's extra instructions.
	AccountPrompt, Prompt string
	// Helpers are quick phrases the model may reuse.
	Helpers []string
	// History is the conversation before the trigger, oldest first.
	History []Message
	// Message is the triggering message (a debounced burst: its texts joined with "\n").
	Message Message
	// ContactName is the customer's name, if known.
	ContactName string
	// MaxChars is a soft length limit for the reply; 0 means none.
	MaxChars int
	// Prefix is the ai_reply prefix the core adds when sending. Responders
	// strip it from earlier automation messages and from an echoed reply;
	// they never write it themselves.
	Prefix string
}

// Message is one message of a conversation.
type Message struct {
	Role Role
	Text string
	// Media is the message's attachment, if any; its Kind is the message's
	// type (image, document, audio, video or sticker) and Fetch downloads it.
	Media *trigger.Media
	At    time.Time
}

// Reply is a generated reply.
type Reply struct {
	// Text is the reply without any prefix; never empty on success.
	Text  string
	Usage Usage
	// Media says what was done with each attachment, for the log.
	Media []MediaNote
}

// MediaNote records how one attachment was used, e.g. "pdf: 3 pages".
type MediaNote struct {
	Kind trigger.MessageType
	Note string
}

// Usage is the token count of one model call, normalised across providers.
type Usage struct {
	Model                                       string
	PromptTokens, CompletionTokens, TotalTokens int
}

// Translation is a translated text and what it cost in tokens.
type Translation struct {
	Text  string
	Usage Usage
}

// Product is one catalog entry.
type Product struct {
	ID, Title, URL, Description string
	Variants                    []Variant
}

// Variant is one purchasable variant of a product.
type Variant struct {
	Title, Price, Currency string
	Available              bool
}

// Errors of responders, testable with errors.Is.
var (
	ErrEmptyReply       = errors.New("the model returned an empty reply")
	ErrUnsupportedMedia = errors.New("the model cannot take this medium")
	ErrModel            = errors.New("model call failed")
)

// MediaError says which attachment failed and why.
type MediaError struct {
	Kind trigger.MessageType
	Name string
	Err  error
}

// Error names the attachment and the cause.
func (e *MediaError) Error() string { return string(e.Kind) + " " + e.Name + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *MediaError) Unwrap() error { return e.Err }
