package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// runtime is the action.Runtime of one workflow firing.
type runtime struct {
	e  *Engine
	wf *compiled
	x  *execution
	// firing is the firing whose steps are recorded; nil for a run without
	// durable steps (the AI fallback).
	firing *workflow.Firing
	// key is the idempotency key of the running action (base/step), step
	// its step key in the firing.
	key, step string
	// sends and posts count the sends and webhook posts of the running action.
	sends, posts int
	detail       string
	// finishes says that the running action is the firing's last and a
	// built-in reply, whose send is the last thing it does: that send's
	// step is then not recorded on its own but left in unrecorded, for
	// FinishFiring, which records the firing done (and deletes its steps)
	// in the same write. See runActions.
	finishes   bool
	unrecorded *workflow.FiringStep
}

// begin starts the action with step key step under the idempotency key base.
func (r *runtime) begin(base, step string) {
	r.key, r.step, r.sends, r.posts, r.detail = base+"/"+step, step, 0, 0, ""
}

// done returns the completed step key of the firing, if any.
func (r *runtime) done(key string) (workflow.FiringStep, bool) {
	if r.firing == nil {
		return workflow.FiringStep{}, false
	}
	return r.firing.Step(key)
}

// complete records a completed step of the firing.
func (r *runtime) complete(ctx context.Context, s workflow.FiringStep) error {
	if r.firing == nil {
		return nil
	}
	if u := r.unrecorded; u != nil {
		r.unrecorded = nil
		if err := r.complete(ctx, *u); err != nil {
			return err
		}
	}
	if err := r.e.cfg.Store.CompleteStep(ctx, r.firing.ID(), s); err != nil {
		return retryable(fmt.Errorf("record step %s: %w", s.Key, err))
	}
	return nil
}

func (r *runtime) Send(ctx context.Context, text string) error {
	m := r.x.ev.Message
	return r.sendOnce(ctx, workflow.Outgoing{Session: m.Session, To: m.Phone, Text: text, Kind: workflow.SendFixed, Workflow: r.wf.Name, Typing: true})
}

// SendMedia sends a file through the same path as Send; the caption is the
// message's text (and the send effect's Text).
func (r *runtime) SendMedia(ctx context.Context, md trigger.Media, caption string) error {
	om := &trigger.Media{Kind: md.Kind, MIMEType: md.MIMEType, FileName: md.FileName, Data: md.Data}
	if err := workflow.ValidateMedia(om, caption); err != nil {
		return fmt.Errorf("send media: %w", err)
	}
	if om.MIMEType == "" {
		om.MIMEType = http.DetectContentType(om.Data)
	}
	m := r.x.ev.Message
	return r.sendOnce(ctx, workflow.Outgoing{Session: m.Session, To: m.Phone, Text: caption, Kind: workflow.SendFixed, Workflow: r.wf.Name, Typing: true, Media: om})
}

// SendReply sends a fixed reply now (Send with the send-time check of
// r.VerifyConditions when the send is deferred) or, with a Delay, plans
// it as a scheduled follow-up of the firing.
func (r *runtime) SendReply(ctx context.Context, req action.ReplyRequest) error {
	o := originOf(r.wf, r.x, req.VerifyConditions)
	if req.Delay > 0 {
		return r.followUp(ctx, req, o)
	}
	m := r.x.ev.Message
	return r.sendOnce(ctx, workflow.Outgoing{Session: m.Session, To: m.Phone, Text: req.Text, Kind: workflow.SendFixed, Workflow: r.wf.Name, Typing: true, Origin: o})
}

