// Package formtest generates workflows for the dashboard's round-trip
// tests (the builder's form state, in Go and in the browser): every key of
// the file format, the built-in actions with their fields, and the
// condition trees of conditiontest made to fit the file format.
package formtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// formTree keeps the generated tree within the file format: the generator
// also draws `word` on text operators that the format rejects it for, and
// several types for message_type is/is_not (the condition backends accept
// both; a file cannot say them).
func formTree(n condition.Node) condition.Node {
	switch n := n.(type) {
	case condition.All:
		return condition.All{Nodes: mapNodes(n.Nodes)}
	case condition.Any:
		return condition.Any{Nodes: mapNodes(n.Nodes)}
	case condition.Not:
		return condition.Not{Node: formTree(n.Node)}
	case condition.MessageType:
		if (n.Op == condition.OpIs || n.Op == condition.OpIsNot) && len(n.Types) > 1 {
			n.Types = n.Types[:1] // is/is_not take one type in files
		}
		return n
	case condition.Text:
		if !slices.Contains([]condition.Op{condition.OpContains, condition.OpNotContains, condition.OpContainsAny, condition.OpContainsAll}, n.Op) {
			n.Word = false
		}
		return n
	}
	return n
}

func mapNodes(ns []condition.Node) []condition.Node {
	out := make([]condition.Node, len(ns))
	for i, n := range ns {
		out[i] = formTree(n)
	}
	return out
}

var (
	genWords = []string{"Prix", "Hors horaires", "été", "Bienvenue 🙏", "a:b # c", "'quoted'", "{{contact.name}}", "x\ny", "  spaced  ", "yes", "null", "123"}
	genDurs  = []time.Duration{0, time.Second, 90 * time.Second, 15 * time.Minute, time.Hour, 36 * time.Hour, 72 * time.Hour}
)

func pickOne[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Workflow draws the i-th workflow of r: every workflow key, 1 to 4 actions
// of the built-in types with their fields, and tree (made to fit the file
// format) as conditions, or none.
func Workflow(r *rand.Rand, i int, tree condition.Node) workflow.Workflow {
	name := fmt.Sprintf("%s %d", pickOne(r, genWords[:6]), i)
	w := workflow.Workflow{
		ID: workflow.Slug(name), Name: name, Enabled: r.IntN(4) > 0, Priority: r.IntN(300) - 50,
		Trigger: pickOne(r, []trigger.Kind{trigger.KindIncomingMessage, trigger.KindNewContact}),
		Stop:    r.IntN(3) == 0, Cooldown: pickOne(r, genDurs), Mode: pickOne(r, []workflow.Mode{workflow.ModeLive, workflow.ModeShadow}),
		Groups: r.IntN(5) == 0, Conditions: formTree(tree),
	}
	if r.IntN(2) == 0 {
		w.Description = pickOne(r, genWords)
	}
	if r.IntN(3) == 0 {
		w.Session = pickOne(r, []string{"main", "boutique", "simulator"})
	}
	if r.IntN(6) == 0 {
		w.Conditions = nil
	}
	for range 1 + r.IntN(4) {
		w.Actions = append(w.Actions, randomStep(r))
	}
	return w
}

func randomStep(r *rand.Rand) workflow.Step {
	some := func() []string {
		out := make([]string, 1+r.IntN(3))
		for i := range out {
			out[i] = pickOne(r, []string{"vip", "urgent", "été", "a b", "handoff"})
		}
		return out
	}
	switch r.IntN(5) {
	case 0:
		return workflow.Step{Type: "reply", Action: &action.Reply{Text: pickOne(r, genWords[:7]) + " {{contact.name}}", Translate: r.IntN(2) == 0}}
	case 1:
		a := &action.AIReply{}
		if r.IntN(2) == 0 {
			a.Prompt = pickOne(r, genWords[:7])
		}
		if r.IntN(3) == 0 {
			a.Prefix = "[Auto] "
		}
		if r.IntN(3) == 0 {
			a.Helpers = some()
		}
		if r.IntN(3) == 0 {
			h := r.IntN(40)
			a.History = &h
		}
		if r.IntN(2) == 0 {
			b := func() *bool {
				if r.IntN(3) == 0 {
					return nil
				}
				v := r.IntN(2) == 0
				return &v
			}
			a.VerifyBeforeSend = &action.VerifyBeforeSend{CustomerMessage: b(), AgentReply: b()}
		}
		a.Debounce = action.Duration(pickOne(r, genDurs))
		a.MaxWait = action.Duration(pickOne(r, genDurs))
		return workflow.Step{Type: "ai_reply", Action: a}
	case 2:
		if r.IntN(2) == 0 {
			return workflow.Step{Type: "assign", Action: &action.Assign{Agent: pickOne(r, []string{"alice", "bob"})}}
		}
		return workflow.Step{Type: "assign", Action: &action.Assign{Agents: []string{"alice", "bob"}, Strategy: pickOne(r, []string{action.RoundRobin, action.LeastBusy})}}
	case 3:
		l := &action.Label{}
		if r.IntN(3) > 0 {
			l.Add = some()
		}
		if len(l.Add) == 0 || r.IntN(2) == 0 {
			l.Remove = some()
		}
		return workflow.Step{Type: "label", Action: l}
	}
	wh := &action.Webhook{URL: "https://example.com/hook?x=1"}
	if r.IntN(2) == 0 {
		wh.Secret = "s3cret"
	}
	return workflow.Step{Type: "webhook", Action: wh}
}
