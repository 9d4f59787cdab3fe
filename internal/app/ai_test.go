package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
)

const aiYAML = "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {}}]\n"

// TestAINeverSilent: without a model an ai_reply workflow is refused at
// save; one saved before says it is inactive, the pages say why, and the
// simulator shows the failure and what the fallback did.
func TestAINeverSilent(t *testing.T) {
	ta := startApp(t, "", func(o *options) { o.AI.FallbackAgent = "admin" })
	c := ta.client(t)
	c.login("admin", testPassword)
	code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {aiYAML}, "op": {"save"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "no AI model is configured") || len(ta.engine.Workflows()) != 0 {
		t.Fatalf("ai_reply saved without a model: %d, %d workflow(s)", code, len(ta.engine.Workflows()))
	}
	// One saved before the model went away.
	defs, err := workflow.Load("old.yaml", []byte(aiYAML), workflow.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.engine.SetWorkflows(t.Context(), defs); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/workflows", "/simulator", "/ai"} {
		if _, body := c.get(p); !strings.Contains(body, "No AI model is configured: 1 workflow(s) with ai_reply cannot answer") {
			t.Errorf("%s does not say that AI replies cannot be given", p)
		}
	}
	execs, _ := simSend(t, c, "+33600000001", "Bonjour")
	if len(execs) != 1 || execs[0]["ID"] == "" {
		t.Fatalf("executions %v", execs)
	}
	var later struct {
		Executions []struct {
			AIFailed string
			Fallback []string
		}
	}
	waitFor(t, "the AI reply's execution", func() bool {
		_, body := c.get("/simulator/messages?since=" + url.QueryEscape(execs[0]["ID"]))
		return json.Unmarshal([]byte(body), &later) == nil && len(later.Executions) == 1
	})
	x := later.Executions[0]
	if x.AIFailed != "AI reply failed: no model configured" || len(x.Fallback) != 2 || x.Fallback[0] != "assign: fired" || x.Fallback[1] != "label: fired" {
		t.Fatalf("later execution %+v", x)
	}
	if cv, _ := ta.store.Conversation(t.Context(), "simulator", "+33600000001"); cv.Agent != "admin" {
		t.Errorf("the fallback did not hand the conversation to admin: %+v", cv)
	}
	// Credits on and none left: said on the AI page.
	c.post("/settings/shop", url.Values{"time_zone": {"Europe/Paris"}, "lang": {"en"}, "credits": {"on"}})
	if _, body := c.get("/ai"); !strings.Contains(body, "No credits left") {
		t.Error("the AI page does not say that credits ran out")
	}
	c.post("/ai/credits", url.Values{"balance": {"10"}})
	if _, body := c.get("/ai"); strings.Contains(body, "No credits left") {
		t.Error("the AI page still says credits ran out")
	}
}

