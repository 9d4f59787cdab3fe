package engine

import (
	"context"
	"fmt"

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
	// prog is the workflow's compiled conditions (Explain).
	prog condition.Program
}

// Decide evaluates the current workflows that apply to ev on facts, in
// priority order, the way Handle does, and returns their decisions, up to
// the stop workflow that fired, if any. It only decides: no guard runs,
// no action, no Store access and no log entry. allow (nil: all) is asked
// whether a matching live workflow may fire, for the caller's own
// cooldowns and answer-once rule; a stop workflow that fires ends the
// list. Unlike Handle, it skips no workflow through the prefilter, so
// each applying workflow has its trace. Replays of recorded messages
// (workflow/replay) use DecideMatch, which traces only what matched.
func (e *Engine) Decide(ctx context.Context, ev trigger.Event, facts *condition.Facts, allow func(*workflow.Workflow) bool) []Decision {
	return e.decide(ev, allow, func(c *compiled) (condition.Result, error) { return e.evalTraced(ctx, c, facts) })
}

// DecideMatch is Decide evaluated the way Handle evaluates, for callers
// that look at few traces (a replay keeps a few examples): on sc, the
// scope of one message (condition.NewScope of its facts), each applying
// workflow's conditions are matched without a trace (short-circuited, the
// leaves shared between workflows) and traced only when they match. The
// decisions' Workflow, Matched and Fired are Decide's; one that did not
// match has no Trace, and no Err when the failing leaf is one the short
// circuit skipped: Explain gives both as Decide would.
func (e *Engine) DecideMatch(ctx context.Context, ev trigger.Event, sc *condition.Scope, allow func(*workflow.Workflow) bool) []Decision {
	return e.decide(ev, allow, func(c *compiled) (condition.Result, error) { return e.eval(ctx, c, sc) })
}

// decide is Decide with eval as the evaluation of one workflow.
func (e *Engine) decide(ev trigger.Event, allow func(*workflow.Workflow) bool, eval func(*compiled) (condition.Result, error)) []Decision {
	list := e.set.Load().list
	out := make([]Decision, 0, len(list))
	// Every applying workflow, not the prefilter's candidates: a workflow
	// that cannot match still gets its decision and trace (a replay shows
	// why a workflow no longer fires).
	for _, c := range list {
		if !c.applies(ev) {
			continue
		}
		res, err := eval(c)
		d := Decision{Workflow: &c.Workflow, Matched: err == nil && res.Matched, Trace: res.Trace, Err: err, prog: c.prog}
		d.Fired = d.Matched && c.Mode != workflow.ModeShadow && (allow == nil || allow(d.Workflow))
		out = append(out, d)
		if d.Fired && c.Stop {
			break
		}
	}
	return out
}

// Explain evaluates the conditions of d's workflow on sc, the scope d was
// decided on, with their whole trace: the Trace and Err Decide gives (a
// decision of DecideMatch that did not match has neither).
func (d Decision) Explain(ctx context.Context, sc *condition.Scope) (res condition.Result, err error) {
	if d.prog == nil {
		return condition.Result{Matched: d.Matched, Trace: d.Trace}, d.Err
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = condition.Result{}, fmt.Errorf("panic: %v", r)
		}
	}()
	return d.prog.Trace(ctx, sc)
}

// IsFiring reports whether x is the log entry of a workflow that fired on
// its trigger (its conditions matched and it acted, even if an action
// failed), not that of a shadow run, a skip or a queued AI reply's outcome.
func IsFiring(x workflow.Execution) bool {
	return x.Reason == string(ReasonMatched) && (x.Outcome == workflow.OutcomeFired || x.Outcome == workflow.OutcomeFailed)
}
