package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// decideRules has a stop workflow, a shadow one, labels, counts, hours and
// raw expressions that fail on texts that are not numbers (int("...")),
// once where the short circuit skips the failing leaf and once where it
// does not.
const decideRules = `
workflows:
  - name: Hors horaires
    trigger: incoming_message
    priority: 1
    stop: true
    conditions:
      all:
        - not: {schedule: {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
        - agent: {assigned: false}
    actions: [{reply: {text: "Fermé"}}]
  - name: Prix
    trigger: incoming_message
    conditions: {text: {contains_any: [prix, tarif]}}
    actions: [{reply: {text: "Nos prix"}}]
  - name: Quantité
    trigger: incoming_message
    conditions: {all: [{text: {contains: "2"}}, {expr: 'int(text) > 1'}]}
    actions: [{reply: {text: "Quantité"}}]
  - name: Code
    trigger: incoming_message
    conditions: {any: [{text: {contains: code}}, {expr: 'int(text) == 7'}]}
    actions: [{reply: {text: "Code"}}]
  - name: VIP
    trigger: incoming_message
    mode: shadow
    conditions: {all: [{labels: {has: vip}}, {message_count: {lte: 3}}]}
    actions: [{assign: {agent: alice}}]
  - name: Bienvenue
    trigger: new_contact
    actions: [{reply: {text: "Bienvenue"}}]
`

// DecideMatch decides as Decide does, and Explain gives the trace and the
// error Decide gives, on random messages.
func TestDecideMatchIsDecide(t *testing.T) {
	ctx := context.Background()
	e, err := engine.New(engine.Config{Store: memstore.New(), Transport: &recorder{}, Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetWorkflows(ctx, mustLoad(t, decideRules, workflow.LoadOptions{Compiler: expr.New()})); err != nil {
		t.Fatal(err)
	}
	texts := []string{"2", "12", "deux 2", "7", "code 7", "quel prix ?", "tarif", "bonjour", "", "code"}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	explained, skipped := 0, 0
	for i := range 2000 {
		msg := trigger.Message{ID: fmt.Sprint(i), Session: "main", Phone: "+33600000000", Type: trigger.MessageText,
			Text: texts[rng.IntN(len(texts))], Time: start.Add(time.Duration(rng.IntN(7*24*60)) * time.Minute)}
		in := condition.Input{Message: msg, MessageCount: 1 + rng.IntN(6), IsNewContact: rng.IntN(4) == 0}
		if rng.IntN(3) == 0 {
			in.Agent = "bob"
		}
		if rng.IntN(3) == 0 {
			in.Labels = []string{"vip"}
		}
		ev := trigger.Event{Message: msg, NewContact: in.IsNewContact}
		// allow refuses one workflow in five, the same in both calls.
		refuse := rng.IntN(5)
		allow := func(n *int) func(*workflow.Workflow) bool {
			return func(*workflow.Workflow) bool { *n++; return *n%5 != refuse }
		}
		var n1, n2 int
		want := e.Decide(ctx, ev, condition.NewFacts(in), allow(&n1))
		sc := condition.NewScope(condition.NewFacts(in))
		got := e.DecideMatch(ctx, ev, sc, allow(&n2))
		if len(got) != len(want) {
			t.Fatalf("message %q: %d decisions, Decide %d", msg.Text, len(got), len(want))
		}
		for j, d := range got {
			w := want[j]
			if d.Workflow.Name != w.Workflow.Name || d.Matched != w.Matched || d.Fired != w.Fired {
				t.Fatalf("message %q, %s: matched %v fired %v, Decide %v %v", msg.Text, d.Workflow.Name, d.Matched, d.Fired, w.Matched, w.Fired)
			}
			if d.Matched && (!reflect.DeepEqual(d.Trace, w.Trace) || d.Err != nil) {
				t.Fatalf("message %q, %s: trace %+v, Decide %+v", msg.Text, d.Workflow.Name, d.Trace, w.Trace)
			}
			res, err := d.Explain(ctx, sc)
			if !reflect.DeepEqual(res.Trace, w.Trace) || !errors.Is(err, w.Err) && fmt.Sprint(err) != fmt.Sprint(w.Err) {
				t.Fatalf("message %q, %s: Explain %+v, %v; Decide %+v, %v", msg.Text, d.Workflow.Name, res.Trace, err, w.Trace, w.Err)
			}
			if d.Trace == nil {
				explained++
			}
			if w.Err != nil && d.Err == nil {
				skipped++
			}
		}
	}
	if explained == 0 || skipped == 0 {
		t.Fatalf("%d decisions left without a trace, %d failing leaves skipped: the rules do not test Explain", explained, skipped)
	}
}