// followUp plans req as a scheduled message sent req.Delay from now, once
// per running action: its ids derive from the action's idempotency key,
// so a resumed firing finds it planned. Its origin carries the decision's
// trace for the send-time check.
func (r *runtime) followUp(ctx context.Context, req action.ReplyRequest, o *workflow.SendOrigin) error {
	n := strconv.Itoa(r.sends)
	r.sends++
	step := r.step + "/followup/" + n
	if _, ok := r.done(step); ok {
		return nil
	}
	e, key, now := r.e, r.key+"/followup/"+n, r.e.cfg.Clock.Now()
	o.Trace = e.triggerTrace(ctx, r.wf, r.x, o.VerifyConditions)
	loc := e.Location()
	m := workflow.ScheduledMessage{ID: followUpID(key), Session: r.x.ev.Message.Session, Phone: r.x.ev.Message.Phone, Text: req.Text,
		At: now.Add(req.Delay), Location: loc.String(), Status: workflow.SchedulePending, MessageID: MessageIDFor(key), CreatedAt: now, Origin: o}
	if err := e.putScheduled(ctx, m, true); err != nil {
		return retryable(fmt.Errorf("plan the follow-up: %w", err))
	}
	r.detail = fmt.Sprintf(detailFollowUp, m.ID, m.At.In(loc).Format("2006-01-02 15:04"), loc)
	return r.complete(ctx, workflow.FiringStep{Key: step})
}

// followUpID is the scheduled message id of the follow-up of key.
func followUpID(key string) string {
	h := sha256.Sum256([]byte("waauto/followup/" + key))
	return "followup-" + hex.EncodeToString(h[:8])
}

// sendOnce sends m as the next send of the running action: its id derives
// from the action's idempotency key, so a resumed firing sends the same id,
// and a send the transport acknowledged before is not sent again. A send
// an earlier run recorded but could not deliver (the transport failed, or
// pacing deferred it) is a deferred send: with m.Origin.VerifyConditions
// it goes only if the workflow's conditions still hold (errSendCancelled
// otherwise).
func (r *runtime) sendOnce(ctx context.Context, m workflow.Outgoing) error {
	n := strconv.Itoa(r.sends)
	r.sends++
	step := r.step + "/send/" + n
	if _, ok := r.done(step); ok {
		return nil
	}
	m.ID = MessageIDFor(r.key + "/send/" + n)
	m, err := r.e.pace(ctx, m)
	if err != nil {
		return err
	}
	if ok, err := r.stillRightToSend(ctx, m, n); err != nil || !ok {
		r.e.unpace(ctx, m)
		if err != nil {
			return err
		}
		if err := r.complete(ctx, workflow.FiringStep{Key: step}); err != nil {
			return err
		}
		return errSendCancelled
	}
	if err := r.e.send(ctx, m); err != nil {
		return err
	}
	if r.finishes && r.firing != nil {
		r.unrecorded = &workflow.FiringStep{Key: step}
		return nil
	}
	return r.complete(ctx, workflow.FiringStep{Key: step})
}

// stillRightToSend is the send-time check of m, the n-th send of the
// running action, when it was deferred: it waited for its pacing slot
// (m.Paced), or an earlier run recorded it (a failed attempt); true
// without a check otherwise. Known limits: a send recorded by a failed
// attempt and cancelled keeps its outbound record (the Store cannot forget
// one), and a send the transport delivered just before a crash (before
// its step was recorded) may be checked again on resume and logged as
// cancelled.
func (r *runtime) stillRightToSend(ctx context.Context, m workflow.Outgoing, n string) (bool, error) {
	if m.Origin == nil || !m.Origin.VerifyConditions {
		return true, nil
	}
	if !m.Paced {
		if recorded, err := r.e.recorded(ctx, m); err != nil || !recorded {
			return err == nil, err
		}
	}
	m.Origin.Trace = r.e.triggerTrace(ctx, r.wf, r.x, true)
	at := r.e.cfg.Clock.Now()
	if r.firing != nil {
		at = r.firing.At
	}
	return r.e.stillRight(ctx, m.Session, m.To, m.Origin, "reply", at, r.key+"/send/"+n)
}

// recorded reports whether an earlier attempt recorded m (and its
// transport failed); a Store failure is retryable.
func (e *Engine) recorded(ctx context.Context, m workflow.Outgoing) (bool, error) {
	_, err := e.cfg.Store.Message(ctx, m.Session, m.ID)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		return false, nil // the first attempt
	case err != nil:
		return false, retryable(fmt.Errorf("read the reply %s: %w", m.ID, err))
	}
	return true, nil
}

