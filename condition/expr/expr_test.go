package expr_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
)

func raw(src string) condition.Raw { return condition.Raw{Lang: condition.LangExpr, Source: src} }

func TestCompileErrors(t *testing.T) {
	big := strings.Repeat("message_count > 0 && ", 60) + "true"
	conditiontest.CheckCompileErrors(t, expr.New(), []conditiontest.CompileErrorCase{
		{Name: "cel leaf", Tree: condition.Not{Node: condition.Raw{Lang: condition.LangCEL, Source: "true"}}, Path: "not.cel", Is: condition.ErrUnsupported},
		{Name: "not boolean", Tree: raw(`message_count + 1`), Path: "expr"},
		{Name: "syntax error", Tree: raw(`message_count >`), Path: "expr"},
		{Name: "unknown variable", Tree: raw(`_since_ns > 0`), Path: "expr"},
		{Name: "over MaxNodes", Tree: raw(big), Env: condition.Env{MaxNodes: 100}, Path: "expr"},
		{Name: "over the default MaxNodes", Tree: raw(strings.Repeat(big+" && ", 20) + "true"), Path: "expr"},
		{Name: "map over a huge range", Tree: raw(`len(map(1..100000000, #)) > 0`), Path: "expr", Is: condition.ErrCostLimit},
		{Name: "count over a huge range", Tree: condition.All{Nodes: []condition.Node{raw(`true`), raw(`count(1..100000000, # > 5) > 0`)}}, Path: "all[1].expr", Is: condition.ErrCostLimit},
		{Name: "nested loops", Tree: raw(`all(1..200, {all(1..200, {# > 0})})`), Path: "expr", Is: condition.ErrCostLimit},
		{Name: "loop over the words of the text", Tree: raw(`any(split(text, " "), {# == "prix"})`), Path: "expr", Is: condition.ErrCostLimit},
		{Name: "range of a variable", Tree: raw(`len(1..message_count) > 2`), Path: "expr", Is: condition.ErrCostLimit},
		{Name: "loop in a let", Tree: raw(`let r = 1..9; all(r, {# > 0})`), Path: "expr", Is: condition.ErrCostLimit},
		{Name: "max of a long range", Tree: raw(`max(1..20000) > 0`), Path: "expr", Is: condition.ErrCostLimit},
		{Name: "over Env.CostLimit", Tree: raw(`all(1..50, {# > 0})`), Env: condition.Env{CostLimit: 100}, Path: "expr", Is: condition.ErrCostLimit},
	})
	// Bounded loops fit the default limit.
	for _, src := range []string{`all(labels, {# startsWith "vip"})`, `hour in 9..17`, `all(1..50, {# > 0})`,
		`len(filter(["a", "b"], {# in labels})) == 1`, `let n = message_count; n > 2 ? text contains "x" : true`} {
		if _, err := expr.New().Compile(raw(src), condition.Env{}); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
	// The same big expression fits a larger budget.
	if _, err := expr.New().Compile(raw(big), condition.Env{MaxNodes: 1000}); err != nil {
		t.Errorf("within MaxNodes: %v", err)
	}
}

func facts(text string) *condition.Facts {
	return condition.NewFacts(condition.Input{Message: trigger.Message{Text: text, Time: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}})
}

func TestRuntimeErrorIsReturned(t *testing.T) {
	prg, err := expr.New().Compile(raw(`10 % (message_count - message_count) == 1`), condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prg.Eval(context.Background(), facts("x")); err == nil {
		t.Error("modulo by zero: no error")
	}
	// The program still works afterwards.
	prg, err = expr.New().Compile(condition.All{Nodes: []condition.Node{raw(`text startsWith "bon"`)}}, condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := prg.Eval(context.Background(), facts("Bonjour")); err != nil || !res.Matched {
		t.Errorf("got %+v, %v", res, err)
	}
}

func TestNilFactsIsAnError(t *testing.T) {
	prg, err := expr.New().Compile(nil, condition.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prg.Eval(context.Background(), nil); err == nil {
		t.Error("nil facts: no error")
	}
}
