package dashboard

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// sampleMessage is the message "Try it here" sends to the draft.
type sampleMessage struct {
	Text string `json:"text"`
	// Type is a message type; "" means text.
	Type string `json:"type"`
	// Time is local to the account ("2006-01-02T15:04"); "" means now.
	Time  string `json:"time"`
	Phone string `json:"phone"`
	// Session is the number that receives it; "" means the workflow's, or the simulator's.
	Session string   `json:"session"`
	Labels  []string `json:"labels"`
}

// sampleName is the sample contact's name, in reply previews and tries.
const sampleName = "Marie Dupont"

// tryResult is what the draft did with the sample message.
type tryResult struct {
	Fired      bool      `json:"fired"`
	Summary    string    `json:"summary"`
	Executions []tryExec `json:"executions"`
	Effects    []string  `json:"effects"`
}

type tryExec struct {
	Workflow string `json:"workflow"`
	Outcome  string `json:"outcome"`
	// OutcomeText is Outcome in the user's language.
	OutcomeText string          `json:"outcomeText"`
	Reason      string          `json:"reason"`
	Trace       condition.Trace `json:"trace"`
}

// builderTry runs the draft, unsaved, on the sample message in a private
// engine (in-memory store, virtual clock at the message's time, the
// account's time zone, hours and actions) and answers whether it fired,
// the per-condition trace and what it would have done. Nothing is sent and
// nothing is saved.
func (d *Dashboard) builderTry(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readBuilder(w, r)
	if !ok {
		return
	}
	tr := d.tr[d.lang(r)]
	if req.Message == nil {
		writeJSON(w, http.StatusBadRequest, builderReply{Errors: fieldErr("try", "builder.err.no_sample").translated(tr)})
		return
	}
	wf, err := d.parseDraft(r.Context(), req)
	if err != nil {
		d.answerDraft(w, r, err)
		return
	}
	res, err := d.try(r.Context(), tr, wf, *req.Message)
	if err != nil {
		d.answerDraft(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, builderReply{OK: true, Try: &res})
}

func (d *Dashboard) sampleOf(m sampleMessage, wf workflow.Workflow) (trigger.Message, error) {
	at := time.Now()
	if m.Time != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", m.Time, d.location())
		if err != nil {
			return trigger.Message{}, fieldErr("try.time", "builder.err.try_time", m.Time)
		}
		at = t
	}
	phone, err := trigger.NormalizePhone(cmp.Or(m.Phone, "+33612345678"))
	if err != nil || len(phone) < 4 {
		return trigger.Message{}, fieldErr("try.phone", "builder.err.try_phone", m.Phone)
	}
	typ := trigger.MessageType(cmp.Or(m.Type, string(trigger.MessageText)))
	if !typ.Valid() {
		return trigger.Message{}, fieldErr("try.type", "builder.err.try_type", m.Type)
	}
	session := cmp.Or(wf.Session, m.Session, SimulatorSession)
	return trigger.Message{ID: engine.NewMessageID(), Session: session, Phone: phone, PushName: sampleName, Type: typ, Text: m.Text, Time: at}, nil
}

func (d *Dashboard) try(ctx context.Context, tr translator, wf workflow.Workflow, m sampleMessage) (tryResult, error) {
	msg, err := d.sampleOf(m, wf)
	if err != nil {
		return tryResult{}, err
	}
	h, err := workflowtest.Start(ctx, workflowtest.Options{
		Compiler: d.compiler, Registry: d.reg, Location: d.location(), Start: msg.Time,
		Sessions:  []workflow.Session{{ID: msg.Session, Label: msg.Session}},
		Configure: func(c *engine.Config) { c.Hours = d.engine.Hours() },
	})
	if err != nil {
		return tryResult{}, fmt.Errorf("try: %w", err)
	}
	defer func() { _ = h.Close() }()
	disabled := !wf.Enabled
	wf.Enabled = true // a disabled draft is tried as if enabled, and the summary says so
	if err := h.Engine.SetWorkflows(ctx, workflow.Definitions{Workflows: []workflow.Workflow{wf}}); err != nil {
		return tryResult{}, fmt.Errorf("try: %w", err)
	}
	var labels []string
	for _, l := range m.Labels {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	if len(labels) > 0 {
		if err := h.Engine.Label(ctx, msg.Phone, labels, nil); err != nil {
			return tryResult{}, fmt.Errorf("try: labels: %w", err)
		}
	}
	got, err := h.Receive(ctx, msg)
	if err != nil {
		return tryResult{}, fmt.Errorf("try: %w", err)
	}
	res := tryResult{Executions: []tryExec{}, Effects: []string{}}
	for _, e := range got.Executions {
		res.Executions = append(res.Executions, tryExec{Workflow: e.Workflow, Outcome: string(e.Outcome),
			OutcomeText: tr.T("outcome." + string(e.Outcome)), Reason: tr.reason(e.Reason), Trace: tr.trace(e.Trace)})
		res.Fired = res.Fired || e.Outcome == workflow.OutcomeFired || e.Outcome == workflow.OutcomeShadow
	}
	for _, e := range got.Effects {
		res.Effects = append(res.Effects, workflowtest.FormatEffect(e))
	}
	switch {
	case res.Fired:
		res.Summary = tr.T("builder.try.fires", wf.Name)
	case len(got.Executions) == 0:
		// The engine logs nothing when the conditions do not hold: evaluate
		// them here for the trace.
		r, err := d.evalDraft(ctx, wf, msg, labels)
		if err != nil {
			return tryResult{}, err
		}
		reason := tr.T("builder.try.no_match")
		if r.Matched {
			reason = tr.T("builder.try.trigger", wf.Trigger)
		}
		res.Executions = append(res.Executions, tryExec{Workflow: wf.Name, Outcome: "not fired", OutcomeText: tr.T("builder.try.not_fired"), Reason: reason, Trace: tr.trace(r.Trace)})
		res.Summary = tr.T("builder.try.does_not_fire", wf.Name, reason)
	default:
		res.Summary = tr.T("builder.try.does_not_fire", wf.Name, tr.reason(got.Executions[0].Reason))
	}
	if disabled {
		res.Summary += " " + tr.T("builder.try.disabled")
	}
	return res, nil
}

// evalDraft evaluates the draft's conditions on the sample message alone.
func (d *Dashboard) evalDraft(ctx context.Context, wf workflow.Workflow, msg trigger.Message, labels []string) (condition.Result, error) {
	prg, err := d.compiler.Compile(wf.Conditions, condition.Env{Location: d.location(), Hours: d.engine.Hours()})
	if err != nil {
		return condition.Result{}, fmt.Errorf("try: %w", err)
	}
	return prg.Eval(ctx, condition.NewFacts(condition.Input{Message: msg, Labels: labels, MessageCount: 1, IsNewContact: len(labels) == 0}))
}