// sendJob is the payload of a send retried from a job: the message (its
// fields at the top level, as jobs queued before TraceContext have them)
// and the span context of the first attempt's caller.
type sendJob struct {
	workflow.Outgoing
	TraceContext map[string]string `json:",omitempty"`
}

// retrySend is the job of a send whose transport failed or whose pacing
// put it off: its pacing wait, the send-time checks of m.Origin (an AI
// reply put off before it was recorded and overtaken meanwhile by the
// customer or an agent; the conditions), then the send with the same id,
// recorded now if the first attempt did not get that far (a send is
// recorded once either way).
func (e *Engine) retrySend(ctx context.Context, j sendJob) error {
	ctx = e.cfg.Tracer.Extract(ctx, j.TraceContext)
	m, err := e.pace(ctx, j.Outgoing)
	if err != nil {
		return err
	}
	kind := "reply"
	if m.Kind == workflow.SendAI {
		kind = "ai_reply"
	}
	now, key := e.cfg.Clock.Now(), "send/"+m.Session+"/"+m.ID
	if reason, err := e.overtakenUnsent(ctx, m); err != nil || reason != "" {
		e.unpace(ctx, m)
		if err != nil {
			return retryable(fmt.Errorf("pre-send check: %w", err))
		}
		return e.cancelSend(ctx, m.Session, m.To, *m.Origin, kind, now, key, reason, nil)
	}
	ok, err := e.stillRight(ctx, m.Session, m.To, m.Origin, kind, now, key)
	if err != nil || !ok {
		e.unpace(ctx, m)
		return err
	}
	return e.send(ctx, m)
}

// overtakenUnsent is the AI reply's verify_before_send (overtakenBy) for
// m when no attempt recorded it yet (pacing put it off before): a reply
// recorded by an attempt whose transport failed goes as recorded, so that
// the conversation never shows a reply that was not sent.
func (e *Engine) overtakenUnsent(ctx context.Context, m workflow.Outgoing) (Reason, error) {
	if m.Origin == nil || (!m.Origin.VerifyCustomerMessage && !m.Origin.VerifyAgentReply) {
		return "", nil
	}
	if recorded, err := e.recorded(ctx, m); err != nil || recorded {
		return "", err
	}
	return e.overtakenBy(ctx, m.Session, m.To, *m.Origin)
}

// pace waits for m's pacing slot when the transport paces (Engine.pacer),
// before m is recorded; m as it is otherwise. A failure (a slot too far,
// a held number) is the transport's: retried with the same id.
func (e *Engine) pace(ctx context.Context, m workflow.Outgoing) (workflow.Outgoing, error) {
	if e.pacer == nil {
		return m, nil
	}
	paced, err := e.pacer.Pace(ctx, m)
	if err != nil {
		return m, &retryableError{err: fmt.Errorf("send %s: %w", m.ID, err), transport: true}
	}
	return paced, nil
}

// unpace hands m back to the pacer when it waited for its slot (m.Paced)
// and will not be sent now: cancelled after the wait, or its check failed
// and a retry paces it again. The pacer gives the slot back and clears
// "typing…"; a failure to clear it is logged (WhatsApp clears it by itself
// after about 20 s).
func (e *Engine) unpace(ctx context.Context, m workflow.Outgoing) {
	if !m.Paced || e.pacer == nil {
		return
	}
	if err := e.pacer.Cancel(ctx, m); err != nil {
		e.log.WarnContext(ctx, "cancelled send: typing indicator not cleared", slog.String("id", m.ID), slog.String("session", m.Session), slog.Any("err", err))
	}
}

