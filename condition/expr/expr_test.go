package expr_test

import (
	"context"
	"errors"
	"regexp/syntax"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
)

func raw(src string) condition.Raw { return condition.Raw{Lang: condition.Expr, Source: src} }

func TestCompileErrors(t *testing.T) {
	big := strings.Repeat("message_count > 0 && ", 60) + "true"
	tests := []struct {
		name   string
		tree   condition.Node
		env    condition.Env
		path   string
		is     error
		syntax bool
	}{
		{name: "bad regexp", tree: condition.Text{Op: condition.Matches, Value: "a(b"}, path: "text", syntax: true},
		{name: "unknown hours", tree: condition.Any{Nodes: []condition.Node{condition.InHours{Name: "shop"}}}, path: "any[0].schedule"},
		{name: "cel leaf", tree: condition.Not{Node: condition.Raw{Lang: condition.CEL, Source: "true"}}, path: "not.cel", is: condition.ErrUnsupported},
		{name: "not boolean", tree: raw(`message_count + 1`), path: "expr"},
		{name: "syntax error", tree: raw(`message_count >`), path: "expr"},
		{name: "unknown variable", tree: raw(`_since_ns > 0`), path: "expr"},
		{name: "over MaxNodes", tree: raw(big), env: condition.Env{MaxNodes: 100}, path: "expr"},
		{name: "over the default MaxNodes", tree: raw(strings.Repeat(big+" && ", 20) + "true"), path: "expr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := expr.New().Compile(tc.tree, tc.env)
			var ce *condition.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T), want a *condition.CompileError", err, err)
			}
			if ce.Path != tc.path {
				t.Errorf("path %q, want %q", ce.Path, tc.path)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			var se *syntax.Error
			if tc.syntax && !errors.As(err, &se) {
				t.Errorf("error %v does not wrap the *syntax.Error", err)
			}
		})
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
