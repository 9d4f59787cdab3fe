package app

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/internal/dashboard/formtest"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// eval runs a JavaScript expression whose value is JSON-encoded in the
// page and decoded into out.
func (b *browser) eval(what, expr string, out any) {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("JSON.stringify("+expr+")"))
	if err == nil {
		err = json.Unmarshal([]byte(s), out)
	}
	if err != nil {
		b.t.Fatalf("browser, %s: %v", what, err)
	}
}

// choose selects value in the <select> sel as a user does (a change event).
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(function(){var e=document.querySelector(%q); if(!e) throw new Error("no "+%q); e.value=%q; e.dispatchEvent(new Event("change",{bubbles:true})); return true})()`, sel, sel, value)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return chromedp.Void{}, err
	}
}

// typeIn replaces the value of the input sel as if typed (an input event).
func typeIn(sel, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(function(){var e=document.querySelector(%q); if(!e) throw new Error("no "+%q); e.value=%q; e.dispatchEvent(new Event("input",{bubbles:true})); return true})()`, sel, sel, value)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return chromedp.Void{}, err
	}
}

// formState is the builder's form read back as the file-format JSON.
func (b *browser) formState() map[string]any {
	b.t.Helper()
	var st map[string]any
	b.eval("reading the form", "WB.read()", &st)
	return st
}

func asJSON(v any) string {
	s, _ := json.Marshal(v)
	return string(s)
}

// builderChecked waits until the builder of a saved workflow has the
// answer of the check it asks for when it opens (its status line says
// so): a late answer clears the errors shown and changes the status, so
// a step that follows must not race it. No timeout but the test's.
var builderChecked = chromedp.Poll[chromedp.Void](`document.getElementById("builder-status").textContent !== ""`, chromedp.WithPollingTimeout(0))

