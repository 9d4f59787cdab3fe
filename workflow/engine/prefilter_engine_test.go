package engine_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

var engWords = []string{"prix", "PRIX", "tarif", "tarifs", "dispo", "Problème", "probleme", "rdv", "ça", "ca", "été", "a", "🙏"}

func engText(g *rand.Rand) string {
	var b strings.Builder
	for range g.IntN(5) {
		b.WriteString(engWords[g.IntN(len(engWords))])
		b.WriteString([]string{" ", "", "-", "!"}[g.IntN(4)])
	}
	return b.String()
}

func engTree(g *rand.Rand, depth int) condition.Node {
	nodes := func() []condition.Node {
		out := make([]condition.Node, g.IntN(3))
		for i := range out {
			out[i] = engTree(g, depth+1)
		}
		return out
	}
	if depth < 2 {
		switch g.IntN(6) {
		case 0:
			return condition.All{Nodes: nodes()}
		case 1:
			return condition.Any{Nodes: nodes()}
		case 2:
			return condition.Not{Node: engTree(g, depth+1)}
		}
	}
	w := engWords[g.IntN(len(engWords))]
	switch g.IntN(7) {
	case 0:
		return condition.Length{Op: condition.OpGt, N: g.IntN(10)}
	case 1:
		return condition.Text{Op: condition.OpNotContains, Value: w}
	case 2:
		return condition.Text{Op: condition.OpContainsAny, Values: []string{w, engWords[g.IntN(len(engWords))]}, Word: g.IntN(2) == 0}
	case 3:
		return condition.Text{Op: condition.OpStartsWith, Value: w, Exact: g.IntN(2) == 0}
	}
	return condition.Text{Op: condition.OpContains, Value: w, Exact: g.IntN(4) == 0}
}

// Through Engine.Handle: on random workflow sets (priorities with ties,
// stop, disabled workflows, new_contact triggers) every message fires
// exactly the workflows a naive loop over all of them, in priority order
// and honouring stop, says it should.
func TestHandlePrefilterMatchesNaive(t *testing.T) {
	ctx := context.Background()
	g := rand.New(rand.NewPCG(11, 12))
	compiler := expr.New()
	for round := range 25 {
		var ws []workflow.Workflow
		for i := range 1 + g.IntN(25) {
			ws = append(ws, workflow.Workflow{
				Name: fmt.Sprint("w", i), Enabled: g.IntN(6) > 0, Priority: g.IntN(3), Stop: g.IntN(8) == 0,
				Trigger:    []trigger.Kind{trigger.KindIncomingMessage, trigger.KindIncomingMessage, trigger.KindNewContact}[g.IntN(3)],
				Conditions: engTree(g, 0),
				Actions:    []workflow.Step{{Type: "label", Action: &action.Label{Add: action.Strings{"seen"}}}},
			})
		}
		e, err := engine.New(engine.Config{Store: memstore.New(), Transport: &recorder{}, Compiler: compiler})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.SetWorkflows(ctx, workflow.Definitions{Workflows: ws}); err != nil {
			t.Fatal(err)
		}
		ordered := e.Workflows()
		progs := make([]condition.Program, len(ordered))
		for i, w := range ordered {
			if progs[i], err = compiler.Compile(w.Conditions, condition.Env{}); err != nil {
				t.Fatal(err)
			}
		}
		for k := range 40 {
			// A new phone each time: a first message, no agent, no labels.
			m := trigger.Message{Session: "main", ID: fmt.Sprint("m", k), Phone: fmt.Sprintf("+3361234%04d", k), Text: engText(g)}
			facts := condition.NewFacts(condition.Input{Message: m, MessageCount: 1, IsNewContact: true})
			var want []string
			for i, w := range ordered {
				if !w.Enabled {
					continue
				}
				res, err := progs[i].Eval(ctx, facts)
				if err != nil {
					t.Fatal(err)
				}
				if res.Matched {
					want = append(want, w.Name)
					if w.Stop {
						break
					}
				}
			}
			execs, err := e.Handle(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range execs {
				if x.Outcome != workflow.OutcomeFired {
					t.Fatalf("%s: outcome %s (%s)", x.Workflow, x.Outcome, x.Reason)
				}
				got = append(got, x.Workflow)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, text %q: fired %q, want %q (prefilter %+v)", round, m.Text, got, want, e.Prefilter())
			}
		}
	}
}

func TestEnginePrefilterStats(t *testing.T) {
	ctx := context.Background()
	e, err := engine.New(engine.Config{Store: memstore.New(), Transport: &recorder{}, Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Prefilter(); got != (engine.PrefilterStats{}) {
		t.Errorf("before any workflow: %+v", got)
	}
	d := mustLoad(t, `
workflows:
  - name: Prix
    trigger: incoming_message
    conditions: {text: {contains_any: [prix, tarif]}}
    actions: [{label: {add: [sales]}}]
  - name: Hors horaires
    trigger: incoming_message
    conditions: {not: {schedule: {days: [mon], from: "09:00", to: "18:00"}}}
    actions: [{label: {add: [late]}}]
`, workflow.LoadOptions{})
	if err := e.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	got := e.Prefilter()
	if got.Enabled != 2 || got.Indexed != 1 || got.Always != 1 || got.Keywords != 2 {
		t.Errorf("Prefilter() = %+v", got)
	}
	if err := e.SetEnabled(ctx, []string{"Prix"}, false); err != nil {
		t.Fatal(err)
	}
	if got := e.Prefilter(); got.Enabled != 1 || got.Indexed != 0 || got.Keywords != 0 {
		t.Errorf("after disabling Prix: %+v", got)
	}
}
