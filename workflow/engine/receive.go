package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// Errors that make an action or execution skipped rather than failed.
var (
	// ErrSkipped is wrapped by every reason to skip; errors.Is(err, ErrSkipped).
	// It is action.ErrSkipped, so that actions can skip too.
	ErrSkipped = action.ErrSkipped
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
// between recording and queueing (the answer-once rule still holds). The
// first delivery's job is marked workflow.Job.New, which lets a queue skip
// that check and batch it (the River queue does): so a later delivery
// queues nothing when the evaluation has begun a firing, and otherwise
// (no workflow fired, or the first job has not run yet) evaluates the
// message again, with the facts of that moment. Workflows that fired are
// not run again (their firings), log rows are not doubled (their ids come
// from the message); a workflow that matched nothing the first time can
// match the second if the facts changed in between.
func (e *Engine) Receive(ctx context.Context, m trigger.Message) error {
	ctx, span := e.cfg.Tracer.Start(ctx, SpanReceive)
	x, dup, err := e.record(ctx, m, span)
	if err == nil && x != nil {
		if !dup || !e.evaluated(ctx, m) {
			err = e.queueInbound(ctx, x, x.facts.Time, !dup)
		}
		release(x)
	}
	e.endSpan(span, err)
	return err
}

// evaluated reports whether the evaluation of m, a message recorded
// before, has begun a firing: its job then exists (the queue keeps it
// until it ends, and a cut firing is resumed by its retry), and m needs
// no new one. A queue may batch the first delivery's job without an ID
// check (workflow.Job.New), so a redelivery cannot count on Enqueue
// finding it. An error reads as false: queueing again is safe.
func (e *Engine) evaluated(ctx context.Context, m trigger.Message) bool {
	fs, err := e.cfg.Store.FiringsOf(ctx, m.Session, m.ID)
	return err == nil && len(fs) > 0
}

// queueInbound queues the evaluation of x at at, under the message's job
// id, with the span context of ctx; the job holds a copy (its payload is
// encoded), not x. fresh says that no evaluation of the message ran
// before: this call recorded it (see inboundJob.Fresh).
func (e *Engine) queueInbound(ctx context.Context, x *execution, at time.Time, fresh bool) error {
	j := x.snapshot()
	j.Fresh = fresh
	j.TraceContext = e.cfg.Tracer.Inject(ctx)
	// A fresh message's job cannot exist yet: the queue may batch it.
	return e.enqueueJob(ctx, workflow.Job{ID: "inbound/" + x.ev.Message.Session + "/" + x.ev.Message.ID, Kind: workflow.JobInbound,
		RunAt: at, New: fresh}, j)
}

// Handle records a message and runs its workflows before returning the
// executions it caused (fired, shadow, skipped or failed workflows), in
// priority order: Receive without the queue, for simulators and tests. A
// message already recorded (same session and id) causes none. A firing cut
// by a store or transport failure stays running and the message's
// evaluation is queued, as Receive does, to resume it.
func (e *Engine) Handle(ctx context.Context, m trigger.Message) ([]workflow.Execution, error) {
	ctx, span := e.cfg.Tracer.Start(ctx, SpanReceive)
	execs, err := e.handle(ctx, m, span)
	e.endSpan(span, err)
	return execs, err
}

// handle is Handle within its span.
func (e *Engine) handle(ctx context.Context, m trigger.Message, span Span) ([]workflow.Execution, error) {
	x, dup, err := e.record(ctx, m, span)
	if err != nil || x == nil || dup {
		release(x)
		return nil, err
	}
	defer release(x)
	x.firstRun = true // recorded just now: nothing ran for it before
	execs, err := e.run(ctx, x)
	if err != nil {
		e.log.WarnContext(ctx, "evaluation interrupted; queued to resume", slog.String("session", m.Session), slog.String("id", m.ID), slog.Any("err", err))
		return execs, e.queueInbound(ctx, x, e.cfg.Clock.Now().Add(time.Second), false)
	}
	return execs, nil
}

// record cleans m (trigger.Message.Clean), stores it and returns the facts of the moment it arrived, or nil
// when it must not be automated (an excluded contact, ...). For a message
// recorded before (dup), the facts are rebuilt from the stored position of
// the message and the conversation as it is now. span is the receive span.
func (e *Engine) record(ctx context.Context, m trigger.Message, span Span) (x *execution, dup bool, err error) {
	m = m.Clean()
	span.SetString(AttrSession, m.Session)
	span.SetString(AttrMessageID, m.ID)
	now := e.cfg.Clock.Now()
	if m.Time.IsZero() {
		m.Time = now
	}
	if m.Type == "" {
		m.Type = trigger.MessageText
	}
	span.SetString(AttrMessageType, string(m.Type))
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
	span.SetBool(AttrDuplicate, in.Duplicate)
	if in.Duplicate {
		count = int(in.Seq)
	} else {
		e.burst.add(m.Session, m.Phone, m, in.Seq)
		e.cfg.Metrics.MessageReceived()
	}
	var sess workflow.Session
	if in.Session != nil {
		sess = *in.Session
	} else {
		sess = e.session(ctx, m.Session)
	}
	if reason := e.ignoreReason(m, in, sess, now); reason != "" {
		span.SetString(AttrIgnored, string(reason))
		e.log.DebugContext(ctx, "message recorded, not automated",
			slog.String("session", m.Session), slog.String("id", m.ID), slog.String("reason", string(reason)))
		return nil, in.Duplicate, nil
	}
	x = newExecution(condition.Input{
		Message:      m,
		Agent:        in.Conversation.Agent,
		Labels:       in.Contact.Labels,
		MessageCount: count,
		LastReply:    in.Conversation.LastReplyAt,
		IsNewContact: in.NewContact,
	}, in.Contact, sess, in.Seq, now)
	return x, in.Duplicate, nil
}

// run evaluates the candidate workflows of x in priority order: a workflow
// that fired for the message before is skipped when its firing is done and
// resumed when it is still running (a crash or an error cut it), and
// honours its stop either way. The message's firings are read once, at
// the first candidate that applies, unless x.firstRun says there are none. The log rows of the evaluations that did not
// fire are appended at the end, with ids derived from the message so that
// a re-run cannot double them. An error means a firing could not finish
// (a store or transport failure): the caller retries the whole run.
func (e *Engine) run(ctx context.Context, x *execution) (out []workflow.Execution, err error) {
	m := x.ev.Message
	ctx, span := e.cfg.Tracer.Start(ctx, SpanEvaluate)
	span.SetString(AttrSession, m.Session)
	span.SetString(AttrMessageID, m.ID)
	var rows []workflow.Execution
	var errs []error
	var prior []workflow.Firing // read at the first workflow that applies
	loaded := false
	sc := &x.scope
	sc.Reset(x.facts)
	candidates, fired := 0, 0
	defer func() {
		e.cfg.Metrics.Candidates(candidates)
		span.SetInt(AttrCandidates, int64(candidates))
		span.SetInt(AttrFired, int64(fired))
		e.endSpan(span, err)
	}()
	for c := range e.set.Load().candidates(sc, x.ev) {
		candidates++
		x.textSeen = true
		if !c.applies(x.ev) {
			continue
		}
		if !loaded && !x.firstRun {
			var err error
			if prior, err = e.cfg.Store.FiringsOf(ctx, m.Session, m.ID); err != nil {
				return nil, fmt.Errorf("evaluate %s: %w", m.ID, err)
			}
			loaded = true
		}
		var f *workflow.Firing
		for i := range prior {
			if prior[i].WorkflowID == c.ID {
				f = &prior[i]
			}
		}
		exec, didFire, err := e.evaluate(ctx, c, x, f, sc)
		e.cfg.Metrics.WorkflowEvaluated(outcomeOf(exec))
		if err != nil {
			errs = append(errs, fmt.Errorf("workflow %q: %w", c.Name, err))
		}
		if exec != nil {
			out = append(out, *exec)
			if didFire {
				fired++
			} else { // a firing's row is written by its finish
				rows = append(rows, e.redacted(*exec))
			}
		}
		// A workflow with stop that fired, or whose evaluation failed, holds
		// back the ones after it: the retry of the job decides for them.
		if c.Stop && (didFire || err != nil) {
			break
		}
	}
	if len(rows) > 0 {
		if err := e.cfg.Store.AppendLogs(ctx, rows); err != nil {
			errs = append(errs, fmt.Errorf("execution log: %w", err))
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("evaluate %s: %w", m.ID, errors.Join(errs...))
	}
	return out, nil
}

// outcomeOf is the outcome of exec, "" when nil (no match).
func outcomeOf(exec *workflow.Execution) workflow.Outcome {
	if exec == nil {
		return ""
	}
	return exec.Outcome
}

// inboundJob is the payload of a queued evaluation: the message and the
// facts of the moment it arrived, so that a later run sees the same world.
type inboundJob struct {
	Message      trigger.Message
	NewContact   bool      `json:",omitzero"`
	Seq          int64     `json:",omitzero"`
	Agent        string    `json:",omitzero"`
	Labels       []string  `json:",omitzero"`
	MessageCount int       `json:",omitzero"`
	LastReply    time.Time `json:",omitzero"`
	Contact      workflow.Contact
	Session      workflow.Session
	// At is when the message was recorded: the log rows of the evaluation
	// take their ids from it, the same on every run of the job.
	At time.Time
	// Fresh: the Receive that queued the job recorded the message (it was
	// no duplicate), so no evaluation of it ran before this job's. On the
	// job's first run (workflow.Job.Attempt 1) the message has no firing
	// yet and the run does not read them. A duplicate delivery queues
	// under the same id (a no-op while the job exists) without it, as
	// does Handle for the retry of its own run.
	Fresh bool `json:",omitempty"`
	// TraceContext is the span context of the receive (Tracer.Inject).
	TraceContext map[string]string `json:",omitempty"`
}

func (x *execution) snapshot() inboundJob {
	var last time.Time
	if x.facts.SinceLastReply >= 0 {
		last = x.facts.Time.Add(-x.facts.SinceLastReply)
	}
	return inboundJob{Message: x.ev.Message, NewContact: x.ev.NewContact, Seq: x.seq, Agent: x.facts.Agent,
		Labels: x.facts.Labels, MessageCount: x.facts.MessageCount, LastReply: last, Contact: x.contact, Session: x.sess, At: x.at}
}

// runInbound evaluates a queued message; attempt is the job's
// (workflow.Job.Attempt). It returns an error, for the queue to run the
// job again, while a firing could not finish; the next run resumes it.
func (e *Engine) runInbound(ctx context.Context, j inboundJob, attempt int) error {
	ctx = e.cfg.Tracer.Extract(ctx, j.TraceContext)
	j.Message.Media = e.withFetch(j.Message.Session, j.Message.Media)
	at := j.At
	if at.IsZero() {
		at = j.Message.Time
	}
	x := newExecution(condition.Input{Message: j.Message, Agent: j.Agent, Labels: j.Labels,
		MessageCount: j.MessageCount, LastReply: j.LastReply, IsNewContact: j.NewContact}, j.Contact, j.Session, j.Seq, at)
	defer release(x)
	x.firstRun = j.Fresh && attempt == 1
	_, err := e.run(ctx, x)
	return err
}

// withFetch returns md with a Fetch that downloads from its Ref through
// Config.Media, when it has no Fetch (a job payload carries Ref only).
func (e *Engine) withFetch(session string, md *trigger.Media) *trigger.Media {
	if md == nil || md.Fetch != nil || len(md.Ref) == 0 || e.cfg.Media == nil {
		return md
	}
	c := *md
	c.Fetch = func(ctx context.Context) ([]byte, error) { return e.cfg.Media.FetchMedia(ctx, session, md.Ref) }
	return &c
}

// ignoreReason says why a recorded message must not be automated, or "".
func (e *Engine) ignoreReason(m trigger.Message, in workflow.Inbound, sess workflow.Session, now time.Time) Reason {
	switch {
	case in.Contact.Excluded:
		return ReasonExcluded
	case now.Sub(m.Time) > e.cfg.StaleAfter:
		return ReasonStale
	case sess.Status == workflow.SessionDeleted:
		return ReasonDeleted
	case !sess.Enabled(workflow.ModuleWorkflows):
		return ReasonWorkflowsOff
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
//
// Records come from executionPool (newExecution) and go back to it after
// an evaluation in which no workflow matched (release): nothing but the
// evaluation itself then saw the record. From the first match on — its
// trace, its actions (action.Call.Facts points into the record, the
// runtime holds it), a shadow or failed row — the record is kept and left
// to the garbage collector.
type execution struct {
	ev      trigger.Event
	facts   *condition.Facts
	contact workflow.Contact
	sess    workflow.Session
	seq     int64
	// at is when the message was recorded (log row ids derive from it).
	at time.Time
	// key is the idempotency key base of actions run without a firing (the AI fallback).
	key string
	// firstRun: no evaluation of the message ran before this one, so it
	// has no firing to skip or resume (run reads none).
	firstRun bool
	// factsVal and scope are where facts points and run's scope: one
	// allocation per message for the record, its facts and its scope.
	factsVal condition.Facts
	scope    condition.Scope
	// kept: the record was handed beyond the evaluation (a workflow
	// matched), so it must not be released to the pool.
	kept bool
	// text holds factsVal.Text, folded into it (condition.AppendFold), and
	// is reused by the next message unless textSeen: a candidate was
	// evaluated, so a program (the backends, or a user's) saw the text and
	// may still hold it.
	text     []byte
	textSeen bool
}

// maxPooledText bounds the text buffer a pooled record keeps.
const maxPooledText = 4 << 10

// executionPool holds released records: a record is ~1 KB, and making a
// new one for every message — filling its pointer bitmap and touching
// memory the cache has lost — cost more than the rest of a message that no
// workflow matches (BENCHMARKS.md, fixed cost).
var executionPool = sync.Pool{New: func() any { return new(execution) }}

// newExecution returns the record of one message's evaluation, its facts
// computed from in: a released record when there is one, else one
// allocation.
func newExecution(in condition.Input, contact workflow.Contact, sess workflow.Session, seq int64, at time.Time) *execution {
	x := executionPool.Get().(*execution)
	x.init(in, contact, sess, seq, at)
	return x
}

// init makes x, new or released, the record of in: every field is set
// again, except the buffers it reuses (TestInitSetsEveryField).
func (x *execution) init(in condition.Input, contact workflow.Contact, sess workflow.Session, seq int64, at time.Time) {
	x.ev = trigger.Event{Message: in.Message, NewContact: in.IsNewContact}
	x.contact, x.sess, x.seq, x.at, x.key, x.kept, x.textSeen, x.firstRun = contact, sess, seq, at, "", false, false, false
	x.text = condition.AppendFold(x.text[:0], in.Message.Text)
	folded := ""
	if len(x.text) > 0 {
		folded = unsafe.String(unsafe.SliceData(x.text), len(x.text))
	}
	x.factsVal.SetFolded(in, folded)
	x.facts = &x.factsVal
}

// release returns x to the pool unless it was kept (a workflow matched).
// The caller must not use x afterwards. x is not cleared (clearing 1 KB
// under the garbage collector's write barriers cost a tenth of a
// message): until it is reused, a pooled record keeps its last message's
// strings and scope alive, at most a few records per processor.
func release(x *execution) {
	if x == nil || x.kept {
		return
	}
	if x.textSeen || cap(x.text) > maxPooledText {
		x.text = nil // its text stays as it is for whoever holds it
	}
	executionPool.Put(x)
}

// evaluate runs one candidate workflow: conditions, guards, then its
// firing. prior is the workflow's earlier firing for the message, if any: a
// done one is skipped, a running one resumed. It returns the log entry (nil
// when nothing is to be logged), whether the workflow fired (for its stop)
// and the error that left its firing running. The conditions are matched on
// sc, the message's scope, and traced only when they match.
func (e *Engine) evaluate(ctx context.Context, c *compiled, x *execution, prior *workflow.Firing, sc *condition.Scope) (*workflow.Execution, bool, error) {
	if prior != nil && prior.State == workflow.FiringStateDone {
		return nil, true, nil
	}
	res, err := e.eval(ctx, c, sc)
	if prior == nil && err == nil && !res.Matched {
		return nil, false, nil // no execution, no id: most candidates end here
	}
	// From here the trace, a log row or the actions may refer to x.
	x.kept = true
	ctx, span := e.cfg.Tracer.Start(ctx, SpanWorkflow)
	span.SetString(AttrWorkflow, c.Name)
	span.SetString(AttrWorkflowID, c.ID)
	exec, fired, err := e.matched(ctx, c, x, prior, res, err)
	e.endWorkflowSpan(span, exec, err)
	return exec, fired, err
}

// endWorkflowSpan ends the span of a workflow with its execution's outcome
// and reason, failed when the execution failed or err left it running.
func (e *Engine) endWorkflowSpan(span Span, exec *workflow.Execution, err error) {
	if !e.traced {
		span.End(err)
		return
	}
	if exec != nil {
		span.SetString(AttrOutcome, string(exec.Outcome))
		reason := exec.Reason
		if exec.Outcome == workflow.OutcomeFailed { // the others are the engine's own words
			reason = e.cfg.Redactor.Redact(reason)
			if err == nil {
				err = failure(exec)
			}
		}
		span.SetString(AttrReason, reason)
	}
	e.endSpan(span, err)
}

// failure is the error of a failed execution: its first failed action's,
// else its reason.
func failure(exec *workflow.Execution) error {
	for _, a := range exec.Actions {
		if a.Outcome == workflow.OutcomeFailed {
			return fmt.Errorf("action %s: %s", a.Type, a.Error)
		}
	}
	return errors.New(exec.Reason)
}

// matched is evaluate for a workflow whose conditions matched (res), or
// failed (evalErr), or whose firing is to be resumed (prior).
func (e *Engine) matched(ctx context.Context, c *compiled, x *execution, prior *workflow.Firing, res condition.Result, evalErr error) (*workflow.Execution, bool, error) {
	err := evalErr
	now := e.cfg.Clock.Now()
	m := x.ev.Message
	exec := &workflow.Execution{
		ID: logID(x.at, "eval/"+c.ID+"/"+m.Session+"/"+m.ID), Time: now, WorkflowID: c.ID, Workflow: c.Name,
		Session: m.Session, Phone: m.Phone, MessageID: m.ID, Trigger: c.Trigger,
	}
	exec.Trace = res.Trace
	switch {
	case prior != nil:
		return e.fire(ctx, c, x, *prior, exec)
	case err != nil:
		exec.Outcome, exec.Reason = workflow.OutcomeFailed, ReasonConditionsFailed.with(err.Error())
	case !res.Matched:
		return nil, false, nil
	case c.Mode == workflow.ModeShadow:
		exec.Outcome, exec.Reason = workflow.OutcomeShadow, string(ReasonShadow)
		for _, s := range c.Actions {
			exec.Actions = append(exec.Actions, workflow.ActionResult{Type: s.Type, Outcome: workflow.OutcomeShadow, Detail: detailShadow})
		}
	default:
		text, err := e.cooldown(ctx, c, x, now)
		if err != nil {
			return nil, false, err
		}
		if text != "" {
			exec.Outcome, exec.Reason = workflow.OutcomeSkipped, text
			return exec, false, nil
		}
		f := workflow.Firing{WorkflowID: c.ID, Session: m.Session, Phone: m.Phone, MessageID: m.ID, At: now, State: workflow.FiringStateRunning}
		first, err := e.cfg.Store.BeginFiring(ctx, f)
		if err != nil {
			return nil, false, fmt.Errorf("begin firing: %w", err)
		}
		if !first {
			// Another run of the message began it meanwhile: resume or skip it as found.
			return e.rerun(ctx, c, x, exec)
		}
		return e.fire(ctx, c, x, f, exec)
	}
	return exec, false, nil
}

// rerun resumes or skips the firing of c that another run began.
func (e *Engine) rerun(ctx context.Context, c *compiled, x *execution, exec *workflow.Execution) (*workflow.Execution, bool, error) {
	fs, err := e.cfg.Store.FiringsOf(ctx, x.ev.Message.Session, x.ev.Message.ID)
	if err != nil {
		return nil, true, fmt.Errorf("read firing: %w", err)
	}
	for _, f := range fs {
		if f.WorkflowID == c.ID && f.State == workflow.FiringStateRunning {
			return e.fire(ctx, c, x, f, exec)
		}
	}
	return nil, true, nil
}

// fire runs (or resumes) the actions of firing f and finishes it with its
// log row exec. An error leaves the firing running.
func (e *Engine) fire(ctx context.Context, c *compiled, x *execution, f workflow.Firing, exec *workflow.Execution) (*workflow.Execution, bool, error) {
	exec.ID = logID(f.At, f.ID())
	exec.Outcome, exec.Reason = workflow.OutcomeFired, string(ReasonMatched)
	actions, unrecorded, err := e.runActions(ctx, c, x, &f)
	if err != nil {
		return nil, true, err
	}
	exec.Actions = actions
	for _, a := range exec.Actions {
		if a.Outcome == workflow.OutcomeFailed {
			exec.Outcome = workflow.OutcomeFailed
		}
	}
	exec.Time = e.cfg.Clock.Now()
	if err := e.cfg.Store.FinishFiring(ctx, f, e.redacted(*exec)); err != nil {
		if unrecorded != nil {
			// The retry must find the send done, as if its step had been
			// recorded at once (runActions); if this write fails too, the
			// retry sends it again with the same id, as after a crash.
			if err := e.cfg.Store.CompleteStep(ctx, f.ID(), *unrecorded); err != nil {
				e.log.WarnContext(ctx, "recording a sent reply's step failed too", slog.String("firing", f.ID()), slog.Any("err", err))
			}
		}
		return nil, true, fmt.Errorf("finish firing: %w", err)
	}
	return exec, true, nil
}

// evalTraced evaluates the conditions of c on f with their whole trace,
// matched or not (replays and send-time verification compare traces).
func (e *Engine) evalTraced(ctx context.Context, c *compiled, f *condition.Facts) (res condition.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.prog.Eval(ctx, f)
}

// eval matches the conditions of c on the message of sc and, when they
// match, traces them (the trace is the log's "why"): the boolean first, the
// trace only for the workflows that match.
func (e *Engine) eval(ctx context.Context, c *compiled, sc *condition.Scope) (res condition.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if ok, err := c.prog.Match(ctx, sc); err != nil || !ok {
		return condition.Result{}, err
	}
	return c.prog.Trace(ctx, sc)
}

// cooldown says why the workflow must not fire again yet (ReasonCooldown
// with its detail), or "".
func (e *Engine) cooldown(ctx context.Context, c *compiled, x *execution, now time.Time) (string, error) {
	if c.Cooldown <= 0 {
		return "", nil
	}
	m := x.ev.Message
	last, err := e.cfg.Store.LastFired(ctx, c.ID, m.Session, m.Phone)
	if err != nil {
		return "", fmt.Errorf("cooldown check: %w", err)
	}
	if !last.IsZero() && now.Sub(last) < c.Cooldown {
		return ReasonCooldown.with(fmt.Sprintf(cooldownDetail, now.Sub(last).Round(time.Second))), nil
	}
	return "", nil
}

// runActions runs the actions of firing f (nil: a run without durable
// steps, e.g. the AI fallback) in order. A completed step of a resumed
// firing is not run again: its stored result is reused. A retryable error
// (store or transport) stops the run and is returned; any other action
// error is the action's failed result.
//
// Every step is recorded as it completes, except the last action's (it
// completes with FinishFiring) and, when that action is a built-in reply
// run without middleware, its send: the send is the last thing the firing
// does, so its step is returned unrecorded for FinishFiring, which
// records the firing done in the same write. A crash between the send and
// that write sends the reply again with the same id, as a crash between
// the send and its own step's write did; one write less per reply (the
// step's insert, and its delete by FinishFiring).
func (e *Engine) runActions(ctx context.Context, c *compiled, x *execution, f *workflow.Firing) ([]workflow.ActionResult, *workflow.FiringStep, error) {
	rt := &runtime{e: e, wf: c, x: x, firing: f}
	base := x.key
	if f != nil {
		base = f.ID()
	}
	call := &action.Call{
		WorkflowID: c.ID, Workflow: c.Name, Event: x.ev, Facts: x.facts,
		Contact:      action.Contact{Phone: x.contact.Phone, Name: x.contact.Name, Labels: x.contact.Labels},
		SessionLabel: x.sess.Label, Runtime: rt,
	}
	out := make([]workflow.ActionResult, 0, len(c.Actions))
	for i, s := range c.Actions {
		step := strconv.Itoa(i)
		if done, ok := rt.done(step); ok {
			out = append(out, done.Result)
			continue
		}
		rt.begin(base, step)
		rt.finishes = i == len(c.Actions)-1 && len(e.cfg.Middleware) == 0 && isReply(s.Action)
		call.IdempotencyKey = rt.key
		err := runAction(ctx, action.Chain(s.Action, e.cfg.Middleware...), call)
		if isRetryable(err) {
			return nil, nil, fmt.Errorf("action %d (%s): %w", i, s.Type, err)
		}
		r := workflow.ActionResult{Type: s.Type, Outcome: workflow.OutcomeFired, Detail: rt.detail}
		switch {
		case errors.Is(err, ErrSkipped):
			r.Outcome, r.Error = workflow.OutcomeSkipped, err.Error()
		case errors.Is(err, errSendCancelled):
			r.Outcome, r.Error = workflow.OutcomeCancelled, err.Error()
		case err != nil:
			r.Outcome, r.Error = workflow.OutcomeFailed, err.Error()
			e.log.WarnContext(ctx, "action failed", slog.String("workflow", c.Name), slog.String("action", s.Type), slog.Any("err", err))
		}
		r.ErrorCode = errorCode(err)
		// The last action completes with the firing's finish.
		if i < len(c.Actions)-1 {
			if err := rt.complete(ctx, workflow.FiringStep{Key: step, Result: e.redactedResult(r)}); err != nil {
				return nil, nil, err
			}
		}
		out = append(out, r)
	}
	return out, rt.unrecorded, nil
}

// isReply reports whether a is the built-in reply action, whose send is
// the last thing it does.
func isReply(a action.Action) bool {
	_, ok := a.(*action.Reply)
	return ok
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

// redacted returns x with the secrets in its texts redacted, as it is stored.
func (e *Engine) redacted(x workflow.Execution) workflow.Execution {
	x.Reason = e.cfg.Redactor.Redact(x.Reason)
	x.Actions = slices.Clone(x.Actions)
	for i := range x.Actions {
		x.Actions[i] = e.redactedResult(x.Actions[i])
	}
	return x
}

// redactedResult returns r with the secrets in its detail and error redacted.
func (e *Engine) redactedResult(r workflow.ActionResult) workflow.ActionResult {
	r.Detail, r.Error = e.cfg.Redactor.Redact(r.Detail), e.cfg.Redactor.Redact(r.Error)
	return r
}
