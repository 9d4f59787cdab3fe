package action

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
)

// NewRegistry returns a registry preloaded with the built-in actions:
// reply, ai_reply, assign, label and webhook.
func NewRegistry() *Registry {
	r := &Registry{}
	r.MustRegister("reply", Of[Reply]())
	r.MustRegister("ai_reply", Of[AIReply]())
	r.MustRegister("assign", Of[Assign]())
	r.MustRegister("label", Of[Label]())
	r.MustRegister("webhook", Of[Webhook]())
	return r
}

// Reply sends a fixed message, optionally translated to the customer's
// language, now or after Delay (a follow-up).
type Reply struct {
	Text      string `json:"text" yaml:"text"`
	Translate bool   `json:"translate,omitempty" yaml:"translate,omitempty"`
	// Delay makes the reply a follow-up sent that long after the trigger
	// (a scheduled message); zero sends it now.
	Delay Duration `json:"delay,omitempty" yaml:"delay,omitempty"`
	// VerifyBeforeSend nil means no send-time check.
	VerifyBeforeSend *ReplyVerify `json:"verify_before_send,omitempty" yaml:"verify_before_send,omitempty"`
}

// ReplyVerify is the send-time check of a reply as written in workflow
// files: conditions left out is off.
type ReplyVerify struct {
	Conditions *bool `json:"conditions,omitempty" yaml:"conditions,omitempty"`
}

// Validate checks the text and its placeholders.
func (a *Reply) Validate() error {
	if a.Text == "" {
		return &FieldError{Field: "text", Msg: "is required (want the message to send)"}
	}
	if err := CheckPlaceholders(a.Text); err != nil {
		return &FieldError{Field: "text", Msg: err.Error()}
	}
	if a.Delay < 0 {
		return &FieldError{Field: "delay", Msg: fmt.Sprintf("%q is negative (want a duration of 0 or more, e.g. 2h)", time.Duration(a.Delay))}
	}
	return nil
}

// Run sends the expanded (and translated) text: with Send when it goes
// now unchecked, with SendReply when it is delayed or verified at send
// time.
func (a *Reply) Run(ctx context.Context, c *Call) error {
	text := Expand(a.Text, c)
	if a.Translate {
		t, err := c.Runtime.Translate(ctx, text)
		if err != nil {
			return fmt.Errorf("translate: %w", err)
		}
		text = t
	}
	r := ReplyRequest{Text: text, Delay: time.Duration(a.Delay)}
	if v := a.VerifyBeforeSend; v != nil && v.Conditions != nil {
		r.VerifyConditions = *v.Conditions
	}
	if r.Delay == 0 && !r.VerifyConditions {
		return c.Runtime.Send(ctx, text)
	}
	return c.Runtime.SendReply(ctx, r)
}

// ReplyRequest is a fixed reply with its send options.
type ReplyRequest struct {
	Text string
	// Delay is how long after the trigger to send it; 0 means now.
	Delay time.Duration
	// VerifyConditions evaluates the workflow's conditions again just
	// before a deferred send (a follow-up, a send retried or paced) and
	// cancels it when they no longer hold.
	VerifyConditions bool
}

// Verify selects the pre-send checks of an AI reply.
type Verify struct {
	CustomerMessage bool
	AgentReply      bool
	// Conditions evaluates the workflow's conditions again on the facts at
	// send time (agent, labels, time, message count...).
	Conditions bool
}

// VerifyBeforeSend is Verify as written in workflow files: customer_message
// and agent_reply left out (nil) are on, conditions left out is off.
type VerifyBeforeSend struct {
	CustomerMessage *bool `json:"customer_message,omitempty" yaml:"customer_message,omitempty"`
	AgentReply      *bool `json:"agent_reply,omitempty" yaml:"agent_reply,omitempty"`
	Conditions      *bool `json:"conditions,omitempty" yaml:"conditions,omitempty"`
}

// Resolve applies the defaults: a nil customer_message or agent_reply is
// on, a nil conditions off.
func (v *VerifyBeforeSend) Resolve() Verify {
	on := func(b *bool) bool { return b == nil || *b }
	if v == nil {
		return Verify{CustomerMessage: true, AgentReply: true}
	}
	return Verify{CustomerMessage: on(v.CustomerMessage), AgentReply: on(v.AgentReply), Conditions: v.Conditions != nil && *v.Conditions}
}

// AIReply generates a reply with the configured model and sends it.
type AIReply struct {
	Prompt  string   `json:"prompt,omitempty" yaml:"prompt,omitempty"`
	Prefix  string   `json:"prefix,omitempty" yaml:"prefix,omitempty"`
	Helpers []string `json:"helpers,omitempty" yaml:"helpers,omitempty"`
	// History is the number of earlier messages given as context; nil means 20.
	History *int `json:"history,omitempty" yaml:"history,omitempty"`
	// VerifyBeforeSend nil means both checks on.
	VerifyBeforeSend *VerifyBeforeSend `json:"verify_before_send,omitempty" yaml:"verify_before_send,omitempty"`
	Debounce         Duration          `json:"debounce,omitempty" yaml:"debounce,omitempty"`
	// MaxWait nil-equivalent zero means 60s.
	MaxWait Duration `json:"max_wait,omitempty" yaml:"max_wait,omitempty"`
}

// AIReply defaults.
const (
	DefaultHistory = 20
	DefaultMaxWait = 60 * time.Second
)

// Validate checks the prompt's placeholders and the numbers.
func (a *AIReply) Validate() error {
	if err := CheckPlaceholders(a.Prompt); err != nil {
		return &FieldError{Field: "prompt", Msg: err.Error()}
	}
	if a.History != nil && *a.History < 0 {
		return &FieldError{Field: "history", Msg: fmt.Sprintf("%d is negative (want 0 or more messages)", *a.History)}
	}
	return nil
}

