package cel_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/trigger"
)

// A raw CEL leaf beside built-in leaves; the trace shows each leaf's value.
func Example() {
	tree := condition.Any{Nodes: []condition.Node{
		condition.Labels{Op: condition.OpHas, Values: []string{"vip"}},
		condition.Raw{Lang: condition.LangCEL, Source: `message_count > 3 && labels.exists(l, l.startsWith("b2b"))`},
	}}
	prg, err := cel.New().Compile(tree, condition.Env{})
	if err != nil {
		fmt.Println(err)
		return
	}
	facts := condition.NewFacts(condition.Input{
		Message:      trigger.Message{Text: "Bonjour", Time: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
		Labels:       []string{"b2b-paris"},
		MessageCount: 5,
	})
	res, err := prg.Eval(context.Background(), facts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("matched:", res.Matched)
	fmt.Print(res.Trace)
	// Output:
	// matched: true
	// ✗ any[0].labels: labels has "vip"
	// ✓ any[1].cel: cel "message_count > 3 && labels.exists(l, l.startsWith(\"b2b\"))"
}

// The expr backend's raw leaves are refused with ErrUnsupported.
func Example_otherLanguage() {
	tree := condition.Raw{Lang: condition.LangExpr, Source: `text contains "prix"`}
	_, err := cel.New().Compile(tree, condition.Env{})
	fmt.Println(err)
	fmt.Println(errors.Is(err, condition.ErrUnsupported))
	// Output:
	// expr: expr expressions need the expr backend: not supported by this backend
	// true
}
