package cel_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/trigger"
)

func raw(src string) condition.Raw { return condition.Raw{Lang: condition.LangCEL, Source: src} }

func TestCompileErrors(t *testing.T) {
	conditiontest.CheckCompileErrors(t, cel.New(), []conditiontest.CompileErrorCase{
		{Name: "expr leaf", Tree: condition.Not{Node: condition.Raw{Lang: condition.LangExpr, Source: "true"}}, Path: "not.expr", Is: condition.ErrUnsupported},
		{Name: "not boolean", Tree: raw(`message_count + 1`), Path: "cel"},
		{Name: "syntax error", Tree: raw(`message_count >`), Path: "cel"},
		{Name: "unknown variable", Tree: raw(`_since_ns > 0`), Path: "cel"},
		{Name: "over the cost limit", Tree: raw(`labels.all(a, labels.all(b, text.contains(a + b)))`), Path: "cel", Is: condition.ErrCostLimit},
		{Name: "over a small cost limit", Tree: raw(`text.contains("x")`), Env: condition.Env{CostLimit: 10}, Path: "cel", Is: condition.ErrCostLimit},
	})
}

func facts(text string, labels ...string) *condition.Facts {
	return condition.NewFacts(condition.Input{
		Message: trigger.Message{Text: text, Time: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)},
		Labels:  labels,
	})
}

func TestRawWithinEstimateCompiles(t *testing.T) {
	prg, err := cel.New().Compile(raw(`text.contains("prix") && labels.exists(l, l == "vip")`), condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := prg.Eval(context.Background(), facts("le prix", "b2b", "vip"))
	if err != nil || !res.Matched {
		t.Errorf("got %+v, %v; want matched", res, err)
	}
}

// Labels beyond MaxLabels make the evaluation exceed the cost its estimate
// allowed: Eval fails with ErrCostLimit, and the next evaluation works.
func TestCostLimitAtRuntime(t *testing.T) {
	tree := condition.All{Nodes: []condition.Node{
		condition.Text{Op: condition.OpContains, Value: "prix"},
		raw(`labels.exists(l, l.startsWith("zz"))`),
	}}
	prg, err := cel.New().Compile(tree, condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	many := make([]string, 20*cel.MaxLabels)
	for i := range many {
		many[i] = fmt.Sprint("label", i)
	}
	_, err = prg.Eval(context.Background(), facts("prix", many...))
	if !errors.Is(err, condition.ErrCostLimit) {
		t.Fatalf("error %v, want ErrCostLimit", err)
	}
	res, err := prg.Eval(context.Background(), facts("prix", "zz-top"))
	if err != nil || !res.Matched {
		t.Errorf("got %+v, %v; want matched", res, err)
	}
}

// A long text does not make built-in leaves fail: the limit applies to raw
// expressions, built-in leaves get their own estimate.
func TestLongTextWithRawLeaf(t *testing.T) {
	var leaves []condition.Node
	for range 20 {
		leaves = append(leaves, condition.Text{Op: condition.OpContains, Value: "zzz"})
	}
	leaves = append(leaves, raw(`true`))
	prg, err := cel.New().Compile(condition.Any{Nodes: leaves}, condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := prg.Eval(context.Background(), facts(strings.Repeat("abcdefgh ", 5000)))
	if err != nil || !res.Matched || len(res.Trace) != 21 {
		t.Errorf("got %v leaves, matched %t, %v", len(res.Trace), res.Matched, err)
	}
}

func TestRuntimeErrorIsReturned(t *testing.T) {
	prg, err := cel.New().Compile(raw(`10 / (message_count - message_count) == 1`), condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prg.Eval(context.Background(), facts("x")); err == nil {
		t.Error("division by zero: no error")
	}
}

func TestCancelledContext(t *testing.T) {
	prg, err := cel.New().Compile(condition.Text{Op: condition.OpEmpty, IsEmpty: true}, condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := prg.Eval(ctx, facts("")); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
