package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// AI replies are never silent: without a model an ai_reply workflow is
// refused at save, and the pages that matter say when saved ones cannot
// answer (no model, no credits); the fallback then runs.

// aiWorkflows names the enabled workflows with an ai_reply action.
func aiWorkflows(ws []workflow.Workflow) []string {
	var out []string
	for _, w := range ws {
		if w.Enabled && hasAIReply(w) {
			out = append(out, w.Name)
		}
	}
	return out
}

// checkAI refuses ai_reply actions when no model is configured, in the
// shop's language.
func (d *Dashboard) checkAI(file string, defs workflow.Definitions) workflow.LoadErrors {
	if d.ai.Provider != "" {
		return nil
	}
	tr := d.tr[d.settings().Lang]
	var errs workflow.LoadErrors
	for _, w := range defs.Workflows {
		for i, st := range w.Actions {
			if _, ok := st.Action.(*action.AIReply); ok {
				errs = append(errs, &workflow.LoadError{File: file, Path: fmt.Sprintf("%s: actions[%d].ai_reply", w.Name, i), Msg: tr.T("ai.err.no_model_save")})
			}
		}
	}
	return errs
}

// aiAlertPages are the pages that say when AI replies cannot be given.
var aiAlertPages = []string{"numbers", "workflows", "editor", "simulator", "ai", "conversations"}

// minReplyCost is the least an AI reply costs when credits are metered:
// with a smaller balance the engine gives none.
const minReplyCost = 1

// aiBlock is why AI replies cannot be given now: no model, or credits
// metered and fewer left than one reply costs.
type aiBlock struct {
	NoModel, NoCredits bool
}

func (b aiBlock) blocked() bool { return b.NoModel || b.NoCredits }

// aiBlockNow reads whether AI replies can be given now; a balance that
// cannot be read counts as enough (the page's other parts say the error).
func (d *Dashboard) aiBlockNow(ctx context.Context) aiBlock {
	b := aiBlock{NoModel: d.ai.Provider == ""}
	if d.settings().Credits {
		bal, err := d.store.CreditBalance(ctx)
		b.NoCredits = err == nil && bal < minReplyCost
	}
	return b
}

// aiFallbackText says what runs instead of an AI reply that cannot be
// given: the hand-off to the fallback agent, or nothing.
func (d *Dashboard) aiFallbackText(r *http.Request) string {
	if d.ai.FallbackAgent == "" {
		return d.t(r, "credits.fallback.none")
	}
	return d.t(r, "credits.fallback.agent", d.ai.FallbackAgent)
}

// aiBlockText is the warning of a workflow or number whose AI replies
// cannot be given now, with what the fallback does; "" when they can.
func (d *Dashboard) aiBlockText(r *http.Request, b aiBlock) string {
	switch {
	case b.NoCredits:
		return d.t(r, "credits.row.no_credits", d.aiFallbackText(r))
	case b.NoModel:
		return d.t(r, "credits.row.no_model", d.aiFallbackText(r))
	}
	return ""
}

// hasAIReply says whether w has an ai_reply action.
func hasAIReply(w workflow.Workflow) bool {
	return slices.ContainsFunc(w.Actions, func(st workflow.Step) bool { _, ok := st.Action.(*action.AIReply); return ok })
}

// aiWorkflowWarnings maps the ID of each workflow with ai_reply to its
// row's warning when AI replies cannot be given now; nil when they can.
func (d *Dashboard) aiWorkflowWarnings(r *http.Request, ws []workflow.Workflow) map[string]string {
	b := d.aiBlockNow(r.Context())
	if !b.blocked() {
		return nil
	}
	out := map[string]string{}
	for _, w := range ws {
		if hasAIReply(w) {
			out[w.ID] = d.aiBlockText(r, b)
		}
	}
	return out
}

