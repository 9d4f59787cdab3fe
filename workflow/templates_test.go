package workflow_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

func TestBuiltinTemplatesFollowTheContract(t *testing.T) {
	ts := workflow.BuiltinTemplates()
	if len(ts) != 3 {
		t.Fatalf("got %d templates, want 3", len(ts))
	}
	wantTrigger := map[string]trigger.Kind{"welcome": trigger.KindNewContact, "out_of_hours": trigger.KindIncomingMessage, "agent_handoff": trigger.KindIncomingMessage}
	for name, w := range ts {
		if w.Trigger != wantTrigger[name] || w.Priority != 100 || w.Cooldown != 0 || w.Stop || w.Session != "" || !w.Enabled || w.Mode != workflow.ModeLive {
			t.Errorf("%s: %+v does not follow WORKFLOWS.md", name, w)
		}
	}
	h := ts["agent_handoff"]
	if !reflect.DeepEqual(h.Conditions, condition.Text{Op: condition.OpContainsAny, Values: []string{"agent", "humain", "human", "asesor"}}) {
		t.Errorf("agent_handoff conditions = %#v", h.Conditions)
	}
	reply := ts["welcome"].Actions[0].Action.(*action.Reply)
	if !strings.HasPrefix(reply.Text, "Bonjour") {
		t.Errorf("welcome reply = %q, want the French welcome text", reply.Text)
	}
	reply.Text = "changed"
	if workflow.BuiltinTemplates()["welcome"].Actions[0].Action.(*action.Reply).Text == "changed" {
		t.Error("BuiltinTemplates shares values between calls")
	}
}

func TestLoadTemplate(t *testing.T) {
	src := `
workflows:
  - template: welcome
  - template: out_of_hours
    name: Fermé
    priority: 5
    actions:
      - reply: {text: "Fermé, à demain"}
  - template: agent_handoff
    actions:
      - assign: {agent: bob}
  - template: mine
    conditions: null
`
	mine := workflow.Workflow{Name: "Mine", Enabled: true, Priority: 3, Trigger: trigger.KindIncomingMessage, Mode: workflow.ModeLive,
		Conditions: condition.Length{Op: condition.OpGt, N: 1},
		Actions:    []workflow.Step{{Type: "label", Action: &action.Label{Add: action.Strings{"x"}}}}}
	defs, err := workflow.Load("t.yaml", []byte(src), workflow.LoadOptions{Templates: map[string]workflow.Workflow{"mine": mine}})
	if err != nil {
		t.Fatal(err)
	}
	ws := defs.Workflows
	if len(ws) != 4 {
		t.Fatalf("got %d workflows", len(ws))
	}
	if ws[0].Name != "Welcome" || ws[0].ID != "welcome" || ws[0].Template != "welcome" || ws[0].Trigger != trigger.KindNewContact {
		t.Errorf("welcome: %+v", ws[0])
	}
	ooh := workflow.BuiltinTemplates()["out_of_hours"]
	if ws[1].Name != "Fermé" || ws[1].ID != "ferme" || ws[1].Priority != 5 || !reflect.DeepEqual(ws[1].Conditions, ooh.Conditions) ||
		ws[1].Actions[0].Action.(*action.Reply).Text != "Fermé, à demain" || len(ws[1].Actions) != 1 {
		t.Errorf("out_of_hours override: %+v", ws[1])
	}
	if len(ws[2].Actions) != 1 || ws[2].Actions[0].Action.(*action.Assign).Agent != "bob" {
		t.Errorf("actions: replaces the template's whole list; got %+v", ws[2].Actions)
	}
	if ws[3].Conditions != nil || ws[3].Priority != 3 || ws[3].Template != "mine" {
		t.Errorf("user template with conditions reset: %+v", ws[3])
	}
}

func TestLoadJSON(t *testing.T) {
	src := `{"workflows": [{"name": "Prix", "trigger": "incoming_message",
  "conditions": {"any": [{"text": {"contains": "prix"}}, {"phone": {"equals": "0033 6 11 11 11 11"}}]},
  "actions": [{"label": {"add": "prix"}}]}]}`
	defs, err := workflow.Load("w.json", []byte(src), workflow.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := condition.Any{Nodes: []condition.Node{
		condition.Text{Op: condition.OpContains, Value: "prix"},
		condition.Phone{Op: condition.OpEquals, Values: []string{"+33611111111"}},
	}}
	if got := defs.Workflows[0].Conditions; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v", got)
	}
	bad := strings.Replace(src, `"prix"}}]}]}`, `"prix"}}], "stop": "no"}]}`, 1)
	_, err = workflow.Load("w.json", []byte(bad), workflow.LoadOptions{})
	if err == nil || err.Error() != `w.json:3:52: stop: "no" is not true or false` {
		t.Fatalf("got %v", err)
	}
}

// fakeCompiler rejects every cel leaf, as the expr backend does.
type fakeCompiler struct{}

func (fakeCompiler) Name() string { return "expr" }
func (fakeCompiler) Compile(tree condition.Node, env condition.Env) (condition.Program, error) {
	var errs []error
	for _, l := range condition.Leaves(tree) {
		if r, ok := l.Node.(condition.Raw); ok && r.Lang == condition.LangCEL {
			errs = append(errs, &condition.CompileError{Path: l.Path, Err: condition.ErrUnsupported})
		}
	}
	return nil, errors.Join(errs...)
}

func TestLoadCompileErrorsArePositioned(t *testing.T) {
	src := wf("conditions:\n  all:\n    - expr: \"hour > 8\"\n    - not:\n        cel: \"hour > 8\"\n" + okActions)
	_, err := workflow.Load("w.yaml", []byte(src), workflow.LoadOptions{Compiler: fakeCompiler{}})
	want := `w.yaml:7:14: conditions.all[1].not.cel: "hour > 8": not supported by this backend (expr backend)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	var le *workflow.LoadError
	if !errors.As(err, &le) || le.Line != 7 || le.Path != "conditions.all[1].not.cel" {
		t.Fatalf("errors.As: %+v", le)
	}
}
