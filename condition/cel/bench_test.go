package cel_test

import (
	"context"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/trigger"
)

// reference is the predicate of the performance research:
// all: [any: [text contains prix, text contains disponible], schedule mon-fri 09:00-18:00].
func reference() condition.Node {
	return condition.All{Nodes: []condition.Node{
		condition.Any{Nodes: []condition.Node{
			condition.Text{Op: condition.Contains, Value: "prix"},
			condition.Text{Op: condition.Contains, Value: "disponible"},
		}},
		condition.Schedule{Days: []time.Weekday{1, 2, 3, 4, 5}, From: 9 * 60, To: 18 * 60},
	}}
}

func benchEval(b *testing.B, text string, want bool) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	prg, err := cel.New().Compile(reference(), condition.Env{Location: paris})
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

func BenchmarkEvalHit(b *testing.B) {
	benchEval(b, "Bonjour, le modèle bleu en taille 42 est-il encore Disponible en boutique ?", true)
}

func BenchmarkEvalMiss(b *testing.B) {
	benchEval(b, "Bonjour, le modèle bleu en taille 42 existe-t-il aussi en rouge foncé ?", false)
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cel.New().Compile(reference(), condition.Env{}); err != nil {
			b.Fatal(err)
		}
	}
}
