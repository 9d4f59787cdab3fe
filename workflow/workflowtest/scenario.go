package workflowtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// Scenario is a parsed scenario file (SCENARIOS.md).
type Scenario struct {
	Name     string
	File     string
	Location *time.Location
	Start    time.Time
	Sessions []workflow.Session
	AI       *ScriptedAI
	Defs     workflow.Definitions
	Steps    []Step

	contacts []contactSpec
	assigns  []assignSpec
	credits  *creditSpec
	pacing   *pacingSpec
}

// Step is one step of a scenario.
type Step struct {
	spec stepSpec
	// Line is the step's line in the file.
	Line int
	At   time.Time
}

type scenarioSpec struct {
	Name          string        `yaml:"name"`
	Timezone      string        `yaml:"timezone"`
	Start         string        `yaml:"start"`
	Sessions      []sessionSpec `yaml:"sessions"`
	Contacts      []contactSpec `yaml:"contacts"`
	Assignments   []assignSpec  `yaml:"assignments"`
	AI            *aiSpec       `yaml:"ai"`
	Credits       *creditSpec   `yaml:"credits"`
	Pacing        *pacingSpec   `yaml:"pacing"`
	Hours         rawNode       `yaml:"hours"`
	Workflows     rawNode       `yaml:"workflows"`
	WorkflowFiles []string      `yaml:"workflow_files"`
	Steps         []rawNode     `yaml:"steps"`
}

var scenarioKeys = []string{"name", "timezone", "start", "sessions", "contacts", "assignments", "ai", "credits", "pacing", "workflow_files", "steps"}

type sessionSpec struct {
	ID      string   `yaml:"id"`
	Label   string   `yaml:"label"`
	Modules []string `yaml:"modules"`
}

type contactSpec struct {
	Phone    string   `yaml:"phone"`
	Name     string   `yaml:"name"`
	Labels   []string `yaml:"labels"`
	Excluded bool     `yaml:"excluded"`
}

type assignSpec struct {
	Phone   string `yaml:"phone"`
	Session string `yaml:"session"`
	Agent   string `yaml:"agent"`
}

type aiSpec struct {
	Latency   action.Duration `yaml:"latency"`
	Reply     string          `yaml:"reply"`
	Translate string          `yaml:"translate"`
}

type pacingSpec struct {
	Reply action.Duration `yaml:"reply"`
	Cold  action.Duration `yaml:"cold"`
}

type creditSpec struct {
	Balance        int64 `yaml:"balance"`
	CharsPerCredit int   `yaml:"chars_per_credit"`
}

type stepSpec struct {
	At             string          `yaml:"at"`
	After          action.Duration `yaml:"after"`
	Message        *messageSpec    `yaml:"message"`
	AgentReply     *agentReply     `yaml:"agent_reply"`
	Assign         *assignSpec     `yaml:"assign"`
	Unassign       *assignSpec     `yaml:"unassign"`
	Label          *labelSpec      `yaml:"label"`
	Exclude        *phoneSpec      `yaml:"exclude"`
	Include        *phoneSpec      `yaml:"include"`
	Schedule       *scheduleSpec   `yaml:"schedule"`
	CancelSchedule *idSpec         `yaml:"cancel_schedule"`
	Disconnect     *sessionRef     `yaml:"disconnect_session"`
	Reconnect      *sessionRef     `yaml:"reconnect_session"`
	DeleteSession  *sessionRef     `yaml:"delete_session"`
	Workflows      *bulkSpec       `yaml:"workflows"`
	Expect         *[]rawNode      `yaml:"expect"`
	State          *stateSpec      `yaml:"state"`
}

type messageSpec struct {
	From    string `yaml:"from"`
	Session string `yaml:"session"`
	Text    string `yaml:"text"`
	Type    string `yaml:"type"`
	Name    string `yaml:"name"`
	Caption string `yaml:"caption"`
	ID      string `yaml:"id"`
}

type agentReply struct {
	To      string `yaml:"to"`
	Session string `yaml:"session"`
	Text    string `yaml:"text"`
}

type labelSpec struct {
	Phone  string         `yaml:"phone"`
	Add    action.Strings `yaml:"add"`
	Remove action.Strings `yaml:"remove"`
}

type phoneSpec struct {
	Phone string `yaml:"phone"`
}

type scheduleSpec struct {
	ID      string `yaml:"id"`
	To      string `yaml:"to"`
	Session string `yaml:"session"`
	At      string `yaml:"at"`
	Text    string `yaml:"text"`
}

type idSpec struct {
	ID string `yaml:"id"`
}

type sessionRef struct {
	Session string `yaml:"session"`
}

type bulkSpec struct {
	Enable  []string `yaml:"enable"`
	Disable []string `yaml:"disable"`
	Delete  []string `yaml:"delete"`
}

