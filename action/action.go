package action

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// Action is one step of a workflow's actions. Implementations are values
// decoded from workflow files (see Registry) and must be safe for concurrent use.
type Action interface {
	Run(ctx context.Context, c *Call) error
}

// Func adapts a function to Action.
type Func func(ctx context.Context, c *Call) error

// Run calls f.
func (f Func) Run(ctx context.Context, c *Call) error { return f(ctx, c) }

// Middleware wraps an action, e.g. to log, meter or guard it.
type Middleware func(Action) Action

// Chain applies middleware so that the first one listed is outermost.
func Chain(a Action, mw ...Middleware) Action {
	for i := len(mw) - 1; i >= 0; i-- {
		a = mw[i](a)
	}
	return a
}

// Validator is implemented by actions that check their own fields. The
// registry calls it after decoding and the engine before accepting a
// workflow built in Go. Return *FieldError values to point at a field.
type Validator interface {
	Validate() error
}

// Call is one run of one action: what fired it and the Runtime to act with.
type Call struct {
	// WorkflowID and Workflow identify the workflow that fired.
	WorkflowID, Workflow string
	// Event is the triggering event; Facts its snapshot.
	Event trigger.Event
	Facts *condition.Facts
	// Contact is the customer as stored when the message arrived.
	Contact Contact
	// SessionLabel is the label of the number that received the message.
	SessionLabel string
	// Runtime performs the effects. In shadow mode it records them instead.
	Runtime Runtime
}

// Contact is what an action knows of the customer.
type Contact struct {
	Phone, Name string
	Labels      []string
}

// Runtime is what an engine offers actions for the conversation of a Call.
// Every method acts on that conversation only.
type Runtime interface {
	// Send sends a fixed text to the customer.
	Send(ctx context.Context, text string) error
	// Translate returns text in the customer's language (detected from
	// their recent messages), or text itself when it already is.
	Translate(ctx context.Context, text string) (string, error)
	// Assign assigns the conversation to an agent.
	Assign(ctx context.Context, agent string) error
	// Label adds then removes customer labels.
	Label(ctx context.Context, add, remove []string) error
	// Next returns the next value (0, 1, 2, ...) of a persistent counter
	// scoped to the workflow, e.g. for round robin.
	Next(ctx context.Context, key string) (int64, error)
	// OpenConversations counts the open conversations assigned to each agent.
	OpenConversations(ctx context.Context, agents []string) (map[string]int, error)
	// ReplyAI starts an AI reply; it is generated and sent asynchronously.
	ReplyAI(ctx context.Context, r AIReplyRequest) error
	// Webhook queues a signed POST of the event to url, retried with backoff.
	Webhook(ctx context.Context, url, secret string) error
	// SendMedia sends a file (image, document, audio or video) to the
	// customer, with the same guarantees as Send: loop breaker, one message
	// id stored before the first attempt and reused on every retry.
	SendMedia(ctx context.Context, m Media) error
}

// Media is a file an action sends with Runtime.SendMedia. Workflow files
// cannot send media; custom actions (Go code) can.
type Media struct {
	// Kind is trigger.MessageImage, trigger.MessageDocument, trigger.MessageAudio or trigger.MessageVideo.
	Kind trigger.MessageType
	// MIMEType is the file's type, e.g. "image/jpeg"; empty means sniffed
	// from Data.
	MIMEType string
	// FileName is shown for documents; optional for other kinds.
	FileName string
	// Data is the file's content.
	Data []byte
	// Caption is the text shown under an image, video or document. Audio
	// messages have no caption.
	Caption string
}

// FieldError reports a bad field of an action's definition. Field is relative
// to the action ("text", "verify_before_send.agent_reply").
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Errors of the registry, testable with errors.Is.
var (
	ErrUnknownAction = errors.New("unknown action")
	ErrDuplicate     = errors.New("action already registered")
)

// Decoder fills an action value from its definition (a YAML or JSON node,
// or a Go map). Decoding is strict: unknown fields are errors.
type Decoder interface {
	Decode(v any) error
}

// Factory builds an action from its definition.
type Factory func(d Decoder) (Action, error)

// Of returns the Factory of an action type whose zero value is decoded in
// place and then validated, the usual way to register a custom action:
//
//	reg.MustRegister("notify_slack", action.Of[*NotifySlack]())
func Of[T Action]() Factory {
	return func(d Decoder) (Action, error) {
		var v T
		v = newOf(v)
		if err := d.Decode(v); err != nil {
			return nil, err
		}
		if val, ok := any(v).(Validator); ok {
			if err := val.Validate(); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
}

// Registry maps action names to factories. Its zero value is empty; use
// NewRegistry for one preloaded with the built-ins. Register before use;
// a Registry is not safe for concurrent registration.
type Registry struct {
	m     map[string]Factory
	names map[any]string
}

// Register adds a named action. The name is the action's key in workflow
// files; sample is a value of the action's type, used to name it when a
// workflow built in Go is saved.
func (r *Registry) Register(name string, sample Action, f Factory) error {
	if name == "" || f == nil {
		return fmt.Errorf("action.Register: empty name or nil factory")
	}
	if _, ok := r.m[name]; ok {
		return fmt.Errorf("action %q: %w", name, ErrDuplicate)
	}
	if r.m == nil {
		r.m, r.names = map[string]Factory{}, map[any]string{}
	}
	r.m[name] = f
	if sample != nil {
		r.names[typeKey(sample)] = name
	}
	return nil
}

// MustRegister is Register that panics on error, for init-time wiring.
func (r *Registry) MustRegister(name string, sample Action, f Factory) {
	if err := r.Register(name, sample, f); err != nil {
		panic(err)
	}
}

// Build decodes and validates the action called name.
func (r *Registry) Build(name string, d Decoder) (Action, error) {
	f, ok := r.m[name]
	if !ok {
		return nil, fmt.Errorf("%q: %w", name, ErrUnknownAction)
	}
	return f(d)
}

// Has reports whether name is registered.
func (r *Registry) Has(name string) bool { _, ok := r.m[name]; return ok }

// NameOf returns the registered name of a's type, or "" when unknown.
func (r *Registry) NameOf(a Action) string { return r.names[typeKey(a)] }

// Names lists the registered names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.m))
	for n := range r.m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func newOf[T any](v T) T {
	t := reflect.TypeOf(&v).Elem()
	if t.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("action.Of[%v]: the type parameter must be a pointer type", t))
	}
	return reflect.New(t.Elem()).Interface().(T)
}

func typeKey(a Action) any { return reflect.TypeOf(a) }
