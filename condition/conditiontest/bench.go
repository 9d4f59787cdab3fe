package conditiontest

import (
	"context"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// ReferencePredicate is the predicate of the performance research:
// all: [any: [text contains prix, text contains disponible], schedule mon-fri 09:00-18:00].
func ReferencePredicate() condition.Node {
	return condition.All{Nodes: []condition.Node{
		condition.Any{Nodes: []condition.Node{
			condition.Text{Op: condition.OpContains, Value: "prix"},
			condition.Text{Op: condition.OpContains, Value: "disponible"},
		}},
		condition.Schedule{Days: []time.Weekday{1, 2, 3, 4, 5}, From: 9 * 60, To: 18 * 60},
	}}
}

// Bench benchmarks a compiler on ReferencePredicate: evaluation of a
// matching and a non-matching message (sub-benchmarks "hit" and "miss") and
// compilation ("compile"). Run it for several backends in one `go test
// -bench` to compare them in the same conditions.
func Bench(b *testing.B, c condition.Compiler) {
	b.Run("hit", func(b *testing.B) {
		benchEval(b, c, "Bonjour, le modèle bleu en taille 42 est-il encore Disponible en boutique ?", true)
	})
	b.Run("miss", func(b *testing.B) {
		benchEval(b, c, "Bonjour, le modèle bleu en taille 42 existe-t-il aussi en rouge foncé ?", false)
	})
	b.Run("compile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Compile(ReferencePredicate(), condition.Env{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchEval(b *testing.B, c condition.Compiler, text string, want bool) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	prg, err := c.Compile(ReferencePredicate(), condition.Env{Location: paris})
	if err != nil {
		b.Fatal(err)
	}
	f := condition.NewFacts(condition.Input{Message: trigger.Message{
		Text: text, Time: time.Date(2026, 11, 23, 10, 30, 0, 0, paris),
	}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := prg.Eval(ctx, f)
		if err != nil || res.Matched != want {
			b.Fatalf("got %v, %v; want %v", res.Matched, err, want)
		}
	}
}
