package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// aiJob is the payload of an AI reply job.
type aiJob struct {
	WorkflowID, Workflow string
	Session, Phone       string
	ContactName          string
	// MessageID, Seq, Text and At are those of the trigger (the burst's
	// last message when debounced); FirstSeq bounds the history.
	MessageID string
	Seq       int64
	FirstSeq  int64
	Text      string
	Type      trigger.MessageType
	Req       action.AIReplyRequest
	// Burst is the key of a debounced burst, "" otherwise.
	Burst string
	// Key is the idempotency key of the ai_reply action: the reply's
	// message id and log row id derive from it.
	Key string
	// At is when the reply was queued.
	At time.Time
	// Media is the trigger's attachment (its Ref; Fetch is rebuilt).
	Media *trigger.Media `json:",omitempty"`
	// NewContact and Trace are the trigger's, for Req.Verify.Conditions.
	NewContact bool
	Trace      condition.Trace
	// TraceContext is the span context of the workflow that queued the
	// reply (Tracer.Inject).
	TraceContext map[string]string `json:",omitempty"`
}

// origin is the SendOrigin of j's reply: its send-time check and, when a
// transport failure defers the send to a job, the check of that job.
func (j aiJob) origin() workflow.SendOrigin {
	return workflow.SendOrigin{WorkflowID: j.WorkflowID, Workflow: j.Workflow, MessageID: j.MessageID, Text: j.Text, Type: j.Type,
		NewContact: j.NewContact, VerifyConditions: j.Req.Verify.Conditions, Trace: j.Trace,
		VerifyCustomerMessage: j.Req.Verify.CustomerMessage, VerifyAgentReply: j.Req.Verify.AgentReply, Seq: j.Seq}
}

// bursts tracks debounced AI replies waiting for the customer to be quiet.
// They live in memory: after a restart, the job of a waiting burst answers
// the message that started it alone.
type bursts struct {
	mu sync.Mutex
	m  map[string]*burst
}

type burst struct {
	session, phone string
	first, last    time.Time
	texts          []string
	lastID         string
	lastSeq        int64
	firstSeq       int64
	// firstID is the id of the message that started the burst: its jobs carry it.
	firstID string
	// lastType and lastMedia are those of the last message.
	lastType  trigger.MessageType
	lastMedia *trigger.Media
	rounds    int
}

// add appends an incoming message to every waiting burst of its conversation.
func (b *bursts) add(session, phone string, m trigger.Message, seq int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, x := range b.m {
		if x.session == session && x.phone == phone && x.lastSeq < seq {
			x.texts = append(x.texts, m.Text)
			x.last, x.lastID, x.lastSeq, x.lastType, x.lastMedia = m.Time, m.ID, seq, m.Type, m.Media
		}
	}
}

// queueAI schedules the AI reply of one firing and returns a log detail.
func (e *Engine) queueAI(ctx context.Context, c *compiled, x *execution, req action.AIReplyRequest, idemKey string) (string, error) {
	m := x.ev.Message
	job := aiJob{WorkflowID: c.ID, Workflow: c.Name, Session: m.Session, Phone: m.Phone, ContactName: x.contact.Name,
		MessageID: m.ID, Seq: x.seq, FirstSeq: x.seq, Text: m.Text, Type: m.Type, Req: req, Key: idemKey, Media: m.Media,
		NewContact: x.ev.NewContact, Trace: e.triggerTrace(ctx, c, x, req.Verify.Conditions), TraceContext: e.cfg.Tracer.Inject(ctx)}
	now := e.cfg.Clock.Now()
	job.At = now
	if req.Debounce <= 0 {
		return detailAIGenerating, e.enqueue(ctx, "ai_reply", "ai/"+c.ID+"/"+m.Session+"/"+m.ID, now, job)
	}
	key := c.ID + "/" + m.Session + "/" + m.Phone
	e.burst.mu.Lock()
	if e.burst.m == nil {
		e.burst.m = map[string]*burst{}
	}
	if _, ok := e.burst.m[key]; ok {
		e.burst.mu.Unlock()
		return detailAIJoinedBurst, nil
	}
	e.burst.m[key] = &burst{session: m.Session, phone: m.Phone, first: m.Time, last: m.Time, texts: []string{m.Text}, lastID: m.ID, lastSeq: x.seq, firstSeq: x.seq, firstID: m.ID, lastType: m.Type, lastMedia: m.Media}
	e.burst.mu.Unlock()
	job.Burst = key
	return detailAIDebouncing, e.enqueue(ctx, "ai_reply", "ai/"+key+"/"+m.ID, m.Time.Add(req.Debounce), job)
}

