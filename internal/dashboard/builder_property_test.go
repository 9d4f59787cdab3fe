package dashboard

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/internal/dashboard/formtest"
	"github.com/waauto/waauto/workflow"
)

// roundTrips is how many generated workflows the property test checks.
const roundTrips = 1200

// TestFormStateRoundTrip: for generated workflows (the condition trees of
// conditiontest's generator, every action and workflow key), form state →
// YAML (the YAML tab) → load → form state is the identity, and so is form
// state → load (what the form posts) → form state.
func TestFormStateRoundTrip(t *testing.T) {
	d := &Dashboard{reg: action.NewRegistry()}
	trees := conditiontest.NewRandom(20261127)
	r := rand.New(rand.NewPCG(1, 2))
	bad := 0
	for i := range roundTrips {
		if i%10 == 0 {
			trees.NewAccount()
		}
		tree, hours := trees.Tree(), trees.Env().Hours
		w := formtest.Workflow(r, i, tree)
		st, err := d.stateOf(w)
		if err != nil {
			t.Fatalf("workflow %d: form state: %v", i, err)
		}
		y, err := yaml.JSONToYAML(st)
		if err != nil {
			t.Fatalf("workflow %d: YAML: %v", i, err)
		}
		for via, text := range map[string][]byte{"YAML": y, "form": st} {
			defs, err := workflow.Load("gen.yaml", text, workflow.LoadOptions{Hours: hours, Registry: d.reg})
			if err != nil {
				t.Errorf("workflow %d via %s does not load: %v\n%s", i, via, err, text)
				bad++
				continue
			}
			back, err := d.stateOf(defs.Workflows[0])
			if err != nil {
				t.Fatalf("workflow %d via %s: form state again: %v", i, via, err)
			}
			got := defs.Workflows[0]
			got.Conditions, w.Conditions = canonical(got.Conditions), canonical(w.Conditions)
			if !reflect.DeepEqual(got, w) {
				t.Errorf("workflow %d via %s: loads as another workflow:\n got %+v\nwant %+v\n%s", i, via, got, w, text)
				bad++
			}
			if !bytes.Equal(back, st) {
				t.Errorf("workflow %d via %s: form state changed:\n got %s\nwant %s", i, via, back, st)
				bad++
			}
		}
		if bad > 5 {
			t.Fatal("too many failures")
		}
	}
}

// zoneByName holds one *time.Location per name, so that reflect.DeepEqual
// compares schedules by zone name.
var zoneByName = map[string]*time.Location{}

// canonical makes equal trees deeply equal: one *time.Location per zone
// name, nil for every empty list.
func canonical(n condition.Node) condition.Node {
	switch n := n.(type) {
	case condition.All:
		out := make([]condition.Node, len(n.Nodes))
		for i, c := range n.Nodes {
			out[i] = canonical(c)
		}
		return condition.All{Nodes: out}
	case condition.Any:
		out := make([]condition.Node, len(n.Nodes))
		for i, c := range n.Nodes {
			out[i] = canonical(c)
		}
		return condition.Any{Nodes: out}
	case condition.Not:
		return condition.Not{Node: canonical(n.Node)}
	case condition.Text:
		n.Values = nilIfEmpty(n.Values)
		return n
	case condition.Phone:
		n.Values = nilIfEmpty(n.Values)
		return n
	case condition.Labels:
		n.Values = nilIfEmpty(n.Values)
		return n
	case condition.MessageType:
		n.Types = nilIfEmpty(n.Types)
		return n
	case condition.Schedule:
		n.Days = nilIfEmpty(n.Days)
		if n.Location != nil {
			name := n.Location.String()
			if zoneByName[name] == nil {
				zoneByName[name] = n.Location
			}
			n.Location = zoneByName[name]
		}
		return n
	}
	return n
}

func nilIfEmpty[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return xs
}
