package workflow

import (
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// Default texts and agent of the built-in templates. A workflow built from
// a template replaces them by giving its own `actions:`.
const (
	WelcomeText    = "Bonjour et merci pour votre message ! Nous vous répondons dès que possible."
	OutOfHoursText = "Merci pour votre message. Nos horaires sont du lundi au vendredi, de 9h00 à 18h00 : nous vous répondrons dès notre retour."
	HandoffAgent   = "support"
	HandoffLabel   = "handoff"
)

// BuiltinTemplates returns the built-in templates by name (WORKFLOWS.md,
// "Templates"): welcome, out_of_hours and agent_handoff. All are global,
// priority 100, without cooldown and with stop false. Each call returns
// fresh values.
//
// `template: NAME` in a workflow file starts from the template; every other
// key given replaces the template's value as a whole. In particular
// `actions:` replaces the whole action list (to change the reply text of
// welcome, give `actions: [{reply: {text: ...}}]`) and `conditions:` the
// whole tree. The name defaults to the template's name.
func BuiltinTemplates() map[string]Workflow {
	base := func(name, desc string, k trigger.Kind) Workflow {
		return Workflow{Name: name, Description: desc, Enabled: true, Priority: DefaultPriority,
			Trigger: k, Mode: Live}
	}
	welcome := base("Welcome", "Greets a new contact.", trigger.NewContact)
	welcome.Actions = []Step{{Type: "reply", Action: &action.Reply{Text: WelcomeText}}}

	ooh := base("Out of hours", "Replies outside Monday to Friday, 09:00-18:00, when no agent is assigned.", trigger.IncomingMessage)
	ooh.Conditions = condition.All{Nodes: []condition.Node{
		condition.Not{Node: condition.Schedule{
			Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
			From: 9 * 60, To: 18 * 60,
		}},
		condition.Agent{Op: condition.Assigned, IsAssigned: false},
	}}
	ooh.Actions = []Step{{Type: "reply", Action: &action.Reply{Text: OutOfHoursText}}}

	handoff := base("Agent handoff", "Hands the conversation to an agent when the customer asks for a person.", trigger.IncomingMessage)
	handoff.Conditions = condition.Text{Op: condition.ContainsAny, Values: []string{"agent", "humain", "human", "asesor"}}
	handoff.Actions = []Step{
		{Type: "assign", Action: &action.Assign{Agent: HandoffAgent}},
		{Type: "label", Action: &action.Label{Add: action.Strings{HandoffLabel}}},
	}
	return map[string]Workflow{"welcome": welcome, "out_of_hours": ooh, "agent_handoff": handoff}
}
