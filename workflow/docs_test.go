package workflow

import (
	"errors"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/internal/docscheck"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/trigger"
)

const workflowsDoc = "../docs/workflows.md"

// TestDocExamples loads every ```yaml and ```json example of
// docs/workflows.md with both condition backends. An example loads without
// error unless markers before it say otherwise:
//
//	<!-- error: FILE:LINE:COL: PATH: MESSAGE -->          every backend fails with exactly this
//	<!-- error (expr backend): ... -->                    that backend fails with exactly this
//	<!-- backend: cel -->                                 only that backend loads it
//
// The file is named workflows.yaml in error messages.
func TestDocExamples(t *testing.T) {
	examples, err := docscheck.Examples(docscheck.Read(t, workflowsDoc))
	if err != nil {
		t.Fatal(err)
	}
	backends := map[string]condition.Compiler{"cel": cel.New(), "expr": expr.New()}
	loaded := 0
	for _, ex := range examples {
		if ex.Lang != "yaml" && ex.Lang != "json" {
			t.Errorf("line %d: fence %q (want yaml or json: every example is loaded)", ex.Line, ex.Lang)
			continue
		}
		for k := range ex.Markers {
			if k != "error" && k != "backend" && !strings.HasPrefix(k, "error (") {
				t.Errorf("line %d: unknown marker %q (want error, error (NAME backend) or backend)", ex.Line, k)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(backends)) {
			want, wantErr := ex.Markers["error ("+name+" backend)"]
			if !wantErr {
				want, wantErr = ex.Markers["error"]
			}
			if only, ok := ex.Markers["backend"]; ok && only != name && !wantErr {
				continue
			}
			_, err := Load("workflows.yaml", []byte(ex.Text), LoadOptions{Compiler: backends[name], Location: time.UTC})
			switch {
			case wantErr && err == nil:
				t.Errorf("line %d (%s backend): loaded, want the error\n%s", ex.Line, name, want)
			case wantErr && err.Error() != want:
				t.Errorf("line %d (%s backend): error\n%s\nwant\n%s", ex.Line, name, err, want)
			case !wantErr && err != nil:
				t.Errorf("line %d (%s backend): %v", ex.Line, name, err)
			default:
				loaded++
			}
		}
	}
	if loaded < 40 {
		t.Errorf("only %d example loads checked; the reference has fewer examples than expected", loaded)
	}
}

// docGroups lists, per section of docs/workflows.md, the names the loader
// accepts there: its own key tables, the action registry's fields (found
// by asking the loader, see actionFields) and the enumerations.
func docGroups(t *testing.T) map[string][]string {
	t.Helper()
	g := map[string][]string{
		"File":                              fileKeys,
		"Workflow keys":                     slices.Concat(workflowKeys, []string{string(ModeLive), string(ModeShadow)}),
		"Triggers":                          {string(trigger.KindIncomingMessage), string(trigger.KindNewContact)},
		"Conditions":                        nodeKeys,
		"Combinators: `all`, `any`, `not`":  {"all", "any", "not"},
		"`text`":                            textModifiers, // and its operators, below
		"`message_type`":                    messageTypes,
		"`schedule`":                        slices.Concat(scheduleKeys, slices.Sorted(maps.Keys(condition.WeekdayNames))),
		"Business hours (`hours`)":          slices.Concat(hoursKeys, slices.Sorted(maps.Keys(condition.WeekdayNames))),
		"`cel` and `expr`: raw expressions": varNames(),
		"Actions":                           action.NewRegistry().Names(),
		"Placeholders":                      placeholders(),
		"`webhook`":                         {SignatureHeader},
		"Templates":                         slices.Sorted(maps.Keys(BuiltinTemplates())),
		"Limits": {strconv.Itoa(yamlpos.MaxSize), strconv.Itoa(yamlpos.MaxDepth), strconv.Itoa(MaxListItems),
			strconv.Itoa(MaxKeywords), strconv.Itoa(MaxPatternLen), strconv.Itoa(MaxPatternInsts)},
	}
	for leaf, ops := range leafOps {
		h := "`" + leaf + "`"
		g[h] = append(g[h], ops...)
	}
	for _, name := range action.NewRegistry().Names() {
		h := "`" + name + "`"
		g[h] = append(g[h], actionFields(t, name, "")...)
	}
	g["`assign`"] = append(g["`assign`"], action.RoundRobin, action.LeastBusy)
	return g
}

func varNames() []string {
	out := make([]string, len(condition.Vars))
	for i, v := range condition.Vars {
		out[i] = v.Name
	}
	return out
}

func placeholders() []string {
	out := make([]string, len(action.Placeholders))
	for i, p := range action.Placeholders {
		out[i] = "{{" + p + "}}"
	}
	return out
}

var wantOneOf = regexp.MustCompile(`unknown key "zz_probe" \(want one of ([^)]*)\)`)

// actionFields returns the fields the loader accepts in action name at
// path (dotted, "" for the action itself), nested fields included
// ("verify_before_send" then "customer_message"): it loads an action with
// an unknown field there and reads the list of known ones from the error.
// A field whose value is not a mapping of fields answers otherwise and
// is a leaf.
func actionFields(t *testing.T, name, path string) []string {
	t.Helper()
	body := "{zz_probe: 1}"
	for _, k := range slices.Backward(strings.Split(path, ".")) {
		if k != "" {
			body = "{" + k + ": " + body + "}"
		}
	}
	_, err := Load("probe.yaml", []byte("name: P\ntrigger: incoming_message\nactions:\n  - "+name+": "+body+"\n"), LoadOptions{})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("probing %s %s: %v", name, path, err)
	}
	for _, e := range err.(LoadErrors) {
		m := wantOneOf.FindStringSubmatch(e.Msg)
		if m == nil || !strings.HasSuffix(e.Path, ".zz_probe") {
			continue
		}
		var out []string
		for _, f := range strings.Split(m[1], ", ") {
			out = append(out, f)
			sub := strings.TrimPrefix(path+"."+f, ".")
			out = append(out, actionFields(t, name, sub)...)
		}
		return out
	}
	if path == "" {
		t.Fatalf("probing %s: no list of known fields in %v", name, err)
	}
	return nil
}