// Run asks the runtime to generate and send the reply.
func (a *AIReply) Run(ctx context.Context, c *Call) error {
	r := AIReplyRequest{
		Prompt:   Expand(a.Prompt, c),
		Prefix:   a.Prefix,
		Helpers:  a.Helpers,
		History:  DefaultHistory,
		Verify:   a.VerifyBeforeSend.Resolve(),
		Debounce: time.Duration(a.Debounce),
		MaxWait:  time.Duration(a.MaxWait),
	}
	if a.History != nil {
		r.History = *a.History
	}
	if r.MaxWait == 0 {
		r.MaxWait = DefaultMaxWait
	}
	return c.Runtime.ReplyAI(ctx, r)
}

// AIReplyRequest is an AIReply with its defaults applied and placeholders expanded.
type AIReplyRequest struct {
	Prompt, Prefix    string
	Helpers           []string
	History           int
	Verify            Verify
	Debounce, MaxWait time.Duration
}

// Assign strategies.
const (
	RoundRobin = "round_robin"
	LeastBusy  = "least_busy"
)

// Assign assigns the conversation to Agent, or to one of Agents by
// Strategy: only the active ones are chosen from (Runtime.ActiveAgents);
// when none is, the action is skipped with ErrNoActiveAgent and the
// conversation stays as it was.
type Assign struct {
	Agent    string   `json:"agent,omitempty" yaml:"agent,omitempty"`
	Agents   []string `json:"agents,omitempty" yaml:"agents,omitempty"`
	Strategy string   `json:"strategy,omitempty" yaml:"strategy,omitempty"`
}

// Validate checks that exactly one of agent and agents is given.
func (a *Assign) Validate() error {
	switch {
	case a.Agent == "" && len(a.Agents) == 0:
		return &FieldError{Field: "agent", Msg: "is required (want agent: ID, or agents: [IDs] with a strategy)"}
	case a.Agent != "" && len(a.Agents) > 0:
		return &FieldError{Field: "agents", Msg: "cannot be given with agent (want one of them)"}
	case len(a.Agents) > 0 && a.Strategy != RoundRobin && a.Strategy != LeastBusy:
		return &FieldError{Field: "strategy", Msg: fmt.Sprintf("%q is not a strategy (want round_robin or least_busy)", a.Strategy)}
	case a.Agent != "" && a.Strategy != "":
		return &FieldError{Field: "strategy", Msg: "needs agents (a list), not agent"}
	}
	return nil
}

// Run picks the agent and assigns.
func (a *Assign) Run(ctx context.Context, c *Call) error {
	agent, err := a.pick(ctx, c)
	if err != nil {
		return err
	}
	return c.Runtime.Assign(ctx, agent)
}

// pick returns the fixed agent, or one of the active agents of the list
// by the strategy (ErrNoActiveAgent when none is).
func (a *Assign) pick(ctx context.Context, c *Call) (string, error) {
	if a.Agent != "" {
		return a.Agent, nil
	}
	active, err := c.Runtime.ActiveAgents(ctx, a.Agents)
	if err != nil {
		return "", err
	}
	if len(active) == 0 {
		return "", fmt.Errorf("%w among %s: left as it was", ErrNoActiveAgent, strings.Join(a.Agents, ", "))
	}
	if a.Strategy == RoundRobin {
		n, err := c.Runtime.Next(ctx, "assign.round_robin")
		if err != nil {
			return "", err
		}
		return active[int(n%int64(len(active)))], nil
	}
	load, err := c.Runtime.OpenConversations(ctx, active)
	if err != nil {
		return "", err
	}
	best := active[0]
	for _, ag := range active[1:] {
		if load[ag] < load[best] {
			best = ag
		}
	}
	return best, nil
}

// Label adds and removes customer labels.
type Label struct {
	Add    Strings `json:"add,omitempty" yaml:"add,omitempty"`
	Remove Strings `json:"remove,omitempty" yaml:"remove,omitempty"`
}

// Validate requires at least one label.
func (a *Label) Validate() error {
	if len(a.Add) == 0 && len(a.Remove) == 0 {
		return &FieldError{Field: "add", Msg: "is required (want add and/or remove: a label or a list)"}
	}
	return nil
}

// Run changes the labels.
func (a *Label) Run(ctx context.Context, c *Call) error {
	return c.Runtime.Label(ctx, a.Add, a.Remove)
}

// Webhook posts the event, conversation and workflow as JSON to URL.
type Webhook struct {
	URL    string `json:"url" yaml:"url"`
	Secret string `json:"secret,omitempty" yaml:"secret,omitempty"`
}

// Validate requires an absolute http(s) URL.
func (a *Webhook) Validate() error {
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &FieldError{Field: "url", Msg: fmt.Sprintf("%q is not a URL (want http:// or https://)", a.URL)}
	}
	return nil
}

// Run queues the delivery.
func (a *Webhook) Run(ctx context.Context, c *Call) error {
	return c.Runtime.Webhook(ctx, a.URL, a.Secret)
}

// Strings is a list of strings that may be written as one string.
type Strings []string

// UnmarshalJSON accepts "x" or ["x", "y"].
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings")
	}
	*s = many
	return nil
}

// UnmarshalYAML accepts a scalar or a sequence (goccy/go-yaml and yaml.v3 style).
func (s *Strings) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return fmt.Errorf("want a string or a list of strings")
	}
	*s = many
	return nil
}

// Duration is a time.Duration written as in workflow files ("90s", "3d").
type Duration time.Duration

// UnmarshalText parses condition.ParseDuration syntax.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := condition.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// MarshalText formats with condition.FormatDuration.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(condition.FormatDuration(time.Duration(d))), nil
}