// burstReady returns the job to generate now, or false after re-queuing
// it for when the burst will be quiet.
func (e *Engine) burstReady(ctx context.Context, j aiJob) (aiJob, bool, error) {
	now := e.cfg.Clock.Now()
	e.burst.mu.Lock()
	b, ok := e.burst.m[j.Burst]
	if !ok || b.firstID != j.MessageID {
		// The burst is not in memory: the process restarted while it
		// waited. Answer the message that started it rather than nothing.
		e.burst.mu.Unlock()
		return j, true, nil
	}
	due := b.last.Add(j.Req.Debounce)
	if limit := b.first.Add(j.Req.MaxWait); limit.Before(due) {
		due = limit
	}
	if now.Before(due) {
		b.rounds++
		id := fmt.Sprintf("ai/%s/%s/%d", j.Burst, j.MessageID, b.rounds)
		e.burst.mu.Unlock()
		return j, false, e.enqueue(ctx, "ai_reply", id, due, j)
	}
	delete(e.burst.m, j.Burst)
	e.burst.mu.Unlock()
	j.Text = strings.Join(b.texts, "\n")
	j.MessageID, j.Seq, j.FirstSeq, j.Type, j.Media = b.lastID, b.lastSeq, b.firstSeq, b.lastType, b.lastMedia
	return j, true, nil
}

// runAI generates, checks and sends one AI reply, logging the outcome. A
// store failure returns an error for the queue to run the job again: the
// reply then keeps its message id and its log row id.
func (e *Engine) runAI(ctx context.Context, j aiJob) (err error) {
	if j.Key == "" { // queued before jobs had keys
		j.Key = "ai/" + j.WorkflowID + "/" + j.Session + "/" + j.MessageID
	}
	ctx = e.cfg.Tracer.Extract(ctx, j.TraceContext)
	if j.Burst != "" {
		var ready bool
		if j, ready, err = e.burstReady(ctx, j); !ready || err != nil {
			return err
		}
	}
	ctx, span := e.cfg.Tracer.Start(ctx, SpanAIReply)
	span.SetString(AttrWorkflow, j.Workflow)
	span.SetString(AttrWorkflowID, j.WorkflowID)
	span.SetString(AttrSession, j.Session)
	span.SetString(AttrMessageID, j.MessageID)
	exec := workflow.Execution{WorkflowID: j.WorkflowID, Workflow: j.Workflow, Session: j.Session, Phone: j.Phone, MessageID: j.MessageID, Trigger: trigger.KindIncomingMessage}
	res := workflow.ActionResult{Type: "ai_reply"}
	outcome, reason, err := e.generateAndSend(ctx, j, &res, &exec.Trace, span)
	span.SetString(AttrOutcome, string(outcome))
	span.SetString(AttrReason, string(reason))
	span.SetInt(AttrCredits, res.Credits)
	defer func() { // the job's error, else the reply's failure
		failed := err
		if failed == nil && outcome == workflow.OutcomeFailed {
			failed = fmt.Errorf("%s: %s", reason, res.Error)
		}
		e.endSpan(span, failed)
	}()
	if isRetryable(err) {
		return fmt.Errorf("ai reply of %s: %w", j.MessageID, err)
	}
	exec.Outcome, exec.Reason, res.Outcome = outcome, string(reason), outcome
	if err != nil {
		res.Error, res.ErrorCode = err.Error(), errorCode(err)
		e.log.WarnContext(ctx, "ai reply not sent", slog.String("workflow", j.Workflow), slog.String("reason", string(reason)), slog.Any("err", err))
	}
	if reason == ReasonModelFailed || reason == ReasonNoModel || reason == ReasonNoCredits {
		if exec.Actions, err = e.fallback(ctx, j); err != nil {
			return fmt.Errorf("ai fallback of %s: %w", j.MessageID, err)
		}
	}
	now := e.cfg.Clock.Now()
	at := j.At
	if at.IsZero() {
		at = now
	}
	exec.ID, exec.Time, exec.Actions = logID(at, "ai/"+j.Key+"/"+j.WorkflowID+"/"+j.Session+"/"+j.MessageID), now, append([]workflow.ActionResult{res}, exec.Actions...)
	if err := e.cfg.Store.AppendLogs(ctx, []workflow.Execution{e.redacted(exec)}); err != nil {
		return fmt.Errorf("ai reply of %s: execution log: %w", j.MessageID, err)
	}
	return nil
}

