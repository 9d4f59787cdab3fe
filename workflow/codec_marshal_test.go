package workflow_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

func every() workflow.Workflow {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	history := 5
	return workflow.Workflow{
		ID: "all-leaves", Name: "Toutes les conditions", Description: "every leaf and action",
		Enabled: false, Priority: 7, Session: "main", Trigger: trigger.KindNewContact, Stop: true,
		Cooldown: 3 * 24 * time.Hour, Mode: workflow.ModeShadow, Groups: true,
		Conditions: condition.All{Nodes: []condition.Node{
			condition.Text{Op: condition.OpContains, Value: "prix", Word: true},
			condition.Text{Op: condition.OpEquals, Value: "OK", Exact: true},
			condition.Text{Op: condition.OpContainsAny, Values: []string{"a", "b"}},
			condition.Text{Op: condition.OpMatches, Value: `^\d+$`},
			condition.Text{Op: condition.OpEmpty, IsEmpty: true},
			condition.Phone{Op: condition.OpEquals, Values: []string{"+33611111111"}},
			condition.Phone{Op: condition.OpNotIn, Values: []string{"+33611111111", "+34600000001"}},
			condition.Any{Nodes: []condition.Node{
				condition.Agent{Op: condition.OpAssigned, IsAssigned: true},
				condition.Agent{Op: condition.OpIsNot, ID: "alice"},
				condition.MessageType{Op: condition.OpIs, Types: []trigger.MessageType{trigger.MessageImage}},
				condition.MessageType{Op: condition.OpIn, Types: []trigger.MessageType{trigger.MessageAudio, trigger.MessageVideo}},
			}},
			condition.Not{Node: condition.MessageCount{Op: condition.OpGte, N: 3}},
			condition.SinceLastReply{Op: condition.OpGt, D: 90 * time.Minute},
			condition.Labels{Op: condition.OpHasNot, Values: []string{"vip"}},
			condition.Labels{Op: condition.OpHasAll, Values: []string{"a", "b"}},
			condition.Length{Op: condition.OpLt, N: 200},
			condition.Schedule{Days: []time.Weekday{time.Saturday, time.Sunday}, From: 22 * 60, To: 6 * 60, Location: paris},
			condition.Schedule{From: 9 * 60, To: 12 * 60},
			condition.InHours{Name: "boutique"},
			condition.Raw{Lang: condition.LangCEL, Source: `text.contains("x")`},
			condition.Raw{Lang: condition.LangExpr, Source: `hour > 8`},
			condition.Any{},
		}},
		Actions: []workflow.Step{
			{Type: "reply", Action: &action.Reply{Text: "Bonjour {{contact.name}} <3 & \"merci\"", Translate: true}},
			{Type: "ai_reply", Action: &action.AIReply{Prompt: "Sois bref", Prefix: "[Auto] ",
				Helpers: []string{"Merci !"}, History: &history,
				VerifyBeforeSend: &action.VerifyBeforeSend{CustomerMessage: ptr(false), AgentReply: ptr(true)},
				Debounce:         action.Duration(20 * time.Second), MaxWait: action.Duration(2 * time.Minute)}},
			{Type: "assign", Action: &action.Assign{Agents: []string{"alice", "bob"}, Strategy: action.RoundRobin}},
			{Type: "label", Action: &action.Label{Add: action.Strings{"a", "b"}, Remove: action.Strings{"c"}}},
			{Type: "webhook", Action: &action.Webhook{URL: "https://example.com/hook", Secret: "s3cret"}},
		},
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	hours := map[string]condition.Hours{"boutique": {Weekly: map[time.Weekday][]condition.Span{time.Monday: {{From: 540, To: 1080}}}}}
	tests := map[string]workflow.Workflow{
		"every leaf and action": every(),
		"minimal": {ID: "x", Name: "X", Enabled: true, Priority: 100, Trigger: trigger.KindIncomingMessage, Mode: workflow.ModeLive,
			Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{Text: "hi"}}}},
		"from a template, conditions reset": func() workflow.Workflow {
			w := workflow.BuiltinTemplates()["out_of_hours"]
			w.ID, w.Template, w.Conditions, w.Description = "ooh", "out_of_hours", nil, ""
			return w
		}(),
	}
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := workflow.Marshal(w, nil)
			if err != nil {
				t.Fatal(err)
			}
			defs, err := workflow.Load("w.json", data, workflow.LoadOptions{Hours: hours})
			if err != nil {
				t.Fatalf("Load(Marshal(w)):\n%v\n%s", err, data)
			}
			if len(defs.Workflows) != 1 || !reflect.DeepEqual(defs.Workflows[0], w) {
				t.Fatalf("round trip differs:\n got %#v\nwant %#v\n%s", defs.Workflows, w, data)
			}
		})
	}
}

