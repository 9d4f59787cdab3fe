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
	// IdempotencyKey identifies this run of the action: the firing id (from
	// workflow, session and message id) and the action's index. Actions run
	// at least once: a firing cut by a crash or a store or transport error
	// is resumed, and an action that had not completed runs again with the
	// same key. An action with effects outside the engine (an API call, a
	// payment) passes the key along so that its target drops a repeat.
	IdempotencyKey string
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
	// SendReply sends a fixed text like Send, after r.Delay (kept as a
	// scheduled message) and, with r.VerifyConditions, only if the
	// workflow's conditions still hold when it is finally sent.
	SendReply(ctx context.Context, r ReplyRequest) error
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
	// ActiveAgents returns those of agents who exist and are active now
	// (not away), in the given order; the engine asks its
	// workflow.AgentDirectory, and without one every agent is active. A
	// resumed firing gets the answer of its first run.
	ActiveAgents(ctx context.Context, agents []string) ([]string, error)
	// ReplyAI starts an AI reply; it is generated and sent asynchronously.
	ReplyAI(ctx context.Context, r AIReplyRequest) error
	// Webhook queues a signed POST of the event to url, retried with backoff.
	Webhook(ctx context.Context, url, secret string) error
	// SendMedia sends a file (m.Kind image, document, audio or video, and
	// m.Data; an empty MIMEType is sniffed from Data) to the customer, with
	// caption under it (audio has none), with the same guarantees as Send:
	// loop breaker, one message id stored before the first attempt and
	// reused on every retry. Workflow files cannot send media; custom
	// actions (Go code) can.
	SendMedia(ctx context.Context, m trigger.Media, caption string) error
}

// FieldError reports a bad field of an action's definition. Field is relative
// to the action ("text", "verify_before_send.agent_reply").
type FieldError struct {
	Field string
	Msg   string
}

// Error is "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// ErrSkipped is wrapped by an action's error to log the action as skipped
// (it had nothing to do) rather than failed; errors.Is(err, ErrSkipped).
// The engine's ErrSkipped is this same value.
var ErrSkipped = errors.New("skipped")

// ErrNoActiveAgent: an assign with a strategy found none of its agents
// active; the conversation stays as it was (unassigned if it was).
var ErrNoActiveAgent = fmt.Errorf("%w: no active agent", ErrSkipped)

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

// Definition is how a Registry builds one action type: decode its fields,
// give it its dependencies, validate it. Of makes one.
type Definition struct {
	build func(d Decoder) (Action, error)
	typ   reflect.Type
}

// Of returns the Definition of the action type *T, the usual way to
// register a custom action: a new T is decoded in place, each setup
// function then gives it what the workflow file cannot (a client, a
// writer), and Validate runs last:
//
//	reg.MustRegister("notify_slack", action.Of[NotifySlack]())
//	reg.MustRegister("send_catalogue", action.Of(func(a *SendCatalogue) { a.Shop = shop }))
func Of[T any, PT interface {
	*T
	Action
}](setup ...func(PT)) Definition {
	return Definition{typ: reflect.TypeFor[PT](), build: func(d Decoder) (Action, error) {
		v := PT(new(T))
		if err := d.Decode(v); err != nil {
			return nil, err
		}
		for _, f := range setup {
			f(v)
		}
		if val, ok := any(v).(Validator); ok {
			if err := val.Validate(); err != nil {
				return nil, err
			}
		}
		return v, nil
	}}
}

// Registry maps action names to definitions. Its zero value is empty; use
// NewRegistry for one preloaded with the built-ins. Register before use;
// a Registry is not safe for concurrent registration.
type Registry struct {
	m     map[string]Definition
	names map[reflect.Type]string
}

// Register adds a named action. The name is the action's key in workflow
// files, and the name under which a workflow built in Go with a value of
// the definition's type is saved.
func (r *Registry) Register(name string, d Definition) error {
	if name == "" || d.build == nil {
		return fmt.Errorf("action.Register: empty name or a Definition not made by Of")
	}
	if _, ok := r.m[name]; ok {
		return fmt.Errorf("action %q: %w", name, ErrDuplicate)
	}
	if r.m == nil {
		r.m, r.names = map[string]Definition{}, map[reflect.Type]string{}
	}
	r.m[name] = d
	r.names[d.typ] = name
	return nil
}

// MustRegister is Register that panics on error, for init-time wiring.
func (r *Registry) MustRegister(name string, d Definition) {
	if err := r.Register(name, d); err != nil {
		panic(err)
	}
}

// Build decodes and validates the action called name.
func (r *Registry) Build(name string, d Decoder) (Action, error) {
	def, ok := r.m[name]
	if !ok {
		return nil, fmt.Errorf("%q: %w", name, ErrUnknownAction)
	}
	return def.build(d)
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

func typeKey(a Action) reflect.Type { return reflect.TypeOf(a) }
