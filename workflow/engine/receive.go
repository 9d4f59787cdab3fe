package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// Errors that make an action or execution skipped rather than failed.
var (
	// ErrSkipped is wrapped by every reason to skip; errors.Is(err, ErrSkipped).
	ErrSkipped = errors.New("skipped")
	// ErrLoopBreaker: the conversation got too many automated messages in the window.
	ErrLoopBreaker = fmt.Errorf("%w: loop breaker: too many automated messages in this conversation", ErrSkipped)
	// ErrModuleOff: the number has the needed module switched off.
	ErrModuleOff = fmt.Errorf("%w: module switched off for this number", ErrSkipped)
	// ErrNoCredits: the AI credit balance is 0.
	ErrNoCredits = fmt.Errorf("%w: insufficient credits", ErrSkipped)
)

// Receive records a customer message and queues its evaluation, then
// returns: the transport handler never waits for workflows, models or
// sends. It implements workflow.Inbox: an error means the message was not
// recorded and must be redelivered.
//
// A message delivered again (same session and id) queues its evaluation
// again under the same job id: a no-op when the first delivery's job
// exists, and the evaluation of a message whose job was lost in a crash
// between recording and queueing (the answer-once rule still holds).
func (e *Engine) Receive(ctx context.Context, m trigger.Message) error {
	x, _, err := e.record(ctx, m)
	if err != nil || x == nil {
		return err
	}
	if x.ev.Message.Media != nil {
		e.media.Store(x.ev.Message.Session+"/"+x.ev.Message.ID, x.ev.Message.Media)
	}
	return e.enqueue(ctx, workflow.JobInbound, "inbound/"+x.ev.Message.Session+"/"+x.ev.Message.ID, x.facts.Time, x.snapshot())
}

// Handle records a message and runs its workflows before returning the
// executions it caused (fired, shadow, skipped or failed workflows), in
// priority order: Receive without the queue, for simulators and tests. A
// message already recorded (same session and id) causes none.
func (e *Engine) Handle(ctx context.Context, m trigger.Message) ([]workflow.Execution, error) {
	x, dup, err := e.record(ctx, m)
	if err != nil || x == nil || dup {
		return nil, err
	}
	return e.run(ctx, x), nil
}

// record cleans m (trigger.Message.Clean), stores it and returns the facts of the moment it arrived, or nil
// when it must not be automated (an excluded contact, ...). For a message
// recorded before (dup), the facts are rebuilt from the stored position of
// the message and the conversation as it is now.
func (e *Engine) record(ctx context.Context, m trigger.Message) (x *execution, dup bool, err error) {
	m = m.Clean()
	now := e.cfg.Clock.Now()
	if m.Time.IsZero() {
		m.Time = now
	}
	if m.Type == "" {
		m.Type = trigger.MessageText
	}
	phone, err := trigger.NormalizePhone(m.Phone)
	if err != nil {
		return nil, false, fmt.Errorf("receive %s: %w", m.ID, err)
	}
	m.Phone = phone
	in, err := e.cfg.Store.RecordInbound(ctx, m)
	if err != nil {
		return nil, false, fmt.Errorf("receive %s: record: %w", m.ID, err)
	}
	count := int(in.Conversation.MessageCount)
	if in.Duplicate {
		count = int(in.Seq)
	} else {
		e.burst.add(m.Session, m.Phone, m, in.Seq)
	}
	sess := e.session(ctx, m.Session)
	if reason := e.ignoreReason(m, in, sess, now); reason != "" {
		e.log.DebugContext(ctx, "message recorded, not automated",
			slog.String("session", m.Session), slog.String("id", m.ID), slog.String("reason", string(reason)))
		return nil, in.Duplicate, nil
	}
	facts := condition.NewFacts(condition.Input{
		Message:      m,
		Agent:        in.Conversation.Agent,
		Labels:       in.Contact.Labels,
		MessageCount: count,
		LastReply:    in.Conversation.LastReplyAt,
		IsNewContact: in.NewContact,
	})
	x = &execution{ev: trigger.Event{Message: m, NewContact: in.NewContact}, facts: facts, contact: in.Contact, sess: sess, seq: in.Seq}
	return x, in.Duplicate, nil
}