// TestBrowserBuilderJourneys drives the builder in headless Chromium: build
// from a blank form a workflow with an ALL group holding an ANY group and a
// schedule, and two actions; save; reopen and see the same values; edit
// the YAML tab and come back; an error shown beside its field with nothing
// saved; try the draft; save as template and create from it; reorder two
// workflows; the builder fits a phone-width screen.
func TestBrowserBuilderJourneys(t *testing.T) {
	ta := startApp(t, "")
	b := newBrowser(t, ta, 1280, 900)
	b.login("/workflows/new")
	root := `#cond-root > .group`
	b.step("blank form", chromedp.WaitVisible(`#f-name`),
		chromedp.SendKeys(`#f-name`, "Prix en semaine"),
		chromedp.Click(`#add-conditions`),
		chromedp.WaitVisible(root),
		// The first row becomes a schedule (Mon–Fri 09:00–18:00 by default), from 10:00.
		choose(root+` > .kids > .leaf .leaf-type`, "schedule"),
		chromedp.SetValue(root+` > .kids > .leaf input[data-f="from"]`, "10:00"),
		// An ANY group with two text rows.
		chromedp.Click(root+` > .group-add button:nth-child(2)`),
		chromedp.WaitVisible(root+` > .kids > .group`),
		chromedp.Click(root+` > .kids > .group > .group-add button:nth-child(1)`),
		chromedp.Click(root+` > .kids > .group > .group-add button:nth-child(1)`),
		chromedp.SendKeys(root+` > .kids > .group > .kids > .leaf:nth-child(1) .operand textarea`, "prix"),
		chromedp.SendKeys(root+` > .kids > .group > .kids > .leaf:nth-child(2) .operand textarea`, "tarif"),
		// Two actions: the reply (with a placeholder button) and a label.
		chromedp.SendKeys(`#actions > .action:nth-child(1) [data-field="text"] textarea`, "Bonjour "),
		chromedp.Click(`#actions > .action:nth-child(1) .placeholders button:nth-child(1)`),
		chromedp.Click(`#add-action`),
		choose(`#actions > .action:nth-child(2) .action-type`, "label"),
		chromedp.SendKeys(`#actions > .action:nth-child(2) [data-field="add"] textarea`, "prix"),
	)
	if pv := b.text(`#actions .preview`); pv != "Bonjour Marie Dupont" {
		t.Errorf("live preview %q, want the sample contact's name", pv)
	}
	want := map[string]any{
		"name": "Prix en semaine", "priority": float64(100), "trigger": "incoming_message",
		"conditions": map[string]any{"all": []any{
			map[string]any{"schedule": map[string]any{"days": []any{"mon", "tue", "wed", "thu", "fri"}, "from": "10:00", "to": "18:00"}},
			map[string]any{"any": []any{
				map[string]any{"text": map[string]any{"contains": "prix"}},
				map[string]any{"text": map[string]any{"contains": "tarif"}},
			}},
		}},
		"actions": []any{
			map[string]any{"reply": map[string]any{"text": "Bonjour {{contact.name}}"}},
			map[string]any{"label": map[string]any{"add": []any{"prix"}}},
		},
	}
	if got := b.formState(); !reflect.DeepEqual(got, want) {
		t.Fatalf("form before saving:\n got %s\nwant %s", asJSON(got), asJSON(want))
	}
	b.step("save", chromedp.Click(`#save`), chromedp.WaitVisible(`p.flash`))
	if ws := ta.engine.Workflows(); len(ws) != 1 || ws[0].ID != "prix-en-semaine" || len(ws[0].Actions) != 2 {
		t.Fatalf("saved workflows: %+v", ws)
	}
	// Reopen: the same values, with the id the loader derived.
	want["id"] = "prix-en-semaine"
	b.step("reopen", chromedp.Navigate(b.base+"/workflows"), chromedp.WaitVisible(`#workflows`),
		chromedp.Click(`#workflows a[href="/workflows/prix-en-semaine"]`), chromedp.WaitVisible(`#f-name`),
		builderChecked)
	if got := b.formState(); !reflect.DeepEqual(got, want) {
		t.Errorf("reopened form:\n got %s\nwant %s", asJSON(got), asJSON(want))
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(root+` > .kids > .leaf input[data-f="from"]`)); v != "10:00" {
		t.Errorf("reopened schedule from %q", v)
	}

	// YAML tab: edit, back to the form.
	b.step("YAML tab", chromedp.Click(`#tab-yaml`), chromedp.WaitVisible(`#yaml-text`))
	y, _ := chromedp.Run(b.ctx, chromedp.Value(`#yaml-text`))
	if !strings.Contains(y, "tarif") || strings.Contains(y, "null") || !strings.HasPrefix(y, "id: prix-en-semaine\nname: Prix en semaine\n") {
		t.Errorf("YAML tab:\n%s", y)
	}
	b.step("YAML edit and back", chromedp.SetValue(`#yaml-text`, strings.Replace(y, "tarif", "devis", 1)),
		chromedp.Click(`#tab-form`), chromedp.WaitVisible(`#f-name`))
	if got := asJSON(b.formState()["conditions"]); !strings.Contains(got, `{"text":{"contains":"devis"}}`) {
		t.Errorf("form after the YAML edit: %s", got)
	}

	// An error beside its field, and nothing saved.
	before := ta.stored(t)
	first := root + ` > .kids > .group > .kids > .leaf:nth-child(1)`
	b.step("bad regexp", choose(first+` .leaf-op`, "matches"),
		typeIn(first+` .operand textarea`, "(prix"),
		chromedp.WaitVisible(first+` .operand .field-error`), // validated as you type
		chromedp.Click(`#save`),
		chromedp.WaitVisible(`#builder-status.error`))
	if msg := b.text(first + ` + .field-error`); !strings.Contains(msg, `"(prix" is not a regular expression`) {
		t.Errorf("error beside the regexp row: %q", msg)
	}
	if st := b.text(`#builder-status`); !strings.Contains(st, "Nothing was saved") {
		t.Errorf("status %q", st)
	}
	if after := ta.stored(t); !reflect.DeepEqual(after, before) {
		t.Errorf("saved despite the error:\n%v\n%v", before, after)
	}

	// Try the draft (unsaved, with the error fixed) at two times.
	b.step("try on Monday", typeIn(first+` .operand textarea`, "prix"),
		chromedp.SetValue(`#try-text`, "Quel est le prix ?"),
		chromedp.SetValue(`#try-time`, "2026-03-02T10:30"),
		chromedp.Click(`#try-send`), chromedp.WaitVisible(`#try-result > p`))
	if v := b.text(`#try-result > p`); !strings.Contains(v, "fires") {
		t.Fatalf("Monday 10:30: %q; errors: %q", v, b.text(`#builder-errors`))
	}
	if v, tr := b.text(`#try-verdict`), b.text(`#try-result ul.trace`); !strings.Contains(v, "fires") || !strings.Contains(tr, "✓ all[0].schedule") || !strings.Contains(tr, "✓ all[1].any[0].text") {
		t.Errorf("Monday 10:30: %q\n%s", v, tr)
	}
	b.step("try on Saturday", chromedp.SetValue(`#try-time`, "2026-03-07T10:30"),
		chromedp.Click(`#try-send`), chromedp.WaitVisible(`#try-verdict.note`))
	if tr := b.text(`#try-result ul.trace`); !strings.Contains(tr, "✗ all[0].schedule") {
		t.Errorf("Saturday: %s", tr)
	}
	if after := ta.stored(t); !reflect.DeepEqual(after, before) {
		t.Error("trying the draft saved it")
	}

	// Save as template, then create a workflow from it.
	b.step("save as template", chromedp.SendKeys(`#template-name`, "Modèle prix"),
		chromedp.Click(`#template-save`), chromedp.WaitVisible(`[data-template="Modèle prix"]`),
		chromedp.Click(`[data-template="Modèle prix"] a.primary`), chromedp.WaitVisible(`#f-name`))
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(`#f-name`)); v != "Modèle prix" {
		t.Errorf("builder from the template: name %q", v)
	}
	b.step("save from template", chromedp.Click(`#save`), chromedp.WaitVisible(`p.flash`))
	ws := ta.engine.Workflows()
	if len(ws) != 2 || ws[1].Name != "Modèle prix" || len(ws[1].Actions) != 2 {
		t.Fatalf("after creating from the template: %+v", ws)
	}

	// Reorder: move the second workflow up.
	b.step("reorder", chromedp.Navigate(b.base+"/workflows"), chromedp.WaitVisible(`#workflows`),
		chromedp.Click(`tr[data-id="modele-prix"] button[title="Move up"]`),
		// (p.flash alone may still be the page before the move's.)
		chromedp.WaitVisible(`p.flash`), chromedp.WaitVisible(`#workflows tbody tr:first-child[data-id="modele-prix"]`))
	var order []string
	b.eval("list order", `Array.from(document.querySelectorAll("#workflows tbody tr")).map(function(r){return r.dataset.id})`, &order)
	if strings.Join(order, ",") != "modele-prix,prix-en-semaine" {
		t.Errorf("list order after moving up: %v", order)
	}
	if ws := ta.engine.Workflows(); ws[0].ID != "modele-prix" || ws[0].Priority != 10 || ws[1].Priority != 20 {
		t.Errorf("priorities after moving up: %s %d, %s %d", ws[0].ID, ws[0].Priority, ws[1].ID, ws[1].Priority)
	}

	// Phone width: the builder and the list fit without sideways scrolling.
	phone := newBrowser(t, ta, 390, 844)
	phone.step("phone width", chromedp.EmulateViewport(390, 844)) // a window is at least 500 px wide
	phone.login("/workflows")
	for _, page := range []string{"/workflows/prix-en-semaine", "/workflows", "/templates"} {
		var over int
		phone.step("phone "+page, chromedp.Navigate(phone.base+page), chromedp.WaitVisible(`main h1`))
		if page == "/workflows/prix-en-semaine" {
			phone.step("phone builder checked", builderChecked) // its findings are shown: measure with them
		}
		phone.eval("overflow", `document.documentElement.scrollWidth - document.documentElement.clientWidth`, &over)
		if over > 0 {
			t.Errorf("%s at 390 px is %d px too wide", page, over)
		}
	}
}

