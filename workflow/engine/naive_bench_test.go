package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/interpreter"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// The naive baselines of BenchmarkMatch (research/performance.md B-EXPR
// and B-CEL): one program per workflow, written by hand from the
// benchmark's trees as a single boolean expression, evaluated on every
// message for every workflow over a struct environment filled for it. They
// share no code with the backends, so that a change of the backends does
// not move the baseline.

// naiveVars is the environment of the naive programs.
type naiveVars struct {
	Text    string `expr:"text"`
	Agent   string `expr:"agent"`
	Weekday int64  `expr:"weekday"`
	Minute  int64  `expr:"minute"`
}

func newNaiveVars(f *condition.Facts) naiveVars {
	t := f.Time.In(time.UTC)
	return naiveVars{Text: f.Text, Agent: f.Agent, Weekday: int64(t.Weekday()), Minute: int64(t.Hour()*60 + t.Minute())}
}

// naiveSource writes the benchmark's trees (all, any, text contains, agent
// assigned, schedule in the account's zone) as one expression in lang:
// "expr", "cel" or "grule" (a GRL condition over the fact Fact).
func naiveSource(n condition.Node, lang string) string {
	v := func(name string) string { return name }
	if lang == "grule" {
		v = func(name string) string { return "Fact." + strings.ToUpper(name[:1]) + name[1:] }
	}
	join := func(nodes []condition.Node, op string) string {
		parts := make([]string, len(nodes))
		for i, c := range nodes {
			parts[i] = naiveSource(c, lang)
		}
		return "(" + strings.Join(parts, op) + ")"
	}
	switch n := n.(type) {
	case condition.All:
		return join(n.Nodes, " && ")
	case condition.Any:
		return join(n.Nodes, " || ")
	case condition.Text:
		lit := strconv.Quote(condition.Fold(n.Value))
		switch lang {
		case "cel":
			return "text.contains(" + lit + ")"
		case "grule":
			return v("text") + ".Contains(" + lit + ")"
		}
		return "text contains " + lit
	case condition.Agent:
		if n.IsAssigned {
			return v("agent") + ` != ""`
		}
		return v("agent") + ` == ""`
	case condition.Schedule:
		days := make([]string, len(n.Days))
		for i, d := range n.Days {
			days[i] = strconv.Itoa(int(d))
		}
		in := "weekday in [" + strings.Join(days, ", ") + "]"
		if lang == "grule" { // GRL has no list literal
			in = v("weekday") + " == " + strings.Join(days, " || "+v("weekday")+" == ")
		}
		return fmt.Sprintf("((%s) && %s >= %d && %s < %d)", in, v("minute"), n.From, v("minute"), n.To)
	}
	panic(fmt.Sprintf("naiveSource: %T is not in the benchmark's trees", n))
}

// naiveLoop evaluates one program per workflow on a message.
type naiveLoop interface {
	matches(tb testing.TB, list []*compiled, f *condition.Facts, ev trigger.Event) int
}

type naiveExpr struct{ progs []*vm.Program }

func newNaiveExpr(tb testing.TB, list []*compiled) naiveLoop {
	n := naiveExpr{progs: make([]*vm.Program, len(list))}
	for i, c := range list {
		p, err := expr.Compile(naiveSource(c.Conditions, "expr"), expr.Env(naiveVars{}), expr.AsBool())
		if err != nil {
			tb.Fatal(err)
		}
		n.progs[i] = p
	}
	return n
}

func (n naiveExpr) matches(tb testing.TB, list []*compiled, f *condition.Facts, ev trigger.Event) int {
	var machine vm.VM
	count := 0
	for i, c := range list {
		if !c.applies(ev) {
			continue
		}
		env := newNaiveVars(f)
		out, err := machine.Run(n.progs[i], &env)
		if err != nil {
			tb.Fatal(err)
		}
		if out.(bool) {
			count++
		}
	}
	return count
}

type naiveCEL struct{ progs []cel.Program }

func newNaiveCEL(tb testing.TB, list []*compiled) naiveLoop {
	env, err := cel.NewEnv(cel.Variable("text", cel.StringType), cel.Variable("agent", cel.StringType),
		cel.Variable("weekday", cel.IntType), cel.Variable("minute", cel.IntType))
	if err != nil {
		tb.Fatal(err)
	}
	n := naiveCEL{progs: make([]cel.Program, len(list))}
	for i, c := range list {
		ast, iss := env.Compile(naiveSource(c.Conditions, "cel"))
		if iss.Err() != nil {
			tb.Fatal(iss.Err())
		}
		if n.progs[i], err = env.Program(ast, cel.EvalOptions(cel.OptOptimize)); err != nil {
			tb.Fatal(err)
		}
	}
	return n
}

// celVars is a struct-backed activation of naiveVars.
type celVars struct{ v naiveVars }

func (a *celVars) ResolveName(name string) (any, bool) {
	switch name {
	case "text":
		return types.String(a.v.Text), true
	case "agent":
		return types.String(a.v.Agent), true
	case "weekday":
		return types.Int(a.v.Weekday), true
	case "minute":
		return types.Int(a.v.Minute), true
	}
	return nil, false
}

func (a *celVars) Parent() interpreter.Activation { return nil }

func (n naiveCEL) matches(tb testing.TB, list []*compiled, f *condition.Facts, ev trigger.Event) int {
	count := 0
	for i, c := range list {
		if !c.applies(ev) {
			continue
		}
		out, _, err := n.progs[i].Eval(&celVars{v: newNaiveVars(f)})
		if err != nil {
			tb.Fatal(err)
		}
		if out == types.True {
			count++
		}
	}
	return count
}
