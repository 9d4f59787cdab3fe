package app

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/waauto/waauto/workflow"
)

// replayPanel mirrors the replay panel's JSON.
type replayPanel struct {
	Days           int
	From, To, Zone string
	Messages       int
	Stopped        string
	Workflows      []replayRow
}

type replayRow struct {
	Name                          string
	Draft, InDraft                bool
	Before, Would, New, NoLonger  int
	NewExamples, NoLongerExamples []struct {
		Time, Session, Phone, Text, Note string
		Trace, BeforeTrace               []struct {
			Path, Leaf string
			Value      bool
		}
	}
}

// prixTarif is Prix asking for "tarif" instead of "prix".
const prixTarif = "name: Prix\npriority: 10\ntrigger: incoming_message\nconditions:\n  text: {contains: tarif}\nactions:\n  - reply: {text: \"Nos prix sont sur le site.\"}\n"

// recordShop saves twoYAML and plays three customer messages through the
// simulator: a price question (Prix fires), a greeting (Bonjour fires)
// and a "tarif" question (nothing fires).
func recordShop(t *testing.T, ta *testApp, c *client) {
	t.Helper()
	ta.apply(t, twoYAML)
	for _, m := range [][2]string{{"+33600000001", "quel prix ?"}, {"+33600000002", "bonjour"}, {"+33600000003", "un tarif svp"}} {
		simSend(t, c, m[0], m[1])
	}
}

// storeSnapshot is what a replay must not change: the stored workflows,
// the recorded messages and the execution log.
func storeSnapshot(t *testing.T, ta *testApp) [3]any {
	t.Helper()
	ctx := context.Background()
	var msgs []workflow.MessageRecord
	if err := ta.store.ScanMessages(ctx, func(b []workflow.MessageRecord) error { msgs = append(msgs, b...); return nil }); err != nil {
		t.Fatal(err)
	}
	logs, err := ta.store.QueryLogs(ctx, workflow.LogQuery{Limit: workflow.MaxLogLimit})
	if err != nil {
		t.Fatal(err)
	}
	return [3]any{ta.stored(t), len(msgs), len(logs.Entries)}
}