type stateSpec struct {
	Contacts      map[string]contactState  `yaml:"contacts"`
	Conversations map[string]convState     `yaml:"conversations"`
	Scheduled     map[string]string        `yaml:"scheduled"`
	Credits       *int64                   `yaml:"credits"`
	Sessions      map[string]string        `yaml:"sessions"`
	Workflows     map[string]workflowState `yaml:"workflows"`
}

type contactState struct {
	Labels   *[]string `yaml:"labels"`
	Excluded *bool     `yaml:"excluded"`
	Name     *string   `yaml:"name"`
}

type convState struct {
	Agent *string `yaml:"agent"`
}

type workflowState struct {
	Enabled *bool   `yaml:"enabled"`
	Session *string `yaml:"session"`
}

// rawNode keeps a YAML node for later, positioned decoding.
type rawNode struct{ ast.Node }

// UnmarshalYAML keeps n.
func (r *rawNode) UnmarshalYAML(n ast.Node) error { r.Node = n; return nil }

// localLayouts are the accepted forms of local times.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

// ParseLocal parses a local time of a scenario ("2026-11-23T20:15") in loc
// with the DST rule of engine.LocalTime.
func ParseLocal(s string, loc *time.Location) (time.Time, error) {
	for _, l := range localLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return engine.LocalTime(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a local time (want YYYY-MM-DDTHH:MM)", s)
}

// LoadScenario reads and checks a scenario file (see ParseScenario).
func LoadScenario(path string, opts workflow.LoadOptions) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenario(path, data, opts)
}

// ParseScenario parses and checks the scenario data of the file path. A
// bad scenario returns workflow.LoadErrors with every problem and its
// position.
func ParseScenario(path string, data []byte, opts workflow.LoadOptions) (*Scenario, error) {
	root, err := yamlpos.Parse(data)
	if err != nil {
		return nil, toLoadErrors(path, yamlpos.Errors{asPosErr(err)})
	}
	if root == nil {
		return nil, toLoadErrors(path, yamlpos.Errors{{Line: 1, Column: 1, Msg: "is empty (want a scenario: name, workflows and steps)"}})
	}
	var c yamlpos.Collector
	var spec scenarioSpec
	_ = c.Decode(root, "", &spec)
	sc := &Scenario{Name: spec.Name, File: path, Location: time.UTC}
	if spec.Name == "" {
		c.Addf(root, "name", "is required (want the scenario's name)")
	}
	if spec.Timezone != "" {
		loc, err := time.LoadLocation(spec.Timezone)
		if err != nil {
			c.Addf(yamlpos.Find(root, "timezone"), "timezone", "%q is not an IANA time zone (want e.g. Europe/Paris)", spec.Timezone)
		} else {
			sc.Location = loc
		}
	}
	y, m, d := DefaultStart.Date()
	sc.Start = time.Date(y, m, d, 9, 0, 0, 0, sc.Location)
	if spec.Start != "" {
		t, err := ParseLocal(spec.Start, sc.Location)
		if err != nil {
			c.Addf(yamlpos.Find(root, "start"), "start", "%s", err)
		}
		sc.Start = t
	}
	sc.sessions(&c, root, spec.Sessions)
	sc.contacts, sc.assigns = spec.Contacts, spec.Assignments
	if spec.AI != nil {
		sc.AI = &ScriptedAI{Latency: time.Duration(spec.AI.Latency), ReplyTemplate: spec.AI.Reply, TranslateTemplate: spec.AI.Translate}
	}
	sc.credits, sc.pacing = spec.Credits, spec.Pacing
	if sc.credits != nil && sc.credits.CharsPerCredit == 0 {
		sc.credits.CharsPerCredit = 100
	}
	opts.Location = sc.Location
	opts.Ignore = scenarioKeys
	defs, lerr := workflow.Load(path, data, opts)
	for _, f := range spec.WorkflowFiles {
		p := filepath.Join(filepath.Dir(path), f)
		fdata, err := os.ReadFile(p)
		if err != nil {
			c.Addf(yamlpos.Find(root, "workflow_files"), "workflow_files", "%q cannot be read: %v", f, err)
			continue
		}
		more, err := workflow.Load(p, fdata, workflow.LoadOptions{Registry: opts.Registry, Compiler: opts.Compiler, Location: sc.Location, Hours: defs.Hours})
		lerr = joinLoad(lerr, err)
		defs.Workflows = append(defs.Workflows, more.Workflows...)
		for k, v := range more.Hours {
			if defs.Hours == nil {
				defs.Hours = map[string]condition.Hours{}
			}
			defs.Hours[k] = v
		}
	}
	sc.Defs = defs
	sc.steps(&c, spec.Steps)
	errs := toLoadErrors(path, c.Errors())
	if lerr != nil {
		var le workflow.LoadErrors
		if !asLoadErrors(lerr, &le) {
			return nil, lerr
		}
		errs = append(le, errs...)
	}
	if len(errs) > 0 {
		sortLoadErrors(errs)
		return nil, errs
	}
	return sc, nil
}