// browserRoundTrips is how many generated form states the browser renders
// and reads back.
const browserRoundTrips = 300

// TestBrowserFormRoundTrip: the builder's script renders generated form
// states and reads them back; each reads back as the same workflow (loaded
// and written again, the same text). message_type in/not_in is a set of
// checkboxes, so its generated lists are made sets in the checkboxes'
// order first.
func TestBrowserFormRoundTrip(t *testing.T) {
	ta := startApp(t, "")
	b := newBrowser(t, ta, 1280, 900)
	b.login("/workflows/new")
	b.step("builder", chromedp.WaitVisible(`#f-name`))
	trees := conditiontest.NewRandom(7)
	r := rand.New(rand.NewPCG(3, 4))
	states := make([]json.RawMessage, browserRoundTrips)
	hours := map[string]condition.Hours{}
	for i := range states {
		if i%10 == 0 {
			trees.NewAccount()
		}
		tree := trees.Tree()
		maps.Copy(hours, trees.Env().Hours)
		w := formtest.Workflow(r, i, checkboxTypes(tree))
		st, err := workflow.Marshal(w, nil)
		if err != nil {
			t.Fatal(err)
		}
		states[i] = st
	}
	var back []json.RawMessage
	b.eval("round trips", "("+asJSON(states)+").map(function(s){return WB.roundTrip(s)})", &back)
	if len(back) != len(states) {
		t.Fatalf("%d states back, want %d", len(back), len(states))
	}
	bad := 0
	for i, st := range back {
		defs, err := workflow.Load("form.json", st, workflow.LoadOptions{Hours: hours})
		var again []byte
		if err == nil {
			again, err = workflow.Marshal(defs.Workflows[0], nil)
		}
		if err != nil || string(again) != string(states[i]) {
			bad++
			t.Errorf("state %d read back as another workflow (%v):\n got %s\nwant %s", i, err, again, states[i])
		}
		if bad > 3 {
			t.FailNow()
		}
	}
}

// checkboxTypes makes the message-type lists of in/not_in sets in the
// order the builder's checkboxes list them.
func checkboxTypes(n condition.Node) condition.Node {
	switch n := n.(type) {
	case condition.All:
		for i, c := range n.Nodes {
			n.Nodes[i] = checkboxTypes(c)
		}
		return n
	case condition.Any:
		for i, c := range n.Nodes {
			n.Nodes[i] = checkboxTypes(c)
		}
		return n
	case condition.Not:
		return condition.Not{Node: checkboxTypes(n.Node)}
	case condition.MessageType:
		if n.Op == condition.OpIn || n.Op == condition.OpNotIn {
			var set []trigger.MessageType
			for _, t := range trigger.MessageTypes {
				if slices.Contains(n.Types, t) {
					set = append(set, t)
				}
			}
			n.Types = set
		}
		return n
	}
	return n
}
