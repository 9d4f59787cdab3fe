package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// reasonConditionsChanged cancels an AI reply whose workflow's conditions
// no longer hold at send time (verify_before_send.conditions); it is also
// the Reason of the EffectCancel effect.
const reasonConditionsChanged reason = "conditions_changed"

// Trace path prefixes of a reply cancelled by verify_before_send.conditions:
// the log entry's trace holds both evaluations, the trigger's first.
const (
	TraceAtTrigger = "at trigger: "
	TraceAtSend    = "at send: "
)

// triggerTrace is the trace of c's conditions on the facts of x, kept by a
// reply that verifies them again at send time; nil when it does not.
func (e *Engine) triggerTrace(ctx context.Context, c *compiled, x *execution, verify bool) condition.Trace {
	if !verify {
		return nil
	}
	res, _ := e.evalTraced(ctx, c, x.facts)
	return res.Trace
}

// conditionsChanged evaluates the conditions of j's workflow again on the
// facts of now (agent, labels, message count, last reply and time read
// from the Store; the text and type of the trigger). It returns whether
// they no longer hold and the trace of both evaluations.
func (e *Engine) conditionsChanged(ctx context.Context, j aiJob) (bool, condition.Trace, error) {
	var c *compiled
	for _, w := range e.set.Load().list {
		if w.ID == j.WorkflowID {
			c = w
		}
	}
	if c == nil { // deleted since the trigger: its conditions hold no more
		return true, prefixed(j.Trace, TraceAtTrigger), nil
	}
	conv, err := e.cfg.Store.Conversation(ctx, j.Session, j.Phone)
	if err != nil {
		return false, nil, fmt.Errorf("verify conditions: %w", err)
	}
	contact, err := e.cfg.Store.Contact(ctx, j.Phone)
	if err != nil && !errors.Is(err, workflow.ErrNotFound) {
		return false, nil, fmt.Errorf("verify conditions: %w", err)
	}
	m := trigger.Message{ID: j.MessageID, Session: j.Session, Phone: j.Phone, Type: j.Type, Text: j.Text, Time: e.cfg.Clock.Now()}
	facts := condition.NewFacts(condition.Input{Message: m, Agent: conv.Agent, Labels: contact.Labels,
		MessageCount: int(conv.MessageCount), LastReply: conv.LastReplyAt, IsNewContact: j.NewContact})
	res, err := e.evalTraced(ctx, c, facts)
	if err != nil {
		return false, nil, fmt.Errorf("verify conditions: %w", err)
	}
	return !res.Matched, append(prefixed(j.Trace, TraceAtTrigger), prefixed(res.Trace, TraceAtSend)...), nil
}

// prefixed is a copy of t with prefix before every path.
func prefixed(t condition.Trace, prefix string) condition.Trace {
	out := make(condition.Trace, len(t))
	for i, l := range t {
		l.Path = prefix + l.Path
		out[i] = l
	}
	return out
}
