package backend

import (
	"context"

	"github.com/waauto/waauto/condition"
)

// Bind is the start of both backends' Match and Trace: it checks that ctx
// is live and that s holds facts (errNoFacts otherwise), and returns the
// backend's per-message matcher, kept in s under key and built by build
// on the scope's first use, so that every program evaluated on the
// message shares it.
func Bind[M any](ctx context.Context, s *condition.Scope, key any, build func(*condition.Facts) any, errNoFacts error) (M, error) {
	var zero M
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if s == nil || s.Facts() == nil {
		return zero, errNoFacts
	}
	return s.Value(key, build).(M), nil
}

// Interpreter runs one leaf of a program through its backend's
// interpreter (a raw expression, or a leaf with no Go evaluation).
type Interpreter interface {
	Interpret(i int) (bool, error)
}

// Leaf is both backends' LeafValues.Leaf on a scope: a built-in leaf
// (*Native) is evaluated in Go on the scope's facts and the local times
// (remembered in s only when it is costly: Memo); any other leaf's value
// is the one remembered in s when a program sharing it
// (condition.Env.Leaves) already evaluated it, else in's, remembered when
// it succeeds.
func Leaf(s *condition.Scope, l *condition.CachedLeaf, times []LocalTime, i int, in Interpreter) (bool, error) {
	n, native := l.Program.(*Native)
	if native && !n.Memo {
		return n.Eval(s.Facts(), times), nil
	}
	if v, ok := s.Known(l); ok {
		return v, nil
	}
	var v bool
	var err error
	if native {
		v = n.Eval(s.Facts(), times)
	} else {
		v, err = in.Interpret(i)
	}
	if err == nil {
		s.Remember(l, v)
	}
	return v, err
}

// Program is the Eval, Trace and Match of both backends' compiled
// programs (condition.Program): the backend gives its plan and Bind, which
// returns its matcher of the plan's leaves on the message of a scope.
type Program[M LeafValues] struct {
	Plan *Plan
	// Lang names the backend in errors: "cel" or "expr".
	Lang string
	// NoFacts is the error of an evaluation without facts.
	NoFacts error
	Bind    func(ctx context.Context, s *condition.Scope) (M, error)
}

// Eval evaluates the program on f. It never panics: a runtime failure is
// returned as an error.
func (p *Program[M]) Eval(ctx context.Context, f *condition.Facts) (condition.Result, error) {
	if f == nil {
		return condition.Result{}, p.NoFacts
	}
	return p.Trace(ctx, condition.NewScope(f))
}

// Trace evaluates every leaf on the message of s (those already evaluated
// on s are remembered) for the trace. See condition.Program.
func (p *Program[M]) Trace(ctx context.Context, s *condition.Scope) (condition.Result, error) {
	m, err := p.Bind(ctx, s)
	if err != nil {
		return condition.Result{}, err
	}
	return p.Plan.Evaluate(p.Lang, m)
}

// Match evaluates the tree to its value on the message of s, each leaf
// only when the all/any/not structure needs it, and at most once per
// message when it is shared (condition.Env.Leaves). See condition.Program.
func (p *Program[M]) Match(ctx context.Context, s *condition.Scope) (bool, error) {
	m, err := p.Bind(ctx, s)
	if err != nil {
		return false, err
	}
	return p.Plan.Match(p.Lang, m)
}
