package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
)

// Marshal encodes w in the workflow file format, as indented JSON (which is
// also YAML), so that Load gives w back: the form
// StoredWorkflow.Definition holds. Actions are named by Step.Type, or by
// reg.NameOf when empty (reg nil means action.NewRegistry()). A zero Mode
// is written as live. A workflow built from a template keeps its
// `template:` key and spells out every other key; a key it leaves unset is
// written as null (resetting the template's value) only when the template
// sets it: always for a user template, which Marshal cannot see, never for
// a built-in one that leaves it unset. The text is otherwise minimal:
// defaults are left out and keys come in the documented order.
func Marshal(w Workflow, reg *action.Registry) ([]byte, error) {
	o, err := encodeWorkflow(w, orDefault(reg))
	if err != nil {
		return nil, err
	}
	return indent(o)
}

// MarshalDefinitions encodes a whole file: named hours, then the workflows
// under `workflows:`.
func MarshalDefinitions(defs Definitions, reg *action.Registry) ([]byte, error) {
	reg = orDefault(reg)
	var o obj
	if len(defs.Hours) > 0 {
		var h obj
		for _, name := range slices.Sorted(maps.Keys(defs.Hours)) {
			h = h.add(name, encodeHours(defs.Hours[name]))
		}
		o = o.add("hours", h)
	}
	list := make([]any, 0, len(defs.Workflows))
	for _, w := range defs.Workflows {
		wo, err := encodeWorkflow(w, reg)
		if err != nil {
			return nil, err
		}
		list = append(list, wo)
	}
	return indent(o.add("workflows", list))
}

func orDefault(reg *action.Registry) *action.Registry {
	if reg == nil {
		return action.NewRegistry()
	}
	return reg
}

func indent(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// obj is a JSON object that keeps its keys in order.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) add(k string, v any) obj { return append(o, kv{k, v}) }

// MarshalJSON writes the keys in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.k, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func encodeWorkflow(w Workflow, reg *action.Registry) (obj, error) {
	full := w.Template != ""
	resets := templateResets(w.Template)
	var o obj
	if full {
		o = o.add("template", w.Template)
	}
	if w.ID != "" { // Load derives a missing id from the name
		o = o.add("id", w.ID)
	}
	o = o.add("name", w.Name)
	o = optional(o, resets("description"), "description", w.Description, w.Description != "")
	if full || !w.Enabled {
		o = o.add("enabled", w.Enabled)
	}
	o = o.add("priority", w.Priority)
	o = optional(o, resets("session"), "session", w.Session, w.Session != "")
	o = o.add("trigger", string(w.Trigger))
	if full || w.Stop {
		o = o.add("stop", w.Stop)
	}
	o = optional(o, resets("cooldown"), "cooldown", condition.FormatDuration(w.Cooldown), w.Cooldown != 0)
	if full || w.Mode == ModeShadow {
		o = o.add("mode", string(orLive(w.Mode)))
	}
	if full || w.Groups {
		o = o.add("groups", w.Groups)
	}
	if w.Conditions != nil || resets("conditions") {
		c, err := encodeNode(w.Conditions)
		if err != nil {
			return nil, err
		}
		o = o.add("conditions", c)
	}
	steps, err := encodeSteps(w.Actions, reg)
	if err != nil {
		return nil, err
	}
	return o.add("actions", steps), nil
}

// optional adds k: v when set; with reset it adds k: null when not set.
func optional(o obj, reset bool, k string, v any, set bool) obj {
	switch {
	case set:
		return o.add(k, v)
	case reset:
		return o.add(k, nil)
	}
	return o
}

// templateResets tells which resettable keys a workflow built from the
// named template must write as null when it leaves them unset: those the
// template sets. No template sets nothing; a user template (unknown here)
// may set any.
func templateResets(name string) func(key string) bool {
	if name == "" {
		return func(string) bool { return false }
	}
	t, builtin := BuiltinTemplates()[name]
	if !builtin {
		return func(string) bool { return true }
	}
	return func(key string) bool {
		switch key {
		case "description":
			return t.Description != ""
		case "session":
			return t.Session != ""
		case "cooldown":
			return t.Cooldown != 0
		}
		return t.Conditions != nil
	}
}

func orLive(m Mode) Mode {
	if m == "" {
		return ModeLive
	}
	return m
}