func (sc *Scenario) sessions(c *yamlpos.Collector, root ast.Node, specs []sessionSpec) {
	if len(specs) == 0 {
		sc.Sessions = []workflow.Session{{ID: "main", Label: "main"}}
		return
	}
	all := []workflow.Module{workflow.ModuleWorkflows, workflow.ModuleAI, workflow.ModuleScheduled}
	for i, s := range specs {
		path := yamlpos.Index("sessions", i)
		if s.ID == "" {
			c.Addf(yamlpos.Find(root, path), path+".id", "is required")
		}
		ws := workflow.Session{ID: s.ID, Label: s.Label}
		if ws.Label == "" {
			ws.Label = s.ID
		}
		if s.Modules != nil {
			for _, m := range s.Modules {
				if !slices.Contains(all, workflow.Module(m)) {
					c.Addf(yamlpos.Find(root, path+".modules"), path+".modules", "%q is not a module (want workflows, ai or scheduled)", m)
				}
			}
			for _, m := range all {
				if !slices.Contains(s.Modules, string(m)) {
					ws.Disabled = append(ws.Disabled, m)
				}
			}
		}
		sc.Sessions = append(sc.Sessions, ws)
	}
}

func (sc *Scenario) steps(c *yamlpos.Collector, nodes []rawNode) {
	prev := sc.Start
	names := map[string]bool{}
	for _, w := range sc.Defs.Workflows {
		names[w.Name] = true
	}
	for i, n := range nodes {
		path := yamlpos.Index("steps", i)
		var st stepSpec
		if c.Decode(n.Node, path, &st) != nil {
			continue
		}
		line, _ := yamlpos.Pos(n.Node)
		at := prev
		switch {
		case st.At != "" && st.After != 0:
			c.Addf(n.Node, path, "at and after are both set (want one of them)")
		case st.At != "":
			t, err := ParseLocal(st.At, sc.Location)
			if err != nil {
				c.Addf(yamlpos.Find(n.Node, "at"), path+".at", "%s", err)
			} else if t.Before(prev) {
				c.Addf(yamlpos.Find(n.Node, "at"), path+".at", "%q is before the previous step (want steps in time order)", st.At)
			}
			at = t
		case st.After != 0:
			at = prev.Add(time.Duration(st.After))
		}
		if m := st.Message; m != nil && m.Type != "" && !trigger.MessageType(m.Type).Valid() {
			c.Addf(yamlpos.Find(n.Node, "message.type"), path+".message.type", "%q is not a message type (want %s)", m.Type, messageTypeList())
		}
		if k := st.eventCount(); k > 1 {
			c.Addf(n.Node, path, "has %d events (want at most one per step)", k)
		}
		if st.Expect != nil {
			for j, e := range *st.Expect {
				checkExpectation(c, e.Node, yamlpos.Index(path+".expect", j), names)
			}
		}
		sc.Steps = append(sc.Steps, Step{spec: st, Line: line, At: at})
		prev = at
	}
}

// messageTypeList is trigger.MessageTypes for a message: "text, image, … or other".
func messageTypeList() string {
	names := make([]string, len(trigger.MessageTypes))
	for i, t := range trigger.MessageTypes {
		names[i] = string(t)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func (s *stepSpec) eventCount() int {
	n := 0
	for _, set := range []bool{s.Message != nil, s.AgentReply != nil, s.Assign != nil, s.Unassign != nil, s.Label != nil,
		s.Exclude != nil, s.Include != nil, s.Schedule != nil, s.CancelSchedule != nil, s.Disconnect != nil,
		s.Reconnect != nil, s.DeleteSession != nil, s.Workflows != nil} {
		if set {
			n++
		}
	}
	return n
}

func toLoadErrors(file string, es yamlpos.Errors) workflow.LoadErrors {
	out := make(workflow.LoadErrors, len(es))
	for i, e := range es {
		out[i] = &workflow.LoadError{File: file, Line: e.Line, Column: e.Column, Path: e.Path, Msg: e.Msg}
	}
	return out
}

func asPosErr(err error) *yamlpos.Error {
	if pe, ok := err.(*yamlpos.Error); ok {
		return pe
	}
	return &yamlpos.Error{Msg: err.Error()}
}

func sortLoadErrors(es workflow.LoadErrors) {
	slices.SortStableFunc(es, func(a, b *workflow.LoadError) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}

func joinLoad(a, b error) error {
	if b == nil {
		return a
	}
	if a == nil {
		return b
	}
	var x, y workflow.LoadErrors
	if asLoadErrors(a, &x) && asLoadErrors(b, &y) {
		return append(x, y...)
	}
	return errors.Join(a, b)
}

func asLoadErrors(err error, out *workflow.LoadErrors) bool {
	if errors.As(err, out) {
		return true
	}
	var one *workflow.LoadError
	if errors.As(err, &one) {
		*out = workflow.LoadErrors{one}
		return true
	}
	return false
}
