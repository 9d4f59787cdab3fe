package dashboard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/lint"
)

// dynamicKeys are the keys built from a value (T (print "outcome." .Outcome)
// in a template, "wf.done."+op in Go), by prefix, with every value.
var dynamicKeys = map[string][]string{
	"outcome.":       strs(workflow.OutcomeFired, workflow.OutcomeShadow, workflow.OutcomeCancelled, workflow.OutcomeFailed, workflow.OutcomeSkipped),
	"author.":        strs(workflow.AuthorCustomer, workflow.AuthorAgent, workflow.AuthorAutomation),
	"module.":        strs(allModules...),
	"sched.status.":  strs(workflow.SchedulePending, workflow.ScheduleSending, workflow.ScheduleSent, workflow.ScheduleFailed, workflow.ScheduleCancelled),
	"wf.done.":       {"enable", "disable", "delete"},
	"settings.role.": roles,
	"reason.":        reasonKeys(),
	"detail.":        detailCodes(),
	"action_error.":  engine.ErrorCodes(),
	"lint.text.":     lint.TextCodes(),
	"load.code.":     workflow.LoadErrorCodes(),
	"load.word.":     workflow.LoadErrorWords(),
	"trace.kind.":    leafKinds,
	"trace.op.":      leafOpKeys(),
	"trace.":         {"agent_assigned.true", "agent_assigned.false", "text_empty.true", "text_empty.false"},
}

// leafKinds are the kinds of condition.LeafText.
var leafKinds = []string{"text", "phone", "agent", "message_type", "message_count", "since_last_reply", "labels", "length", "schedule", "cel", "expr"}

// leafOpKeys are the operators of every leaf kind, and "hours", but
// those whose whole leaf has a key ("trace.": agent assigned, text empty).
func leafOpKeys() []string {
	out := []string{"hours"}
	for _, k := range leafKinds {
		for _, op := range condition.LeafOps(k) {
			if op != condition.OpAssigned && op != condition.OpEmpty {
				out = append(out, string(op))
			}
		}
	}
	return out
}

// reasonKeys are the catalogue names of every reason the engine logs.
func reasonKeys() []string {
	var out []string
	for _, r := range engine.Reasons() {
		out = append(out, reasonKey(r))
	}
	return out
}

// detailCodes are the codes of every action detail the engine writes.
func detailCodes() []string {
	var out []string
	for _, f := range engine.DetailFormats() {
		out = append(out, f.Code)
	}
	return out
}

func strs[S ~string](v ...S) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}

var (
	// templateKey finds {{T "key" ...}} and (T "key") in templates.
	templateKey = regexp.MustCompile(`\bT "([^"]+)"`)
	// templateDynamic finds T (print "prefix." ...) in templates.
	templateDynamic = regexp.MustCompile(`\bT \(print "([^"]+)"`)
	// goKey finds d.t(r, "key"), d.ok(w, r, path, "key"), d.bad(...),
	// tr.T("key"), the form parsers' invalid("key") and the builder's
	// fieldErr(path, "key") in the handlers.
	goKey = regexp.MustCompile(`(?:\bd\.t\(r, |\bd\.(?:ok|bad)\(w, r, .*?, |\.T\(|\binvalid\(|\bfieldErr\(.*?, )"([^"]+)"`)
	// scriptKey finds the keys the builder's script names: any string
	// literal with a prefix of scriptPrefixes.
	scriptKey = regexp.MustCompile(`"((?:builder|replay)\.[a-z0-9_.]+)"`)
	// goDynamic finds "prefix."+value keys in the handlers.
	goDynamic = regexp.MustCompile(`"([a-z_.]+\.)" ?\+`)
	verb      = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)
)

