package workflow

import (
	"maps"
	"slices"

	"github.com/waauto/waauto/internal/yamlpos"
)

// The codes of the load errors this package words (LoadError.Code),
// beside those of the YAML walker (LoadErrorCodes lists both).
const (
	CodeDuplicate        = "duplicate"         // key, value, line of the first
	CodeRequired         = "required"          // Want
	CodeNoID             = "no-id"             // name
	CodeNotTrigger       = "not-trigger"       // value
	CodeNotMode          = "not-mode"          // value
	CodeUnknownTemplate  = "unknown-template"  // name, the known ones
	CodeNoActions        = "no-actions"        //
	CodeUnknownAction    = "unknown-action"    // name, the known ones
	CodeUnknownCondition = "unknown-condition" // name, the known ones
	CodeUnknownOperator  = "unknown-operator"  // operator, condition, the known ones
	CodeSecondOperator   = "second-operator"   // operator, the first one
	CodeNoOperator       = "no-operator"       // the known ones
	CodeWordOperator     = "word-operator"     // operator
	CodeNotPhone         = "not-phone"         // value
	CodeNotMessageType   = "not-message-type"  // value, the known ones
	CodeUnknownHours     = "unknown-hours"     // name, the known ones
	CodeNotDay           = "not-day"           // value
	CodeNotZone          = "not-zone"          // value
	CodeNotDate          = "not-date"          // value
	CodeListLimit        = "list-limit"        // items, limit
	CodeKeywordsLimit    = "keywords-limit"    // items, limit
)

// loadWordings are the English formats of the codes.
var loadWordings = map[string]string{
	CodeDuplicate:        "duplicate %s %q (first used on line %s; want a unique %[1]s)",
	CodeRequired:         "is required (want %s)",
	CodeNoID:             "%q gives no id (want letters or digits in the name, or an id: key)",
	CodeNotTrigger:       "%q is not a trigger (want incoming_message or new_contact)",
	CodeNotMode:          "%q is not a mode (want live or shadow)",
	CodeUnknownTemplate:  "unknown template %q (want one of %s)",
	CodeNoActions:        "is empty (want at least one action)",
	CodeUnknownAction:    "unknown action %q (want one of %s)",
	CodeUnknownCondition: "unknown condition %q (want one of %s)",
	CodeUnknownOperator:  "unknown operator %q for %s (want one of %s)",
	CodeSecondOperator:   "second operator %q (want one operator per condition; %q is already given)",
	CodeNoOperator:       "has no operator (want one of %s)",
	CodeWordOperator:     "applies to contains, not_contains, contains_any and contains_all only (not %s)",
	CodeNotPhone:         "%q is not a phone number (want digits with the country code, e.g. +33611111111)",
	CodeNotMessageType:   "%q is not a message type (want one of %s)",
	CodeUnknownHours:     "unknown hours %q (want one of the names under hours: %s)",
	CodeNotDay:           "%q is not a day (want mon, tue, wed, thu, fri, sat or sun)",
	CodeNotZone:          "%q is not a time zone (want an IANA name, e.g. Europe/Paris)",
	CodeNotDate:          "%q is not a date (want YYYY-MM-DD)",
	CodeListLimit:        "list of %s items (limit %s per list)",
	CodeKeywordsLimit:    "%s list items in the file up to here (limit %s per file)",
}

// The words of LoadError.Want this package uses, beside those of the YAML
// walker (LoadErrorWords lists both).
const (
	WordName       = "name"
	WordSlug       = "slug"
	WordSession    = "session"
	WordTrigger    = "trigger"
	WordActions    = "actions"
	WordAction     = "action"
	WordCondition  = "condition"
	WordExpression = "expression"
	WordAgent      = "agent"
	WordTime       = "time"
)

// loadWords are the English phrases of the words.
var loadWords = map[string]string{
	WordName:       "a name unique in the account",
	WordSlug:       "a stable slug, e.g. out-of-hours",
	WordSession:    "a session id; leave it out for all numbers",
	WordTrigger:    "incoming_message or new_contact",
	WordActions:    "a list of at least one action",
	WordAction:     "an action name",
	WordCondition:  "all, any, not or a condition type",
	WordExpression: "an expression",
	WordAgent:      "an agent id",
	WordTime:       "HH:MM",
}

// LoadErrorCodes lists every LoadError.Code Load gives, sorted.
func LoadErrorCodes() []string {
	return slices.Sorted(slices.Values(append(yamlpos.Codes(), slices.Collect(maps.Keys(loadWordings))...)))
}

// LoadErrorWords lists every word of LoadError.Got and LoadError.Want
// Load gives, sorted.
func LoadErrorWords() []string {
	return slices.Sorted(slices.Values(append(yamlpos.Words(), slices.Collect(maps.Keys(loadWords))...)))
}
