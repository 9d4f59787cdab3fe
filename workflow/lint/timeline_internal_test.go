package lint

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/workflow"
)

// The timeline's samples cut 2026 into intervals on which every time leaf
// is constant: the value at the sample starting an interval is the value
// at any instant inside it. Checked for the time leaves of random trees
// (windows and hours in several zones, past midnight, across
// daylight-saving changes) at random instants of the year.
func TestTimelineConstantBetweenSamples(t *testing.T) {
	r := conditiontest.NewRandom(conditiontest.Seed + 3)
	rnd := rand.New(rand.NewPCG(1, 2))
	span := yearEnd.Sub(yearStart)
	checked := 0
	for range 300 {
		r.NewAccount()
		env := r.Env()
		defs := workflow.Definitions{Hours: env.Hours, Workflows: []workflow.Workflow{{Name: "w", Conditions: r.Tree()}}}
		c := newChecker(defs, Options{Location: env.Location})
		for a, leaf := range c.as.time {
			h, _ := hoursOf(leaf, c.hours)
			h.Closed = nil
			for range 200 {
				at := yearStart.Add(time.Duration(rnd.Int64N(int64(span))))
				i := sort.Search(len(c.tl.at), func(i int) bool { return c.tl.at[i].After(at) }) - 1
				want := h.Contains(at, env.Loc())
				if got := c.tl.weekly[a].has(i); got != want {
					t.Fatalf("%s at %s: timeline says %t (sample %s), hours say %t", describe(leaf), at.In(env.Loc()), got, c.tl.at[i].In(env.Loc()), want)
				}
				checked++
			}
		}
	}
	if checked < 10000 {
		t.Errorf("only %d checks", checked)
	}
	t.Logf("%d instants agree", checked)
}
