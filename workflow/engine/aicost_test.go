package engine_test

import (
	"context"
	"testing"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// A metered AI reply logs its cost in the structured Credits field of its
// ai_reply result (the detail's words are for people); unmetered, 0.
func TestAIReplyCostIsStructured(t *testing.T) {
	for _, meter := range []bool{true, false} {
		ctx := context.Background()
		mem, q := memstore.New(), &jobBox{}
		e, _ := engine.New(engine.Config{Store: mem, Transport: &flakyTransport{}, Compiler: expr.New(), Jobs: q, Responder: &captureAI{}, MeterCredits: meter, CharsPerCredit: 5})
		if err := mem.SetCredits(ctx, 10); err != nil {
			t.Fatal(err)
		}
		if err := e.SetWorkflows(ctx, mustLoad(t, "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {}}]\n", workflow.LoadOptions{})); err != nil {
			t.Fatal(err)
		}
		if err := e.Receive(ctx, onceMsg); err != nil {
			t.Fatal(err)
		}
		q.drain(t, e)
		page, err := mem.QueryLogs(ctx, workflow.LogQuery{Reason: "ai reply sent"})
		if err != nil || len(page.Entries) != 1 {
			t.Fatalf("meter %v: ai rows %+v, %v", meter, page.Entries, err)
		}
		want := int64(0)
		if meter {
			want = 3 // "Voici le prix": 13 characters at 5 a credit
		}
		if got := page.Entries[0].Actions[0].Credits; got != want {
			t.Errorf("meter %v: Credits = %d, want %d (detail %q)", meter, got, want, page.Entries[0].Actions[0].Detail)
		}
		if bal, _ := mem.CreditBalance(ctx); bal != 10-want {
			t.Errorf("meter %v: balance %d, want %d", meter, bal, 10-want)
		}
	}
}