// fallback runs Config.AIFallback in the conversation of an AI reply that
// could not be given: the model failed, none is configured, or credits ran
// out.
func (e *Engine) fallback(ctx context.Context, j aiJob) ([]workflow.ActionResult, error) {
	if len(e.cfg.AIFallback) == 0 {
		return nil, nil
	}
	conv, _ := e.cfg.Store.Conversation(ctx, j.Session, j.Phone)
	contact, _ := e.cfg.Store.Contact(ctx, j.Phone)
	m := trigger.Message{ID: j.MessageID, Session: j.Session, Phone: j.Phone, Type: j.Type, Text: j.Text, Time: e.cfg.Clock.Now()}
	x := &execution{ev: trigger.Event{Message: m}, contact: contact, sess: e.session(ctx, j.Session), seq: j.Seq, key: j.Key + "/ai/fallback",
		facts: condition.NewFacts(condition.Input{Message: m, Agent: conv.Agent, Labels: contact.Labels, MessageCount: int(conv.MessageCount), LastReply: conv.LastReplyAt})}
	c := &compiled{Workflow: workflow.Workflow{ID: j.WorkflowID, Name: j.Workflow, Actions: e.cfg.AIFallback}}
	out, _, err := e.runActions(ctx, c, x, nil)
	return out, err
}

// generateAndSend generates the reply of j and sends it. A reply that an
// earlier run of the job generated and recorded (the run was cut before its
// log row) is sent again with its id, neither generated nor charged again.
// Store failures are retryable errors.
func (e *Engine) generateAndSend(ctx context.Context, j aiJob, res *workflow.ActionResult, trace *condition.Trace, span Span) (workflow.Outcome, Reason, error) {
	id := MessageIDFor(j.Key + "/ai")
	rec, err := e.cfg.Store.Message(ctx, j.Session, id)
	switch {
	case err == nil:
		res.Detail = detailAIResent
		if e.meter.Load() {
			// The first run charged the reply when it sent it; the row says
			// what it cost (a function of its text), not charged again.
			res.Credits = creditCost(strings.TrimPrefix(rec.Text, j.Req.Prefix), e.cfg.CharsPerCredit)
		}
		if err := e.sendOrQueue(ctx, workflow.Outgoing{ID: id, Session: j.Session, To: j.Phone, Text: rec.Text, Kind: workflow.SendAI, Workflow: j.Workflow, Typing: true}); err != nil {
			return workflow.OutcomeFailed, ReasonSendFailed, err
		}
		return workflow.OutcomeFired, ReasonAISent, nil
	case !errors.Is(err, workflow.ErrNotFound):
		return workflow.OutcomeFailed, "", retryable(fmt.Errorf("read the reply %s: %w", id, err))
	}
	if s := e.session(ctx, j.Session); !s.Enabled(workflow.ModuleAI) {
		return workflow.OutcomeSkipped, ReasonAIOff, ErrModuleOff
	}
	meter := e.meter.Load()
	if meter {
		bal, err := e.cfg.Store.CreditBalance(ctx)
		if err != nil {
			return workflow.OutcomeFailed, "", retryable(fmt.Errorf("credit check: %w", err))
		}
		if bal <= 0 {
			return workflow.OutcomeSkipped, ReasonNoCredits, ErrNoCredits
		}
	}
	if e.cfg.Responder == nil {
		return workflow.OutcomeFailed, ReasonNoModel, fmt.Errorf("ai_reply: Config.Responder is nil")
	}
	req, err := e.aiRequest(ctx, j)
	if err != nil {
		return workflow.OutcomeFailed, "", retryable(fmt.Errorf("history: %w", err))
	}
	reply, err := e.generate(ctx, req, span)
	if err != nil {
		return workflow.OutcomeFailed, ReasonModelFailed, fmt.Errorf("ai_reply: %w", err)
	}
	res.Detail = fmt.Sprintf(detailAIUsage, reply.Usage.Model, reply.Usage.PromptTokens, reply.Usage.CompletionTokens)
	if reason, err := e.preSendCheck(ctx, j, trace); reason != "" || err != nil {
		return notSent(reason, err)
	}
	o := j.origin()
	m, err := e.pace(ctx, workflow.Outgoing{ID: id, Session: j.Session, To: j.Phone, Text: j.Req.Prefix + reply.Text, Kind: workflow.SendAI, Workflow: j.Workflow, Typing: true, Origin: &o})
	if err == nil && m.Paced {
		// The pacing wait ("typing…" for the reply's length, the gap
		// since the last reply): checked again, as after the model's.
		if reason, err := e.preSendCheck(ctx, j, trace); reason != "" || err != nil {
			e.unpace(ctx, m)
			return notSent(reason, err)
		}
	}
	if err == nil {
		err = e.send(ctx, m)
	}
	if err = e.queueFailedSend(ctx, m, err); err != nil {
		return workflow.OutcomeFailed, ReasonSendFailed, err
	}
	if meter {
		cost := creditCost(reply.Text, e.cfg.CharsPerCredit)
		if _, err := e.cfg.Store.DebitCredits(ctx, cost); err != nil {
			e.log.ErrorContext(ctx, "credit debit failed", slog.Int64("cost", cost), slog.Any("err", err))
		} else {
			e.cfg.Metrics.CreditsDebited(cost)
		}
		res.Credits = cost
		res.Detail = fmt.Sprintf(detailAIUsageCost, reply.Usage.Model, reply.Usage.PromptTokens, reply.Usage.CompletionTokens, cost)
	}
	return workflow.OutcomeFired, ReasonAISent, nil
}