func encodeSteps(steps []Step, reg *action.Registry) ([]any, error) {
	out := make([]any, 0, len(steps))
	for i, s := range steps {
		name := s.Type
		if name == "" {
			name = reg.NameOf(s.Action)
		}
		if name == "" {
			return nil, fmt.Errorf("actions[%d]: %T: %w", i, s.Action, action.ErrUnknownAction)
		}
		// goccy/go-yaml names fields as the loader does: yaml tag, json tag, lower-cased name.
		y, err := yaml.Marshal(s.Action)
		if err != nil {
			return nil, fmt.Errorf("actions[%d].%s: %w", i, name, err)
		}
		j, err := yaml.YAMLToJSON(y)
		if err != nil {
			return nil, fmt.Errorf("actions[%d].%s: %w", i, name, err)
		}
		out = append(out, obj{{name, json.RawMessage(bytes.TrimSpace(j))}})
	}
	return out, nil
}

func encodeNode(n condition.Node) (any, error) {
	switch n := n.(type) {
	case nil:
		return nil, nil
	case condition.All:
		return encodeGroup("all", n.Nodes)
	case condition.Any:
		return encodeGroup("any", n.Nodes)
	case condition.Not:
		c, err := encodeNode(n.Node)
		return obj{{"not", c}}, err
	}
	v, err := encodeLeaf(n)
	return obj{{condition.LeafType(n), v}}, err
}

func encodeGroup(key string, nodes []condition.Node) (any, error) {
	list := make([]any, 0, len(nodes))
	for _, c := range nodes {
		e, err := encodeNode(c)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return obj{{key, list}}, nil
}

func encodeLeaf(n condition.Node) (any, error) {
	switch n := n.(type) {
	case condition.Text:
		return encodeText(n), nil
	case condition.Phone:
		return obj{{string(n.Op), oneOrList(n.Values, n.Op, condition.OpEquals, condition.OpNotEquals)}}, nil
	case condition.Agent:
		if n.Op == condition.OpAssigned {
			return obj{{string(n.Op), n.IsAssigned}}, nil
		}
		return obj{{string(n.Op), n.ID}}, nil
	case condition.MessageType:
		types := make([]string, len(n.Types))
		for i, t := range n.Types {
			types[i] = string(t)
		}
		return obj{{string(n.Op), oneOrList(types, n.Op, condition.OpIs, condition.OpIsNot)}}, nil
	case condition.MessageCount:
		return obj{{string(n.Op), n.N}}, nil
	case condition.Length:
		return obj{{string(n.Op), n.N}}, nil
	case condition.SinceLastReply:
		return obj{{string(n.Op), condition.FormatDuration(n.D)}}, nil
	case condition.Labels:
		return obj{{string(n.Op), oneOrList(n.Values, n.Op, condition.OpHas, condition.OpHasNot)}}, nil
	case condition.Schedule:
		return encodeSchedule(n), nil
	case condition.InHours:
		return obj{{"hours", n.Name}}, nil
	case condition.Raw:
		return n.Source, nil
	}
	return nil, fmt.Errorf("conditions: cannot encode %T", n)
}

func encodeText(n condition.Text) obj {
	var o obj
	switch n.Op {
	case condition.OpContainsAny, condition.OpContainsAll:
		o = o.add(string(n.Op), nonNil(n.Values))
	case condition.OpEmpty:
		o = o.add(string(n.Op), n.IsEmpty)
	default:
		o = o.add(string(n.Op), n.Value)
	}
	if n.Exact {
		o = o.add("exact", true)
	}
	if n.Word {
		o = o.add("word", true)
	}
	return o
}

func oneOrList(vs []string, op condition.Op, single ...condition.Op) any {
	if slices.Contains(single, op) {
		if len(vs) == 0 {
			return ""
		}
		return vs[0]
	}
	return nonNil(vs)
}

func nonNil(vs []string) []string {
	if vs == nil {
		return []string{}
	}
	return vs
}

var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func encodeSchedule(s condition.Schedule) obj {
	var o obj
	if len(s.Days) > 0 {
		days := make([]string, len(s.Days))
		for i, d := range s.Days {
			days[i] = dayKeys[d]
		}
		o = o.add("days", days)
	}
	o = o.add("from", s.From.String()).add("to", s.To.String())
	if s.Location != nil {
		o = o.add("timezone", s.Location.String())
	}
	return o
}

func encodeHours(h condition.Hours) obj {
	var o obj
	if h.Location != nil {
		o = o.add("timezone", h.Location.String())
	}
	var weekly obj
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if spans := h.Weekly[d]; len(spans) > 0 {
			s := make([]string, len(spans))
			for i, sp := range spans {
				s[i] = sp.String()
			}
			weekly = weekly.add(dayKeys[d], s)
		}
	}
	o = o.add("weekly", weekly)
	if len(h.Closed) > 0 {
		o = o.add("closed", h.Closed)
	}
	return o
}