// usedKeys lists the keys the templates and the Go files use, and the
// dynamic prefixes they build keys from.
func usedKeys(t *testing.T) (keys map[string]string, prefixes map[string]string) {
	t.Helper()
	keys, prefixes = map[string]string{}, map[string]string{}
	err := fs.WalkDir(webFS, "web/templates", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := fs.ReadFile(webFS, path)
		for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
			keys[m[1]] = path
		}
		for _, m := range templateDynamic.FindAllStringSubmatch(string(data), -1) {
			prefixes[m[1]] = path
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(data), -1) {
			if strings.HasSuffix(m[1], ".") {
				prefixes[m[1]] = f
			} else {
				keys[m[1]] = f
			}
		}
		for _, m := range goDynamic.FindAllStringSubmatch(string(data), -1) {
			prefixes[m[1]] = f
		}
	}
	script, err := fs.ReadFile(webFS, "web/static/builder.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range scriptKey.FindAllStringSubmatch(string(script), -1) {
		keys[m[1]] = "builder.js"
	}
	return keys, prefixes
}

// TestScriptTexts: the builder page gives its script every key the
// script names, in the page's language, and none of the template's.
func TestScriptTexts(t *testing.T) {
	script, err := fs.ReadFile(webFS, "web/static/builder.js")
	if err != nil {
		t.Fatal(err)
	}
	fr, err := scriptTexts("fr")
	if err != nil {
		t.Fatal(err)
	}
	cats, err := catalogues()
	if err != nil {
		t.Fatal(err)
	}
	found := scriptKey.FindAllStringSubmatch(string(script), -1)
	if len(found) < 150 {
		t.Fatalf("found only %d keys in builder.js: the scan is broken", len(found))
	}
	for _, m := range found {
		if got, ok := fr[m[1]]; !ok || got != cats["fr"][m[1]] {
			t.Errorf("builder.js names %q; the page gives it %q, want the French text %q", m[1], got, cats["fr"][m[1]])
		}
	}
	for k := range fr {
		if strings.HasPrefix(k, "builder.page.") {
			t.Errorf("the script gets the template's key %q", k)
		}
	}
}

// TestCataloguesComplete fails when a key is missing or empty in either
// language, when the two texts of a key take different arguments, when a
// template or a handler uses an unknown key, and when a key is unused.
func TestCataloguesComplete(t *testing.T) {
	cats, err := catalogues()
	if err != nil {
		t.Fatal(err)
	}
	en, fr := cats["en"], cats["fr"]
	for k, v := range en {
		f, ok := fr[k]
		switch {
		case !ok:
			t.Errorf("key %q is missing in fr.json", k)
		case strings.TrimSpace(v) == "" || strings.TrimSpace(f) == "":
			t.Errorf("key %q is empty in a language", k)
		case !slices.Equal(verb.FindAllString(v, -1), verb.FindAllString(f, -1)):
			t.Errorf("key %q: en takes %q, fr takes %q", k, verb.FindAllString(v, -1), verb.FindAllString(f, -1))
		}
	}
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("key %q is missing in en.json", k)
		}
	}
	keys, prefixes := usedKeys(t)
	if len(keys) < 100 {
		t.Fatalf("found only %d keys in the templates and handlers: the scan is broken", len(keys))
	}
	for k, where := range keys {
		if _, ok := en[k]; !ok {
			t.Errorf("%s uses the unknown key %q", where, k)
		}
	}
	used := map[string]bool{}
	for k := range keys {
		used[k] = true
	}
	for p, where := range prefixes {
		values, ok := dynamicKeys[p]
		if !ok {
			t.Errorf("%s builds keys from %q: list its values in dynamicKeys", where, p)
			continue
		}
		for _, v := range values {
			used[p+v] = true
			if _, ok := en[p+v]; !ok {
				t.Errorf("%s may use the unknown key %q", where, p+v)
			}
		}
	}
	for k := range en {
		if !used[k] {
			t.Errorf("key %q is in the catalogues but used nowhere", k)
		}
	}
}

// TestTranslatorFormats checks that the printers use the catalogues.
func TestTranslatorFormats(t *testing.T) {
	trs, err := newTranslators()
	if err != nil {
		t.Fatal(err)
	}
	if got := trs["fr"].T("wf.saved", 3); got != "3 workflow(s) enregistré(s)" {
		t.Errorf("fr wf.saved = %q", got)
	}
	if got := trs["en"].T("wf.saved", 3); got != "Saved 3 workflow(s)" {
		t.Errorf("en wf.saved = %q", got)
	}
}

