package workflowtest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/workflow/engine"
)

// effectSpec is one expected effect: its kind and the fields it names.
type effectSpec struct {
	To       string `yaml:"to"`
	Session  string `yaml:"session"`
	Text     string `yaml:"text"`
	Contains string `yaml:"contains"`
	Matches  string `yaml:"matches"`
	Kind     string `yaml:"kind"`
	Workflow string `yaml:"workflow"`
	Phone    string `yaml:"phone"`
	Agent    string `yaml:"agent"`
	Add      string `yaml:"add"`
	Remove   string `yaml:"remove"`
	Reason   string `yaml:"reason"`
	ID       string `yaml:"id"`
	URL      string `yaml:"url"`

	kind  string
	match *regexp.Regexp
}

// effectFields lists the fields each effect may name.
var effectFields = map[string][]string{
	"send":            {"to", "session", "text", "contains", "matches", "kind", "workflow"},
	"assign":          {"phone", "agent", "workflow"},
	"label":           {"phone", "add", "remove", "workflow"},
	"cancel":          {"phone", "reason", "workflow"},
	"schedule_failed": {"id"},
	"webhook":         {"url", "workflow"},
}

// decodeExpectation decodes one `- kind: {fields}` entry; problems go to c.
func decodeExpectation(c *yamlpos.Collector, n ast.Node, path string) (effectSpec, bool) {
	var e effectSpec
	f, ok := c.One(n, path, "effect")
	if !ok {
		return e, false
	}
	known, ok := effectFields[f.Key]
	if !ok {
		c.Addf(f.KeyNode, path, "%q is not an effect (want send, assign, label, cancel, schedule_failed or webhook)", f.Key)
		return e, false
	}
	fpath := path + "." + f.Key
	fields, ok := c.Mapping(f.Value, fpath)
	if !ok {
		return e, false
	}
	bad := false
	for _, fl := range fields {
		if !slices.Contains(known, fl.Key) {
			c.Addf(fl.KeyNode, fl.Path, "is not a field of %s (want %s)", f.Key, strings.Join(known, ", "))
			bad = true
		}
	}
	if bad || c.Decode(f.Value, fpath, &e) != nil {
		return e, false
	}
	e.kind = f.Key
	if e.kind == "send" {
		n := 0
		for _, s := range []string{e.Text, e.Contains, e.Matches} {
			if s != "" {
				n++
			}
		}
		if n > 1 {
			c.Addf(f.Value, fpath, "sets %d of text, contains and matches (want at most one)", n)
		}
		if e.Matches != "" {
			re, err := regexp.Compile(e.Matches)
			if err != nil {
				c.Addf(yamlpos.Find(f.Value, "matches"), fpath+".matches", "%q is not a regular expression: %v", e.Matches, err)
				return e, false
			}
			e.match = re
		}
		if e.Kind != "" && !slices.Contains([]string{"fixed", "ai", "scheduled"}, e.Kind) {
			c.Addf(yamlpos.Find(f.Value, "kind"), fpath+".kind", "%q is not a send kind (want fixed, ai or scheduled)", e.Kind)
		}
	}
	if e.kind == "label" && (e.Add == "") == (e.Remove == "") {
		c.Addf(f.Value, fpath, "want exactly one of add and remove (one label per effect)")
	}
	if e.kind == "cancel" && e.Reason != "" && e.Reason != "customer_message" && e.Reason != "agent_reply" && e.Reason != "conditions_changed" {
		c.Addf(yamlpos.Find(f.Value, "reason"), fpath+".reason", "%q is not a reason (want customer_message, agent_reply or conditions_changed)", e.Reason)
	}
	return e, true
}

