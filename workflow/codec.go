package workflow

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/trigger"
)

// LoadOptions configures Load. The zero value loads with the built-in
// actions and templates and skips the raw-expression compile check.
type LoadOptions struct {
	// Registry builds the actions; nil means action.NewRegistry().
	Registry *action.Registry
	// Compiler, when set, compiles every workflow's condition tree with the
	// file's hours so that raw expressions that do not compile (or that the
	// backend does not support) are load errors. nil skips the check.
	Compiler condition.Compiler
	// Location is the account's time zone, given to Compiler.
	Location *time.Location
	// Templates are the user's templates, by name; they take precedence
	// over the built-ins of BuiltinTemplates.
	Templates map[string]Workflow
	// Hours are business hours defined elsewhere (e.g. the account's), that
	// `schedule: {hours: NAME}` may name. The file's own hours override
	// them by name; Definitions.Hours holds only the file's own.
	Hours map[string]condition.Hours
	// NormalizePhone reads the numbers of `phone` conditions; nil means
	// trigger.NormalizePhone (numbers with their country code). A product
	// passes its own to accept national numbers of the shop's country; it
	// must return E.164.
	NormalizePhone func(string) (string, error)
	// Ignore lists top-level keys the caller reads itself, e.g. the other
	// keys of a scenario file. When set, workflows are read under
	// `workflows:` only.
	Ignore []string
}

// Load reads a workflow file (YAML or JSON; see WORKFLOWS.md): one workflow
// mapping, or several under `workflows:`, plus optional `hours:`. file
// names the file in error messages.
//
// Loading never half-succeeds: on any problem Load returns LoadErrors
// holding every problem, each a *LoadError with its position. The Path of
// an error inside a workflow is relative to that workflow
// ("conditions.all[1].schedule.from"); outside one it starts at the file's
// root ("hours.boutique.weekly.mon[0]", "workflows[2]"). The position is
// that of the offending value (of the key, for unknown keys).
//
// Hostile input is refused, not merely slow: a file over 1 MiB or nested
// deeper than 64 levels, that is not UTF-8 text or holds a NUL byte, a
// `!!binary` value or a trailing comma (internal/yamlpos), lists and
// patterns over MaxListItems, MaxKeywords, MaxPatternLen and
// MaxPatternInsts, and, with a Compiler, raw expressions over its cost
// limit.
func Load(file string, data []byte, opts LoadOptions) (Definitions, error) {
	root, err := yamlpos.Parse(data)
	if err != nil {
		var pe *yamlpos.Error
		errors.As(err, &pe)
		return Definitions{}, LoadErrors{toLoadError(file, pe)}
	}
	l := newLoader(opts)
	defs := l.file(root)
	if l.c.Len() > 0 {
		return Definitions{}, loadErrors(file, l.c.Errors())
	}
	return defs, nil
}

func toLoadError(file string, e *yamlpos.Error) *LoadError {
	return &LoadError{File: file, Line: e.Line, Column: e.Column, Path: e.Path, Msg: e.Msg,
		Code: e.Code, Args: e.Args, Got: e.Got, Want: e.Want}
}

func loadErrors(file string, es yamlpos.Errors) LoadErrors {
	out := make(LoadErrors, len(es))
	for i, e := range es {
		out[i] = toLoadError(file, e)
	}
	return out
}

// loader holds the state of one Load.
type loader struct {
	opts  LoadOptions
	reg   *action.Registry
	c     *yamlpos.Collector
	hours map[string]condition.Hours // inherited + the file's
	// keywords counts the items of the conditions' lists (MaxKeywords).
	keywords int
}

func newLoader(opts LoadOptions) *loader {
	reg := opts.Registry
	if reg == nil {
		reg = action.NewRegistry()
	}
	hours := map[string]condition.Hours{}
	maps.Copy(hours, opts.Hours)
	return &loader{opts: opts, reg: reg, c: &yamlpos.Collector{Wordings: loadWordings, Words: loadWords}, hours: hours}
}

// fileKeys are the top-level keys of a file beside (or instead of) one
// workflow's keys.
var fileKeys = []string{"workflows", "hours"}

// workflowKeys are the keys of a workflow mapping, in file order.
var workflowKeys = []string{"id", "name", "description", "enabled", "priority", "session",
	"trigger", "stop", "cooldown", "mode", "groups", "conditions", "actions", "template"}

