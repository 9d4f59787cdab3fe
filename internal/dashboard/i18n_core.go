package dashboard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/lint"
)

// The core (engine, linter, loader) words its texts in English for logs
// and the CLI, and gives each a stable code with its values: the
// dashboard shows them in the user's language from catalogue keys per
// code, and as stored when the code is unknown (rows of older versions).

// reason is a logged engine reason (workflow.Execution.Reason) in t's
// language, from the catalogue key "reason." + reasonKey(r). A text that
// is no engine reason (engine.ParseReason) or whose detail does not read
// is shown as stored; the English texts are the stored ones, but for
// durations, spelled by span.
func (t translator) reason(text string) string {
	r, detail, ok := engine.ParseReason(text)
	if !ok {
		return text
	}
	key := "reason." + reasonKey(r)
	switch {
	case r == engine.ReasonCooldown || r == engine.ReasonExpired:
		read := engine.CooldownElapsed
		if r == engine.ReasonExpired {
			read = engine.ExpiredAfter
		}
		d, ok := read(detail)
		if !ok {
			return text
		}
		return t.T(key, span(d))
	case r == engine.ReasonConditionsFailed:
		return t.T(key, detail) // the backend's error, as it gave it
	case detail != "":
		return text
	}
	return t.T(key)
}

// detail is an action's detail the engine wrote (engine.ParseDetail) in
// t's language, from the catalogue key "detail." + its code, its values
// as the engine wrote them; any other text (a custom action's) as stored.
func (t translator) detail(text string) string {
	code, values, ok := engine.ParseDetail(text)
	if !ok {
		return text
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return t.T("detail."+code, args...)
}

// actionError is the error of an action's result in t's language: from
// the catalogue key "action_error." + its code when the engine named its
// cause (workflow.ActionResult.ErrorCode), its text as stored otherwise.
func (t translator) actionError(r workflow.ActionResult) string {
	if r.ErrorCode == "" || !slices.Contains(engine.ErrorCodes(), r.ErrorCode) {
		return r.Error
	}
	return t.T("action_error." + r.ErrorCode)
}

// span spells d for a shop owner, to the second, the same in French and
// English: "24 h", "1 h 2 min 3 s", "45 s" (the stored texts say "24h0m0s").
func span(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	var parts []string
	if h != 0 {
		parts = append(parts, strconv.FormatInt(h, 10)+" h")
	}
	if m != 0 {
		parts = append(parts, strconv.FormatInt(m, 10)+" min")
	}
	if s != 0 || len(parts) == 0 {
		parts = append(parts, strconv.FormatInt(s, 10)+" s")
	}
	return strings.Join(parts, " ")
}

// reasonKey is the catalogue name of r: its text in lower case, with each
// run of other characters than letters and digits turned into one "_".
func reasonKey(r engine.Reason) string {
	var b strings.Builder
	sep := false
	for _, c := range strings.ToLower(string(r)) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c)
			sep = false
			continue
		}
		sep = true
	}
	return b.String()
}

// finding is the message of lint finding f in t's language, from the keys
// "lint.text." + code, filled as lint.Finding.Message is; f.Message when
// a code is not the linter's.
func (t translator) finding(f lint.Finding) string {
	codes := lint.TextCodes()
	args := make([]any, 0, len(f.Text.Args)+1)
	for _, a := range f.Text.Args {
		args = append(args, a)
	}
	if len(f.Parts) > 0 {
		parts := make([]string, len(f.Parts))
		for i, p := range f.Parts {
			if !slices.Contains(codes, p.Code) {
				return f.Message
			}
			parts[i] = t.lintText(p)
		}
		args = append(args, strings.Join(parts, "; "))
	}
	if !slices.Contains(codes, f.Text.Code) {
		return f.Message
	}
	return t.T("lint.text."+f.Text.Code, args...)
}

// lintText is one lint wording in t's language.
func (t translator) lintText(x lint.Text) string {
	args := make([]any, len(x.Args))
	for i, a := range x.Args {
		args[i] = a
	}
	return t.T("lint.text."+x.Code, args...)
}

// findings are fs with their messages in t's language.
func (t translator) findings(fs []lint.Finding) []lint.Finding {
	out := slices.Clone(fs)
	for i := range out {
		out[i].Message = t.finding(out[i])
	}
	return out
}

// loadMessage is the message of load error e in t's language, from the
// keys "load.code." + code and "load.word." + word, filled as
// workflow.LoadError documents. English pages show e.Msg itself, and so
// does any language for an error without a code or with a code or word
// the loader does not list.
func (t translator) loadMessage(e *workflow.LoadError) string {
	if e.Code == "" || t.lang == langCode(languages[0]) || !slices.Contains(workflow.LoadErrorCodes(), e.Code) {
		return e.Msg
	}
	args := make([]any, 0, len(e.Args)+2)
	for _, a := range e.Args {
		args = append(args, a)
	}
	for _, w := range []string{e.Got, e.Want} {
		if w == "" {
			continue
		}
		if !slices.Contains(workflow.LoadErrorWords(), w) {
			return e.Msg
		}
		args = append(args, t.T("load.word."+w))
	}
	return t.T("load.code."+e.Code, args...)
}

// loadError is a copy of e with its message in t's language.
func (t translator) loadError(e *workflow.LoadError) *workflow.LoadError {
	c := *e
	c.Msg = t.loadMessage(e)
	return &c
}

// leaf is a trace leaf description (condition.LeafResult.Leaf) in t's
// language: the leaf's kind, operator and modifiers from the keys
// "trace.kind.", "trace.op." and "trace.*", its values as written (they
// are the workflow's). English pages, and any text condition.ParseLeaf
// does not read, show the description as stored.
func (t translator) leaf(desc string) string {
	l, ok := condition.ParseLeaf(desc)
	if !ok || t.lang == langCode(languages[0]) {
		return desc
	}
	switch {
	case l.Kind == "agent" && l.Op == string(condition.OpAssigned), l.Kind == "text" && l.Op == string(condition.OpEmpty):
		if l.Args != "true" && l.Args != "false" {
			return desc
		}
		return t.T("trace." + l.Kind + "_" + l.Op + "." + l.Args)
	}
	s := t.T("trace.kind." + l.Kind)
	if l.Op != "" {
		s += " " + t.T("trace.op."+l.Op)
	}
	if l.EveryDay {
		s += " " + t.T("trace.every_day")
	}
	s += " " + l.Args
	if l.Word {
		s += " " + t.T("trace.word")
	}
	if l.Exact {
		s += " " + t.T("trace.exact")
	}
	return s
}

// trace is tr with its leaves in t's language.
func (t translator) trace(tr condition.Trace) condition.Trace {
	out := slices.Clone(tr)
	for i := range out {
		out[i].Leaf = t.leaf(out[i].Leaf)
	}
	return out
}

// traceText is tr as condition.Trace.String writes it, in t's language.
func (t translator) traceText(tr condition.Trace) string {
	var b strings.Builder
	for _, l := range tr {
		mark := "✗"
		if l.Value {
			mark = "✓"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", mark, l.Path, t.leaf(l.Leaf))
	}
	return b.String()
}
