package action_test

import (
	"fmt"

	"github.com/waauto/waauto/action"
)

func ExampleRegistry_Fields() {
	reg := action.NewRegistry()
	for _, name := range []string{"reply", "ai_reply"} {
		fields, _ := reg.Fields(name)
		for _, f := range fields {
			fmt.Printf("%s.%s %s required=%v\n", name, f.Name, f.Kind, f.Required)
			for _, sub := range f.Fields {
				fmt.Printf("  %s %s\n", sub.Name, sub.Kind)
			}
		}
	}
	_, ok := reg.Fields("notify_slack")
	fmt.Println("notify_slack known:", ok)
	// Output:
	// reply.text string required=true
	// reply.translate bool required=false
	// reply.delay duration required=false
	// reply.verify_before_send object required=false
	//   conditions optbool
	// ai_reply.prompt string required=false
	// ai_reply.prefix string required=false
	// ai_reply.helpers strings required=false
	// ai_reply.history optint required=false
	// ai_reply.verify_before_send object required=false
	//   customer_message optbool
	//   agent_reply optbool
	//   conditions optbool
	// ai_reply.debounce duration required=false
	// ai_reply.max_wait duration required=false
	// notify_slack known: false
}
