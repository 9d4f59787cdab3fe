package app

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// stopYAML adds to Prix a stop workflow that answers every message first.
const stopYAML = prixYAML + `  - name: Fermé
    priority: 1
    stop: true
    trigger: incoming_message
    actions:
      - reply: {text: "Nous sommes fermés."}
`

// hiddenDraft is a new workflow the stop workflow Fermé hides.
const hiddenDraft = "name: Horaires\npriority: 20\ntrigger: incoming_message\nconditions:\n  text: {contains: horaires}\nactions:\n  - reply: {text: \"9h-18h\"}\n"

func TestBuilderCheckShowsLintFindings(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, stopYAML)
	c := loggedIn(t, ta)

	code, rep := c.postJSON("/workflows/check", map[string]any{"yaml": hiddenDraft})
	if code != http.StatusOK || !rep.OK {
		t.Fatalf("check: %d %+v (lint findings must not make the draft fail)", code, rep)
	}
	if len(rep.Lint) != 1 {
		t.Fatalf("lint findings of the hidden draft: %+v, want the unreachable one only", rep.Lint)
	}
	f := rep.Lint[0]
	if f.Check != "unreachable" || f.Severity != "error" || f.Workflow != "Horaires" || len(f.Related) != 1 || f.Related[0] != "Fermé" || !strings.Contains(f.Message, "never runs") {
		t.Errorf("finding: %+v, want Horaires unreachable behind Fermé", f)
	}
	// (Prix's own finding, also behind Fermé, is not this draft's: one above.)
	// Saving is not blocked by the finding.
	if code, rep := c.postJSON("/workflows/save", map[string]any{"yaml": hiddenDraft}); code != http.StatusOK || !rep.OK {
		t.Errorf("save of a draft with lint findings: %d %+v, want it saved", code, rep)
	}

	// The draft replaces the saved workflow: Prix moved before Fermé, as a
	// stop workflow (no overlapping replies), is clean.
	clean := "name: Prix\npriority: 0\nstop: true\ntrigger: incoming_message\nconditions:\n  text: {contains: prix}\nactions:\n  - reply: {text: \"Nos prix sont sur le site.\"}\n"
	code, rep = c.postJSON("/workflows/check", map[string]any{"original": "prix", "yaml": clean})
	if code != http.StatusOK || !rep.OK || len(rep.Lint) != 0 {
		t.Errorf("check of a clean draft: %d ok=%v lint=%+v, want no findings", code, rep.OK, rep.Lint)
	}
	// The same draft, as saved (priority 10, behind Fermé), is not clean.
	code, rep = c.postJSON("/workflows/check", map[string]any{"original": "prix", "yaml": strings.Replace(clean, "priority: 0", "priority: 10", 1)})
	if code != http.StatusOK || len(rep.Lint) != 1 || rep.Lint[0].Check != "unreachable" {
		t.Errorf("check of Prix behind Fermé: %d %+v, want the unreachable finding", code, rep.Lint)
	}
}

func TestWorkflowListCountsLintFindings(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, stopYAML)
	c := loggedIn(t, ta)
	code, body := c.get("/workflows")
	if code != http.StatusOK {
		t.Fatalf("GET /workflows: %d", code)
	}
	badge := func(id string) string {
		row := regexp.MustCompile(`(?s)<tr[^>]*data-id="` + id + `">.*?</tr>`).FindString(body)
		if row == "" {
			t.Fatalf("no row %q in the list", id)
		}
		return regexp.MustCompile(`class="badge lint-count"[^>]*>([^<]*)<`).FindStringSubmatch(row + `class="badge lint-count">none<`)[1]
	}
	// Prix is unreachable behind Fermé: one finding each (Fermé is related).
	if got := badge("prix"); got != "1 finding" {
		t.Errorf("Prix badge: %q, want 1 finding", got)
	}
	if got := badge("ferme"); got != "1 finding" {
		t.Errorf("Fermé badge: %q, want 1 finding", got)
	}

	ta.apply(t, prixYAML)
	if _, body = c.get("/workflows"); strings.Contains(body, "lint-count") {
		t.Error("a clean set shows lint badges")
	}
}

func TestBrowserBuilderShowsLintFindings(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, stopYAML)
	b := newBrowser(t, ta, 1280, 900)
	b.login("/workflows")
	b.step("list badge", chromedp.WaitVisible(`#workflows`),
		chromedp.Click(`tr[data-id="prix"] a.lint-count`),
		chromedp.WaitVisible(`#lint-list li.lint-error`))
	if got := b.text(`#lint-list li.lint-error`); !strings.Contains(got, `workflow "Prix" never runs`) {
		t.Errorf("builder's finding: %q", got)
	}
	if got := b.text(`#builder-lint p.muted`); !strings.Contains(got, "do not block saving") {
		t.Errorf("builder's lint note: %q", got)
	}
	// Moved before the stop workflow, with Check: the error goes; both
	// now reply to a price question (a warning, styled as one).
	b.step("fix", chromedp.SetValue(`#f-priority`, "0"), chromedp.Click(`#check`),
		chromedp.WaitNotPresent(`#lint-list li.lint-error`), chromedp.WaitVisible(`#lint-list li.lint-warning`))
	if got := b.text(`#lint-list li.lint-warning`); !strings.Contains(got, "both reply to the same message") {
		t.Errorf("builder's warning: %q", got)
	}
}

// TestBuilderLintKnowsTheShop: the builder's checks know the shop's
// numbers and whether an AI model is configured.
func TestBuilderLintKnowsTheShop(t *testing.T) {
	ta := startApp(t, "") // no --ai-provider: no model
	c := loggedIn(t, ta)
	const scoped = "name: Boutique\nsession: %s\ntrigger: incoming_message\nactions:\n  - reply: {text: \"Bonjour\"}\n"
	checks := func(yaml string) []string {
		t.Helper()
		code, rep := c.postJSON("/workflows/check", map[string]any{"yaml": yaml})
		if code != http.StatusOK || !rep.OK {
			t.Fatalf("check %q: %d %+v", yaml, code, rep)
		}
		var out []string
		for _, f := range rep.Lint {
			out = append(out, f.Check+": "+f.Message)
		}
		return out
	}
	got := checks(fmt.Sprintf(scoped, "nulle-part"))
	if len(got) != 1 || !strings.HasPrefix(got[0], "unknown-number: ") || !strings.Contains(got[0], `"nulle-part"`) || !strings.Contains(got[0], "simulator") {
		t.Errorf("a workflow scoped to a number the shop does not have: %q, want the unknown-number finding naming the numbers", got)
	}
	if got := checks(fmt.Sprintf(scoped, "simulator")); len(got) != 0 {
		t.Errorf("a workflow scoped to the simulator: %q, want no finding", got)
	}
	ai := "name: IA\ntrigger: incoming_message\nactions:\n  - ai_reply: {}\n"
	if got := checks(ai); len(got) != 1 || !strings.HasPrefix(got[0], "no-ai-model: ") {
		t.Errorf("an ai_reply with no model: %q, want the no-ai-model finding", got)
	}

	withModel := startApp(t, "", func(o *options) { o.AI.Provider = "openai"; o.AI.Model = "gpt-test" })
	c = loggedIn(t, withModel)
	if got := checks(ai); len(got) != 0 {
		t.Errorf("an ai_reply with a model configured: %q, want no finding", got)
	}
}
