package workflowtest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/waauto/waauto/internal/docscheck"
	"github.com/waauto/waauto/workflow"
)

const scenariosDoc = "../../docs/scenarios.md"

// TestDocExamples loads every ```yaml example of docs/scenarios.md as a
// scenario file (scenario.yaml in a fresh directory) and plays it with both
// condition backends: it must load and pass. Markers before an example:
//
//	<!-- error: scenario.yaml:LINE:COL: PATH: MESSAGE -->   loading fails with exactly this
//	<!-- file: NAME -->   a workflow file, written as NAME for the examples' workflow_files
//
// Fences in another language (sh) are shell lines, not checked.
func TestDocExamples(t *testing.T) {
	examples, err := docscheck.Examples(docscheck.Read(t, scenariosDoc))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, ex := range examples {
		if name, ok := ex.Markers["file"]; ok && ex.Lang == "yaml" {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(ex.Text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	checked := 0
	for _, ex := range examples {
		for k := range ex.Markers {
			if k != "error" && k != "file" {
				t.Errorf("line %d: unknown marker %q (want error or file)", ex.Line, k)
			}
		}
		if _, isFile := ex.Markers["file"]; isFile || ex.Lang == "sh" {
			continue
		}
		if ex.Lang != "yaml" {
			t.Errorf("line %d: fence %q (want yaml, or sh for shell lines)", ex.Line, ex.Lang)
			continue
		}
		path := filepath.Join(dir, "scenario.yaml")
		if err := os.WriteFile(path, []byte(ex.Text), 0o600); err != nil {
			t.Fatal(err)
		}
		want, wantErr := ex.Markers["error"]
		checked++
		for _, name := range slices.Sorted(maps.Keys(Backends())) {
			rep, err := Run(context.Background(), path, RunOptions{Compiler: Backends()[name]})
			var got string
			if err != nil {
				got = strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			}
			switch {
			case wantErr && got != want:
				t.Errorf("line %d (%s backend): error\n%s\nwant\n%s", ex.Line, name, got, want)
			case !wantErr && err != nil:
				t.Errorf("line %d (%s backend): %s", ex.Line, name, got)
			case !wantErr && !rep.Passed():
				t.Errorf("line %d (%s backend): %s fails:\n%s", ex.Line, name, rep.Name, strings.Join(rep.Failures, "\n"))
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d examples checked; the reference has fewer examples than expected", checked)
	}
}

// yamlKeys returns the keys the positioned decoder accepts for struct type
// t: the yaml tags of its fields.
func yamlKeys(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		out = append(out, name)
	}
	return out
}

// structOf returns the struct type behind a field's type (through pointers,
// slices and map values), if any.
func structOf(t reflect.Type) (reflect.Type, bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return t, t.Kind() == reflect.Struct && t != reflect.TypeFor[rawNode]()
}

// docNames lists, per section of docs/scenarios.md, the keys the scenario
// loader accepts there, read from the types it decodes into and its tables.
func docNames() map[string][]string {
	g := map[string][]string{
		"File":                    yamlKeys(reflect.TypeFor[scenarioSpec]()),
		"Steps":                   nil,
		"Expectations (`expect`)": slices.Sorted(maps.Keys(effectFields)),
		"State (`state`)":         yamlKeys(reflect.TypeFor[stateSpec]()),
		"`sessions`":              {string(workflow.ModuleWorkflows), string(workflow.ModuleAI), string(workflow.ModuleScheduled)},
		"`send` effect":           {"fixed", "ai", "scheduled"},
		"`cancel` effect":         {"customer_message", "agent_reply"},
		"`disconnect_session`, `reconnect_session` and `delete_session` events": nil,
	}
	for f := range reflect.TypeFor[scenarioSpec]().Fields() {
		if st, ok := structOf(f.Type); ok {
			h := "`" + f.Tag.Get("yaml") + "`"
			g[h] = append(g[h], yamlKeys(st)...)
		}
	}
	for f := range reflect.TypeFor[stepSpec]().Fields() {
		key := f.Tag.Get("yaml")
		st, ok := structOf(f.Type)
		if !ok || key == "state" {
			g["Steps"] = append(g["Steps"], key)
			continue
		}
		g["Events"] = append(g["Events"], key)
		h := eventHeading(key)
		g[h] = append(g[h], yamlKeys(st)...)
	}
	for kind, fields := range effectFields {
		h := "`" + kind + "` effect"
		g[h] = append(g[h], fields...)
	}
	for f := range reflect.TypeFor[stateSpec]().Fields() {
		if st, ok := structOf(f.Type); ok {
			h := "`" + f.Tag.Get("yaml") + "` state"
			g[h] = append(g[h], yamlKeys(st)...)
		}
	}
	for _, s := range []workflow.ScheduleStatus{workflow.SchedulePending, workflow.ScheduleSent, workflow.ScheduleFailed, workflow.ScheduleCancelled} {
		g["State (`state`)"] = append(g["State (`state`)"], string(s))
	}
	for _, s := range []workflow.SessionStatus{workflow.SessionConnected, workflow.SessionDisconnected, workflow.SessionDeleted} {
		g["State (`state`)"] = append(g["State (`state`)"], string(s))
	}
	return g
}

// eventHeading is the heading that documents an event: events that share
// their fields share a section.
func eventHeading(key string) string {
	switch key {
	case "assign", "unassign":
		return "`assign` event and `unassign` event"
	case "exclude", "include":
		return "`exclude` event and `include` event"
	case "schedule", "cancel_schedule":
		return "`schedule` event and `cancel_schedule` event"
	case "disconnect_session", "reconnect_session", "delete_session":
		return "`disconnect_session`, `reconnect_session` and `delete_session` events"
	}
	return "`" + key + "` event"
}

// TestDocNamesEveryKey fails when docs/scenarios.md does not name, in the
// right section, a key, event, effect or field the loader accepts.
func TestDocNamesEveryKey(t *testing.T) {
	g := docNames()
	if !slices.Contains(g["`message` event"], "caption") || !slices.Contains(g["`contacts` state"], "excluded") {
		t.Fatalf("the key sets read from the decoder's types look wrong: %v", g)
	}
	for _, p := range docscheck.Check(docscheck.Read(t, scenariosDoc), g) {
		t.Errorf("docs/scenarios.md: %s", p)
	}
}

// TestDocCheckCatchesOmissions proves the check above can fail.
func TestDocCheckCatchesOmissions(t *testing.T) {
	md := strings.ReplaceAll(docscheck.Read(t, scenariosDoc), "`caption`", "caption")
	md = strings.ReplaceAll(md, "### `webhook` effect", "### Webhooks")
	got := strings.Join(docscheck.Check(md, docNames()), "\n")
	for _, want := range []string{"section \"`message` event\" does not name `caption`", "no heading \"`webhook` effect\""} {
		if !strings.Contains(got, want) {
			t.Errorf("check of the damaged reference:\n%s\nwant it to contain %q", got, want)
		}
	}
}
