package condition_test

import (
	"slices"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/trigger"
)

// Soundness: a tree true on some facts has needs that admit them, on the
// conditiontest generator's trees (every leaf type, several zones, business
// hours with closed dates, facts near DST changes and midnight). The
// needs must also skip something, or the index would be useless.
func TestNeedsSound(t *testing.T) {
	r := conditiontest.NewRandom(conditiontest.Seed + 9)
	matched, skipped := 0, 0
	for i := range 20000 {
		if i%50 == 0 {
			r.NewAccount()
		}
		tree, env := r.Tree(), r.Env()
		needs := condition.NeedsOf(tree, env)
		for range 5 {
			f := r.Facts()
			res, err := conditiontest.Reference(tree, env, f)
			if err != nil {
				t.Fatalf("tree %d: %v", i, err)
			}
			admits := needs.Admits(f, condition.NewLocalTime(f.Time, env.Loc(), false))
			if !admits {
				skipped++
			}
			if !res.Matched {
				continue
			}
			matched++
			if !admits {
				t.Fatalf("tree %d %#v (zone %s) is true at %s (agent %q, type %s) but NeedsOf = %+v",
					i, tree, env.Loc(), f.Time.In(env.Loc()).Format("Mon 15:04"), f.Agent, f.Type, needs)
			}
		}
	}
	if matched < 10000 || skipped < 10000 {
		t.Fatalf("%d matching evaluations, %d skipped: generator too weak", matched, skipped)
	}
	t.Logf("%d matching evaluations; %d of 100000 evaluations skipped by the needs", matched, skipped)
}

func TestNeedsOf(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	env := condition.Env{Location: paris, Hours: map[string]condition.Hours{
		"shop": {Weekly: map[time.Weekday][]condition.Span{time.Monday: {{From: 9 * 60, To: 12*60 + 30}}}},
	}}
	mon := func(h int) int { return 24 + h }
	unassigned := condition.Agent{Op: condition.OpAssigned}
	tests := []struct {
		name  string
		tree  condition.Node
		agent uint8
		types []trigger.MessageType
		in    []int // hours that must be admitted
		out   []int // hours that must not
	}{
		{"nil", nil, condition.AgentAssigned | condition.AgentUnassigned, nil, []int{0, 167}, nil},
		{"unassigned", unassigned, condition.AgentUnassigned, nil, nil, nil},
		{"not unassigned", condition.Not{Node: unassigned}, condition.AgentAssigned, nil, nil, nil},
		{"is an agent", condition.Agent{Op: condition.OpIs, ID: "a1"}, condition.AgentAssigned, nil, nil, nil},
		{"type in", condition.MessageType{Op: condition.OpIn, Types: []trigger.MessageType{"image", "audio"}}, 3, []trigger.MessageType{"audio", "image"}, nil, nil},
		{"not type is_not", condition.Not{Node: condition.MessageType{Op: condition.OpIsNot, Types: []trigger.MessageType{"image"}}}, 3, []trigger.MessageType{"image"}, nil, nil},
		{"business hours", condition.InHours{Name: "shop"}, 3, nil, []int{mon(9), mon(12)}, []int{mon(8), mon(13), 9}},
		{"not business hours", condition.Not{Node: condition.InHours{Name: "shop"}}, 3, nil, []int{mon(8), mon(12), mon(13)}, []int{mon(9), mon(11)}},
		{"overnight window", condition.Schedule{Days: []time.Weekday{time.Saturday}, From: 22 * 60, To: 2 * 60}, 3, nil, []int{6*24 + 22, 0, 1}, []int{2, 6*24 + 21}},
		{"other zone", condition.Schedule{Days: []time.Weekday{time.Monday}, From: 0, To: 60, Location: time.UTC}, 3, nil, []int{5, 100}, nil},
		{"any of", condition.Any{Nodes: []condition.Node{
			condition.All{Nodes: []condition.Node{unassigned, condition.InHours{Name: "shop"}}},
			condition.Agent{Op: condition.OpIs, ID: "a1"},
		}}, 3, nil, []int{0, 167}, nil},
		{"all of", condition.All{Nodes: []condition.Node{unassigned, condition.InHours{Name: "shop"}}}, condition.AgentUnassigned, nil, []int{mon(10)}, []int{mon(14)}},
	}
	for _, tc := range tests {
		n := condition.NeedsOf(tc.tree, env)
		if n.Agent != tc.agent || !slices.Equal(n.Types, tc.types) {
			t.Errorf("%s: NeedsOf = %+v, want agent %b, types %q", tc.name, n, tc.agent, tc.types)
		}
		for _, h := range tc.in {
			if !n.Hours.Has(h) {
				t.Errorf("%s: hour of week %d not admitted", tc.name, h)
			}
		}
		for _, h := range tc.out {
			if n.Hours.Has(h) {
				t.Errorf("%s: hour of week %d admitted", tc.name, h)
			}
		}
	}
	never := condition.NeedsOf(condition.All{Nodes: []condition.Node{unassigned, condition.Not{Node: unassigned}}}, env)
	if !never.Never() {
		t.Errorf("assigned and unassigned: %+v, want Never", never)
	}
	if condition.NeedsOf(condition.Any{}, env).Never() == false {
		t.Errorf("an empty any is never true")
	}
}