// generate asks the Responder for the reply of req within AIDeadline and
// SpanAIGenerate; span (the AI reply's) gets the model, its usage and its
// latency.
func (e *Engine) generate(ctx context.Context, req ai.Request, span Span) (ai.Reply, error) {
	gctx, gspan := e.cfg.Tracer.Start(ctx, SpanAIGenerate)
	gctx, cancel := context.WithTimeout(gctx, e.cfg.AIDeadline)
	start := e.cfg.Clock.Now()
	reply, err := e.cfg.Responder.Respond(gctx, req)
	latency := e.cfg.Clock.Now().Sub(start)
	cancel()
	if err == nil && strings.TrimSpace(reply.Text) == "" {
		err = ai.ErrEmptyReply
	}
	for _, s := range []Span{gspan, span} {
		s.SetString(AttrModel, reply.Usage.Model)
		s.SetInt(AttrInputTokens, int64(reply.Usage.PromptTokens))
		s.SetInt(AttrOutputTokens, int64(reply.Usage.CompletionTokens))
	}
	span.SetInt(AttrModelLatency, latency.Milliseconds())
	e.endSpan(gspan, err)
	return reply, err
}

// sendOrQueue sends m; when the transport fails it queues a retry of the
// send with the same id (the reply is generated already), which runs the
// send-time check of m.Origin again (retrySend).
func (e *Engine) sendOrQueue(ctx context.Context, m workflow.Outgoing) error {
	return e.queueFailedSend(ctx, m, e.send(ctx, m))
}

// queueFailedSend queues the retry of m when err, its send's outcome, is
// the transport's (or its pacing's) and returns what the queue said;
// err as it is otherwise.
func (e *Engine) queueFailedSend(ctx context.Context, m workflow.Outgoing, err error) error {
	var r *retryableError
	if errors.As(err, &r) && r.transport {
		return e.enqueue(ctx, workflow.JobSend, "send/"+m.Session+"/"+m.ID, e.cfg.Clock.Now().Add(time.Second), sendJob{Outgoing: m, TraceContext: e.cfg.Tracer.Inject(ctx)})
	}
	return err
}

// preSendCheck is the pre-send check of j's reply (overtaken): the reason
// it is cancelled (EffectCancel reported), "" when it goes, or the Store's
// error, retryable.
func (e *Engine) preSendCheck(ctx context.Context, j aiJob, trace *condition.Trace) (Reason, error) {
	reason, err := e.overtaken(ctx, j, trace)
	switch {
	case err != nil:
		return "", retryable(fmt.Errorf("pre-send check: %w", err))
	case reason != "":
		e.cfg.Observer.Effect(ctx, Effect{Kind: EffectCancel, Time: e.cfg.Clock.Now(), Session: j.Session, Phone: j.Phone, Workflow: j.Workflow, Reason: string(reason)})
	}
	return reason, nil
}

