package engine_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// keepFacts keeps the facts its calls were given, as an action that
// reads them later (after the message's evaluation) would.
type keepFacts struct{ kept *[]keptFacts }

type keptFacts struct {
	facts *condition.Facts
	// what the facts said when the action ran
	text, phone string
	labels      []string
}

func (a keepFacts) Run(_ context.Context, c *action.Call) error {
	*a.kept = append(*a.kept, keptFacts{c.Facts, c.Facts.Text, c.Facts.Phone, slices.Clone(c.Facts.Labels)})
	return nil
}

// The engine reuses the record of a message no workflow matched; the
// facts of a message that fired stay what they were however many messages
// follow, on both paths (Handle; Receive then the queued job).
func TestFactsOfAFiringOutliveReusedRecords(t *testing.T) {
	for _, path := range []string{"handle", "receive"} {
		t.Run(path, func(t *testing.T) {
			ctx := context.Background()
			var kept []keptFacts
			reg := action.NewRegistry()
			reg.MustRegister("keep_facts", action.Of(func(a *keepFacts) { a.kept = &kept }))
			st, q := memstore.New(), &jobBox{}
			e, err := engine.New(engine.Config{Store: st, Transport: &recorder{}, Compiler: expr.New(), Jobs: q, Registry: reg})
			if err != nil {
				t.Fatal(err)
			}
			d := mustLoad(t, `
workflows:
  - name: Commande
    trigger: incoming_message
    conditions: {text: {contains: commande}}
    actions: [{keep_facts: {}}]
  - name: Tard
    trigger: incoming_message
    conditions: {labels: {has: never-set}}
    actions: [{keep_facts: {}}]
`, workflow.LoadOptions{Registry: reg})
			if err := e.SetWorkflows(ctx, d); err != nil {
				t.Fatal(err)
			}
			send := func(i int, text string) {
				t.Helper()
				phone := fmt.Sprintf("+336%08d", i) // two labels: the facts hold them inline
				if _, err := st.UpdateLabels(ctx, phone, []string{fmt.Sprintf("l%d", i), "vip"}, nil); err != nil {
					t.Fatal(err)
				}
				m := trigger.Message{ID: fmt.Sprintf("wa-%d", i), Session: "main", Phone: phone, Text: text}
				if path == "handle" {
					if _, err := e.Handle(ctx, m); err != nil {
						t.Fatal(err)
					}
					return
				}
				if err := e.Receive(ctx, m); err != nil {
					t.Fatal(err)
				}
				q.drain(t, e)
			}
			for i := range 200 {
				text := fmt.Sprintf("Bonjour %d, rien à signaler", i)
				if i%50 == 0 {
					text = fmt.Sprintf("Ma COMMANDE %d", i)
				}
				send(i, text)
			}
			if len(kept) != 4 {
				t.Fatalf("the action ran %d times, want 4", len(kept))
			}
			for _, k := range kept {
				if k.facts.Text != k.text || k.facts.Phone != k.phone || !slices.Equal(k.facts.Labels, k.labels) {
					t.Errorf("facts of a firing changed after it: text %q phone %s labels %v, were %q %s %v",
						k.facts.Text, k.facts.Phone, k.facts.Labels, k.text, k.phone, k.labels)
				}
			}
		})
	}
}

// textKeeper compiles every tree to a program that is never true and
// keeps the text of each message it sees, as a user's program caching by
// text would.
type textKeeper struct {
	condition.Compiler
	seen *[]string
}

type keepingProgram struct{ seen *[]string }

func (p keepingProgram) Eval(ctx context.Context, f *condition.Facts) (condition.Result, error) {
	return p.Trace(ctx, condition.NewScope(f))
}

func (p keepingProgram) Match(_ context.Context, s *condition.Scope) (bool, error) {
	*p.seen = append(*p.seen, s.Facts().Text)
	return false, nil
}

func (p keepingProgram) Trace(ctx context.Context, s *condition.Scope) (condition.Result, error) {
	_, err := p.Match(ctx, s)
	return condition.Result{}, err
}

func (k textKeeper) Compile(tree condition.Node, env condition.Env) (condition.Program, error) {
	if tree != nil {
		return keepingProgram{k.seen}, nil
	}
	return k.Compiler.Compile(tree, env)
}

// The engine folds each message into a buffer it reuses for the next
// message that no program saw; a text a program kept stays what it was.
func TestTextSeenByAProgramIsNotReused(t *testing.T) {
	ctx := context.Background()
	var seen []string
	st := memstore.New()
	e, err := engine.New(engine.Config{Store: st, Transport: &recorder{}, Compiler: textKeeper{expr.New(), &seen}})
	if err != nil {
		t.Fatal(err)
	}
	// A keyword workflow: the messages without "commande" reach no program.
	ws := []workflow.Workflow{{Name: "Commande", Enabled: true, Conditions: condition.Text{Op: condition.OpContains, Value: "commande"},
		Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{Text: "jamais"}}}}}
	if err := e.SetWorkflows(ctx, workflow.Definitions{Workflows: ws}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 200 {
		text := fmt.Sprintf("Bonjour %d, RIEN à signaler", i)
		if i%20 == 0 {
			text = fmt.Sprintf("Ma COMMANDE numéro %d", i)
			want = append(want, condition.Fold(text))
		}
		if _, err := e.Handle(ctx, trigger.Message{ID: fmt.Sprintf("wa-%d", i), Session: "main", Phone: "+33611111111", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(seen, want) {
		t.Errorf("texts the program kept = %q, want %q", seen, want)
	}
}
