package dashboard

import (
	"context"
	"slices"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/lint"
)

// lintSet runs the linter on ws as the engine runs them: the account's
// time zone, hours and condition compiler, its numbers (a workflow scoped
// to another is an error) and its AI model (none: every ai_reply is an
// error).
func (d *Dashboard) lintSet(ctx context.Context, ws []workflow.Workflow) ([]lint.Finding, error) {
	numbers, err := d.numberIDs(ctx)
	if err != nil {
		return nil, err
	}
	return lint.Check(workflow.Definitions{Workflows: ws}, lint.Options{
		Location: d.location(), Hours: d.engine.Hours(), Compiler: d.compiler,
		Numbers: numbers, NoAIModel: d.ai.Provider == "",
	}), nil
}

// numberIDs are the ids of the shop's numbers that are not deleted, the
// chat simulator's included.
func (d *Dashboard) numberIDs(ctx context.Context) ([]string, error) {
	sessions, err := d.store.ListSessions(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{SimulatorSession}
	for _, s := range sessions {
		if s.Status != workflow.SessionDeleted && s.ID != SimulatorSession {
			out = append(out, s.ID)
		}
	}
	return out, nil
}

// concerns reports whether finding f is about the workflow named name:
// it names it as the workflow concerned or as a related one (the stop
// workflow that shadows another, one of an overlapping pair, ...).
func concerns(f lint.Finding, name string) bool {
	return f.Workflow == name || slices.Contains(f.Related, name)
}

// withDraft is ws with wf in place of the workflow whose id is original,
// or added last when original is ""; false when original is not in ws.
func withDraft(ws []workflow.Workflow, wf workflow.Workflow, original string) ([]workflow.Workflow, bool) {
	if original == "" {
		return append(ws, wf), true
	}
	i := slices.IndexFunc(ws, func(w workflow.Workflow) bool { return w.ID == original })
	if i < 0 {
		return ws, false
	}
	ws[i] = wf
	return ws, true
}

// draftFindings lints the saved workflows with the draft wf in place of
// original and returns the findings that concern wf.
func (d *Dashboard) draftFindings(ctx context.Context, wf workflow.Workflow, original string) ([]lint.Finding, error) {
	ws, _ := withDraft(slices.Clone(d.engine.Workflows()), wf, original)
	findings, err := d.lintSet(ctx, ws)
	var out []lint.Finding
	for _, f := range findings {
		if concerns(f, wf.Name) {
			out = append(out, f)
		}
	}
	return out, err
}

// lintCounts counts the findings on the saved workflows, by workflow name.
func (d *Dashboard) lintCounts(ctx context.Context, ws []workflow.Workflow) (map[string]int, error) {
	out := map[string]int{}
	findings, err := d.lintSet(ctx, ws)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		for _, f := range findings {
			if concerns(f, w.Name) {
				out[w.Name]++
			}
		}
	}
	return out, nil
}
