package cel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/internal/backend"
)

// Size bounds assumed when estimating the cost of raw expressions.
const (
	// MaxTextSize bounds text and raw_text, in characters (WhatsApp's limit).
	MaxTextSize = 65536
	// MaxLabels bounds the number of labels of a customer.
	MaxLabels = 256
	// maxShort bounds every other string and each label.
	maxShort = 256
)

// Compiler compiles condition trees to CEL programs. The zero value is
// ready to use; it is safe for concurrent use.
type Compiler struct{}

// New returns a CEL Compiler.
func New() condition.Compiler { return Compiler{} }

// Name returns "cel".
func (Compiler) Name() string { return "cel" }

// publicVars declares condition.Vars.
func publicVars() []cel.EnvOption {
	types := map[string]*cel.Type{
		"string": cel.StringType, "int": cel.IntType, "bool": cel.BoolType,
		"list(string)": cel.ListType(cel.StringType),
	}
	opts := []cel.EnvOption{ext.Bindings()}
	for _, v := range condition.Vars {
		opts = append(opts, cel.Variable(v.Name, types[v.Type]))
	}
	return opts
}

// clockFields are the clock variables of each zone slot: "_wd0", "_min1"...
var clockFields = []string{"wd", "ywd", "min", "date", "ydate"}

func clockVar(slot int, field string) string { return "_" + field + strconv.Itoa(slot) }

type dialect struct {
	env     *cel.Env
	limit   uint64
	rawCost uint64
}

func (*dialect) StringOp(subject, op, lit string) string {
	return subject + "." + op + "(" + lit + ")"
}

func (*dialect) Bind(names, exprs []string, body string) string {
	s := body
	for i := len(names) - 1; i >= 0; i-- {
		s = "cel.bind(" + names[i] + ",\n" + exprs[i] + ",\n" + s + ")"
	}
	return s
}

func (*dialect) TimeVar(slot int, field string) string { return clockVar(slot, field) }

func (d *dialect) CheckRaw(r condition.Raw) error {
	if r.Lang != condition.LangCEL {
		return fmt.Errorf("%s expressions need the %s backend: %w", r.Lang, r.Lang, condition.ErrUnsupported)
	}
	ast, iss := d.env.Compile(r.Source)
	if iss.Err() != nil {
		return fmt.Errorf("cel expression: %w", iss.Err())
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return fmt.Errorf("cel expression is %s, want bool", ast.OutputType())
	}
	est, err := d.env.EstimateCost(ast, estimator{})
	if err != nil {
		return fmt.Errorf("cel expression: estimating cost: %w", err)
	}
	if est.Max > d.limit {
		return fmt.Errorf("cel expression may cost up to %d, over the limit of %d: %w", est.Max, d.limit, condition.ErrCostLimit)
	}
	d.rawCost = satAdd(d.rawCost, est.Max)
	return nil
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

// estimator bounds the sizes of variables for cost estimation.
type estimator struct{}

func (estimator) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	path := n.Path()
	if len(path) == 0 {
		return nil
	}
	max := uint64(maxShort)
	switch {
	case len(path) == 1 && (path[0] == "text" || path[0] == "raw_text"):
		max = MaxTextSize
	case len(path) == 1 && path[0] == "labels":
		max = MaxLabels
	}
	return &checker.SizeEstimate{Min: 0, Max: max}
}

func (estimator) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// Compile compiles tree into one CEL program. See condition.Compiler.
func (Compiler) Compile(tree condition.Node, env condition.Env) (condition.Program, error) {
	public, err := cel.NewEnv(publicVars()...)
	if err != nil {
		return nil, fmt.Errorf("cel: environment: %w", err)
	}
	limit := env.CostLimit
	if limit == 0 {
		limit = condition.DefaultCostLimit
	}
	d := &dialect{env: public, limit: limit}
	plan, err := backend.Generate(tree, env, d)
	if err != nil {
		return nil, err
	}
	opts := []cel.EnvOption{
		cel.Variable(backend.SinceVar, cel.IntType),
		cel.ParserRecursionLimit(1 << 20),
		cel.ParserExpressionSizeLimit(-1),
		cel.ExpressionNodeLimit(-1),
	}
	clocks := map[string]clockRef{}
	for slot := range plan.Zones {
		for i, f := range clockFields {
			t := cel.IntType
			if f == "date" || f == "ydate" {
				t = cel.StringType
			}
			name := clockVar(slot, f)
			opts = append(opts, cel.Variable(name, t))
			clocks[name] = clockRef{slot, i}
		}
	}
	full, err := public.Extend(opts...)
	if err != nil {
		return nil, fmt.Errorf("cel: environment: %w", err)
	}
	p := &program{plan: plan, clocks: clocks, env: full, limit: limit, rawCost: d.rawCost}
	if p.match, err = p.build(plan.MatchSource); err != nil {
		return nil, err
	}
	return p, nil
}

// build compiles src, a generated program, against p.env with its cost limit.
func (p *program) build(src string) (cel.Program, error) {
	ast, iss := p.env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cel: compiling generated program: %w", iss.Err())
	}
	popts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if p.plan.RawLeaves > 0 {
		// Built-in leaves get their estimated cost, each raw leaf the limit.
		est, err := p.env.EstimateCost(ast, estimator{})
		if err != nil {
			return nil, fmt.Errorf("cel: estimating cost: %w", err)
		}
		builtin := uint64(0)
		if est.Max > p.rawCost {
			builtin = est.Max - p.rawCost
		}
		popts = append(popts, cel.CostLimit(satAdd(builtin, p.limit*uint64(p.plan.RawLeaves))))
	}
	prg, err := p.env.Program(ast, popts...)
	if err != nil {
		return nil, fmt.Errorf("cel: program: %w", err)
	}
	return prg, nil
}