// TestAIPageUsage: the AI page draws the AI replies of the last days by
// number as SVG and lists the last ones with their cost, read from the
// structured Credits field: the detail's wording (here misleading on
// purpose) does not change the page.
func TestAIPageUsage(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	now := time.Now()
	reply := func(id, session string, at time.Time, detail string, credits int64) workflow.Execution {
		return workflow.Execution{ID: id, Time: at, Workflow: "IA", WorkflowID: "ia", Session: session, Phone: "+33600000001",
			Outcome: workflow.OutcomeFired, Reason: "ai reply sent",
			Actions: []workflow.ActionResult{{Type: "ai_reply", Outcome: workflow.OutcomeFired, Detail: detail, Credits: credits}}}
	}
	err := ta.store.AppendLogs(t.Context(), []workflow.Execution{
		reply("0001", "simulator", now.Add(-48*time.Hour), "modèle m, 10+5 jetons, 40 credits", 3),
		reply("0002", "boutique<b>", now.Add(-time.Hour), "model m, 10+7 tokens", 2),
		reply("0003", "simulator", now.Add(-30*time.Minute), "model m, 10+7 tokens, 7 credits", 0),
		reply("0004", "simulator", now.Add(-30*24*time.Hour), "model m, 1+1 tokens, 9 credits", 9), // too old
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := c.get("/ai")
	chart := body[strings.Index(body, "<svg"):]
	chart = chart[:strings.Index(chart, "</svg>")]
	if strings.Count(chart, "<rect") != 3+2 || !strings.Contains(chart, "boutique&lt;b&gt;") || strings.Contains(body, "boutique<b>") {
		t.Fatalf("chart: want 3 bars and 2 legend keys, the number's name escaped:\n%s", chart)
	}
	if !strings.Contains(body, "3 AI reply(ies) in the last 14 days, 5 credit(s) used.") {
		t.Error("usage summary missing")
	}
	table := body[strings.Index(body, `id="ai-replies"`):]
	if !strings.Contains(table, "3 credit(s)") || !strings.Contains(table, "2 credit(s)") || strings.Contains(table, "9 credit(s)") || strings.Contains(table, "40 credit(s)") || strings.Contains(table, "7 credit(s)") {
		t.Fatalf("last replies:\n%s", table)
	}
	if i3, i2 := strings.Index(table, "3 credit(s)"), strings.Index(table, "2 credit(s)"); i2 > i3 {
		t.Error("the last replies are not newest first")
	}
	// In French the engine's details read in French, on this page and in
	// the log; a text the engine did not write stays as stored.
	c.header.Set("Accept-Language", "fr")
	defer c.header.Del("Accept-Language")
	for _, page := range []string{"/ai", "/logs"} {
		_, body := c.get(page)
		for _, want := range []string{"modèle m, 10&#43;7 jetons</", "modèle m, 10&#43;7 jetons, 7 crédits</", "modèle m, 10&#43;5 jetons, 40 credits</"} {
			if page == "/logs" {
				want = strings.TrimSuffix(want, "</")
			}
			if !strings.Contains(body, want) {
				t.Errorf("%s in French lacks %q", page, want)
			}
		}
	}
}

// rowOf returns the table row of body that contains marker ("" if none).
func rowOf(body, marker string) string {
	for _, row := range strings.Split(body, "<tr") {
		if strings.Contains(row, marker) {
			return row[:strings.Index(row+"</tr>", "</tr>")]
		}
	}
	return ""
}

// TestZeroCreditsVisible: credits on and a balance below one reply's cost:
// the rows of the workflows with ai_reply, the numbers they answer on and
// the AI page say so, styled as a warning, with what the fallback does;
// credits added, or metering off, the warnings go.
func TestZeroCreditsVisible(t *testing.T) {
	ta := startApp(t, "", func(o *options) {
		o.MeterCredits = true
		o.AI = aiOptions{Provider: "openai", BaseURL: "http://127.0.0.1:9/v1", Model: "gpt-test", FallbackAgent: "admin"}
	})
	c := ta.client(t)
	c.login("admin", testPassword)
	yaml := "workflows:\n  - name: IA\n    trigger: incoming_message\n    actions: [{ai_reply: {}}]\n  - name: Bonjour\n    trigger: incoming_message\n    actions: [{reply: {text: salut}}]\n"
	if code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {yaml}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", code, excerpt(body, "error"))
	}
	const warn = `<small class="ai-blocked" role="status">No credits left: AI replies are not sent. Instead, the conversation is handed to admin with the label handoff.</small>`
	check := func(when string, want bool) {
		t.Helper()
		_, body := c.get("/workflows")
		if ia, hello := rowOf(body, "<strong>IA</strong>"), rowOf(body, "<strong>Bonjour</strong>"); strings.Contains(ia, warn) != want || strings.Contains(hello, "ai-blocked") {
			t.Errorf("%s: workflows rows, want the warning %v on IA only:\nIA: %s\nBonjour: %s", when, want, ia, hello)
		}
		_, body = c.get("/numbers")
		if row := rowOf(body, "<code>simulator</code>"); strings.Contains(row, warn) != want {
			t.Errorf("%s: the simulator number's row, want the warning %v:\n%s", when, want, row)
		}
		_, body = c.get("/ai")
		if got := strings.Contains(body, `<p class="ai-blocked" id="low-balance" role="status">The balance (0) is below the cost of one AI reply: no AI reply is sent. Instead, the conversation is handed to admin with the label handoff.</p>`); got != want {
			t.Errorf("%s: AI page low-balance state %v, want %v", when, got, want)
		}
	}
	check("balance 0", true)
	c.header.Set("Accept-Language", "fr")
	if _, body := c.get("/workflows"); !strings.Contains(rowOf(body, "<strong>IA</strong>"), "Plus de crédits : les réponses IA ne sont pas envoyées. À la place, la conversation est confiée à admin avec l’étiquette handoff.") {
		t.Error("the warning is not in French")
	}
	c.header.Del("Accept-Language")
	c.post("/ai/credits", url.Values{"balance": {"5"}})
	check("balance 5", false)
	c.post("/ai/credits", url.Values{"balance": {"0"}})
	c.post("/settings/shop", url.Values{"time_zone": {"Europe/Paris"}, "lang": {"en"}})
	check("credits off", false)
}

// TestLogsSayActionErrorsInTheUsersLanguage: an action's error whose
// cause the engine named (its code) reads in French on a French page,
// styled as an error; one without a code shows its text.
func TestLogsSayActionErrorsInTheUsersLanguage(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	err := ta.store.AppendLogs(t.Context(), []workflow.Execution{{ID: "0001", Time: time.Now(), Workflow: "Accueil", WorkflowID: "accueil",
		Session: "simulator", Phone: "+33600000001", Outcome: workflow.OutcomeFired, Reason: "conditions matched",
		Actions: []workflow.ActionResult{
			{Type: "reply", Outcome: workflow.OutcomeSkipped, Error: "skipped: module switched off for this number", ErrorCode: "module_off"},
			{Type: "webhook", Outcome: workflow.OutcomeFailed, Error: "webhook: status 502"},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	c.header.Set("Accept-Language", "fr")
	_, body := c.get("/logs")
	for _, want := range []string{`<span class="err">ignorée : le module est désactivé pour ce numéro</span>`, `<span class="err">webhook: status 502</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("/logs in French lacks %s", want)
		}
	}
}
