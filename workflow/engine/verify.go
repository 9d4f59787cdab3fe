package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// errSendCancelled is what a reply's send returns when its send-time check
// cancelled it: the action's result is then cancelled, not failed.
var errSendCancelled = errors.New("cancelled at send: the workflow's conditions no longer hold")

// Trace path prefixes of a send cancelled by verify_before_send.conditions:
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

// originOf is the SendOrigin of a send of c's firing on x, without the
// decision's trace (the caller adds it when it keeps the origin for later).
func originOf(c *compiled, x *execution, verify bool) *workflow.SendOrigin {
	m := x.ev.Message
	return &workflow.SendOrigin{WorkflowID: c.ID, Workflow: c.Name, MessageID: m.ID, Text: m.Text, Type: m.Type,
		NewContact: x.ev.NewContact, VerifyConditions: verify}
}

// workflowByID is the loaded workflow with id, nil when there is none.
func (e *Engine) workflowByID(id string) *compiled {
	for _, w := range e.set.Load().list {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// conditionsChanged is the send-time check of every deferred send: it
// evaluates the conditions of o's workflow again on the facts of now
// (agent, message count and last reply of the conversation of session
// and phone, the customer's labels, all read from the Store, and the
// clock's time; the text, type and new-contact flag of the trigger, kept
// in o). It returns whether they no longer hold and the trace of both
// evaluations. A workflow deleted since the trigger holds no more.
func (e *Engine) conditionsChanged(ctx context.Context, session, phone string, o workflow.SendOrigin) (bool, condition.Trace, error) {
	c := e.workflowByID(o.WorkflowID)
	if c == nil {
		return true, prefixed(o.Trace, TraceAtTrigger), nil
	}
	conv, err := e.cfg.Store.Conversation(ctx, session, phone)
	if err != nil {
		return false, nil, fmt.Errorf("verify conditions: %w", err)
	}
	contact, err := e.cfg.Store.Contact(ctx, phone)
	if err != nil && !errors.Is(err, workflow.ErrNotFound) {
		return false, nil, fmt.Errorf("verify conditions: %w", err)
	}
	m := trigger.Message{ID: o.MessageID, Session: session, Phone: phone, Type: o.Type, Text: o.Text, Time: e.cfg.Clock.Now()}
	facts := condition.NewFacts(condition.Input{Message: m, Agent: conv.Agent, Labels: contact.Labels,
		MessageCount: int(conv.MessageCount), LastReply: conv.LastReplyAt, IsNewContact: o.NewContact})
	res, err := e.evalTraced(ctx, c, facts)
	if err != nil {
		return false, nil, fmt.Errorf("verify conditions: %w", err)
	}
	return !res.Matched, append(prefixed(o.Trace, TraceAtTrigger), prefixed(res.Trace, TraceAtSend)...), nil
}

// stillRight runs the send-time check of a deferred send from o to phone
// on session: true when it may go (no origin, no check asked, or the
// conditions still hold). When they no longer hold it reports the
// cancellation (EffectCancel) and logs it under an id derived from at and
// key (a retry logs it once), with the trace of both evaluations, and
// returns false. Store failures are retryable errors.
func (e *Engine) stillRight(ctx context.Context, session, phone string, o *workflow.SendOrigin, action string, at time.Time, key string) (bool, error) {
	if o == nil || !o.VerifyConditions {
		return true, nil
	}
	changed, trace, err := e.conditionsChanged(ctx, session, phone, *o)
	if err != nil {
		return false, retryable(err)
	}
	if !changed {
		return true, nil
	}
	return false, e.cancelSend(ctx, session, phone, *o, action, at, key, ReasonConditionsChanged, trace)
}

// cancelSend reports a deferred send from o to phone on session cancelled
// for reason (EffectCancel) and logs it under an id derived from at and
// key (a retry logs it once), with trace. A Store failure is retryable.
func (e *Engine) cancelSend(ctx context.Context, session, phone string, o workflow.SendOrigin, action string, at time.Time, key string, reason Reason, trace condition.Trace) error {
	now := e.cfg.Clock.Now()
	kind := trigger.KindIncomingMessage
	if c := e.workflowByID(o.WorkflowID); c != nil {
		kind = c.Trigger
	}
	why := errSendCancelled.Error()
	if reason != ReasonConditionsChanged {
		why = "cancelled at send: " + string(reason)
	}
	exec := workflow.Execution{ID: logID(at, "cancel/"+key), Time: now, WorkflowID: o.WorkflowID, Workflow: o.Workflow,
		Session: session, Phone: phone, MessageID: o.MessageID, Trigger: kind, Trace: trace,
		Outcome: workflow.OutcomeCancelled, Reason: string(reason),
		Actions: []workflow.ActionResult{{Type: action, Outcome: workflow.OutcomeCancelled, Error: why, ErrorCode: string(reason)}}}
	if err := e.cfg.Store.AppendLogs(ctx, []workflow.Execution{e.redacted(exec)}); err != nil {
		return retryable(fmt.Errorf("log the cancelled send: %w", err))
	}
	e.log.InfoContext(ctx, "deferred send cancelled", slog.String("reason", string(reason)), slog.String("workflow", o.Workflow), slog.String("session", session))
	e.cfg.Observer.Effect(ctx, Effect{Kind: EffectCancel, Time: now, Session: session, Phone: phone, Workflow: o.Workflow, Reason: string(reason)})
	return nil
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