type clockRef struct{ slot, field int }

type program struct {
	plan    *backend.Plan
	clocks  map[string]clockRef
	env     *cel.Env
	limit   uint64
	rawCost uint64
	// match returns the combined value alone (Match).
	match cel.Program
	// traced returns the combined value and every leaf's (Eval); it is
	// compiled on first use, since most programs are only ever matched.
	traced    cel.Program
	tracedErr error
	once      sync.Once
}

// run evaluates prg on a, turning a cost-limit cancellation into ErrCostLimit.
func (p *program) run(ctx context.Context, prg cel.Program, a *activation) (ref.Val, error) {
	var out ref.Val
	var err error
	if p.plan.RawLeaves > 0 {
		// Only raw expressions can loop long enough for cancellation to matter.
		out, _, err = prg.ContextEval(ctx, a)
	} else {
		out, _, err = prg.Eval(a)
	}
	if err != nil {
		var cancel interpreter.EvalCancelledError
		if errors.As(err, &cancel) && cancel.Cause == interpreter.CostLimitExceeded {
			return nil, fmt.Errorf("cel: %w: %w", condition.ErrCostLimit, err)
		}
		return nil, fmt.Errorf("cel: evaluating condition: %w", err)
	}
	return out, nil
}

// Eval evaluates the program on f. It never panics: a runtime failure is
// returned as an error.
func (p *program) Eval(ctx context.Context, f *condition.Facts) (res condition.Result, err error) {
	if err := ctx.Err(); err != nil {
		return condition.Result{}, err
	}
	if f == nil {
		return condition.Result{}, errNoFacts
	}
	p.once.Do(func() { p.traced, p.tracedErr = p.build(p.plan.Source) })
	if p.tracedErr != nil {
		return condition.Result{}, p.tracedErr
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = condition.Result{}, fmt.Errorf("cel: evaluation panicked: %v", r)
		}
	}()
	a := &activation{f: f, clocks: p.clocks}
	a.clock = p.plan.LocalTimes(f.Time, a.buf[:0])
	out, err := p.run(ctx, p.traced, a)
	if err != nil {
		return condition.Result{}, err
	}
	list, ok := out.(traits.Lister)
	n := p.plan.Leaves() + 1
	if !ok || list.Size() != types.Int(n) {
		return condition.Result{}, fmt.Errorf("cel: program returned %v, want a list of %d values", out, n)
	}
	res.Trace = p.plan.Trace()
	for i := range n {
		b, ok := list.Get(types.Int(i)).(types.Bool)
		if !ok {
			return condition.Result{}, fmt.Errorf("cel: value %d is not a bool", i)
		}
		if i == 0 {
			res.Matched = bool(b)
		} else {
			res.Trace[i-1].Value = bool(b)
		}
	}
	return res, nil
}

var errNoFacts = errors.New("cel: nil facts")

// scopeActivation keys the per-message activation in a condition.Scope.
type scopeActivation struct{}

func newScopeActivation(f *condition.Facts) any { return &activation{f: f} }

// Match evaluates the combined value alone on the message of s, with one
// activation per message. See condition.Program.
func (p *program) Match(ctx context.Context, s *condition.Scope) (matched bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if s == nil || s.Facts() == nil {
		return false, errNoFacts
	}
	defer func() {
		if r := recover(); r != nil {
			matched, err = false, fmt.Errorf("cel: evaluation panicked: %v", r)
		}
	}()
	a := s.Value(scopeActivation{}, newScopeActivation).(*activation)
	a.clocks = p.clocks
	a.clock = p.plan.Clocks(s, a.buf[:0])
	out, err := p.run(ctx, p.match, a)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("cel: program returned %v, want a bool", out)
	}
	return bool(b), nil
}

// activation resolves variables straight from the facts, without a map.
type activation struct {
	f      *condition.Facts
	clocks map[string]clockRef
	clock  []backend.LocalTime
	buf    [2]backend.LocalTime
}

func (a *activation) Parent() interpreter.Activation { return nil }

func (a *activation) ResolveName(name string) (any, bool) {
	f := a.f
	switch name {
	case "text":
		return types.String(f.Text), true
	case "raw_text":
		return types.String(f.RawText), true
	case "type":
		return types.String(f.Type), true
	case "phone":
		return types.String(f.Phone), true
	case "session":
		return types.String(f.Session), true
	case "agent":
		return types.String(f.Agent), true
	case "labels":
		return types.NewStringList(types.DefaultTypeAdapter, f.Labels), true
	case "message_count":
		return types.Int(f.MessageCount), true
	case "length":
		return types.Int(f.Length), true
	case "is_new_contact":
		return types.Bool(f.IsNewContact), true
	case backend.SinceVar:
		if f.SinceLastReply < 0 {
			return types.Int(-1), true
		}
		return types.Int(f.SinceLastReply), true
	case "since_last_reply_seconds":
		if f.SinceLastReply < 0 {
			return types.Int(-1), true
		}
		return types.Int(f.SinceLastReply / time.Second), true
	case "weekday":
		return types.Int(a.clock[0].Weekday), true
	case "hour":
		return types.Int(a.clock[0].Minute / 60), true
	case "minute":
		return types.Int(a.clock[0].Minute % 60), true
	}
	r, ok := a.clocks[name]
	if !ok {
		return nil, false
	}
	c := a.clock[r.slot]
	switch clockFields[r.field] {
	case "wd":
		return types.Int(c.Weekday), true
	case "ywd":
		return types.Int(c.Yesterday), true
	case "min":
		return types.Int(c.Minute), true
	case "date":
		return types.String(c.Date), true
	default:
		return types.String(c.YDate), true
	}
}