func TestMarshalNamesActionsByRegistry(t *testing.T) {
	w := workflow.Workflow{Name: "n", ID: "n", Enabled: true, Priority: 1, Trigger: trigger.KindIncomingMessage, Mode: workflow.ModeLive,
		Actions: []workflow.Step{{Action: &action.Label{Add: action.Strings{"x"}}}}}
	data, err := workflow.Marshal(w, nil)
	if err != nil {
		t.Fatal(err)
	}
	defs, err := workflow.Load("w.json", data, workflow.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := defs.Workflows[0].Actions[0].Type; got != "label" {
		t.Fatalf("Type = %q, want label", got)
	}
	w.Actions[0].Action = action.Func(nil)
	if _, err := workflow.Marshal(w, nil); err == nil {
		t.Fatal("Marshal of an unregistered action succeeded")
	}
}

func TestMarshalDefinitionsRoundTrip(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	defs := workflow.Definitions{
		Hours: map[string]condition.Hours{
			"boutique": {Location: ny, Weekly: map[time.Weekday][]condition.Span{
				time.Monday: {{From: 540, To: 750}, {From: 840, To: 1080}}, time.Saturday: {{From: 600, To: 780}}},
				Closed: []string{"2026-12-25"}},
		},
		Workflows: []workflow.Workflow{every()},
	}
	data, err := workflow.MarshalDefinitions(defs, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := workflow.Load("defs.json", data, workflow.LoadOptions{})
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(got, defs) {
		t.Fatalf("round trip differs:\n got %#v\nwant %#v\n%s", got, defs, data)
	}
}

func ptr[T any](v T) *T { return &v }

// A workflow started from a built-in template is written without null keys
// where the template sets nothing, and loads back the same; a user
// template (which Marshal cannot see) keeps them.
func TestMarshalTemplateNoNulls(t *testing.T) {
	defs, err := workflow.Load("t.yaml", []byte("workflows:\n  - template: welcome\n  - template: out_of_hours\n    description: null\n"), workflow.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range defs.Workflows {
		b, err := workflow.Marshal(w, nil)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		wantNull := i == 1 // out_of_hours sets a description this one resets
		if got := strings.Contains(text, "null"); got != wantNull {
			t.Errorf("workflow %d: null present %v, want %v:\n%s", i, got, wantNull, text)
		}
		back, err := workflow.Load("back.yaml", b, workflow.LoadOptions{})
		if err != nil {
			t.Fatalf("workflow %d does not load back: %v\n%s", i, err, text)
		}
		if !reflect.DeepEqual(back.Workflows[0], w) {
			t.Errorf("workflow %d round trip:\n got %+v\nwant %+v", i, back.Workflows[0], w)
		}
	}
	w := defs.Workflows[0]
	w.Template = "mine"
	b, _ := workflow.Marshal(w, nil)
	if !strings.Contains(string(b), `"session": null`) {
		t.Errorf("user template: want session reset to null:\n%s", b)
	}
}

// A workflow without an id (a template's) is written without one, and
// loads back with the id derived from its name.
func TestMarshalWithoutID(t *testing.T) {
	w := workflow.BuiltinTemplates()["welcome"]
	b, err := workflow.Marshal(w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"id"`) {
		t.Errorf("empty id written:\n%s", b)
	}
	defs, err := workflow.Load("t.json", b, workflow.LoadOptions{})
	if err != nil || defs.Workflows[0].ID != "welcome" {
		t.Errorf("load back: %v %+v", err, defs)
	}
}