// checkExpectation validates an expectation at load time, including that
// the workflow it names exists.
func checkExpectation(c *yamlpos.Collector, n ast.Node, path string, workflows map[string]bool) {
	e, ok := decodeExpectation(c, n, path)
	if ok && e.Workflow != "" && !workflows[e.Workflow] {
		c.Addf(yamlpos.Find(n, e.kind+".workflow"), path+"."+e.kind+".workflow", "%q is not a workflow of this scenario", e.Workflow)
	}
}

func (e effectSpec) matches(a engine.Effect) bool {
	if string(a.Kind) != e.kind {
		return false
	}
	eq := func(want, got string) bool { return want == "" || want == got }
	ok := eq(e.Workflow, a.Workflow)
	switch e.kind {
	case "send":
		ok = ok && eq(e.To, a.Phone) && eq(e.Session, a.Session) && eq(e.Text, a.Text) && eq(e.Kind, string(a.SendKind)) &&
			(e.Contains == "" || strings.Contains(a.Text, e.Contains)) && (e.match == nil || e.match.MatchString(a.Text))
	case "assign":
		ok = ok && eq(e.Phone, a.Phone) && eq(e.Agent, a.Agent)
	case "label":
		ok = ok && eq(e.Phone, a.Phone) && e.Add == a.Add && e.Remove == a.Remove
	case "cancel":
		ok = ok && eq(e.Phone, a.Phone) && eq(e.Reason, a.Reason)
	case "schedule_failed":
		ok = ok && eq(e.ID, a.ScheduleID)
	case "webhook":
		ok = ok && eq(e.URL, a.URL)
	}
	return ok
}

func (e effectSpec) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, fmt.Sprintf("%s=%q", k, v))
		}
	}
	add("to", e.To)
	add("session", e.Session)
	add("phone", e.Phone)
	add("text", e.Text)
	add("contains", e.Contains)
	add("matches", e.Matches)
	add("kind", e.Kind)
	add("agent", e.Agent)
	add("add", e.Add)
	add("remove", e.Remove)
	add("reason", e.Reason)
	add("id", e.ID)
	add("url", e.URL)
	add("workflow", e.Workflow)
	return e.kind + " " + strings.Join(parts, " ")
}

// FormatEffect renders an effect on one line, the way diffs show it.
func FormatEffect(a engine.Effect) string {
	e := effectSpec{kind: string(a.Kind), Workflow: a.Workflow}
	switch a.Kind {
	case engine.EffectSend:
		e.To, e.Session, e.Text, e.Kind = a.Phone, a.Session, a.Text, string(a.SendKind)
	case engine.EffectAssign:
		e.Phone, e.Agent = a.Phone, a.Agent
	case engine.EffectLabel:
		e.Phone, e.Add, e.Remove = a.Phone, a.Add, a.Remove
	case engine.EffectCancel:
		e.Phone, e.Reason = a.Phone, a.Reason
	case engine.EffectScheduleFailed:
		e.ID, e.Reason = a.ScheduleID, a.Reason
	case engine.EffectWebhook:
		e.URL = a.URL
	}
	return e.String()
}

// diffEffects compares expected and actual effects in order; "" when they agree.
func diffEffects(want []effectSpec, got []engine.Effect) string {
	ok := len(want) == len(got)
	for i := 0; ok && i < len(want); i++ {
		ok = want[i].matches(got[i])
	}
	if ok {
		return ""
	}
	var b strings.Builder
	b.WriteString("expected effects:\n")
	if len(want) == 0 {
		b.WriteString("    (none)\n")
	}
	for i, w := range want {
		mark := " "
		if i >= len(got) || !w.matches(got[i]) {
			mark = "-"
		}
		fmt.Fprintf(&b, "  %s %s\n", mark, w)
	}
	b.WriteString("actual effects:\n")
	if len(got) == 0 {
		b.WriteString("    (none)\n")
	}
	for i, g := range got {
		mark := " "
		if i >= len(want) || !want[i].matches(g) {
			mark = "+"
		}
		fmt.Fprintf(&b, "  %s %s\n", mark, FormatEffect(g))
	}
	return b.String()
}
