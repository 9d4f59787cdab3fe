package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/workflowtest"
)

const outOfHours = `
workflows:
  - name: Closed
    trigger: incoming_message
    conditions: {not: {schedule: {from: "09:00", to: "18:00"}}}
    actions: [{reply: {text: "We are closed"}}]
`

// TestSetLocationRecompiles: an out-of-hours rule follows the account's
// zone when the shop changes it, without reloading the workflows.
func TestSetLocationRecompiles(t *testing.T) {
	ctx := context.Background()
	// 16:30 UTC is open in UTC and 01:30 the next day in Tokyo.
	at := time.Date(2026, 7, 1, 16, 30, 0, 0, time.UTC)
	rec := &recorder{}
	e, err := engine.New(engine.Config{Store: memstore.New(), Transport: rec, Compiler: expr.New(), Clock: workflowtest.NewClock(at)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetWorkflows(ctx, mustLoad(t, outOfHours, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	send := func(id string) []workflow.Outcome {
		t.Helper()
		execs, err := e.Handle(ctx, trigger.Message{ID: id, Session: "main", Phone: "+33611111111", Text: "hello", Time: at})
		if err != nil {
			t.Fatal(err)
		}
		var out []workflow.Outcome
		for _, x := range execs {
			out = append(out, x.Outcome)
		}
		return out
	}
	if got := send("1"); len(got) != 0 || len(rec.sent) != 0 {
		t.Fatalf("open in UTC: outcomes %v, sent %+v", got, rec.sent)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetLocation(tokyo); err != nil {
		t.Fatal(err)
	}
	if e.Location() != tokyo {
		t.Fatalf("Location() = %v after SetLocation(Asia/Tokyo)", e.Location())
	}
	if got := send("2"); len(got) != 1 || got[0] != workflow.OutcomeFired || len(rec.sent) != 1 || rec.sent[0].Text != "We are closed" {
		t.Fatalf("closed in Tokyo: outcomes %v, sent %+v", got, rec.sent)
	}
	if ws := e.Workflows(); len(ws) != 1 || ws[0].Name != "Closed" {
		t.Fatalf("workflows after SetLocation: %+v", ws)
	}
	if err := e.SetLocation(nil); err == nil || e.Location() != tokyo {
		t.Fatalf("SetLocation(nil) = %v, location now %v", err, e.Location())
	}
}

func TestSetMeterCredits(t *testing.T) {
	e, err := engine.New(engine.Config{Store: memstore.New(), Transport: &recorder{}, Compiler: expr.New(), MeterCredits: true})
	if err != nil {
		t.Fatal(err)
	}
	if !e.MeterCredits() {
		t.Fatal("MeterCredits() = false with Config.MeterCredits")
	}
	e.SetMeterCredits(false)
	if e.MeterCredits() {
		t.Fatal("MeterCredits() = true after SetMeterCredits(false)")
	}
}