func (r *runtime) Translate(ctx context.Context, text string) (string, error) {
	e := r.e
	if e.cfg.Translator == nil || e.cfg.Detector == nil {
		return text, nil
	}
	m := r.x.ev.Message
	hist, err := e.cfg.Store.History(ctx, m.Session, m.Phone, 0, 10)
	if err != nil {
		return "", retryable(fmt.Errorf("translate: history: %w", err))
	}
	var texts []string
	for i := len(hist) - 1; i >= 0 && len(texts) < 3; i-- {
		if hist[i].Author == workflow.AuthorCustomer && strings.TrimSpace(hist[i].Text) != "" {
			texts = append(texts, hist[i].Text)
		}
	}
	lang, ok := e.cfg.Detector.Detect(texts...)
	if !ok {
		return text, nil
	}
	if own, ok := e.cfg.Detector.Detect(text); ok && own == lang {
		return text, nil
	}
	t, err := e.cfg.Translator.Translate(ctx, text, lang)
	if err != nil {
		e.log.WarnContext(ctx, "translation failed; sending the original text", slog.String("lang", lang), slog.Any("err", err))
		return text, nil
	}
	r.detail = fmt.Sprintf(detailTranslated, lang)
	return t.Text, nil
}

func (r *runtime) Assign(ctx context.Context, agent string) error {
	m := r.x.ev.Message
	if err := r.e.cfg.Store.Assign(ctx, m.Session, m.Phone, agent); err != nil {
		return retryable(fmt.Errorf("assign: %w", err))
	}
	r.e.cfg.Observer.Effect(ctx, Effect{Kind: EffectAssign, Time: r.e.cfg.Clock.Now(), Session: m.Session, Phone: m.Phone, Workflow: r.wf.Name, Agent: agent})
	return nil
}

func (r *runtime) Label(ctx context.Context, add, remove []string) error {
	m := r.x.ev.Message
	if _, err := r.e.cfg.Store.UpdateLabels(ctx, m.Phone, add, remove); err != nil {
		return retryable(fmt.Errorf("label: %w", err))
	}
	now := r.e.cfg.Clock.Now()
	for _, l := range add {
		r.e.cfg.Observer.Effect(ctx, Effect{Kind: EffectLabel, Time: now, Session: m.Session, Phone: m.Phone, Workflow: r.wf.Name, Add: l})
	}
	for _, l := range remove {
		r.e.cfg.Observer.Effect(ctx, Effect{Kind: EffectLabel, Time: now, Session: m.Session, Phone: m.Phone, Workflow: r.wf.Name, Remove: l})
	}
	return nil
}

// Next draws the counter once per running action: a resumed firing gets
// the value its first run drew (e.g. the same round-robin agent).
func (r *runtime) Next(ctx context.Context, key string) (int64, error) {
	var firing string
	if r.firing != nil {
		firing = r.firing.ID()
	}
	n, err := r.e.cfg.Store.Next(ctx, "workflow/"+r.wf.ID+"/"+key, firing, r.step+"/next/"+key)
	if err != nil {
		return 0, retryable(err)
	}
	return n, nil
}

// OpenConversations reads the agents' workloads once per running action:
// the answer is recorded as a step of the firing, so that a resumed
// least-busy assignment picks the agent the first run picked, whatever
// was assigned meanwhile.
func (r *runtime) OpenConversations(ctx context.Context, agents []string) (map[string]int, error) {
	return recorded(ctx, r, "open_conversations", func() (map[string]int, error) {
		n, err := r.e.cfg.Store.OpenConversations(ctx, agents)
		if n == nil && err == nil {
			n = map[string]int{}
		}
		return n, err
	})
}

// ActiveAgents asks the engine's AgentDirectory once per running action:
// the answer is recorded as a step of the firing, so that a resumed firing
// chooses among the same agents (with the same round-robin draw, the same
// agent) even if one went away meanwhile.
func (r *runtime) ActiveAgents(ctx context.Context, agents []string) ([]string, error) {
	dir := r.e.cfg.Agents
	if dir == nil {
		return agents, nil
	}
	return recorded(ctx, r, "active_agents", func() ([]string, error) {
		out, err := dir.ActiveAgents(ctx, agents)
		if out == nil && err == nil {
			out = []string{}
		}
		return out, err
	})
}