// run evaluates the candidate workflows of x in priority order.
func (e *Engine) run(ctx context.Context, x *execution) []workflow.Execution {
	var out []workflow.Execution
	for c := range e.set.Load().candidates(x.facts.Text) {
		if !c.applies(x.ev) {
			continue
		}
		exec, fired := e.evaluate(ctx, c, x)
		if exec != nil {
			out = append(out, *exec)
		}
		if fired && c.Stop {
			break
		}
	}
	return out
}

// inboundJob is the payload of a queued evaluation: the message and the
// facts of the moment it arrived, so that a later run sees the same world.
type inboundJob struct {
	Message      trigger.Message
	NewContact   bool
	Seq          int64
	Agent        string
	Labels       []string
	MessageCount int
	LastReply    time.Time
	Contact      workflow.Contact
	Session      workflow.Session
}

func (x *execution) snapshot() inboundJob {
	var last time.Time
	if x.facts.SinceLastReply >= 0 {
		last = x.facts.Time.Add(-x.facts.SinceLastReply)
	}
	return inboundJob{Message: x.ev.Message, NewContact: x.ev.NewContact, Seq: x.seq, Agent: x.facts.Agent,
		Labels: x.facts.Labels, MessageCount: x.facts.MessageCount, LastReply: last, Contact: x.contact, Session: x.sess}
}

// runInbound evaluates a queued message.
func (e *Engine) runInbound(ctx context.Context, j inboundJob) error {
	if v, ok := e.media.Load(j.Message.Session + "/" + j.Message.ID); ok {
		j.Message.Media = v.(*trigger.Media)
	}
	facts := condition.NewFacts(condition.Input{Message: j.Message, Agent: j.Agent, Labels: j.Labels,
		MessageCount: j.MessageCount, LastReply: j.LastReply, IsNewContact: j.NewContact})
	x := &execution{ev: trigger.Event{Message: j.Message, NewContact: j.NewContact}, facts: facts, contact: j.Contact, sess: j.Session, seq: j.Seq}
	e.run(ctx, x)
	if !x.aiQueued {
		e.media.Delete(j.Message.Session + "/" + j.Message.ID)
	}
	return nil
}

// ignoreReason says why a recorded message must not be automated, or "".
func (e *Engine) ignoreReason(m trigger.Message, in workflow.Inbound, sess workflow.Session, now time.Time) reason {
	switch {
	case in.Contact.Excluded:
		return reasonExcluded
	case now.Sub(m.Time) > e.cfg.StaleAfter:
		return reasonStale
	case sess.Status == workflow.SessionDeleted:
		return reasonDeleted
	case !sess.Enabled(workflow.ModuleWorkflows):
		return reasonWorkflowsOff
	}
	return ""
}

// session returns the stored number, or a connected one with all modules
// on when the store does not know it (engines embedded without sessions).
func (e *Engine) session(ctx context.Context, id string) workflow.Session {
	s, err := e.cfg.Store.Session(ctx, id)
	if err != nil {
		return workflow.Session{ID: id, Label: id, Status: workflow.SessionConnected}
	}
	return s
}

func (c *compiled) applies(ev trigger.Event) bool {
	return c.Enabled && c.trigger.Fires(ev) &&
		(c.Session == "" || c.Session == ev.Message.Session) &&
		(!ev.Message.Group || c.Groups)
}

// execution is what every workflow run for one event shares.
type execution struct {
	ev      trigger.Event
	facts   *condition.Facts
	contact workflow.Contact
	sess    workflow.Session
	seq     int64
	// aiQueued: an ai_reply job holds the message's media.
	aiQueued bool
}