func (l *loader) file(root ast.Node) Definitions {
	var defs Definitions
	if root == nil {
		return defs
	}
	fields, ok := l.c.Mapping(root, "")
	if !ok {
		return defs
	}
	var rest []yamlpos.Field
	var list ast.Node
	for _, f := range fields {
		switch {
		case f.Key == "hours":
			defs.Hours = l.hoursSection(f.Value, f.Path)
		case slices.Contains(l.opts.Ignore, f.Key):
		case f.Key == "workflows":
			list = f.Value
		default:
			rest = append(rest, f)
		}
	}
	maps.Copy(l.hours, defs.Hours)
	switch {
	case list != nil || len(l.opts.Ignore) > 0:
		l.c.Known(rest, slices.Concat(fileKeys, l.opts.Ignore)...)
		if list != nil {
			defs.Workflows = l.workflowList(list)
		}
	case len(rest) > 0:
		if w, ok := l.workflow(root, rest); ok {
			defs.Workflows = []Workflow{w}
		}
	}
	return defs
}

func (l *loader) workflowList(n ast.Node) []Workflow {
	items, ok := l.c.List(n, "workflows")
	if !ok {
		return nil
	}
	var out []Workflow
	names := map[string]int{}
	ids := map[string]int{}
	for i, it := range items {
		fields, ok := l.c.Mapping(it, yamlpos.Index("workflows", i))
		if !ok {
			continue
		}
		for j := range fields {
			fields[j].Path = fields[j].Key // paths inside a workflow are relative to it
		}
		w, ok := l.workflow(it, fields)
		if !ok {
			continue
		}
		if l.unique(names, w.Name, "name", it, fields) {
			l.unique(ids, w.ID, "id", it, fields)
		}
		out = append(out, w)
	}
	return out
}

// unique reports a name or id seen before, at its later occurrence, and
// returns false then.
func (l *loader) unique(seen map[string]int, v, key string, n ast.Node, fields []yamlpos.Field) bool {
	at := n
	if f, ok := field(fields, key); ok {
		at = f.Value
	}
	line, _ := yamlpos.Pos(at)
	if first, dup := seen[v]; dup {
		l.c.Say(at, key, CodeDuplicate, key, v, strconv.Itoa(first))
		return false
	}
	seen[v] = line
	return true
}

func field(fields []yamlpos.Field, key string) (yamlpos.Field, bool) {
	for _, f := range fields {
		if f.Key == key {
			return f, true
		}
	}
	return yamlpos.Field{}, false
}

// workflow decodes one workflow mapping n with the given fields; ok is
// false when it had errors.
func (l *loader) workflow(n ast.Node, fields []yamlpos.Field) (Workflow, bool) {
	before := l.c.Len()
	l.c.Known(fields, workflowKeys...)
	w := Workflow{Enabled: true, Priority: DefaultPriority, Mode: ModeLive}
	known := true
	if f, ok := field(fields, "template"); ok {
		var t Workflow
		if t, known = l.template(f); known {
			w = t
		}
	}
	d := &treeDecoder{l: l, leaves: map[string]ast.Node{}}
	for _, f := range fields {
		l.workflowField(&w, f, d)
	}
	if known {
		l.required(&w, n, fields)
	}
	if l.c.Len() == before && l.opts.Compiler != nil {
		l.compile(w, n, fields, d.leaves)
	}
	return w, l.c.Len() == before
}

// required checks the keys a workflow (or its template) must give and
// derives the id.
func (l *loader) required(w *Workflow, n ast.Node, fields []yamlpos.Field) {
	if w.Name == "" {
		if _, given := field(fields, "name"); !given {
			l.c.SayWant(n, "name", CodeRequired, WordName)
		}
	}
	if w.Trigger == "" {
		l.c.SayWant(n, "trigger", CodeRequired, WordTrigger)
	}
	if _, given := field(fields, "actions"); !given && len(w.Actions) == 0 {
		l.c.SayWant(n, "actions", CodeRequired, WordActions)
	}
	if _, given := field(fields, "id"); !given && w.Name != "" {
		w.ID = Slug(w.Name)
		if w.ID == "" {
			f, _ := field(fields, "name")
			l.c.Say(f.Value, "name", CodeNoID, w.Name)
		}
	}
}

// resettable are the keys whose null value means "none": it resets what a
// template set.
var resettable = []string{"description", "session", "cooldown", "conditions"}

