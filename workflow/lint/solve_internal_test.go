package lint

import (
	"testing"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/workflow"
)

// Sizes of the solver's property test.
const (
	solverTrees = 300
	solverFacts = 500
)

// subNodes lists n and every node below it.
func subNodes(n condition.Node) []condition.Node {
	out := []condition.Node{n}
	switch n := n.(type) {
	case condition.All:
		for _, k := range n.Nodes {
			out = append(out, subNodes(k)...)
		}
	case condition.Any:
		for _, k := range n.Nodes {
			out = append(out, subNodes(k)...)
		}
	case condition.Not:
		out = append(out, subNodes(n.Node)...)
	}
	return out
}

// The solver's "never" is held to the reference evaluator on random trees
// and facts: every node it finds unsatisfiable is false on every fact, and
// every implication it finds (a and not b unsatisfiable) holds on every
// fact. Pairs are drawn so that implications are common: b is a or
// something, a is b and something, or two unrelated trees.
func TestSolverAgreesWithReference(t *testing.T) {
	r := conditiontest.NewRandom(conditiontest.Seed + 1)
	var never, implied, checked, premises int
	for i := range solverTrees {
		r.NewAccount()
		env := r.Env()
		a, b := r.Tree(), r.Tree()
		switch i % 3 {
		case 0:
			b = condition.Any{Nodes: []condition.Node{a, b}}
		case 1:
			a = condition.All{Nodes: []condition.Node{b, a}}
		}
		defs := workflow.Definitions{Hours: env.Hours, Workflows: []workflow.Workflow{{Name: "a", Conditions: a}, {Name: "b", Conditions: b}}}
		c := newChecker(defs, Options{Location: env.Location})
		var claims []condition.Node // each is false on every message
		for _, n := range append(subNodes(a), subNodes(b)...) {
			if c.never(n) {
				claims = append(claims, n)
				never++
			}
		}
		implication := c.solver().solve(and(c.f[0], not(c.f[1]))) == unsat
		if implication {
			implied++
			claims = append(claims, condition.All{Nodes: []condition.Node{a, condition.Not{Node: b}}})
		}
		if len(claims) == 0 {
			continue
		}
		for range solverFacts {
			f := r.Facts()
			f.MessageCount = max(f.MessageCount, 1) // the engine counts the message itself
			for _, n := range claims {
				checked++
				res, err := conditiontest.Reference(n, env, f)
				if err != nil {
					t.Fatal(err)
				}
				if res.Matched {
					t.Fatalf("tree %d: the solver says never, the reference matches\n%s\nfacts: %+v\ntrace:\n%s", i, describe(n), *f, res.Trace)
				}
			}
			if implication {
				if res, _ := conditiontest.Reference(a, env, f); res.Matched {
					premises++
				}
			}
		}
	}
	t.Logf("%d trees: %d nodes never true, %d implications; %d evaluations agree; the implications' premises held on %d facts",
		solverTrees, never, implied, checked, premises)
	if never == 0 || implied == 0 || premises == 0 {
		t.Errorf("vacuous: %d never, %d implications, %d premises", never, implied, premises)
	}
}
