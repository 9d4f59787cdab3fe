package condition

import (
	"time"

	"github.com/waauto/waauto/trigger"
)

// Node is one node of a condition tree: All, Any, Not or a leaf. The set of
// node types is closed; compilers switch over them.
type Node interface {
	node()
}

// All is true when every child is true (AND). An empty All is true.
type All struct{ Nodes []Node }

// Any is true when at least one child is true (OR). An empty Any is false.
type Any struct{ Nodes []Node }

// Not negates its child.
type Not struct{ Node Node }

// Op is a leaf operator as written in workflow files ("contains", "gte", ...).
type Op string

// Text operators.
const (
	OpContains    Op = "contains"
	OpNotContains Op = "not_contains"
	OpStartsWith  Op = "starts_with"
	OpEndsWith    Op = "ends_with"
	OpEquals      Op = "equals"
	OpNotEquals   Op = "not_equals"
	OpContainsAny Op = "contains_any"
	OpContainsAll Op = "contains_all"
	OpMatches     Op = "matches"
	OpEmpty       Op = "empty"
)

// Set operators (phone, message_type, labels, agent).
const (
	OpIn       Op = "in"
	OpNotIn    Op = "not_in"
	OpIs       Op = "is"
	OpIsNot    Op = "is_not"
	OpAssigned Op = "assigned"
	OpHas      Op = "has"
	OpHasNot   Op = "has_not"
	OpHasAny   Op = "has_any"
	OpHasAll   Op = "has_all"
	OpHasNone  Op = "has_none"
)

// Comparison operators (message_count, length, since_last_reply).
const (
	OpEq  Op = "eq"
	OpNe  Op = "ne"
	OpGt  Op = "gt"
	OpGte Op = "gte"
	OpLt  Op = "lt"
	OpLte Op = "lte"
)

// Text tests the message text (the caption for media).
//
// Unless Exact is set, both sides are folded (Fold): lower case, accents
// removed, surrounding space trimmed. Word restricts Contains, NotContains,
// ContainsAny and ContainsAll to whole words.
type Text struct {
	Op Op
	// Value is the operand of single-string operators and the RE2 pattern of Matches.
	Value string
	// Values is the operand of ContainsAny and ContainsAll.
	Values []string
	// IsEmpty is the operand of Empty.
	IsEmpty bool
	Exact   bool
	Word    bool
}

// Phone tests the customer's number. Values are E.164 (NormalizePhone);
// Equals and NotEquals use Values[0].
type Phone struct {
	Op     Op
	Values []string
}

// Agent tests the agent assigned to the conversation. Assigned uses
// IsAssigned; Is and IsNot use ID.
type Agent struct {
	Op         Op
	IsAssigned bool
	ID         string
}

// MessageType tests the message type. Is and IsNot use Types[0].
type MessageType struct {
	Op    Op
	Types []trigger.MessageType
}

// MessageCount compares the number of messages in the conversation, both
// directions, this one included.
type MessageCount struct {
	Op Op
	N  int
}

// SinceLastReply compares the time since the last outgoing message in the
// conversation. With no reply yet it is greater than any duration.
type SinceLastReply struct {
	Op Op
	D  time.Duration
}

// Labels tests the customer's labels. Has and HasNot use Values[0].
type Labels struct {
	Op     Op
	Values []string
}

// Length compares the length of the trimmed text in runes.
type Length struct {
	Op Op
	N  int
}

// Schedule is true when the message time is inside a weekly window. From is
// inclusive, To exclusive; a To earlier than From spans midnight and Days names
// the day the window opens. Empty Days means every day. Location nil means the
// account's time zone.
type Schedule struct {
	Days     []time.Weekday
	From, To TimeOfDay
	Location *time.Location
}

// InHours is true when the message time is inside the named business hours
// (Env.Hours), closed dates excluded.
type InHours struct {
	Name string
}

// Lang names a raw expression language.
type Lang string

// The raw expression languages.
const (
	LangCEL  Lang = "cel"
	LangExpr Lang = "expr"
)

// Raw is a power-user expression over the variables of Facts (see Vars). A
// compiler rejects the language it does not implement.
type Raw struct {
	Lang   Lang
	Source string
}

func (All) node()            {}
func (Any) node()            {}
func (Not) node()            {}
func (Text) node()           {}
func (Phone) node()          {}
func (Agent) node()          {}
func (MessageType) node()    {}
func (MessageCount) node()   {}
func (SinceLastReply) node() {}
func (Labels) node()         {}
func (Length) node()         {}
func (Schedule) node()       {}
func (InHours) node()        {}
func (Raw) node()            {}
