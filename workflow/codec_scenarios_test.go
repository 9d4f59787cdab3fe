package workflow_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// scenarioKeys are the top-level keys of a scenario file (SCENARIOS.md)
// other than workflows and hours.
var scenarioKeys = []string{"name", "timezone", "start", "sessions", "contacts", "assignments",
	"ai", "credits", "workflow_files", "steps"}

func loadScenario(t *testing.T, name string) workflow.Definitions {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defs, err := workflow.Load(name, data, workflow.LoadOptions{Ignore: scenarioKeys})
	if err != nil {
		t.Fatalf("Load(%s):\n%v", name, err)
	}
	return defs
}

func TestLoadScenarioOutOfHours(t *testing.T) {
	defs := loadScenario(t, "out-of-hours.yaml")
	want := []workflow.Workflow{{
		ID: "hors-horaires", Name: "Hors horaires", Enabled: true, Priority: 100,
		Trigger: trigger.KindIncomingMessage, Mode: workflow.ModeLive,
		Conditions: condition.All{Nodes: []condition.Node{
			condition.Not{Node: condition.Schedule{
				Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
				From: 9 * 60, To: 18 * 60}},
			condition.Agent{Op: condition.OpAssigned, IsAssigned: false},
		}},
		Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{
			Text: "Merci d'avoir écrit. Nos horaires sont de 9h00 à 18h00. Nous vous répondrons demain."}}},
	}}
	if !reflect.DeepEqual(defs.Workflows, want) {
		t.Fatalf("got  %#v\nwant %#v", defs.Workflows, want)
	}
}

func TestLoadScenarioActions(t *testing.T) {
	tests := []struct {
		file string
		want []workflow.Step
	}{
		{"keyword-assign.yaml", []workflow.Step{
			{Type: "assign", Action: &action.Assign{Agent: "tech-support"}},
			{Type: "label", Action: &action.Label{Add: action.Strings{"support"}}},
		}},
		{"ai-reply-context.yaml", []workflow.Step{{Type: "ai_reply", Action: &action.AIReply{Prefix: "[Auto] "}}}},
		{"pre-send-verification.yaml", []workflow.Step{{Type: "ai_reply", Action: &action.AIReply{
			VerifyBeforeSend: &action.VerifyBeforeSend{CustomerMessage: ptr(true), AgentReply: ptr(true)}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			defs := loadScenario(t, tt.file)
			if len(defs.Workflows) != 1 {
				t.Fatalf("got %d workflows, want 1", len(defs.Workflows))
			}
			if got := defs.Workflows[0].Actions; !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestLoadScenarioWithoutWorkflows(t *testing.T) {
	if defs := loadScenario(t, "scheduled-messages.yaml"); len(defs.Workflows) != 0 || defs.Hours != nil {
		t.Fatalf("got %+v, want nothing", defs)
	}
}