func TestBuilderReplayComparesTheDraftWithTheLog(t *testing.T) {
	ta := startApp(t, "")
	c := loggedIn(t, ta)
	recordShop(t, ta, c)
	before := storeSnapshot(t, ta)

	code, rep := c.postJSON("/workflows/replay", map[string]any{"original": "prix", "yaml": prixTarif, "days": 7})
	if code != http.StatusOK || !rep.OK || rep.Replay == nil {
		t.Fatalf("replay: %d %+v", code, rep)
	}
	p := rep.Replay
	if p.Days != 7 || p.Messages != 3 || p.Zone != "Europe/Paris" || p.Stopped != "" || !strings.HasSuffix(p.From, "CET") {
		t.Errorf("panel: %+v, want 7 days, 3 messages, times in Europe/Paris", p)
	}
	rows := map[string]replayRow{}
	for _, w := range p.Workflows {
		rows[w.Name] = w
	}
	prix, bonjour := rows["Prix"], rows["Bonjour"]
	if !prix.Draft || !prix.InDraft || prix.Before != 1 || prix.Would != 1 || prix.New != 1 || prix.NoLonger != 1 {
		t.Errorf("Prix: %+v, want fired 1 before, would 1, 1 new, 1 no longer", prix)
	}
	if bonjour.Draft || bonjour.Before != 1 || bonjour.Would != 1 || bonjour.New != 0 || bonjour.NoLonger != 0 {
		t.Errorf("Bonjour (saved, unchanged): %+v", bonjour)
	}
	if ex := prix.NewExamples; len(ex) != 1 || ex[0].Text != "un tarif svp" || ex[0].Session != "simulator" ||
		len(ex[0].Trace) != 1 || !ex[0].Trace[0].Value || !strings.HasSuffix(ex[0].Time, "CET") {
		t.Errorf("Prix new examples: %+v", ex)
	}
	if ex := prix.NoLongerExamples; len(ex) != 1 || ex[0].Text != "quel prix ?" || ex[0].Note != "its conditions do not match" ||
		len(ex[0].BeforeTrace) != 1 || !ex[0].BeforeTrace[0].Value || len(ex[0].Trace) != 1 || ex[0].Trace[0].Value {
		t.Errorf("Prix no longer examples: %+v", ex)
	}
	if after := storeSnapshot(t, ta); !reflect.DeepEqual(after, before) {
		t.Errorf("the replay changed the store:\n before %v\n after  %v", before, after)
	}

	// A bad draft: its error beside the field, nothing replayed or saved.
	code, rep = c.postJSON("/workflows/replay", map[string]any{"original": "prix", "yaml": strings.Replace(prixTarif, "contains: tarif", "contains: [", 1)})
	if code != http.StatusUnprocessableEntity || rep.OK || rep.Replay != nil || len(rep.Errors) == 0 || rep.Errors[0].Line == 0 {
		t.Errorf("a draft that does not load: %d %+v, want its positioned error", code, rep)
	}
	code, rep = c.postJSON("/workflows/replay", map[string]any{"original": "prix", "yaml": strings.Replace(prixTarif, "Prix", "Bonjour", 1)})
	if code != http.StatusUnprocessableEntity || len(rep.Errors) != 1 || rep.Errors[0].Path != "name" {
		t.Errorf("a draft named as another workflow: %d %+v, want the name's error", code, rep.Errors)
	}
	code, rep = c.postJSON("/workflows/replay", map[string]any{"original": "prix", "yaml": prixTarif, "days": 14})
	if code != http.StatusUnprocessableEntity || len(rep.Errors) != 1 || rep.Errors[0].Path != "replay.days" || !strings.Contains(rep.Errors[0].Msg, "7, 30 or 90") {
		t.Errorf("14 days: %d %+v, want the period's error", code, rep.Errors)
	}
	// In French, the errors and the notes are French.
	c.header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	code, rep = c.postJSON("/workflows/replay", map[string]any{"original": "prix", "yaml": prixTarif, "days": 14})
	if code != http.StatusUnprocessableEntity || len(rep.Errors) != 1 || rep.Errors[0].Msg != "14 jours n'est pas une période proposée (7, 30 ou 90 attendus)" {
		t.Errorf("14 days, in French: %d %+v", code, rep.Errors)
	}
	if _, rep = c.postJSON("/workflows/replay", map[string]any{"original": "prix", "yaml": prixTarif}); rep.Replay == nil ||
		rep.Replay.Days != 30 || len(rep.Replay.Workflows) == 0 || rep.Replay.Workflows[0].NoLongerExamples[0].Note != "ses conditions ne sont pas remplies" {
		t.Errorf("the default period (30 days), in French: %+v", rep.Replay)
	}
	if after := storeSnapshot(t, ta); !reflect.DeepEqual(after, before) {
		t.Errorf("the refused replays changed the store:\n before %v\n after  %v", before, after)
	}
}

