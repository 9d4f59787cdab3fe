package expr

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/internal/backend"
)

// Compiler compiles condition trees to expr programs. The zero value is
// ready to use; it is safe for concurrent use.
type Compiler struct{}

// New returns an expr Compiler.
func New() condition.Compiler { return Compiler{} }

// Name returns "expr".
func (Compiler) Name() string { return "expr" }

// vars are the variables raw expressions see (condition.Vars).
type vars struct {
	Text         string   `expr:"text"`
	RawText      string   `expr:"raw_text"`
	Type         string   `expr:"type"`
	Phone        string   `expr:"phone"`
	Session      string   `expr:"session"`
	Agent        string   `expr:"agent"`
	Labels       []string `expr:"labels"`
	MessageCount int64    `expr:"message_count"`
	SinceSeconds int64    `expr:"since_last_reply_seconds"`
	Length       int64    `expr:"length"`
	Weekday      int64    `expr:"weekday"`
	Hour         int64    `expr:"hour"`
	Minute       int64    `expr:"minute"`
	IsNewContact bool     `expr:"is_new_contact"`
}

// env adds what the generated leaves read. The clocks of the first
// flatZones time zones are plain fields (fetching a struct out of _tz
// costs an allocation); further zones are read from _tz.
type env struct {
	vars
	SinceNS    int64               `expr:"_since_ns"`
	LocalTimes []backend.LocalTime `expr:"_tz"`
	WD0        int64               `expr:"_wd0"`
	YWD0       int64               `expr:"_ywd0"`
	Min0       int64               `expr:"_min0"`
	Date0      string              `expr:"_date0"`
	YDate0     string              `expr:"_ydate0"`
	WD1        int64               `expr:"_wd1"`
	YWD1       int64               `expr:"_ywd1"`
	Min1       int64               `expr:"_min1"`
	Date1      string              `expr:"_date1"`
	YDate1     string              `expr:"_ydate1"`
	buf        [flatZones]backend.LocalTime
}

const flatZones = 2

type dialect struct {
	maxNodes  uint
	costLimit uint64
}

func (dialect) StringOp(subject, op, lit string) string { return subject + " " + op + " " + lit }

func (dialect) TimeVar(slot int, field string) string {
	if slot < flatZones {
		return fmt.Sprintf("_%s%d", field, slot)
	}
	return fmt.Sprintf("_tz[%d].%s", slot, field)
}

func (d dialect) CheckRaw(r condition.Raw) error {
	if r.Lang != condition.LangExpr {
		return fmt.Errorf("%s expressions need the %s backend: %w", r.Lang, r.Lang, condition.ErrUnsupported)
	}
	prg, err := expr.Compile(r.Source, expr.Env(vars{}), expr.AsBool(), expr.MaxNodes(d.maxNodes))
	if err != nil {
		return fmt.Errorf("expr expression: %w", err)
	}
	if c := cost(prg.Node(), d.costLimit); c > d.costLimit {
		return fmt.Errorf("expr expression may take more than %d steps (the cost limit; a loop costs its body once per element of its list or range): %w", d.costLimit, condition.ErrCostLimit)
	}
	return nil
}

// Compile compiles tree into one expr program. See condition.Compiler.
func (Compiler) Compile(tree condition.Node, cenv condition.Env) (condition.Program, error) {
	max := cenv.MaxNodes
	if max == 0 {
		max = condition.DefaultMaxNodes
	}
	limit := cenv.CostLimit
	if limit == 0 {
		limit = condition.DefaultCostLimit
	}
	plan, err := backend.Generate(tree, cenv, dialect{maxNodes: max, costLimit: limit})
	if err != nil {
		return nil, err
	}
	leaves := cenv.Leaves
	if leaves == nil {
		leaves = condition.NewLeafCache()
	}
	p := &program{leaves: make([]*condition.CachedLeaf, len(plan.Leaves))}
	p.Program = backend.Program[*matcher]{Plan: plan, Lang: "expr", NoFacts: errNoFacts, Bind: p.matcher}
	for i, src := range plan.Leaves {
		// Built-in leaves are evaluated in Go (backend.Native); raw leaves
		// were bounded one by one, the generated text around them is not.
		p.leaves[i], err = leaves.Leaf("expr\n"+plan.LeafKey(i), func() (any, error) {
			if n := plan.Native[i]; n != nil {
				return n, nil
			}
			return expr.Compile(src, expr.Env(env{}), expr.AsBool(), expr.MaxNodes(0), expr.Optimize(true))
		})
		if err != nil {
			return nil, fmt.Errorf("expr: compiling generated program: %w", err)
		}
	}
	p.vms.New = func() any { return &vm.VM{} }
	return p, nil
}

