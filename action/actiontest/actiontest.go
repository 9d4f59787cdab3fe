// Package actiontest unit-tests custom actions without an engine: Runtime
// records what an action does, NewCall builds the call it runs with, and
// Build decodes an action from its workflow-file definition through a
// Registry, as the loader does.
//
// Authors of custom actions import it in their tests; to test whole
// workflow files, use workflow/workflowtest.
package actiontest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/trigger"
)

// Phone is the customer's number in the calls NewCall builds.
const Phone = "+33612345678"

// Runtime is an action.Runtime that records every effect instead of
// performing it. Its zero value is ready to use; it is safe for concurrent
// use.
type Runtime struct {
	// Err, when set, is returned by every method, to test an action's
	// error path.
	Err error
	// Translations maps a text to what Translate returns; other texts come
	// back unchanged.
	Translations map[string]string
	// Open is what OpenConversations returns for each agent (0 when absent).
	Open map[string]int
	// Away names the agents ActiveAgents leaves out; every other agent is
	// active.
	Away map[string]bool

	mu       sync.Mutex
	effects  []Effect
	counters map[string]int64
}

// Effect is one recorded call of a Runtime method that acts on the
// conversation. Only the fields of its Kind are set.
type Effect struct {
	// Kind is the method: "send", "send_media", "assign", "label",
	// "ai_reply" or "webhook".
	Kind string
	// Text is what Send sent, or SendMedia's caption.
	Text string
	// Media is what SendMedia sent.
	Media *trigger.Media
	// Agent is who Assign assigned.
	Agent string
	// Add and Remove are Label's labels.
	Add, Remove []string
	// AI is ReplyAI's request.
	AI *action.AIReplyRequest
	// Reply is SendReply's request (Text is its text too).
	Reply *action.ReplyRequest
	// URL and Secret are Webhook's.
	URL, Secret string
}

// String is the effect on one line: `send "Bonjour"`, `label +vip -new`.
func (e Effect) String() string {
	switch e.Kind {
	case "send":
		return fmt.Sprintf("send %q", e.Text)
	case "send_media":
		return fmt.Sprintf("send_media %s %s %d bytes %q", e.Media.Kind, e.Media.FileName, len(e.Media.Data), e.Text)
	case "assign":
		return "assign " + e.Agent
	case "label":
		var parts []string
		for _, l := range e.Add {
			parts = append(parts, "+"+l)
		}
		for _, l := range e.Remove {
			parts = append(parts, "-"+l)
		}
		return "label " + strings.Join(parts, " ")
	case "ai_reply":
		return fmt.Sprintf("ai_reply %q", e.AI.Prompt)
	case "webhook":
		return "webhook " + e.URL
	}
	return e.Kind
}

// Effects returns the effects recorded so far, in order.
func (r *Runtime) Effects() []Effect {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.effects)
}

// Sent returns the texts sent with Send or SendReply so far, in order.
func (r *Runtime) Sent() []string {
	var out []string
	for _, e := range r.Effects() {
		if e.Kind == "send" {
			out = append(out, e.Text)
		}
	}
	return out
}

func (r *Runtime) record(e Effect) error {
	if r.Err != nil {
		return r.Err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.effects = append(r.effects, e)
	return nil
}

// Send records a text.
func (r *Runtime) Send(_ context.Context, text string) error {
	return r.record(Effect{Kind: "send", Text: text})
}

// SendReply records a text with its send options (Effect.Reply).
func (r *Runtime) SendReply(_ context.Context, req action.ReplyRequest) error {
	return r.record(Effect{Kind: "send", Text: req.Text, Reply: &req})
}

// SendMedia records a file and its caption.
func (r *Runtime) SendMedia(_ context.Context, m trigger.Media, caption string) error {
	return r.record(Effect{Kind: "send_media", Media: &m, Text: caption})
}

// Assign records an assignment.
func (r *Runtime) Assign(_ context.Context, agent string) error {
	return r.record(Effect{Kind: "assign", Agent: agent})
}

// Label records labels added and removed.
func (r *Runtime) Label(_ context.Context, add, remove []string) error {
	return r.record(Effect{Kind: "label", Add: add, Remove: remove})
}

// ReplyAI records an AI reply request.
func (r *Runtime) ReplyAI(_ context.Context, req action.AIReplyRequest) error {
	return r.record(Effect{Kind: "ai_reply", AI: &req})
}

// Webhook records a webhook.
func (r *Runtime) Webhook(_ context.Context, url, secret string) error {
	return r.record(Effect{Kind: "webhook", URL: url, Secret: secret})
}

// Translate returns Translations[text], or text itself.
func (r *Runtime) Translate(_ context.Context, text string) (string, error) {
	if r.Err != nil {
		return "", r.Err
	}
	if t, ok := r.Translations[text]; ok {
		return t, nil
	}
	return text, nil
}

// Next returns 0, 1, 2… for each key.
func (r *Runtime) Next(_ context.Context, key string) (int64, error) {
	if r.Err != nil {
		return 0, r.Err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counters == nil {
		r.counters = map[string]int64{}
	}
	n := r.counters[key]
	r.counters[key] = n + 1
	return n, nil
}

// OpenConversations returns Open's count for each agent.
func (r *Runtime) OpenConversations(_ context.Context, agents []string) (map[string]int, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	out := make(map[string]int, len(agents))
	for _, a := range agents {
		out[a] = r.Open[a]
	}
	return out, nil
}

// ActiveAgents returns the agents not in Away, in order.
func (r *Runtime) ActiveAgents(_ context.Context, agents []string) ([]string, error) {
	if r.Err != nil {
		return nil, r.Err
	}
	out := make([]string, 0, len(agents))
	for _, a := range agents {
		if !r.Away[a] {
			out = append(out, a)
		}
	}
	return out, nil
}

// NewCall returns the call of an action fired by the customer text message
// text, from Phone, in the workflow "test", acting through rt.
func NewCall(rt action.Runtime, text string) *action.Call {
	m := trigger.Message{ID: "test-1", Session: "test", Phone: Phone, Type: trigger.MessageText, Text: text, Time: time.Now()}
	return &action.Call{
		WorkflowID: "test", Workflow: "test",
		Event:   trigger.Event{Message: m},
		Facts:   condition.NewFacts(condition.Input{Message: m}),
		Contact: action.Contact{Phone: Phone},
		Runtime: rt,
	}
}

// Build decodes the action called name from its definition in workflow-file
// YAML ("{caption: Nouveautés}") with reg, as the loader does: unknown
// fields and Validate's complaints are errors.
func Build(reg *action.Registry, name, definition string) (action.Action, error) {
	node, err := yamlpos.Parse([]byte(definition))
	if err != nil {
		return nil, fmt.Errorf("actiontest.Build %s: %w", name, err)
	}
	c := &yamlpos.Collector{}
	a, err := reg.Build(name, yamlpos.Decoder{C: c, Node: node, Path: name})
	if c.Len() > 0 {
		return nil, fmt.Errorf("actiontest.Build: %w", c.Errors())
	}
	var fe *action.FieldError
	if errors.As(err, &fe) {
		return nil, fmt.Errorf("actiontest.Build: %s.%w", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("actiontest.Build %s: %w", name, err)
	}
	return a, nil
}
