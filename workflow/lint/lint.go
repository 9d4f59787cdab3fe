package lint

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/workflow"
)

// Severity says whether a finding is a mistake (Error: the workflow cannot
// work as written) or a risk worth a look (Warning).
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// The checks, by their stable code (Finding.Check).
const (
	// CheckUnreachable: a higher-priority stop workflow fires whenever this one would.
	CheckUnreachable = "unreachable"
	// CheckContradiction: conditions, or a part of them, can never be true.
	CheckContradiction = "contradiction"
	// CheckWindow: a schedule window or business-hours period of zero length, or empty days.
	CheckWindow = "window"
	// CheckOverlap: two workflows both reply to the same message.
	CheckOverlap = "overlap"
	// CheckScheduleGap: weekly times neither the in-hours nor the out-of-hours workflows cover.
	CheckScheduleGap = "schedule-gap"
	// CheckUnusedHours: named hours no workflow uses.
	CheckUnusedHours = "unused-hours"
	// CheckUnusedTemplate: a template (Options.Templates) no workflow starts from.
	CheckUnusedTemplate = "unused-template"
	// CheckWebhookSecret: a webhook posts without a signing secret.
	CheckWebhookSecret = "webhook-secret"
	// CheckNoAIModel: an ai_reply while no model is configured (Options.NoAIModel).
	CheckNoAIModel = "no-ai-model"
	// CheckUnknownNumber: a workflow scoped to a number the account does not have (Options.Numbers).
	CheckUnknownNumber = "unknown-number"
	// CheckLoad: the file does not load (File); the other checks did not run.
	CheckLoad = "load"
)