// aiNumberWarnings maps each number whose AI module is on and that an
// enabled ai_reply workflow applies to (all numbers, or that one) to its
// warning when AI replies cannot be given now; nil when they can.
func (d *Dashboard) aiNumberWarnings(r *http.Request, sessions []workflow.Session) map[string]string {
	b := d.aiBlockNow(r.Context())
	if !b.blocked() {
		return nil
	}
	ws := d.engine.Workflows()
	out := map[string]string{}
	for _, s := range sessions {
		if !s.Enabled(workflow.ModuleAI) {
			continue
		}
		if slices.ContainsFunc(ws, func(w workflow.Workflow) bool {
			return w.Enabled && hasAIReply(w) && (w.Session == "" || w.Session == s.ID)
		}) {
			out[s.ID] = d.aiBlockText(r, b)
		}
	}
	return out
}

// aiAlerts says, on the pages of aiAlertPages, why AI replies cannot be
// given now: no model, or no credits left, and what the fallback does.
func (d *Dashboard) aiAlerts(r *http.Request, page string) []string {
	if !slices.Contains(aiAlertPages, page) {
		return nil
	}
	ws := aiWorkflows(d.engine.Workflows())
	if len(ws) == 0 && page != "ai" {
		return nil
	}
	var out []string
	b := d.aiBlockNow(r.Context())
	if b.NoModel && len(ws) > 0 {
		out = append(out, d.t(r, "ai.alert.no_model", len(ws)))
	}
	if b.NoCredits {
		out = append(out, d.t(r, "ai.alert.no_credits")+" "+d.aiFallbackText(r))
	}
	return out
}

// execView is an execution as the simulator's "why" panel shows it.
type execView struct {
	ID, Workflow, Outcome, OutcomeText, Reason, Trace string
	// AIFailed says in plain words why an AI reply was not given, and
	// Fallback what ran instead.
	AIFailed string   `json:",omitempty"`
	Fallback []string `json:",omitempty"`
}

// aiReason says in plain words why an AI reply was not given, from the
// engine's logged reason; false when the reason is not such a failure.
func (d *Dashboard) aiReason(r *http.Request, reason string) (string, bool) {
	switch engine.Reason(reason) {
	case engine.ReasonNoModel:
		return d.t(r, "sim.ai.no_model"), true
	case engine.ReasonNoCredits:
		return d.t(r, "sim.ai.no_credits"), true
	case engine.ReasonModelFailed:
		return d.t(r, "sim.ai.model_failed"), true
	}
	return "", false
}

func (d *Dashboard) execView(r *http.Request, e workflow.Execution) execView {
	tr := d.tr[d.lang(r)]
	v := execView{ID: e.ID, Workflow: e.Workflow, Outcome: string(e.Outcome), OutcomeText: d.t(r, "outcome."+string(e.Outcome)), Reason: tr.reason(e.Reason), Trace: tr.traceText(e.Trace)}
	why, ok := d.aiReason(r, e.Reason)
	if !ok || len(e.Actions) == 0 || e.Actions[0].Type != "ai_reply" {
		return v
	}
	v.AIFailed = d.t(r, "sim.ai.failed", why)
	for _, a := range e.Actions[1:] {
		v.Fallback = append(v.Fallback, strings.TrimSpace(fmt.Sprintf("%s: %s %s", a.Type, d.t(r, "outcome."+string(a.Outcome)), tr.detail(a.Detail))))
	}
	if len(v.Fallback) == 0 {
		v.Fallback = []string{d.t(r, "sim.ai.no_fallback")}
	}
	return v
}

// laterExecutions returns the simulator's executions logged after the id
// since, oldest first ("" returns none: the page starts from now).
func (d *Dashboard) laterExecutions(r *http.Request, since string) ([]execView, error) {
	out := []execView{}
	if since == "" {
		return out, nil
	}
	page, err := d.store.QueryLogs(r.Context(), workflow.LogQuery{Session: SimulatorSession, Limit: 50})
	if err != nil {
		return nil, err
	}
	for i := len(page.Entries) - 1; i >= 0; i-- {
		if e := page.Entries[i]; e.ID > since {
			out = append(out, d.execView(r, e))
		}
	}
	return out, nil
}
