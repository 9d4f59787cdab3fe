package cel

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
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
	env   *cel.Env
	limit uint64
}

func (*dialect) StringOp(subject, op, lit string) string {
	return subject + "." + op + "(" + lit + ")"
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
	return nil
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
	leaves := env.Leaves
	if leaves == nil {
		leaves = condition.NewLeafCache()
	}
	p := &program{clocks: clocks, leaves: make([]*condition.CachedLeaf, len(plan.Leaves))}
	p.Program = backend.Program[*matcher]{Plan: plan, Lang: "cel", NoFacts: errNoFacts, Bind: p.matcher}
	for i, src := range plan.Leaves {
		key := "cel\n" + strconv.FormatUint(limit, 10) + "\n" + plan.LeafKey(i)
		p.leaves[i], err = leaves.Leaf(key, func() (any, error) {
			if n := plan.Native[i]; n != nil {
				return n, nil // a built-in leaf, evaluated in Go
			}
			return build(full, src, plan.Raw[i], limit)
		})
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// leaf is one compiled leaf.
type leaf struct {
	prg cel.Program
	// raw: a raw expression, bounded by the cost limit and cancellable.
	raw bool
}

// build compiles src, a generated leaf, against env; a raw leaf gets the
// cost limit.
func build(env *cel.Env, src string, raw bool, limit uint64) (*leaf, error) {
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cel: compiling generated program: %w", iss.Err())
	}
	popts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if raw {
		popts = append(popts, cel.CostLimit(limit))
	}
	prg, err := env.Program(ast, popts...)
	if err != nil {
		return nil, fmt.Errorf("cel: program: %w", err)
	}
	return &leaf{prg: prg, raw: raw}, nil
}

type clockRef struct{ slot, field int }

// program is a compiled tree: Eval, Trace and Match come from
// backend.Program, over the leaves its matcher runs.
type program struct {
	backend.Program[*matcher]
	clocks map[string]clockRef
	// leaves are the compiled leaves (*leaf; *backend.Native for a built-in
	// leaf), in trace order.
	leaves []*condition.CachedLeaf
}

// run evaluates leaf i on a, turning a cost-limit cancellation into ErrCostLimit.
func (p *program) run(ctx context.Context, i int, a *activation) (bool, error) {
	l := p.leaves[i].Program.(*leaf)
	var out ref.Val
	var err error
	if l.raw {
		// Only raw expressions can loop long enough for cancellation to matter.
		out, _, err = l.prg.ContextEval(ctx, a)
	} else {
		out, _, err = l.prg.Eval(a)
	}
	if err != nil {
		var cancel interpreter.EvalCancelledError
		if errors.As(err, &cancel) && cancel.Cause == interpreter.CostLimitExceeded {
			return false, fmt.Errorf("cel: %w: %w", condition.ErrCostLimit, err)
		}
		return false, fmt.Errorf("cel: evaluating condition: %w", err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("cel: leaf %d returned %v, want a bool", i, out)
	}
	return bool(b), nil
}

var errNoFacts = errors.New("cel: nil facts")

// scopeMatcher keys the per-message matcher in a condition.Scope.
type scopeMatcher struct{}

func newScopeMatcher(f *condition.Facts) any { return &matcher{a: &activation{f: f}} }

// matcher gives Tree.Match the leaves of one program on one scope,
// remembering shared leaves' values in the scope.
type matcher struct {
	ctx context.Context
	p   *program
	a   *activation
	s   *condition.Scope
}

func (m *matcher) Leaf(i int) (bool, error) {
	return backend.Leaf(m.s, m.p.leaves[i], m.a.clock, i, m)
}

// Interpret runs leaf i through its CEL program.
func (m *matcher) Interpret(i int) (bool, error) {
	return m.p.run(m.ctx, i, m.a)
}

// matcher returns the scope's matcher set up for p.
func (p *program) matcher(ctx context.Context, s *condition.Scope) (*matcher, error) {
	m, err := backend.Bind[*matcher](ctx, s, scopeMatcher{}, newScopeMatcher, errNoFacts)
	if err != nil {
		return nil, err
	}
	if m.p == nil || !p.Plan.SameClocks(m.p.Plan) {
		m.a.clocks = p.clocks
		m.a.clock = p.Plan.Clocks(s, m.a.buf[:0])
	}
	m.ctx, m.p, m.s = ctx, p, s
	return m, nil
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
