package workflow_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
)

// wf wraps condition/action lines into a one-workflow file: line 1 is
// "name: W", line 2 "trigger: incoming_message", then body.
func wf(body string) string { return "name: W\ntrigger: incoming_message\n" + body }

const okActions = "actions:\n  - reply: {text: hi}\n"

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"bad time of day", wf("conditions:\n  all:\n    - agent: {assigned: false}\n    - schedule: {from: \"25:00\", to: \"18:00\"}\n" + okActions),
			[]string{`w.yaml:6:24: conditions.all[1].schedule.from: "25:00" is not a time of day (want HH:MM)`}},
		{"unknown workflow key", wf("colour: red\n" + okActions),
			[]string{`w.yaml:3:1: colour: unknown key "colour" (want one of id, name, description, enabled, priority, session, trigger, stop, cooldown, mode, groups, conditions, actions, template)`}},
		{"wrong type", wf("enabled: yes please\npriority: high\n" + okActions),
			[]string{`w.yaml:3:10: enabled: "yes please" is not true or false`, `w.yaml:4:11: priority: "high" is not a whole number`}},
		{"unknown operator", wf("conditions:\n  text: {has: x}\n" + okActions),
			[]string{`w.yaml:4:10: conditions.text.has: unknown operator "has" for text (want one of contains, not_contains, starts_with, ends_with, equals, not_equals, contains_any, contains_all, matches, empty)`}},
		{"two operators", wf("conditions:\n  length: {gt: 1, lt: 5}\n" + okActions),
			[]string{`w.yaml:4:19: conditions.length.lt: second operator "lt" (want one operator per condition; "gt" is already given)`}},
		{"no operator", wf("conditions:\n  text: {exact: true}\n" + okActions),
			[]string{`w.yaml:4:9: conditions.text: has no operator (want one of contains, not_contains, starts_with, ends_with, equals, not_equals, contains_any, contains_all, matches, empty)`}},
		{"unknown condition type", wf("conditions:\n  any:\n    - colour: red\n" + okActions),
			[]string{`w.yaml:5:7: conditions.any[0].colour: unknown condition "colour" (want one of all, any, not, text, phone, agent, message_type, message_count, since_last_reply, labels, length, schedule, cel, expr)`}},
		{"two keys in a node", wf("conditions:\n  all: []\n  any: []\n" + okActions),
			[]string{`w.yaml:4:3: conditions: has 2 keys [all, any] (want exactly one: all, any, not or a condition type)`}},
		{"bad regexp", wf("conditions:\n  text: {matches: \"(a\"}\n" + okActions),
			[]string{`w.yaml:4:19: conditions.text.matches: "(a" is not a regular expression (want RE2 syntax: missing closing ))`}},
		{"bad duration", wf("cooldown: 8 hours\n" + okActions),
			[]string{`w.yaml:3:11: cooldown: "8 hours" is not a duration (want e.g. 90s, 15m, 2h, 3d)`}},
		{"bad time zone", wf("conditions:\n  schedule: {from: \"09:00\", to: \"18:00\", timezone: Mars/Olympus}\n" + okActions),
			[]string{`w.yaml:4:52: conditions.schedule.timezone: "Mars/Olympus" is not a time zone (want an IANA name, e.g. Europe/Paris)`}},
		{"bad day", wf("conditions:\n  schedule: {days: [mon, funday], from: \"09:00\", to: \"18:00\"}\n" + okActions),
			[]string{`w.yaml:4:26: conditions.schedule.days[1]: "funday" is not a day (want mon, tue, wed, thu, fri, sat or sun)`}},
		{"unknown hours", wf("conditions:\n  schedule: {hours: shop}\n" + okActions),
			[]string{`w.yaml:4:21: conditions.schedule.hours: unknown hours "shop" (want one of the names under hours: none defined)`}},
		{"bad phone", wf("conditions:\n  phone: {in: [\"+33 6 11 11 11 11\", call-me]}\n" + okActions),
			[]string{`w.yaml:4:37: conditions.phone.in[1]: "call-me" is not a phone number (want digits with the country code, e.g. +33611111111)`}},
		{"bad message type", wf("conditions:\n  message_type: {is: gif}\n" + okActions),
			[]string{`w.yaml:4:22: conditions.message_type.is: "gif" is not a message type (want one of text, image, audio, video, document, sticker, location, contact, other)`}},
		{"bad trigger and mode", "name: W\ntrigger: on_message\nmode: dry\n" + okActions,
			[]string{`w.yaml:2:10: trigger: "on_message" is not a trigger (want incoming_message or new_contact)`, `w.yaml:3:7: mode: "dry" is not a mode (want live or shadow)`}},
		{"missing name, trigger and actions", "description: nothing\n",
			[]string{`w.yaml:1:1: name: is required (want a name unique in the account)`, `w.yaml:1:1: trigger: is required (want incoming_message or new_contact)`, `w.yaml:1:1: actions: is required (want a list of at least one action)`}},
		{"empty actions", wf("actions: []\n"),
			[]string{`w.yaml:3:10: actions: is empty (want at least one action)`}},
		{"unknown action", wf("actions:\n  - reply: {text: hi}\n  - notify_slack: {channel: x}\n"),
			[]string{`w.yaml:5:5: actions[1].notify_slack: unknown action "notify_slack" (want one of ai_reply, assign, label, reply, webhook)`}},
		{"unknown action field", wf("actions:\n  - reply: {text: hi, colour: red}\n"),
			[]string{`w.yaml:4:23: actions[0].reply.colour: unknown key "colour" (want one of text, translate, delay, verify_before_send)`}},
		{"wrong action field type", wf("actions:\n  - ai_reply: {history: lots, debounce: soon}\n"),
			[]string{`w.yaml:4:25: actions[0].ai_reply.history: "lots" is not a whole number`, `w.yaml:4:41: actions[0].ai_reply.debounce: "soon" is not a duration (want e.g. 90s, 15m, 2h, 3d)`}},
		{"missing action field", wf("actions:\n  - reply: {translate: true}\n"),
			[]string{`w.yaml:4:12: actions[0].reply.text: is required (want the message to send)`}},
		{"unknown placeholder", wf("actions:\n  - reply: {text: \"Hola {{contact.nombre}}\"}\n"),
			[]string{`w.yaml:4:19: actions[0].reply.text: unknown placeholder "{{contact.nombre}}" (want one of {{contact.name}}, {{contact.phone}}, {{session.label}}, {{agent}})`}},
		{"bad webhook url", wf("actions:\n  - webhook: {url: \"ftp://x\"}\n"),
			[]string{`w.yaml:4:20: actions[0].webhook.url: "ftp://x" is not a URL (want http:// or https://)`}},
		{"unknown template", "template: greeting\nname: W\n",
			[]string{`w.yaml:1:11: template: unknown template "greeting" (want one of agent_handoff, out_of_hours, welcome)`}},
		{"duplicate name at its later occurrence", "workflows:\n  - name: A\n    trigger: new_contact\n    " + "actions: [{reply: {text: hi}}]\n  - name: A\n    trigger: new_contact\n    actions: [{reply: {text: ho}}]\n",
			[]string{`w.yaml:5:11: name: duplicate name "A" (first used on line 2; want a unique name)`}},
		{"bad hours", "hours:\n  shop:\n    timezone: Nowhere\n    weekly: {mon: [\"09:00-25:00\"], moon: [\"09:00-10:00\"]}\n    closed: [2026-13-01]\n",
			[]string{`w.yaml:3:15: hours.shop.timezone: "Nowhere" is not a time zone (want an IANA name, e.g. Europe/Paris)`,
				`w.yaml:4:20: hours.shop.weekly.mon[0]: "25:00" is not a time of day (want HH:MM)`,
				`w.yaml:4:36: hours.shop.weekly.moon: "moon" is not a day (want mon, tue, wed, thu, fri, sat or sun)`,
				`w.yaml:5:14: hours.shop.closed[0]: "2026-13-01" is not a date (want YYYY-MM-DD)`}},
		{"workflows not a list", "workflows: {name: A}\n",
			[]string{`w.yaml:1:12: workflows: is a mapping (want a list)`}},
		{"syntax error", "name: [a\n",
			[]string{`w.yaml:1:7: sequence end token ']' not found`}},
		{"word on a non-contains operator", wf("conditions:\n  text: {equals: a, word: true}\n" + okActions),
			[]string{`w.yaml:4:27: conditions.text.word: applies to contains, not_contains, contains_any and contains_all only (not equals)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defs, err := workflow.Load("w.yaml", []byte(tt.src), workflow.LoadOptions{})
			if err == nil {
				t.Fatalf("Load succeeded: %+v", defs)
			}
			if len(defs.Workflows) != 0 || defs.Hours != nil {
				t.Errorf("Load half-succeeded: %+v", defs)
			}
			if !errors.Is(err, workflow.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestLoadOneBadWorkflowLoadsNothing(t *testing.T) {
	src := `workflows:
  - name: Good
    trigger: incoming_message
    actions: [{reply: {text: hi}}]
  - name: Bad
    trigger: incoming_message
    cooldown: forever
    actions: [{reply: {text: hi}}]
  - name: Also bad
    trigger: incoming_message
    actions: [{label: {}}]
`
	defs, err := workflow.Load("w.yaml", []byte(src), workflow.LoadOptions{})
	if len(defs.Workflows) != 0 {
		t.Fatalf("loaded %d workflows from a bad file", len(defs.Workflows))
	}
	var les workflow.LoadErrors
	if !errors.As(err, &les) || len(les) != 2 {
		t.Fatalf("want 2 LoadErrors, got %v", err)
	}
	if les[0].Line != 7 || les[1].Line != 11 || les[1].Path != "actions[0].label.add" {
		t.Fatalf("got %q and %q", les[0], les[1])
	}
}

func TestLoadRefusesOverLimits(t *testing.T) {
	words := func(n int, indent string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s- w%d\n", indent, i)
		}
		return b.String()
	}
	sixLists := "conditions:\n  any:\n"
	for range 6 {
		sixLists += "    - text:\n        contains_any:\n" + words(1000, "          ")
	}
	tests := []struct {
		name, src string
		want      []string
	}{
		{"file too large", wf("description: " + strings.Repeat("x", 1<<20) + "\n" + okActions),
			[]string{`w.yaml: too large (1048655 bytes, limit 1 MiB)`}},
		{"too many words in a list", wf("conditions:\n  text:\n    contains_any:\n" + words(1001, "      ") + okActions),
			[]string{`w.yaml:1006:9: conditions.text.contains_any[1000]: list of 1001 items (limit 1000 per list)`}},
		{"too many phones in a list", wf("conditions:\n  phone:\n    in:\n" + strings.Repeat("      - \"+33611111111\"\n", 1001) + okActions),
			[]string{`w.yaml:1006:9: conditions.phone.in[1000]: list of 1001 items (limit 1000 per list)`}},
		{"too many words in the file", wf(sixLists + okActions),
			[]string{`w.yaml:5017:11: conditions.any[5].text.contains_any: 6000 list items in the file up to here (limit 5000 per file)`}},
		{"pattern too long", wf("conditions:\n  text: {matches: \"" + strings.Repeat("a", 1001) + "\"}\n" + okActions),
			[]string{`w.yaml:4:19: conditions.text.matches: "` + strings.Repeat("a", 60) + `" is 1001 bytes long (limit 1000)`}},
		{"pattern too big", wf("conditions:\n  text: {matches: \"[a-z]{1,1000}[0-9]{1,1000}[A-Z]{1,1000}\"}\n" + okActions),
			[]string{`w.yaml:4:19: conditions.text.matches: "[a-z]{1,1000}[0-9]{1,1000}[A-Z]{1,1000}" compiles to 5999 instructions (limit 5000; use fewer or smaller repeats)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := workflow.Load("w.yaml", []byte(tc.src), workflow.LoadOptions{})
			var le workflow.LoadErrors
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want LoadErrors", err)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tc.want) {
				t.Fatalf("got:\n%s\nwant:\n%s", err, strings.Join(tc.want, "\n"))
			}
		})
	}
	// At the limits, the same shapes load.
	fiveLists := "conditions:\n  any:\n" + strings.Repeat("    - text:\n        contains_any:\n"+words(1000, "          "), 5)
	for _, src := range []string{
		wf(fiveLists + okActions),
		wf("conditions:\n  text: {matches: \"[a-z]{1,1000}[0-9]{1,1000}\"}\n" + okActions),
	} {
		if _, err := workflow.Load("w.yaml", []byte(src), workflow.LoadOptions{}); err != nil {
			t.Errorf("at the limits: %v", err)
		}
	}
}

// TestLoadRefusesUnboundedExpressions: a raw expression whose work has no
// bound is a load error at its position, not an error on every message.
func TestLoadRefusesUnboundedExpressions(t *testing.T) {
	src := wf("conditions:\n  any:\n    - text: {contains: prix}\n    - expr: \"len(map(1..100000000, #)) > 0\"\n" + okActions)
	_, err := workflow.Load("w.yaml", []byte(src), workflow.LoadOptions{Compiler: expr.New()})
	want := `w.yaml:6:13: conditions.any[1].expr: "len(map(1..100000000, #)) > 0": expr expression may take more than 10000 steps (the cost limit; a loop costs its body once per element of its list or range): expression exceeds its cost limit (expr backend)`
	if err == nil || err.Error() != want || !errors.Is(err, workflow.ErrInvalid) {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
}