// TestReasonsTranslated: every reason the engine logs has a text in both
// catalogues (TestCataloguesComplete fails too when one is missing); the
// English page shows the stored text unchanged, the French one another
// text, details included; a text that is no engine reason is shown as
// stored.
func TestReasonsTranslated(t *testing.T) {
	trs, cats := loadCatalogues(t)
	keys := map[string]engine.Reason{}
	for _, r := range engine.Reasons() {
		key := "reason." + reasonKey(r)
		if other, ok := keys[key]; ok {
			t.Errorf("%q and %q have the same key %q", r, other, key)
		}
		keys[key] = r
		for _, lang := range []string{"en", "fr"} {
			if _, ok := cats[lang][key]; !ok {
				t.Errorf("reason %q: key %q is missing in %s.json", r, key, lang)
			}
		}
		text := string(r)
		en := text // the stored text, durations spelled for people
		switch r {
		case engine.ReasonCooldown:
			text, en = text+": fired 5m0s ago", text+": fired 5 min ago"
		case engine.ReasonConditionsFailed:
			text += ": no such key: x"
			en = text
		case engine.ReasonExpired:
			text, en = text+": still unsent 24h0m0s after its time", text+": still unsent 24 h after its time"
		}
		if got := trs["en"].reason(text); got != en {
			t.Errorf("en reason(%q) = %q, want %q", text, got, en)
		}
		if got := trs["fr"].reason(text); got == text || strings.Contains(got, "%!") {
			t.Errorf("fr reason(%q) = %q, want a French text", text, got)
		}
	}
	inFrench(t, "reason", trs["fr"].reason, map[string]string{
		"cooldown: fired 1h2m3s ago":                  "délai entre deux déclenchements : déjà déclenché il y a 1 h 2 min 3 s",
		"conditions: no such key: x":                  "conditions impossibles à évaluer : no such key: x",
		"insufficient credits":                        "crédits insuffisants",
		"expired: still unsent 2h0m0s after its time": "expiré : toujours pas envoyé 2 h après son heure",
		"still unsent 24h0m0s after its time":         "still unsent 24h0m0s after its time",
		"cooldown: in a while":                        "cooldown: in a while",
		"excluded contact: since 2024":                "excluded contact: since 2024",
		"a reason of an older version":                "a reason of an older version",
	})
}

// inFrench checks that fn, a French translator's name, turns each text
// into its want.
func inFrench(t *testing.T, name string, fn func(string) string, want map[string]string) {
	t.Helper()
	for text, w := range want {
		if got := fn(text); got != w {
			t.Errorf("fr %s(%q) = %q, want %q", name, text, got, w)
		}
	}
}

// TestLintTextsTranslated: every wording of the linter has its English
// text in en.json, the one the CLI prints, and a French one in fr.json
// (but TextLoad, the loader's own words, which the dashboard does not
// show); TestCataloguesComplete fails too when a code has no key.
func TestLintTextsTranslated(t *testing.T) {
	trs, cats := loadCatalogues(t)
	for _, code := range lint.TextCodes() {
		key := "lint.text." + code
		var args []string
		for i := range verb.FindAllString(cats["en"][key], -1) {
			args = append(args, fmt.Sprintf("v%d", i))
		}
		x := lint.Text{Code: code, Args: args}
		if got, want := trs["en"].lintText(x), x.String(); got != want {
			t.Errorf("en %s = %q, want the linter's %q", key, got, want)
		}
		if got := trs["fr"].lintText(x); (got == x.String()) != (code == lint.TextLoad) || strings.Contains(got, "%!") {
			t.Errorf("fr %s = %q, want a French text", key, got)
		}
	}
}