// notSent is the outcome of a reply preSendCheck stopped: failed on err,
// cancelled for reason otherwise.
func notSent(reason Reason, err error) (workflow.Outcome, Reason, error) {
	if err != nil {
		return workflow.OutcomeFailed, "", err
	}
	return workflow.OutcomeCancelled, reason, nil
}

// overtaken is the pre-send check: ReasonCustomerMessage or ReasonAgentReply
// when the conversation moved on after the trigger, ReasonConditionsChanged
// when the workflow's conditions no longer hold (their traces then in
// *trace), "" otherwise.
func (e *Engine) overtaken(ctx context.Context, j aiJob, trace *condition.Trace) (Reason, error) {
	reason, err := e.overtakenBy(ctx, j.Session, j.Phone, j.origin())
	switch {
	case reason != "" || err != nil:
		return reason, err
	case j.Req.Verify.Conditions:
		changed, t, err := e.conditionsChanged(ctx, j.Session, j.Phone, j.origin())
		*trace = t
		if changed {
			return ReasonConditionsChanged, err
		}
		return "", err
	}
	return "", nil
}

// overtakenBy is ReasonCustomerMessage or ReasonAgentReply when o asks
// for that check and the customer, or an agent, wrote in the conversation
// of session and phone after o's trigger; "" otherwise.
func (e *Engine) overtakenBy(ctx context.Context, session, phone string, o workflow.SendOrigin) (Reason, error) {
	if !o.VerifyCustomerMessage && !o.VerifyAgentReply {
		return "", nil
	}
	conv, err := e.cfg.Store.Conversation(ctx, session, phone)
	switch {
	case err != nil:
		return "", err
	case o.VerifyCustomerMessage && conv.LastInboundSeq > o.Seq:
		return ReasonCustomerMessage, nil
	case o.VerifyAgentReply && conv.LastAgentSeq > o.Seq:
		return ReasonAgentReply, nil
	}
	return "", nil
}

func (e *Engine) aiRequest(ctx context.Context, j aiJob) (ai.Request, error) {
	var hist []workflow.MessageRecord
	if j.Req.History > 0 {
		var err error
		if hist, err = e.cfg.Store.History(ctx, j.Session, j.Phone, j.FirstSeq, j.Req.History); err != nil {
			return ai.Request{}, err
		}
	}
	req := ai.Request{AccountPrompt: e.cfg.AccountPrompt, Prompt: j.Req.Prompt, Prefix: j.Req.Prefix, Helpers: j.Req.Helpers, ContactName: j.ContactName,
		Message: ai.Message{Role: ai.RoleCustomer, Text: j.Text, At: e.cfg.Clock.Now(), Media: e.mediaOf(j)}}
	for _, h := range hist {
		text := h.Text
		if h.Author == workflow.AuthorAutomation {
			text = strings.TrimPrefix(text, j.Req.Prefix)
		}
		req.History = append(req.History, ai.Message{Role: ai.Role(h.Author), Text: text, At: h.Time})
	}
	return req, nil
}

// creditCost is what an AI reply of text costs: ceil(runes/charsPerCredit), at least 1.
func creditCost(text string, charsPerCredit int) int64 {
	n := utf8.RuneCountInString(text)
	return max(1, int64((n+charsPerCredit-1)/charsPerCredit))
}

// aiMediaTypes are the message types whose attachment a model may be given.
var aiMediaTypes = map[trigger.MessageType]bool{
	trigger.MessageImage: true, trigger.MessageDocument: true, trigger.MessageAudio: true,
	trigger.MessageVideo: true, trigger.MessageSticker: true,
}

// mediaOf returns the attachment of the triggering message, its kind the
// message's type and its bytes fetched from the transport's durable
// reference.
func (e *Engine) mediaOf(j aiJob) *trigger.Media {
	if j.Media == nil || !aiMediaTypes[j.Type] {
		return nil
	}
	m := *e.withFetch(j.Session, j.Media)
	m.Kind = j.Type
	return &m
}
