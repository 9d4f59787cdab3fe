package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
)

// cooldownYAML fires once an hour per conversation at most.
const cooldownYAML = `workflows:
  - name: Prix
    trigger: incoming_message
    cooldown: 1h
    conditions:
      text: {contains: prix}
    actions:
      - reply: {text: "Nos prix sont sur le site."}
`

// TestReasonsInFrench: the reasons the engine logs are French on French
// pages (the simulator's answer, the logs, the conversation page) and
// unchanged on English ones; a reason the engine does not write (a row of
// an older version) is shown as stored. So are the trace's leaves and
// values and the actions' outcomes.
func TestReasonsInFrench(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	if code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {cooldownYAML}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", code, excerpt(body, "error"))
	}
	c.header.Set("Accept-Language", "fr")
	execs, _ := simSend(t, c, "+33600000001", "et le prix ?")
	if len(execs) != 1 || execs[0]["Reason"] != "conditions remplies" || execs[0]["Trace"] != "✓ text: le texte contient \"prix\"\n" {
		t.Fatalf("first message: executions %v, want one with the reason in French", execs)
	}
	execs, _ = simSend(t, c, "+33600000001", "le prix svp")
	if len(execs) != 1 || !strings.HasPrefix(execs[0]["Reason"], "délai entre deux déclenchements : déjà déclenché il y a ") {
		t.Fatalf("second message: executions %v, want the cooldown in French", execs)
	}
	old := workflow.Execution{ID: "0000000000000-old", Time: time.Now().Add(-time.Hour), WorkflowID: "prix", Workflow: "Prix",
		Session: "simulator", Phone: "+33600000001", Trigger: "incoming_message", Outcome: workflow.OutcomeSkipped, Reason: "written by an older version"}
	if err := ta.store.AppendLogs(t.Context(), []workflow.Execution{old}); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/logs", "/conversations/simulator/33600000001"} {
		_, body := c.get(page)
		for _, want := range []string{"<small>conditions remplies</small>", "<small>délai entre deux déclenchements : déjà déclenché il y a ",
			"<small>written by an older version</small>", "le texte contient &#34;prix&#34; → vrai</li>", "<li>reply: déclenché"} {
			if !strings.Contains(body, want) {
				t.Errorf("fr %s lacks %q", page, want)
			}
		}
		if strings.Contains(body, "conditions matched") || strings.Contains(body, "cooldown: fired") {
			t.Errorf("fr %s shows an English reason", page)
		}
	}
	c.header.Set("Accept-Language", "en")
	_, body := c.get("/logs")
	for _, want := range []string{"<small>conditions matched</small>", "<small>cooldown: fired ", "<small>written by an older version</small>",
		"text contains &#34;prix&#34; → true</li>", "<li>reply: fired"} {
		if !strings.Contains(body, want) {
			t.Errorf("en /logs lacks %q", want)
		}
	}
}

// TestLintFindingsInFrench: the builder's lint findings are French on a
// French page, nested wordings included, and English as the CLI words
// them on an English one.
func TestLintFindingsInFrench(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, stopYAML)
	c := loggedIn(t, ta)
	never := "name: Jamais\npriority: 30\ntrigger: incoming_message\nconditions:\n  all: [{text: {contains: prix}}, {text: {not_contains: prix}}]\nactions:\n  - reply: {text: \"non\"}\n"
	for _, tc := range []struct {
		lang, draft, want string
	}{
		{"fr", hiddenDraft, `le workflow "Horaires" ne s’exécute jamais : le workflow stop "Fermé" passe avant lui et se déclenche sur chaque message qu’il accepte (donnez-lui un numéro de priorité plus petit, ou restreignez les workflows stop)`},
		{"en", hiddenDraft, `workflow "Horaires" never runs: the stop workflow "Fermé" comes first and fires on every message it matches (give it a smaller priority number, or narrow the stop workflows)`},
		{"fr", never, `le workflow "Jamais" ne se déclenche jamais : ses conditions ne peuvent jamais être vraies (text contains "prix" and text not_contains "prix" ne peuvent pas être vrais ensemble)`},
		{"en", never, `workflow "Jamais" never fires: its conditions can never be true (text contains "prix" and text not_contains "prix" cannot all hold)`},
	} {
		c.header.Set("Accept-Language", tc.lang)
		code, rep := c.postJSON("/workflows/check", map[string]any{"yaml": tc.draft})
		if code != http.StatusOK || len(rep.Lint) == 0 {
			t.Fatalf("%s check: %d %+v", tc.lang, code, rep)
		}
		if rep.Lint[0].Message != tc.want {
			t.Errorf("%s finding %q,\nwant %q", tc.lang, rep.Lint[0].Message, tc.want)
		}
	}
}

// TestLoadErrorsInFrench: the YAML editor and the builder word the
// loader's errors in French on a French page, with their positions, and
// as the loader does on an English one.
func TestLoadErrorsInFrench(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	bad := "workflows:\n  - name: Bad\n    trigger: nope\n    actions: [{reply: {text: a}}]\n"
	for _, tc := range []struct{ lang, want string }{
		{"fr", `<code>trigger</code>: &#34;nope&#34; n’est pas un déclencheur (attendu : incoming_message ou new_contact)</li>`},
		{"en", `<code>trigger</code>: &#34;nope&#34; is not a trigger (want incoming_message or new_contact)</li>`},
	} {
		c.header.Set("Accept-Language", tc.lang)
		code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {bad}, "op": {"check"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%s editor check: %d, want the error %q in:\n%s", tc.lang, code, tc.want, excerpt(body, "trigger"))
		}
	}
	draft := "name: Brouillon\ntrigger: incoming_message\nenabled: 'oui'\nactions: [{reply: {text: a}}]\n"
	for _, tc := range []struct{ lang, msg, text string }{
		{"fr", `"oui" n’est pas true ou false`, `workflow.yaml:3:10: enabled: "oui" n’est pas true ou false`},
		{"en", `"oui" is not true or false`, `workflow.yaml:3:10: enabled: "oui" is not true or false`},
	} {
		c.header.Set("Accept-Language", tc.lang)
		code, rep := c.postJSON("/workflows/check", map[string]any{"yaml": draft})
		if code != http.StatusUnprocessableEntity || len(rep.Errors) != 1 || rep.Errors[0].Msg != tc.msg || rep.Errors[0].Text != tc.text {
			t.Errorf("%s builder check: %d %+v, want %q", tc.lang, code, rep.Errors, tc.text)
		}
	}
}