func (l *loader) workflowField(w *Workflow, f yamlpos.Field, d *treeDecoder) {
	c := l.c
	if yamlpos.IsNull(f.Value) && slices.Contains(resettable, f.Key) {
		switch f.Key {
		case "description":
			w.Description = ""
		case "session":
			w.Session = ""
		case "cooldown":
			w.Cooldown = 0
		case "conditions":
			w.Conditions = nil
		}
		return
	}
	switch f.Key {
	case "id":
		w.ID = l.nonEmpty(f, WordSlug)
	case "name":
		w.Name = l.nonEmpty(f, WordName)
	case "description":
		w.Description, _ = c.String(f.Value, f.Path)
	case "session":
		w.Session = l.nonEmpty(f, WordSession)
	case "enabled":
		w.Enabled, _ = c.Bool(f.Value, f.Path)
	case "stop":
		w.Stop, _ = c.Bool(f.Value, f.Path)
	case "groups":
		w.Groups, _ = c.Bool(f.Value, f.Path)
	case "priority":
		w.Priority, _ = c.Int(f.Value, f.Path)
	case "trigger":
		w.Trigger = l.trigger(f)
	case "mode":
		w.Mode = l.mode(f)
	case "cooldown":
		w.Cooldown, _ = l.duration(f.Value, f.Path)
	case "conditions":
		w.Conditions = d.tree(f.Value)
	case "actions":
		w.Actions = l.actions(f.Value, f.Path)
	}
}

func (l *loader) nonEmpty(f yamlpos.Field, want string) string {
	s, ok := l.c.String(f.Value, f.Path)
	if ok && strings.TrimSpace(s) == "" {
		l.c.SayWant(f.Value, f.Path, yamlpos.CodeEmpty, want)
	}
	return s
}

func (l *loader) trigger(f yamlpos.Field) trigger.Kind {
	s, ok := l.c.String(f.Value, f.Path)
	k := trigger.Kind(s)
	if ok && k != trigger.KindIncomingMessage && k != trigger.KindNewContact {
		l.c.Say(f.Value, f.Path, CodeNotTrigger, s)
	}
	return k
}

func (l *loader) mode(f yamlpos.Field) Mode {
	s, ok := l.c.String(f.Value, f.Path)
	m := Mode(s)
	if ok && m != ModeLive && m != ModeShadow {
		l.c.Say(f.Value, f.Path, CodeNotMode, s)
	}
	return m
}

func (l *loader) duration(n ast.Node, path string) (time.Duration, bool) {
	s, ok := l.c.String(n, path)
	if !ok {
		return 0, false
	}
	d, err := condition.ParseDuration(s)
	if err != nil {
		l.c.Addf(n, path, "%s", err.Error())
		return 0, false
	}
	return d, true
}

// Slug derives a workflow id from a name: lower case, accents removed,
// every run of other characters than a-z and 0-9 turned into one '-'.
// "Hors horaires (été)" → "hors-horaires-ete".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range condition.Fold(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// compile checks the tree against the configured backend and maps
// *condition.CompileError paths to positions.
func (l *loader) compile(w Workflow, n ast.Node, fields []yamlpos.Field, leaves map[string]ast.Node) {
	env := condition.Env{Location: l.opts.Location, Hours: l.hours}
	_, err := l.opts.Compiler.Compile(w.Conditions, env)
	if err == nil {
		return
	}
	at := n
	if f, ok := field(fields, "conditions"); ok {
		at = f.Value
	}
	for _, e := range flatten(err) {
		var ce *condition.CompileError
		if !errors.As(e, &ce) {
			l.c.Addf(at, "conditions", "%v (%s backend)", e, l.opts.Compiler.Name())
			continue
		}
		pos := at
		if leaf, ok := leaves[ce.Path]; ok {
			pos = leaf
		}
		l.c.Addf(pos, yamlpos.Key("conditions", ce.Path), "%s: %v (%s backend)",
			yamlpos.Quote(pos), ce.Err, l.opts.Compiler.Name())
	}
}

// flatten lists the leaves of an error joined with errors.Join.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// template returns the named template to start from; false when unknown
// (reported).
func (l *loader) template(f yamlpos.Field) (Workflow, bool) {
	name, ok := l.c.String(f.Value, f.Path)
	if !ok {
		return Workflow{}, false
	}
	t, ok := l.opts.Templates[name]
	if !ok {
		t, ok = BuiltinTemplates()[name]
	}
	if !ok {
		known := slices.Sorted(maps.Keys(BuiltinTemplates()))
		known = append(known, slices.Sorted(maps.Keys(l.opts.Templates))...)
		l.c.Say(f.Value, f.Path, CodeUnknownTemplate, name, strings.Join(known, ", "))
		return Workflow{}, false
	}
	t.ID = ""
	t.Template = name
	t.Actions = slices.Clone(t.Actions)
	return t, true
}