// TestLoadErrorsTranslated: every load error code and word has a French
// text (TestCataloguesComplete fails too when one has no key); a French
// page words the loader's errors in French, an English page shows the
// loader's own text, and an error without a code is shown as it is.
func TestLoadErrorsTranslated(t *testing.T) {
	trs, cats := loadCatalogues(t)
	for _, c := range workflow.LoadErrorCodes() {
		if k := "load.code." + c; cats["fr"][k] == "" || cats["fr"][k] == cats["en"][k] {
			t.Errorf("%s: fr %q, want a French text", k, cats["fr"][k])
		}
	}
	for _, w := range workflow.LoadErrorWords() {
		if k := "load.word." + w; cats["fr"][k] == "" || cats["fr"][k] == cats["en"][k] && w != workflow.WordTime {
			t.Errorf("%s: fr %q, want a French text", k, cats["fr"][k])
		}
	}
	src := "name: W\ntrigger: nope\nenabled: 'yes'\nactions: []\n"
	_, err := workflow.Load("w.yaml", []byte(src), workflow.LoadOptions{})
	var les workflow.LoadErrors
	if !errors.As(err, &les) {
		t.Fatalf("load: %v", err)
	}
	var fr, en []string
	for _, e := range les {
		fr, en = append(fr, trs["fr"].loadError(e).Error()), append(en, trs["en"].loadError(e).Error())
	}
	wantFr := []string{
		`w.yaml:2:10: trigger: "nope" n’est pas un déclencheur (attendu : incoming_message ou new_contact)`,
		`w.yaml:3:10: enabled: "yes" n’est pas true ou false`,
		`w.yaml:4:10: actions: est vide (attendu : au moins une action)`,
	}
	if !slices.Equal(fr, wantFr) {
		t.Errorf("fr:\n%s\nwant:\n%s", strings.Join(fr, "\n"), strings.Join(wantFr, "\n"))
	}
	if want := strings.Split(les.Error(), "\n"); !slices.Equal(en, want) {
		t.Errorf("en:\n%s\nwant the loader's:\n%s", strings.Join(en, "\n"), strings.Join(want, "\n"))
	}
	other := &workflow.LoadError{File: "w.yaml", Line: 1, Column: 1, Msg: "mapping value is not allowed in this context"}
	if got := trs["fr"].loadMessage(other); got != other.Msg {
		t.Errorf("fr message of an error without a code: %q, want it as it is", got)
	}
}

// TestLeavesTranslated: a French page words a trace leaf's kind,
// operator and modifiers in French and keeps its values as written; an
// English page, and a text condition.ParseLeaf does not read, show the
// description as stored.
func TestLeavesTranslated(t *testing.T) {
	trs, err := newTranslators()
	if err != nil {
		t.Fatal(err)
	}
	for desc, want := range map[string]string{
		`text contains "prix"`:                      `le texte contient "prix"`,
		`text contains_any ["a", "b"] (word)`:       `le texte contient l’un de ["a", "b"] (mot entier)`,
		`message_count gte 3`:                       `le nombre de messages ≥ 3`,
		`labels has_not "vip"`:                      `les étiquettes ne comprennent pas "vip"`,
		`agent assigned false`:                      `la conversation n’est attribuée à aucun agent`,
		`schedule every day 09:00-18:00`:            `le créneau tous les jours 09:00-18:00`,
		`schedule mon,tue 09:00-18:00 Europe/Paris`: `le créneau mon,tue 09:00-18:00 Europe/Paris`,
		`schedule hours "shop"`:                     `le créneau est dans les horaires "shop"`,
		`cel "size(text) > 3"`:                      `l’expression CEL "size(text) > 3"`,
		`color is "red"`:                            `color is "red"`,
	} {
		if got := trs["fr"].leaf(desc); got != want {
			t.Errorf("fr leaf(%q) = %q, want %q", desc, got, want)
		}
		if got := trs["en"].leaf(desc); got != desc {
			t.Errorf("en leaf(%q) = %q, want it as stored", desc, got)
		}
	}
	tr := condition.Trace{{Path: "all[0].text", Leaf: `text contains "prix"`, Value: true}, {Path: "all[1].not.labels", Leaf: `labels has "vip"`}}
	if got, want := trs["en"].traceText(tr), tr.String(); got != want {
		t.Errorf("en trace %q, want %q", got, want)
	}
	if got, want := trs["fr"].traceText(tr), "✓ all[0].text: le texte contient \"prix\"\n✗ all[1].not.labels: les étiquettes comprennent \"vip\"\n"; got != want {
		t.Errorf("fr trace %q, want %q", got, want)
	}
}