// TestBrowserBuilderReplay: messages recorded through the simulator; in
// the builder, Prix asks for "tarif" instead of "prix"; "Test against the
// last 30 days" shows the new firing and the one that no longer happens,
// each with its example and trace. In French, the panel's error is French.
func TestBrowserBuilderReplay(t *testing.T) {
	ta := startApp(t, "")
	recordShop(t, ta, loggedIn(t, ta))
	b := newBrowser(t, ta, 1280, 900)
	b.login("/workflows/prix")
	leaf := `#cond-root .leaf .operand textarea`
	newList := `.replay-examples[data-workflow="Prix"][data-list="new"]`
	goneList := `.replay-examples[data-workflow="Prix"][data-list="no-longer"]`
	b.step("replay the draft", chromedp.WaitVisible(leaf), typeIn(leaf, "tarif"),
		chromedp.Click(`#replay`), chromedp.WaitVisible(newList))
	b.screenshot("builder-replay")
	if got := b.text(`#replay`); got != "Test against the last 30 days" {
		t.Errorf("button %q", got)
	}
	if got := b.text(`#replay-summary`); !strings.HasPrefix(got, "3 customer messages from ") || !strings.HasSuffix(got, "(times in Europe/Paris).") {
		t.Errorf("summary %q", got)
	}
	if got := b.text(`tr[data-workflow="Prix"]`); !strings.Contains(got, "Prix (this draft)") {
		t.Errorf("Prix's row %q", got)
	}
	if got := b.text(newList); !strings.Contains(got, "Prix — new: would fire, did not") || !strings.Contains(got, `+33600000003 on simulator: “un tarif svp”`) ||
		!strings.Contains(got, `✓ text: text contains "tarif"`) || !strings.Contains(got, "CET") {
		t.Errorf("new examples %q", got)
	}
	if got := b.text(goneList); !strings.Contains(got, "quel prix ?") || !strings.Contains(got, "its conditions do not match") ||
		!strings.Contains(got, `✓ text: text contains "prix"`) || !strings.Contains(got, `✗ text: text contains "tarif"`) {
		t.Errorf("no longer examples %q", got)
	}
	if ta.engine.Workflows()[0].Conditions == nil || !strings.Contains(ta.stored(t)["prix"], "prix") {
		t.Error("the replay saved the draft")
	}
	b.step("the period", choose(`#replay-days`, "7"), chromedp.WaitVisible(`#replay`))
	if got := b.text(`#replay`); got != "Test against the last 7 days" {
		t.Errorf("button after choosing 7 days: %q", got)
	}

	// In French: the builder's own texts and the panel's error.
	b.step("to French", chromedp.Click(`#langs button[value="fr"]`), chromedp.WaitVisible(`html[lang="fr"] #f-name`))
	if got := b.text(`#sec-general h2`); got != "1. Quand s'exécute-t-il ?" {
		t.Errorf("French builder's first section: %q", got)
	}
	b.step("a draft with an error", typeIn(`#f-name`, ""), chromedp.Click(`#replay`), chromedp.WaitVisible(`#replay-error`))
	b.screenshot("builder-replay-fr")
	if got := b.text(`#replay-error`); got != "Impossible de tester le brouillon : 1 erreur(s) à corriger." {
		t.Errorf("French replay error %q", got)
	}
	if got, _ := chromedp.Run(b.ctx, chromedp.AttributeValue(`#replay-error`, "class")); got.Value != "error" {
		t.Errorf("the replay error is styled %q, want error", got.Value)
	}
}

// TestBuilderTryInFrench: "Try it here" answers in the user's language:
// the verdict, the outcome and a bad sample's error.
func TestBuilderTryInFrench(t *testing.T) {
	ta := startApp(t, "")
	c := loggedIn(t, ta)
	c.header.Set("Accept-Language", "fr")
	try := func(text, phone string) (int, builderReply) {
		t.Helper()
		return c.postJSON("/workflows/try", map[string]any{"yaml": prixTarif, "message": map[string]any{"text": text, "phone": phone}})
	}
	if code, rep := try("un tarif ?", ""); code != http.StatusOK || rep.Try == nil || rep.Try.Summary != `"Prix" se déclenche pour ce message.` {
		t.Errorf("a matching sample, in French: %d %+v", code, rep.Try)
	}
	if code, rep := try("bonjour", ""); code != http.StatusOK || rep.Try == nil ||
		rep.Try.Summary != `"Prix" ne se déclenche pas : ses conditions ne sont pas remplies.` {
		t.Errorf("a sample that does not match, in French: %d %+v", code, rep.Try)
	}
	if code, rep := try("bonjour", "abc"); code != http.StatusUnprocessableEntity || len(rep.Errors) != 1 || rep.Errors[0].Path != "try.phone" ||
		!strings.HasPrefix(rep.Errors[0].Msg, `"abc" n'est pas un numéro de téléphone`) {
		t.Errorf("a bad phone, in French: %d %+v", code, rep.Errors)
	}
}