// evaluate runs one candidate workflow: conditions, guards, actions, log.
// It returns the log entry (nil when the conditions did not match) and
// whether the workflow fired.
func (e *Engine) evaluate(ctx context.Context, c *compiled, x *execution) (*workflow.Execution, bool) {
	now := e.cfg.Clock.Now()
	exec := &workflow.Execution{
		ID: e.ids.next(now), Time: now, WorkflowID: c.ID, Workflow: c.Name,
		Session: x.ev.Message.Session, Phone: x.ev.Message.Phone, MessageID: x.ev.Message.ID, Trigger: c.Trigger,
	}
	res, err := e.eval(ctx, c, x.facts)
	exec.Trace = res.Trace
	switch {
	case err != nil:
		exec.Outcome, exec.Reason = workflow.OutcomeFailed, reasonConditionsFailed.with(err.Error())
	case !res.Matched:
		return nil, false
	case c.Mode == workflow.ModeShadow:
		exec.Outcome, exec.Reason = workflow.OutcomeShadow, string(reasonShadow)
		for _, s := range c.Actions {
			exec.Actions = append(exec.Actions, workflow.ActionResult{Type: s.Type, Outcome: workflow.OutcomeShadow, Detail: "would run"})
		}
	default:
		if reason, text := e.guard(ctx, c, x, now); reason != "" {
			if reason == reasonAlreadyAnswered {
				return nil, false
			}
			exec.Outcome, exec.Reason = workflow.OutcomeSkipped, text
			break
		}
		exec.Outcome, exec.Reason = workflow.OutcomeFired, string(reasonMatched)
		exec.Actions = e.runActions(ctx, c, x)
		for _, a := range exec.Actions {
			if a.Outcome == workflow.OutcomeFailed {
				exec.Outcome = workflow.OutcomeFailed
			}
		}
	}
	e.writeLog(ctx, *exec)
	return exec, exec.Outcome == workflow.OutcomeFired || exec.Outcome == workflow.OutcomeFailed && exec.Actions != nil
}

func (e *Engine) eval(ctx context.Context, c *compiled, f *condition.Facts) (res condition.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.prog.Eval(ctx, f)
}

// guard applies cooldown and the answer-once rule; it returns why the
// workflow must not act and the log's text for it, or "".
func (e *Engine) guard(ctx context.Context, c *compiled, x *execution, now time.Time) (reason, string) {
	m := x.ev.Message
	if c.Cooldown > 0 {
		last, err := e.cfg.Store.LastFired(ctx, c.ID, m.Session, m.Phone)
		if err != nil {
			return reasonCooldownCheck, reasonCooldownCheck.with(err.Error())
		}
		if !last.IsZero() && now.Sub(last) < c.Cooldown {
			return reasonCooldown, reasonCooldown.with(fmt.Sprintf("fired %s ago", now.Sub(last).Round(time.Second)))
		}
	}
	first, err := e.cfg.Store.MarkFired(ctx, workflow.Firing{WorkflowID: c.ID, Session: m.Session, Phone: m.Phone, MessageID: m.ID, At: now})
	if err != nil {
		return reasonAnswerOnceCheck, reasonAnswerOnceCheck.with(err.Error())
	}
	if !first {
		return reasonAlreadyAnswered, string(reasonAlreadyAnswered)
	}
	return "", ""
}

func (e *Engine) runActions(ctx context.Context, c *compiled, x *execution) []workflow.ActionResult {
	rt := &runtime{e: e, wf: c, x: x}
	call := &action.Call{
		WorkflowID: c.ID, Workflow: c.Name, Event: x.ev, Facts: x.facts,
		Contact:      action.Contact{Phone: x.contact.Phone, Name: x.contact.Name, Labels: x.contact.Labels},
		SessionLabel: x.sess.Label, Runtime: rt,
	}
	out := make([]workflow.ActionResult, 0, len(c.Actions))
	for _, s := range c.Actions {
		rt.detail = ""
		err := runAction(ctx, action.Chain(s.Action, e.cfg.Middleware...), call)
		r := workflow.ActionResult{Type: s.Type, Outcome: workflow.OutcomeFired, Detail: rt.detail}
		switch {
		case errors.Is(err, ErrSkipped):
			r.Outcome, r.Error = workflow.OutcomeSkipped, err.Error()
		case err != nil:
			r.Outcome, r.Error = workflow.OutcomeFailed, err.Error()
			e.log.WarnContext(ctx, "action failed", slog.String("workflow", c.Name), slog.String("action", s.Type), slog.Any("err", err))
		}
		out = append(out, r)
	}
	return out
}

// runAction runs a with panics turned into errors.
func runAction(ctx context.Context, a action.Action, c *action.Call) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return a.Run(ctx, c)
}

// writeLog queues x with its texts redacted.
func (e *Engine) writeLog(ctx context.Context, x workflow.Execution) {
	red := e.cfg.Redactor
	x.Reason = red.Redact(x.Reason)
	x.Actions = slices.Clone(x.Actions)
	for i := range x.Actions {
		x.Actions[i].Detail, x.Actions[i].Error = red.Redact(x.Actions[i].Detail), red.Redact(x.Actions[i].Error)
	}
	if err := e.logs.Write(ctx, x); err != nil {
		e.log.ErrorContext(ctx, "execution log entry not queued", slog.String("workflow", x.Workflow), slog.Any("err", err))
	}
}
