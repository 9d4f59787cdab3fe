package conditiontest

import (
	"testing"

	"github.com/waauto/waauto/condition"
)

// The random trees exercise every leaf type both ways.
func TestGeneratorCoverage(t *testing.T) {
	g := newGenerator(Seed)
	matched, leaves := 0, 0
	byType := map[string][2]int{}
	for range RandomTrees {
		tree, env := g.tree(), g.env()
		f := g.facts()
		r, err := Reference(tree, env, f)
		if err != nil {
			t.Fatal(err)
		}
		if r.Matched {
			matched++
		}
		for i, l := range r.Trace {
			leaves++
			typ := condition.LeafType(condition.Leaves(tree)[i].Node)
			c := byType[typ]
			if l.Value {
				c[1]++
			} else {
				c[0]++
			}
			byType[typ] = c
		}
	}
	if matched < RandomTrees/5 || matched > RandomTrees*4/5 {
		t.Errorf("%d of %d random trees match; want a balanced mix", matched, RandomTrees)
	}
	for typ, c := range byType {
		if c[0] < 50 || c[1] < 50 {
			t.Errorf("%s leaves: %d false, %d true; want at least 50 of each", typ, c[0], c[1])
		}
	}
	if len(byType) != 9 {
		t.Errorf("leaf types drawn: %v, want all 9 but raw", byType)
	}
	t.Logf("%d of %d trees match, %d leaves: %v", matched, RandomTrees, leaves, byType)
}
