package workflow

import (
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// Mode says whether a workflow acts or only logs what it would do.
type Mode string

// The workflow modes.
const (
	ModeLive   Mode = "live"
	ModeShadow Mode = "shadow"
)

// DefaultPriority is the priority of a workflow that sets none.
const DefaultPriority = 100

// Workflow is one automation: a trigger, conditions and actions. The file
// format is WORKFLOWS.md; Go code builds the same value directly.
type Workflow struct {
	// ID is a stable slug; Load derives it from Name when absent.
	ID          string
	Name        string
	Description string
	Enabled     bool
	// Priority orders workflows ascending; ties keep definition order.
	Priority int
	// Session limits the workflow to one number; "" means all numbers.
	Session string
	Trigger trigger.Kind
	// Stop: when this workflow fires, lower-priority workflows do not run for the event.
	Stop bool
	// Cooldown: after firing in a conversation, not again there for this long.
	Cooldown time.Duration
	Mode     Mode
	// Groups lets the workflow run on group chats.
	Groups bool
	// Conditions nil means always true.
	Conditions condition.Node
	Actions    []Step
	// Template names the template the definition started from, if any.
	Template string
}

// Step is one action of a workflow with the name it is registered under.
type Step struct {
	Type   string
	Action action.Action
}

// Definitions is the content of one workflow file: workflows and named hours.
type Definitions struct {
	Workflows []Workflow
	Hours     map[string]condition.Hours
}
