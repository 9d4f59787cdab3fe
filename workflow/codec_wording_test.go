package workflow

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/waauto/waauto/internal/yamlpos"
)

// badFiles give, among them, every load error code but CodeNotDuration
// (only an action field of type time.Duration gives it; the built-ins
// have none).
var badFiles = []string{
	"workflows:\n  - {name: A, trigger: incoming_message, actions: [{reply: {text: a}}]}\n  - {name: A, trigger: incoming_message, actions: [{reply: {text: a}}]}\n",
	"workflows:\n  - {description: x}\n  - {name: '***', trigger: nope, mode: loud, actions: []}\n  - {name: T, template: nope}\n",
	"name: W\ntrigger: incoming_message\nfoo: 1\nenabled: 'yes'\nsession: '  '\ndescription:\nid: [a]\nactions: [{foo: {}}, {reply: {text: a}, label: {add: [x]}}]\n",
	"name: W\ntrigger: incoming_message\nactions: [{reply: {text: a}}]\nconditions:\n  all:\n" +
		"    - {foo: 1}\n    - {text: {bar: x}}\n    - {text: {contains: a, equals: b}}\n    - {text: {exact: true}}\n" +
		"    - {text: {equals: a, word: true}}\n    - {phone: {equals: abc}}\n    - {message_type: {is: foo}}\n" +
		"    - {schedule: {hours: nope}}\n    - {schedule: {days: [xyz], from: '09:00', timezone: Nowhere/X}}\n",
	"hours:\n  shop: {weekly: {xyz: ['09:00-10:00']}, closed: [2024-13-45]}\nworkflows: []\n",
	"name: W\ntrigger: incoming_message\nactions: [{reply: {text: a}}]\nconditions: {text: {contains_any: [" + strings.Repeat("a,", MaxListItems) + "a]}}\n",
	func() string {
		s := "workflows:\n"
		for i := range MaxKeywords/MaxListItems + 1 {
			s += fmt.Sprintf("  - {name: W%d, trigger: incoming_message, actions: [{reply: {text: a}}], conditions: {text: {contains_any: [%sa]}}}\n", i, strings.Repeat("a,", MaxListItems-1))
		}
		return s
	}(),
}

// TestLoadErrorCodes: every load error with a code is its English
// wording filled as LoadError documents, with listed codes and words; the
// bad files give every listed code.
func TestLoadErrorCodes(t *testing.T) {
	codes, words := LoadErrorCodes(), LoadErrorWords()
	seen := map[string]bool{}
	for i, src := range badFiles {
		_, err := Load(fmt.Sprintf("bad%d.yaml", i), []byte(src), LoadOptions{})
		var les LoadErrors
		if !errors.As(err, &les) {
			t.Fatalf("file %d: %v, want load errors", i, err)
		}
		for _, e := range les {
			if e.Code == "" {
				continue
			}
			seen[e.Code] = true
			if !slices.Contains(codes, e.Code) {
				t.Errorf("%v: code %q is not listed", e, e.Code)
			}
			format, ok := loadWordings[e.Code]
			if !ok {
				format, _ = yamlpos.Wording(e.Code)
			}
			var args []any
			for _, a := range e.Args {
				args = append(args, a)
			}
			for _, w := range []string{e.Got, e.Want} {
				if w == "" {
					continue
				}
				if !slices.Contains(words, w) {
					t.Errorf("%v: word %q is not listed", e, w)
				}
				phrase, ok := loadWords[w]
				if !ok {
					phrase, _ = yamlpos.Wording(w)
				}
				args = append(args, phrase)
			}
			if got := fmt.Sprintf(format, args...); got != e.Msg {
				t.Errorf("%v: code %q, args %q, got %q, want %q: the wording gives %q", e, e.Code, e.Args, e.Got, e.Want, got)
			}
		}
	}
	for _, c := range codes {
		if !seen[c] && c != yamlpos.CodeNotDuration {
			t.Errorf("no bad file gives the code %q", c)
		}
	}
}