// recorded returns what read answers, recorded as the firing step
// "<action step>/<name>" the first time; a resumed firing gets the
// recorded answer back without calling read. A failed read is retryable.
func recorded[T any](ctx context.Context, r *runtime, name string, read func() (T, error)) (T, error) {
	var out T
	step := r.step + "/" + name
	if s, ok := r.done(step); ok {
		if err := json.Unmarshal([]byte(s.Result.Detail), &out); err != nil {
			return out, fmt.Errorf("%s recorded by the first run: %w", name, err)
		}
		return out, nil
	}
	out, err := read()
	if err != nil {
		return out, retryable(fmt.Errorf("%s: %w", name, err))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return out, err
	}
	if err := r.complete(ctx, workflow.FiringStep{Key: step, Result: workflow.ActionResult{Type: name, Outcome: workflow.OutcomeFired, Detail: string(b)}}); err != nil {
		return out, err
	}
	return out, nil
}

func (r *runtime) ReplyAI(ctx context.Context, req action.AIReplyRequest) error {
	if !r.x.sess.Enabled(workflow.ModuleAI) {
		return ErrModuleOff
	}
	d, err := r.e.queueAI(ctx, r.wf, r.x, req, r.key)
	r.detail = d
	if err != nil {
		return retryable(fmt.Errorf("queue the AI reply: %w", err))
	}
	return nil
}

// Webhook posts the event now, or queues the post for a retry with backoff
// when it fails. Each post carries the idempotency key of the action (with
// "/webhook/N" for the action's later posts), the same on every retry.
func (r *runtime) Webhook(ctx context.Context, url, secret string) error {
	m := r.x.ev.Message
	body, err := json.Marshal(map[string]any{
		"event":        map[string]any{"id": m.ID, "session": m.Session, "phone": m.Phone, "name": m.PushName, "type": m.Type, "text": m.Text, "time": m.Time, "new_contact": r.x.ev.NewContact},
		"conversation": map[string]any{"agent": r.x.facts.Agent, "labels": r.x.facts.Labels, "message_count": r.x.facts.MessageCount},
		"workflow":     map[string]any{"id": r.wf.ID, "name": r.wf.Name},
	})
	if err != nil {
		return err
	}
	key := r.key
	if r.posts > 0 {
		key += "/webhook/" + strconv.Itoa(r.posts)
	}
	r.posts++
	d := webhookJob{WebhookDelivery: workflow.WebhookDelivery{URL: url, Secret: secret, Body: body, IdempotencyKey: key}, Session: m.Session, Phone: m.Phone, Workflow: r.wf.Name}
	if err := r.e.deliverWebhook(ctx, d); err != nil {
		r.detail = fmt.Sprintf(detailWebhookRetry, err)
		if err := r.e.enqueue(ctx, workflow.JobWebhook, "webhook/"+key, r.e.cfg.Clock.Now().Add(time.Second), d); err != nil {
			return retryable(fmt.Errorf("queue the webhook retry: %w", err))
		}
	}
	return nil
}

type webhookJob struct {
	workflow.WebhookDelivery
	Session, Phone, Workflow string
}

func (e *Engine) deliverWebhook(ctx context.Context, d webhookJob) error {
	if err := e.cfg.Webhooks.Post(ctx, d.WebhookDelivery); err != nil {
		return err
	}
	e.cfg.Observer.Effect(ctx, Effect{Kind: EffectWebhook, Time: e.cfg.Clock.Now(), Session: d.Session, Phone: d.Phone, Workflow: d.Workflow, URL: d.URL})
	return nil
}

// send delivers an automated message whose id is set: loop breaker, the id
// recorded before the first attempt (both in one step when the Store is a
// workflow.OutboundLimiter), then the transport. A send retried
// with the same id is recorded once, and the loop breaker that counted it
// the first time lets it through. Store and transport failures are
// retryable errors (the transport's marked as such). A paced m that the
// loop breaker or the Store stops is handed back to the pacer.
func (e *Engine) send(ctx context.Context, m workflow.Outgoing) error {
	now := e.cfg.Clock.Now()
	if err := e.recordOutgoing(ctx, m, now); err != nil {
		e.unpace(ctx, m)
		return err
	}
	return e.deliver(ctx, m, now)
}