// Pos locates a finding in a workflow file. Line and Col are 1-based and
// zero when unknown (definitions built in Go, or Options.Data not given).
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// String formats p as "file:line:col", leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Finding is one problem found in a workflow set.
type Finding struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"severity"`
	// Check is the stable code of the check (CheckUnreachable, ...).
	Check string `json:"check"`
	// Workflow names the workflow concerned; "" for file-level findings.
	Workflow string `json:"workflow,omitempty"`
	// Related names the other workflows concerned: the stop workflows
	// that shadow it (CheckUnreachable), the pair's first workflow
	// (CheckOverlap), the in-hours and out-of-hours workflows
	// (CheckScheduleGap).
	Related []string `json:"related,omitempty"`
	// Message is the finding in English: Text filled in, its last %s
	// being Parts, each in words, joined by "; " (when there are Parts).
	Message string `json:"message"`
	// Text is Message's wording, by its stable code, and its values; a
	// program shows the finding in another language by one format per
	// code (TextCodes), filled the way Message is.
	Text Text `json:"text"`
	// Parts are the pieces of Message that are wordings themselves: why
	// the conditions can never be true (CheckContradiction, one part),
	// the times no workflow answers (CheckScheduleGap).
	Parts []Text `json:"parts,omitempty"`
	// Example is a message showing the problem (CheckOverlap).
	Example *Example `json:"example,omitempty"`
}

// String formats f as "file:line:col: severity: message".
func (f Finding) String() string {
	s := fmt.Sprintf("%s: %s: %s", f.Pos, f.Severity, f.Message)
	if f.Example != nil {
		s += "\n\texample: " + f.Example.String()
	}
	return s
}

// Example is an incoming message, and the state of its conversation, on
// which a finding shows.
type Example struct {
	// Session is the number the message is sent to.
	Session string   `json:"session"`
	Text    string   `json:"text"`
	Type    string   `json:"type"`
	Phone   string   `json:"phone"`
	Labels  []string `json:"labels,omitempty"`
	Agent   string   `json:"agent,omitempty"`
	// MessageCount counts the conversation's messages, this one included.
	MessageCount int `json:"message_count"`
	// SinceLastReply is "" when nothing was sent in the conversation yet.
	SinceLastReply string    `json:"since_last_reply,omitempty"`
	Time           time.Time `json:"time"`
	NewContact     bool      `json:"new_contact,omitempty"`
}

// String renders e on one line.
func (e Example) String() string {
	s := fmt.Sprintf("%q (%s) from %s at %s", e.Text, e.Type, e.Phone, e.Time.Format("Mon 2006-01-02 15:04 MST"))
	if len(e.Labels) > 0 {
		s += fmt.Sprintf(", labels %q", e.Labels)
	}
	if e.Agent != "" {
		s += ", agent " + e.Agent
	}
	s += fmt.Sprintf(", message #%d", e.MessageCount)
	if e.SinceLastReply != "" {
		s += ", last reply " + e.SinceLastReply + " ago"
	}
	if e.NewContact {
		s += ", new contact"
	}
	return s
}

// Options configures Check. The zero value runs every check that needs no
// product knowledge, without positions and without overlap examples.
type Options struct {
	// File and Data are the workflow file the definitions were loaded
	// from (workflow.Load); with Data, findings carry line and column.
	File string
	Data []byte
	// Location is the account's time zone; nil means UTC, as for the engine.
	Location *time.Location
	// Hours are named business hours defined outside the file (the
	// account's); the file's own (Definitions.Hours) override them.
	Hours map[string]condition.Hours
	// Compiler evaluates example messages; the overlap check runs only
	// with one, and reports only overlaps it has shown on an example.
	Compiler condition.Compiler

	// Numbers, when not nil, are the account's number (session) ids: a
	// workflow scoped to another is an error.
	Numbers []string
	// NoAIModel makes every ai_reply an error: no model is configured.
	NoAIModel bool
	// Templates are the names of the account's own templates: those no
	// workflow starts from are reported.
	Templates []string
}

// Check runs every check on defs and returns the findings in file order.
func Check(defs workflow.Definitions, opts Options) []Finding {
	c := newChecker(defs, opts)
	c.contradictions()
	c.windows()
	c.unreachable()
	c.overlaps()
	c.scheduleGaps()
	c.unused()
	c.actions()
	slices.SortStableFunc(c.out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col), cmp.Compare(a.Check, b.Check))
	})
	return c.out
}

// File loads a workflow file with workflow.Load and checks it: the
// findings carry its positions. A file that does not load gives one Error
// finding per load error (CheckLoad). opts.File, opts.Data and
// opts.Location are set from the arguments.
func File(file string, data []byte, lo workflow.LoadOptions, opts Options) []Finding {
	defs, err := workflow.Load(file, data, lo)
	if err != nil {
		var les workflow.LoadErrors
		if !errors.As(err, &les) {
			t := text(TextLoad, err.Error())
			return []Finding{{Pos: Pos{File: file}, Severity: SeverityError, Check: CheckLoad, Message: t.String(), Text: t}}
		}
		out := make([]Finding, len(les))
		for i, e := range les {
			msg := e.Msg
			if e.Path != "" {
				msg = e.Path + ": " + msg
			}
			t := text(TextLoad, msg)
			out[i] = Finding{Pos: Pos{File: e.File, Line: e.Line, Col: e.Column}, Severity: SeverityError, Check: CheckLoad, Message: t.String(), Text: t}
		}
		return out
	}
	opts.File, opts.Data, opts.Location = file, data, lo.Location
	if opts.Hours == nil {
		opts.Hours = lo.Hours
	}
	return Check(defs, opts)
}

// HasErrors reports whether any finding is an Error.
func HasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == SeverityError })
}

// checker holds the state of one Check.
type checker struct {
	defs  workflow.Definitions
	opts  Options
	loc   *time.Location
	hours map[string]condition.Hours
	as    *atoms
	tl    *timeline
	// f[i] is workflow i's conditions as a formula; order lists the
	// workflow indexes in evaluation order (priority, then file order).
	f     []*formula
	order []int
	src   *locator
	out   []Finding
}

func newChecker(defs workflow.Definitions, opts Options) *checker {
	c := &checker{defs: defs, opts: opts, loc: opts.Location, hours: map[string]condition.Hours{}}
	if c.loc == nil {
		c.loc = time.UTC
	}
	for k, v := range opts.Hours {
		c.hours[k] = v
	}
	for k, v := range defs.Hours {
		c.hours[k] = v
	}
	c.as = newAtoms(c.hours)
	for i, w := range defs.Workflows {
		c.f = append(c.f, c.as.tree(w.Conditions))
		c.order = append(c.order, i)
	}
	slices.SortStableFunc(c.order, func(a, b int) int {
		return cmp.Compare(defs.Workflows[a].Priority, defs.Workflows[b].Priority)
	})
	c.tl = newTimeline(c.as, c.loc)
	c.src = newLocator(opts.File, opts.Data)
	return c
}

func (c *checker) solver() *solver { return &solver{as: c.as, th: theory{tl: c.tl}} }

func (c *checker) add(sev Severity, check string, pos Pos, wf string, text Text, parts ...Text) *Finding {
	c.out = append(c.out, Finding{Pos: pos, Severity: sev, Check: check, Workflow: wf,
		Message: message(text, parts), Text: text, Parts: parts})
	return &c.out[len(c.out)-1]
}

// message is text filled in, with parts, in words and joined by "; ", as
// its last argument.
func message(text Text, parts []Text) string {
	if len(parts) == 0 {
		return text.String()
	}
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.String()
	}
	return Text{Code: text.Code, Args: append(slices.Clip(text.Args), strings.Join(s, "; "))}.String()
}

// locator finds positions in the source of the definitions.
type locator struct {
	file string
	root ast.Node
	wfs  []ast.Node // the node of each workflow, by index
}

func newLocator(file string, data []byte) *locator {
	l := &locator{file: file}
	if data == nil {
		return l
	}
	root, err := yamlpos.Parse(data)
	if err != nil || root == nil {
		return l
	}
	l.root = root
	if list, ok := yamlpos.Unwrap(yamlpos.Find(root, "workflows")).(*ast.SequenceNode); ok {
		l.wfs = list.Values
	} else {
		l.wfs = []ast.Node{root}
	}
	return l
}

// workflow returns the position of path (relative, e.g.
// "conditions.all[1].text") inside workflow i, or of its nearest parent
// present in the file.
func (l *locator) workflow(i int, path string) Pos {
	if i >= len(l.wfs) {
		return Pos{File: l.file}
	}
	return l.find(l.wfs[i], path)
}

// at returns the position of a path from the file's root ("hours.shop").
func (l *locator) at(path string) Pos {
	if l.root == nil {
		return Pos{File: l.file}
	}
	return l.find(l.root, path)
}

func (l *locator) find(n ast.Node, path string) Pos {
	for {
		if path == "" {
			return l.pos(n)
		}
		if m := yamlpos.Find(n, path); m != nil {
			return l.pos(m)
		}
		path = parent(path)
	}
}

func (l *locator) pos(n ast.Node) Pos {
	line, col := yamlpos.Pos(n)
	return Pos{File: l.file, Line: line, Col: col}
}

// parent drops the last element of a dotted path ("a.b[1]" → "a.b", "a.b" → "a").
func parent(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' || path[i] == '[' {
			return path[:i]
		}
	}
	return ""
}

// condPath is the path of a condition node inside a workflow.
func condPath(tp string) string {
	if tp == "" {
		return "conditions"
	}
	return "conditions." + tp
}