// loadCatalogues returns the translators and the raw catalogues, by
// language.
func loadCatalogues(t *testing.T) (map[string]translator, map[string]map[string]string) {
	t.Helper()
	trs, err := newTranslators()
	if err != nil {
		t.Fatal(err)
	}
	cats, err := catalogues()
	if err != nil {
		t.Fatal(err)
	}
	return trs, cats
}

// TestDetailsTranslated: every action detail the engine writes has a text
// in both catalogues; the English page shows the stored text unchanged,
// the French one another text with the same values; a custom action's
// detail is shown as stored.
func TestDetailsTranslated(t *testing.T) {
	trs, cats := loadCatalogues(t)
	for _, f := range engine.DetailFormats() {
		key := "detail." + f.Code
		for _, lang := range []string{"en", "fr"} {
			if _, ok := cats[lang][key]; !ok {
				t.Errorf("detail %q: key %q is missing in %s.json", f.Format, key, lang)
			}
		}
		n := 0
		text := regexp.MustCompile(`%[sd]`).ReplaceAllStringFunc(f.Format, func(v string) string {
			n++
			if v == "%d" {
				return strconv.Itoa(n * 7)
			}
			return "v" + strconv.Itoa(n)
		})
		if got := trs["en"].detail(text); got != text {
			t.Errorf("en detail(%q) = %q, want the stored text", text, got)
		}
		got := trs["fr"].detail(text)
		if got == text || strings.Contains(got, "%!") {
			t.Errorf("fr detail(%q) = %q, want a French text", text, got)
		}
		for i := 1; i <= n; i++ {
			if v := "v" + strconv.Itoa(i); strings.Contains(text, v) && !strings.Contains(got, v) {
				t.Errorf("fr detail(%q) = %q, lost the value %s", text, got, v)
			}
		}
	}
	inFrench(t, "detail", trs["fr"].detail, map[string]string{
		"model gpt-4o-mini, 120+35 tokens, 3 credits": "modèle gpt-4o-mini, 120+35 jetons, 3 crédits",
		"translated to en":                            "traduit en en",
		"stock 12 (my own action)":                    "stock 12 (my own action)",
	})
}

// TestSpan spells durations for people.
func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0 s", 45 * time.Second: "45 s", 5 * time.Minute: "5 min", 24 * time.Hour: "24 h",
		time.Hour + 2*time.Minute + 3*time.Second: "1 h 2 min 3 s", 90*time.Minute + 400*time.Millisecond: "1 h 30 min",
		50 * time.Hour: "50 h",
	} {
		if got := span(d); got != want {
			t.Errorf("span(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestActionErrorsTranslated: an action's error whose cause the engine
// named reads in the user's language (every code has a text in both
// catalogues, different in French); any other error, or a code this
// version does not know, as stored.
func TestActionErrorsTranslated(t *testing.T) {
	trs, cats := loadCatalogues(t)
	for _, code := range engine.ErrorCodes() {
		key := "action_error." + code
		if cats["en"][key] == "" || cats["fr"][key] == "" || cats["en"][key] == cats["fr"][key] {
			t.Errorf("code %q: en %q, fr %q; want a text in each, in each language", code, cats["en"][key], cats["fr"][key])
		}
	}
	r := workflow.ActionResult{Error: "skipped: module switched off for this number", ErrorCode: "module_off"}
	if got := trs["fr"].actionError(r); got != "ignorée : le module est désactivé pour ce numéro" {
		t.Errorf("fr actionError(%+v) = %q", r, got)
	}
	for _, r := range []workflow.ActionResult{{Error: "unknown placeholder \"{{x}}\""}, {Error: "a newer cause", ErrorCode: "from_the_future"}} {
		if got := trs["fr"].actionError(r); got != r.Error {
			t.Errorf("fr actionError(%+v) = %q, want the stored text", r, got)
		}
	}
}
