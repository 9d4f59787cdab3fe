package expr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
)

// Compile a tree once, evaluate it on the facts of one message and print
// why it matched.
func Example() {
	paris, _ := time.LoadLocation("Europe/Paris")
	tree := condition.All{Nodes: []condition.Node{
		condition.Any{Nodes: []condition.Node{
			condition.Text{Op: condition.OpContains, Value: "prix"},
			condition.Text{Op: condition.OpContains, Value: "disponible"},
		}},
		condition.Schedule{
			Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
			From: 9 * 60, To: 18 * 60,
		},
	}}
	prg, err := expr.New().Compile(tree, condition.Env{Location: paris})
	if err != nil {
		fmt.Println(err)
		return
	}
	facts := condition.NewFacts(condition.Input{Message: trigger.Message{
		Text: "Le modèle bleu est-il DISPONIBLE ?",
		Time: time.Date(2026, 11, 23, 10, 30, 0, 0, paris), // a Monday
	}})
	res, err := prg.Eval(context.Background(), facts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("matched:", res.Matched)
	fmt.Print(res.Trace)
	// Output:
	// matched: true
	// ✗ all[0].any[0].text: text contains "prix"
	// ✓ all[0].any[1].text: text contains "disponible"
	// ✓ all[1].schedule: schedule mon,tue,wed,thu,fri 09:00-18:00
}

// A bad regexp is reported with the path of its leaf.
func Example_compileError() {
	tree := condition.Not{Node: condition.Text{Op: condition.OpMatches, Value: "(prix"}}
	_, err := expr.New().Compile(tree, condition.Env{})
	fmt.Println(err)
	// Output:
	// not.text: bad regexp "(prix": error parsing regexp: missing closing ): `(prix`
}
