package engine

import (
	"context"
	"testing"
	"time"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
)

// BenchmarkFixedCost is the engine's per-message cost with zero workflows:
// a queued evaluation (runInbound) builds the message's facts, asks the
// prefilter for candidates and finds none. Everything it spends is paid by
// every message whatever the workflows. The execution record and its text
// buffer are reused from one iteration to the next, as from one message to
// the next when no workflow matches. lang=fr is the matching benchmarks'
// French message (accents); lang=ascii is the same without accents. The
// floor it is measured against is BenchmarkFold/impl=lower (lower-casing
// the text once).
//
//	go test ./workflow/engine -run '^$' -bench 'FixedCost' -count 6
func BenchmarkFixedCost(b *testing.B) {
	e := &Engine{cfg: Config{Metrics: noMetrics{}, Tracer: noTracer{}}}
	e.set.Store(compileSet(b, expr.New(), nil))
	for _, lang := range []struct{ name, text string }{{"fr", benchFiller}, {"ascii", benchASCII}} {
		b.Run("lang="+lang.name, func(b *testing.B) {
			j := inboundJob{
				Message: trigger.Message{Session: "s1", ID: "m1", Phone: "+33612345678", Text: lang.text,
					Type: trigger.MessageText, Time: time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)},
				Seq: 3, Labels: []string{"vip", "fr"}, MessageCount: 3,
				LastReply: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := e.runInbound(ctx, j, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchASCII is benchFiller without its accents.
const benchASCII = "Bonjour, le modele bleu en taille 42 est-il encore en boutique ? Merci beaucoup, bonne journee"