// TestDocNamesEveryKey fails when docs/workflows.md does not name, in the
// right section, a key, operator, action field or value the loader accepts.
func TestDocNamesEveryKey(t *testing.T) {
	groups := docGroups(t)
	if f := actionFields(t, "ai_reply", ""); !slices.Contains(f, "customer_message") {
		t.Fatalf("ai_reply fields %v: the probe misses nested fields", f)
	}
	for _, p := range docscheck.Check(docscheck.Read(t, workflowsDoc), groups) {
		t.Errorf("docs/workflows.md: %s", p)
	}
}

// TestDocCheckCatchesOmissions proves the check above can fail: the
// reference with one operator, one action field and one section removed
// is reported.
func TestDocCheckCatchesOmissions(t *testing.T) {
	md := docscheck.Read(t, workflowsDoc)
	md = strings.ReplaceAll(md, "`word`", "word")
	md = strings.ReplaceAll(md, "`max_wait`", "max_wait")
	md = strings.ReplaceAll(md, "### `labels`", "### Labels")
	got := strings.Join(docscheck.Check(md, docGroups(t)), "\n")
	for _, want := range []string{"section \"`text`\" does not name `word`", "section \"`ai_reply`\" does not name `max_wait`", "no heading \"`labels`\""} {
		if !strings.Contains(got, want) {
			t.Errorf("check of the damaged reference:\n%s\nwant it to contain %q", got, want)
		}
	}
}

// TestDocLinks fails on a link of a reference in docs/, the README or a
// scenario folder's README to a missing file or heading.
func TestDocLinks(t *testing.T) {
	docs, err := filepath.Glob("../docs/*.md")
	if err != nil || len(docs) < 2 {
		t.Fatalf("references in ../docs: %v, %v (want workflows.md and scenarios.md)", docs, err)
	}
	for _, d := range append(docs, "../README.md", "../testdata/scenarios/README.md", "../testdata/public-scenarios/README.md") {
		broken, err := docscheck.BrokenLinks(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range broken {
			t.Errorf("%s: broken link %s", d, b)
		}
	}
}