// program is a compiled tree: Eval, Trace and Match come from
// backend.Program, over the leaves its matcher runs.
type program struct {
	backend.Program[*matcher]
	// leaves are the compiled leaves (*vm.Program; *backend.Native for a
	// built-in leaf), in trace order.
	leaves []*condition.CachedLeaf
	vms    sync.Pool
}

// run evaluates leaf i on e.
func (p *program) run(i int, e *env) (bool, error) {
	machine := p.vms.Get().(*vm.VM)
	out, err := machine.Run(p.leaves[i].Program.(*vm.Program), e)
	p.vms.Put(machine)
	if err != nil {
		return false, fmt.Errorf("expr: evaluating condition: %w", err)
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("expr: leaf %d returned %T, want bool", i, out)
	}
	return b, nil
}

// matcher gives Tree.Match the leaves of one program on one scope,
// remembering shared leaves' values in the scope. It is allocated once per
// message with its environment, whose variables are filled only when a
// leaf needs the interpreter (a raw expression).
type matcher struct {
	p      *program
	e      *env
	s      *condition.Scope
	filled bool
	env    env
}

func (m *matcher) Leaf(i int) (bool, error) {
	return backend.Leaf(m.s, m.p.leaves[i], m.e.LocalTimes, i, m)
}

// Interpret runs raw leaf i, filling the environment's variables on the
// message's first raw leaf.
func (m *matcher) Interpret(i int) (bool, error) {
	if !m.filled {
		fillVars(m.e, m.s.Facts())
		m.filled = true
	}
	return m.p.run(i, m.e)
}

var errNoFacts = errors.New("expr: nil facts")

// scopeEnv keys the per-message environment in a condition.Scope.
type scopeEnv struct{}

func newScopeEnv(*condition.Facts) any {
	m := &matcher{}
	m.e = &m.env
	return m
}

// matcher returns the scope's matcher set up for p.
func (p *program) matcher(ctx context.Context, s *condition.Scope) (*matcher, error) {
	m, err := backend.Bind[*matcher](ctx, s, scopeEnv{}, newScopeEnv, errNoFacts)
	if err != nil {
		return nil, err
	}
	if m.p == nil || !p.Plan.SameClocks(m.p.Plan) {
		p.setClocks(m.e, p.Plan.Clocks(s, m.e.buf[:0]))
	}
	m.p, m.s = p, s
	return m, nil
}

// setClocks sets the clock variables of e to the program's zones.
func (p *program) setClocks(e *env, clocks []backend.LocalTime) {
	e.LocalTimes = clocks
	now := clocks[0]
	e.WD0, e.YWD0, e.Min0, e.Date0, e.YDate0 = now.Weekday, now.Yesterday, now.Minute, now.Date, now.YDate
	if len(clocks) > 1 {
		c := clocks[1]
		e.WD1, e.YWD1, e.Min1, e.Date1, e.YDate1 = c.Weekday, c.Yesterday, c.Minute, c.Date, c.YDate
	}
	e.Weekday, e.Hour, e.Minute = now.Weekday, now.Minute/60, now.Minute%60
}

// fillVars sets the variables of e that depend on the facts only (not the
// clock's: setClocks).
func fillVars(e *env, f *condition.Facts) {
	since := int64(-1)
	if f.SinceLastReply >= 0 {
		since = int64(f.SinceLastReply)
	}
	labels := f.Labels
	if labels == nil {
		labels = []string{}
	}
	v := &e.vars
	v.Text, v.RawText, v.Type, v.Phone = f.Text, f.RawText, string(f.Type), f.Phone
	v.Session, v.Agent, v.Labels = f.Session, f.Agent, labels
	v.MessageCount, v.Length, v.IsNewContact = int64(f.MessageCount), int64(f.Length), f.IsNewContact
	e.SinceNS = since
	e.vars.SinceSeconds = -1
	if since >= 0 {
		e.vars.SinceSeconds = since / 1e9
	}
}
