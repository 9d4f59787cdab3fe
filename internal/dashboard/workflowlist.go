package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/waauto/waauto/workflow"
)

// statsWindow is how far back the list counts firings.
const statsWindow = 7 * 24 * time.Hour

// statsScan bounds the log entries read for the list's counts; beyond it
// the counts say "at least".
const statsScan = 20_000

// fireStats is how often a workflow fired in the window, and when last.
type fireStats struct {
	Count int
	Last  time.Time
}

// listRow is one line of the workflows list.
type listRow struct {
	workflow.Workflow
	Stats fireStats
	// Lint counts the linter's findings about the workflow.
	Lint int
}

// firings counts the fired (and shadow) executions of the last 7 days by
// workflow id, from the store's log. partial is set when more entries
// than statsScan were in the window.
func (d *Dashboard) firings(ctx context.Context, now time.Time) (map[string]fireStats, bool, error) {
	out := map[string]fireStats{}
	q := workflow.LogQuery{From: now.Add(-statsWindow), Limit: 1000}
	for seen := 0; ; {
		page, err := d.store.QueryLogs(ctx, q)
		if err != nil {
			return nil, false, err
		}
		for _, e := range page.Entries {
			if e.Outcome != workflow.OutcomeFired && e.Outcome != workflow.OutcomeShadow {
				continue
			}
			s := out[e.WorkflowID]
			s.Count++
			if e.Time.After(s.Last) {
				s.Last = e.Time
			}
			out[e.WorkflowID] = s
		}
		seen += len(page.Entries)
		if page.Next == "" || len(page.Entries) == 0 {
			return out, false, nil
		}
		if seen >= statsScan {
			return out, true, nil
		}
		q.After = page.Next
	}
}

func (d *Dashboard) workflowsPage(w http.ResponseWriter, r *http.Request) {
	stats, partial, err := d.firings(r.Context(), time.Now())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	var rows []listRow
	ws := d.engine.Workflows()
	lints, err := d.lintCounts(r.Context(), ws)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	for _, wf := range ws {
		rows = append(rows, listRow{Workflow: wf, Stats: stats[wf.ID], Lint: lints[wf.Name]})
	}
	d.render(w, r, http.StatusOK, "workflows", map[string]any{"Rows": rows, "Partial": partial, "AIWarnings": d.aiWorkflowWarnings(r, ws)})
}

// workflowEnabled switches one workflow on or off (the list's switch).
func (d *Dashboard) workflowEnabled(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	on := r.FormValue("enabled") == "on"
	err := d.engine.UpdateWorkflows(r.Context(), func(ws []workflow.Workflow) ([]workflow.Workflow, error) {
		i := slices.IndexFunc(ws, func(w workflow.Workflow) bool { return w.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("workflow %q: %w", id, workflow.ErrNotFound)
		}
		ws[i].Enabled = on
		return ws, nil
	})
	if err != nil {
		backError(w, r, "/workflows", "Nothing changed: "+err.Error())
		return
	}
	if err := d.dash.setSetting(r.Context(), settingYAML, ""); err != nil {
		d.fail(w, r, err)
		return
	}
	state := "disabled"
	if on {
		state = "enabled"
	}
	back(w, r, "/workflows", fmt.Sprintf("Workflow %s %s", id, state))
}

// workflowMove moves one workflow up or down the list and saves the new
// order as priorities 10, 20, 30… (the engine runs them in priority order).
func (d *Dashboard) workflowMove(w http.ResponseWriter, r *http.Request) {
	id, dir := r.PathValue("id"), r.FormValue("dir")
	if dir != "up" && dir != "down" {
		http.Error(w, fmt.Sprintf("dir %q: want up or down", dir), http.StatusBadRequest)
		return
	}
	order := d.engine.Workflows() // priority order
	i := slices.IndexFunc(order, func(w workflow.Workflow) bool { return w.ID == id })
	if i < 0 {
		backError(w, r, "/workflows", fmt.Sprintf("Nothing changed: there is no workflow %q", id))
		return
	}
	j := i - 1
	if dir == "down" {
		j = i + 1
	}
	if j < 0 || j >= len(order) {
		back(w, r, "/workflows", fmt.Sprintf("%q is already %s", order[i].Name, map[string]string{"up": "first", "down": "last"}[dir]))
		return
	}
	order[i], order[j] = order[j], order[i]
	prio := map[string]int{}
	for k, wf := range order {
		prio[wf.ID] = 10 * (k + 1)
	}
	err := d.engine.UpdateWorkflows(r.Context(), func(ws []workflow.Workflow) ([]workflow.Workflow, error) {
		for k := range ws {
			if p, ok := prio[ws[k].ID]; ok {
				ws[k].Priority = p
			}
		}
		return ws, nil
	})
	if err == nil {
		err = d.dash.setSetting(r.Context(), settingYAML, "")
	}
	if err != nil {
		backError(w, r, "/workflows", "Nothing changed: "+err.Error())
		return
	}
	back(w, r, "/workflows", fmt.Sprintf("Moved %q %s; priorities are now 10, 20, 30…", order[j].Name, dir))
}
