package engine

import (
	"context"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// Decision is what one workflow that applies to an event (its trigger,
// number and group setting) would do with it, as Decide found it.
type Decision struct {
	// Workflow is the workflow (of the engine's current set).
	Workflow *workflow.Workflow
	// Matched: its conditions held.
	Matched bool
	// Fired: matched, live, and allowed by Decide's caller. A shadow
	// workflow or one the caller refused matched without firing.
	Fired bool
	Trace condition.Trace
	// Err is a condition evaluation error: the workflow did not fire.
	Err error
}

// Decide evaluates the current workflows that apply to ev on facts, in
// priority order, the way Handle does, and returns their decisions, up to
// the stop workflow that fired, if any. It only decides: no guard runs,
// no action, no Store access and no log entry. allow (nil: all) is asked
// whether a matching live workflow may fire, for the caller's own
// cooldowns and answer-once rule; a stop workflow that fires ends the
// list. Replays of recorded messages use it (workflow/replay). Unlike
// Handle, it skips no workflow through the prefilter, so each applying
// workflow has its trace.
func (e *Engine) Decide(ctx context.Context, ev trigger.Event, facts *condition.Facts, allow func(*workflow.Workflow) bool) []Decision {
	var out []Decision
	// Every applying workflow, not the prefilter's candidates: a workflow
	// that cannot match still gets its decision and trace (a replay shows
	// why a workflow no longer fires).
	for _, c := range e.set.Load().list {
		if !c.applies(ev) {
			continue
		}
		res, err := e.evalTraced(ctx, c, facts)
		d := Decision{Workflow: &c.Workflow, Matched: err == nil && res.Matched, Trace: res.Trace, Err: err}
		d.Fired = d.Matched && c.Mode != workflow.ModeShadow && (allow == nil || allow(d.Workflow))
		out = append(out, d)
		if d.Fired && c.Stop {
			break
		}
	}
	return out
}

// IsFiring reports whether x is the log entry of a workflow that fired on
// its trigger (its conditions matched and it acted, even if an action
// failed), not that of a shadow run, a skip or a queued AI reply's outcome.
func IsFiring(x workflow.Execution) bool {
	return x.Reason == string(reasonMatched) && (x.Outcome == workflow.OutcomeFired || x.Outcome == workflow.OutcomeFailed)
}