// recordOutgoing is send's loop breaker and record of m at now.
func (e *Engine) recordOutgoing(ctx context.Context, m workflow.Outgoing, now time.Time) error {
	out := workflow.Outbound{Session: m.Session, Phone: m.To, ID: m.ID, Author: workflow.AuthorAutomation, Kind: m.Kind, Text: m.Text, Time: now}
	if lim, ok := e.cfg.Store.(workflow.OutboundLimiter); ok {
		under, err := lim.RecordOutboundUnder(ctx, out, now.Add(-e.cfg.LoopWindow), e.cfg.LoopLimit)
		switch {
		case err != nil:
			return retryable(fmt.Errorf("record outgoing: %w", err))
		case !under:
			e.log.WarnContext(ctx, "loop breaker tripped", slog.String("session", m.Session), slog.String("workflow", m.Workflow), slog.Int("limit", e.cfg.LoopLimit))
			return ErrLoopBreaker
		}
		return nil
	}
	n, err := e.cfg.Store.CountSent(ctx, m.Session, m.To, workflow.AuthorAutomation, now.Add(-e.cfg.LoopWindow))
	if err != nil {
		return retryable(fmt.Errorf("loop breaker: %w", err))
	}
	if n >= e.cfg.LoopLimit {
		_, err := e.cfg.Store.Message(ctx, m.Session, m.ID)
		switch {
		case errors.Is(err, workflow.ErrNotFound):
			e.log.WarnContext(ctx, "loop breaker tripped", slog.String("session", m.Session), slog.String("workflow", m.Workflow), slog.Int("sent", n))
			return ErrLoopBreaker
		case err != nil:
			return retryable(fmt.Errorf("loop breaker: %w", err))
		}
	}
	if _, err := e.cfg.Store.RecordOutbound(ctx, out); err != nil {
		return retryable(fmt.Errorf("record outgoing: %w", err))
	}
	return nil
}

// deliver transmits m, already recorded under its id; a failed attempt is
// retried from a job with the same id, so the customer gets it once.
func (e *Engine) deliver(ctx context.Context, m workflow.Outgoing, now time.Time) error {
	if err := e.transmit(ctx, m); err != nil {
		e.log.WarnContext(ctx, "send failed; retrying with the same id", slog.String("session", m.Session), slog.String("id", m.ID), slog.Any("err", err))
		return &retryableError{err: fmt.Errorf("send %s: %w", m.ID, err), transport: true}
	}
	return nil
}

// transmit hands m to the transport, within its span, and reports the effect.
func (e *Engine) transmit(ctx context.Context, m workflow.Outgoing) error {
	ctx, span := e.cfg.Tracer.Start(ctx, SpanSend)
	span.SetString(AttrTransport, e.transport)
	span.SetString(AttrSession, m.Session)
	span.SetString(AttrMessageID, m.ID)
	span.SetString(AttrSendKind, string(m.Kind))
	span.SetString(AttrWorkflow, m.Workflow)
	err := e.cfg.Transport.Send(ctx, m)
	e.endSpan(span, err)
	if err != nil {
		return err
	}
	e.cfg.Observer.Effect(ctx, Effect{Kind: EffectSend, Time: e.cfg.Clock.Now(), Session: m.Session, Phone: m.To, Workflow: m.Workflow, Text: m.Text, SendKind: m.Kind})
	return nil
}

// enqueue queues a job with a JSON payload.
func (e *Engine) enqueue(ctx context.Context, kind, id string, at time.Time, payload any) error {
	return e.enqueueJob(ctx, workflow.Job{ID: id, Kind: kind, RunAt: at}, payload)
}

// enqueueJob queues j with payload as its JSON Payload.
func (e *Engine) enqueueJob(ctx context.Context, j workflow.Job, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	j.Payload = b
	return e.jobs.Enqueue(ctx, j)
}
