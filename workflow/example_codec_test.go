package workflow_test

import (
	"fmt"

	"github.com/waauto/waauto/workflow"
)

func ExampleLoad() {
	src := `
hours:
  boutique:
    timezone: Europe/Paris
    weekly: {mon: ["09:00-12:30", "14:00-18:00"], sat: ["10:00-13:00"]}
workflows:
  - name: Hors horaires
    priority: 10
    trigger: incoming_message
    conditions:
      all:
        - not: {schedule: {hours: boutique}}
        - agent: {assigned: false}
    actions:
      - reply: {text: "Nous sommes fermés, à bientôt !"}
  - template: agent_handoff
`
	defs, err := workflow.Load("workflows.yaml", []byte(src), workflow.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range defs.Workflows {
		fmt.Println(w.ID, w.Priority, w.Trigger, len(w.Actions), "action(s)")
	}
	fmt.Println(len(defs.Hours["boutique"].Weekly), "open days")
	// Output:
	// hors-horaires 10 incoming_message 1 action(s)
	// agent-handoff 100 incoming_message 2 action(s)
	// 2 open days
}

func ExampleLoad_errors() {
	src := `workflows:
  - name: Hors horaires
    trigger: incoming_message
    conditions:
      all:
        - agent: {assigned: false}
        - schedule: {from: "25:00", to: "18:00"}
    actions:
      - reply: {text: "Bonjour {{contact.prenom}}"}
`
	_, err := workflow.Load("workflows.yaml", []byte(src), workflow.LoadOptions{})
	fmt.Println(err)
	// Output:
	// workflows.yaml:7:28: conditions.all[1].schedule.from: "25:00" is not a time of day (want HH:MM)
	// workflows.yaml:9:23: actions[0].reply.text: unknown placeholder "{{contact.prenom}}" (want one of {{contact.name}}, {{contact.phone}}, {{session.label}}, {{agent}})
}

func ExampleMarshal() {
	defs, _ := workflow.Load("w.yaml", []byte("name: Bienvenue\ntrigger: new_contact\nactions: [{reply: {text: Bonjour}}]\n"), workflow.LoadOptions{})
	data, _ := workflow.Marshal(defs.Workflows[0], nil)
	fmt.Print(string(data))
	// Output:
	// {
	//   "id": "bienvenue",
	//   "name": "Bienvenue",
	//   "priority": 100,
	//   "trigger": "new_contact",
	//   "actions": [
	//     {
	//       "reply": {
	//         "text": "Bonjour"
	//       }
	//     }
	//   ]
	// }
}
