package app

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/workflow"
)

// twoYAML holds two workflows; the builder must leave "Bonjour" alone when
// it saves "Prix".
const twoYAML = prixYAML + `  - name: Bonjour
    priority: 20
    trigger: incoming_message
    conditions:
      text: {starts_with: bonjour}
    actions:
      - reply: {text: "Bonjour !"}
`

// builderReply mirrors the JSON the builder routes answer.
type builderReply struct {
	OK       bool            `json:"ok"`
	Workflow json.RawMessage `json:"workflow"`
	YAML     string          `json:"yaml"`
	Redirect string          `json:"redirect"`
	Msg      string          `json:"msg"`
	Errors   []struct {
		Path, Msg, Text string
		Line, Column    int
	} `json:"errors"`
	Lint []struct {
		Workflow, Severity, Check, Message string
		Related                            []string
	} `json:"lint"`
	Replay *replayPanel `json:"replay"`
	Try    *struct {
		Fired      bool
		Summary    string
		Effects    []string
		Executions []struct {
			Workflow, Outcome, Reason string
			Trace                     []struct {
				Path, Leaf string
				Value      bool
			}
		}
	} `json:"try"`
}

// postJSON posts body as JSON and decodes the builder's answer.
func (c *client) postJSON(path string, body any) (int, builderReply) {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", c.base+path, strings.NewReader(string(b)))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep builderReply
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			c.t.Fatalf("POST %s: status %d, body not JSON: %v", path, resp.StatusCode, err)
		}
	}
	return resp.StatusCode, rep
}

func (ta *testApp) apply(t *testing.T, text string) {
	t.Helper()
	if _, err := ta.dashboard.ApplyWorkflows(t.Context(), "t.yaml", []byte(text)); err != nil {
		t.Fatal(err)
	}
}

// stored returns the stored definitions by workflow id.
func (ta *testApp) stored(t *testing.T) map[string]string {
	t.Helper()
	ws, err := ta.store.Workflows(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, w := range ws {
		if !w.Template {
			out[w.ID] = string(w.Definition)
		}
	}
	return out
}

func loggedIn(t *testing.T, ta *testApp) *client {
	c := ta.client(t)
	c.login("admin", testPassword)
	return c
}

func TestBuilderRoutesNeedLogin(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, twoYAML)
	c := ta.client(t)
	for _, p := range []string{"/workflows/new", "/workflows/prix", "/workflows/new?template=welcome", "/templates"} {
		code, _, resp := c.do("GET", p, nil)
		if code != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without login: %d %q, want 303 to /login", p, code, resp.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/workflows/check", "/workflows/save", "/workflows/try", "/workflows/replay", "/templates"} {
		if code, _ := c.postJSON(p, map[string]any{"original": "prix", "yaml": "name: x"}); code != http.StatusUnauthorized {
			t.Errorf("POST %s without login: %d, want 401", p, code)
		}
	}
	for _, p := range []string{"/workflows/prix/enabled", "/workflows/prix/move", "/templates/x/delete"} {
		if code, _, _ := c.post(p, url.Values{"dir": {"down"}}); code != http.StatusUnauthorized {
			t.Errorf("POST %s without login: %d, want 401", p, code)
		}
	}
	if got := ta.engine.Workflows(); len(got) != 2 || !got[0].Enabled || got[0].Priority != 10 {
		t.Errorf("unauthenticated requests changed the workflows: %+v", got)
	}
}

func TestBuilderPageRendersWorkflowAndCatalog(t *testing.T) {
	reg := action.NewRegistry()
	reg.MustRegister("notify_slack", action.Of[notifySlack]())
	ta := startApp(t, "", func(o *options) { o.registry = reg })
	ta.apply(t, twoYAML)
	c := loggedIn(t, ta)
	code, body := c.get("/workflows/prix")
	if code != http.StatusOK {
		t.Fatalf("GET /workflows/prix: %d", code)
	}
	start := strings.Index(body, `<script type="application/json" id="builder-data">`)
	end := strings.Index(body[start:], "</script>")
	if start < 0 || end < 0 {
		t.Fatalf("no builder data in the page:\n%s", body)
	}
	raw := body[start+len(`<script type="application/json" id="builder-data">`) : start+end]
	var data struct {
		Original string
		Workflow map[string]any
		Catalog  struct {
			Actions []struct {
				Name   string
				Custom bool
				Fields []action.Field
			}
			Operators map[string][]string
			Agents    []string
		}
	}
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatalf("builder data: %v\n%s", err, raw)
	}
	if data.Original != "prix" || data.Workflow["name"] != "Prix" {
		t.Errorf("builder data workflow: %q %v", data.Original, data.Workflow)
	}
	if got := data.Catalog.Operators["labels"]; strings.Join(got, ",") != "has,has_not,has_any,has_all,has_none" {
		t.Errorf("label operators %v", got)
	}
	var custom bool
	for _, a := range data.Catalog.Actions {
		if a.Name == "notify_slack" {
			custom = a.Custom && len(a.Fields) == 1 && a.Fields[0].Name == "channel" && a.Fields[0].Kind == "string"
		}
	}
	if !custom {
		t.Errorf("custom action notify_slack missing or without its field: %+v", data.Catalog.Actions)
	}
	if !strings.Contains(strings.Join(data.Catalog.Agents, ","), "admin") {
		t.Errorf("agents picker: %v (want the dashboard users)", data.Catalog.Agents)
	}
	// A custom action is saved like any other.
	code, rep := c.postJSON("/workflows/save", map[string]any{"workflow": map[string]any{
		"name": "Slack", "trigger": "incoming_message", "actions": []any{map[string]any{"notify_slack": map[string]any{"channel": "#sales"}}},
	}})
	if code != http.StatusOK || !rep.OK {
		t.Fatalf("save with a custom action: %d %+v", code, rep)
	}
	if code, _ := c.get("/workflows/nope"); code != http.StatusSeeOther {
		t.Errorf("unknown workflow page: %d, want a redirect to the list", code)
	}
}

// notifySlack is a custom action registered by the binary.
type notifySlack struct {
	Channel string `yaml:"channel"`
}

func (n *notifySlack) Run(context.Context, *action.Call) error { return nil }

func TestBuilderSavesOnlyThisWorkflow(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, twoYAML)
	before := ta.stored(t)
	c := loggedIn(t, ta)
	draft := map[string]any{
		"id": "prix", "name": "Prix et tarifs", "priority": 10, "trigger": "incoming_message",
		"conditions": map[string]any{"all": []any{
			map[string]any{"any": []any{
				map[string]any{"text": map[string]any{"contains": "prix"}},
				map[string]any{"text": map[string]any{"contains": "tarif"}},
			}},
			map[string]any{"schedule": map[string]any{"days": []string{"mon", "tue"}, "from": "09:00", "to": "18:00"}},
		}},
		"actions": []any{
			map[string]any{"reply": map[string]any{"text": "Bonjour {{contact.name}}"}},
			map[string]any{"label": map[string]any{"add": []string{"prix"}}},
		},
	}
	code, rep := c.postJSON("/workflows/save", map[string]any{"original": "prix", "workflow": draft})
	if code != http.StatusOK || !rep.OK || rep.Redirect != "/workflows/prix" {
		t.Fatalf("save: %d %+v", code, rep)
	}
	after := ta.stored(t)
	if after["bonjour"] != before["bonjour"] {
		t.Errorf("the other workflow's definition changed:\nbefore %s\nafter %s", before["bonjour"], after["bonjour"])
	}
	if after["prix"] == before["prix"] || !strings.Contains(after["prix"], "Prix et tarifs") {
		t.Errorf("prix not saved: %s", after["prix"])
	}
	if strings.Contains(rep.YAML, "null") || !strings.Contains(rep.YAML, "from: \"09:00\"") && !strings.Contains(rep.YAML, "from: 09:00") {
		t.Errorf("YAML of the saved workflow:\n%s", rep.YAML)
	}
	// A new workflow (no original) is added; the others stay.
	code, rep = c.postJSON("/workflows/save", map[string]any{"yaml": "name: Merci\ntrigger: incoming_message\nactions:\n  - reply: {text: De rien}\n"})
	if code != http.StatusOK || !rep.OK {
		t.Fatalf("save new from YAML: %d %+v", code, rep)
	}
	if n := len(ta.engine.Workflows()); n != 3 {
		t.Errorf("%d workflows after adding one, want 3", n)
	}
}

func TestBuilderErrorsBesideFieldsNothingSaved(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, twoYAML)
	ta.addUser(t, "agent", testPassword, false)
	before := ta.stored(t)
	admin := loggedIn(t, ta)
	agent := ta.client(t)
	agent.login("agent", testPassword)
	base := func() map[string]any {
		return map[string]any{"name": "Nouveau", "trigger": "incoming_message", "actions": []any{map[string]any{"reply": map[string]any{"text": "ok"}}}}
	}
	cases := []struct {
		name   string
		c      *client
		change func(map[string]any)
		path   string
		msg    string
	}{
		{"bad time", admin, func(w map[string]any) {
			w["conditions"] = map[string]any{"all": []any{map[string]any{"text": map[string]any{"contains": "x"}}, map[string]any{"schedule": map[string]any{"from": "25:00", "to": "18:00"}}}}
		}, "conditions.all[1].schedule.from", `"25:00"`},
		{"bad regexp", admin, func(w map[string]any) {
			w["conditions"] = map[string]any{"any": []any{map[string]any{"text": map[string]any{"matches": "(prix"}}}}
		}, "conditions.any[0].text.matches", "not a regular expression"},
		{"unknown placeholder", admin, func(w map[string]any) {
			w["actions"] = []any{map[string]any{"reply": map[string]any{"text": "Bonjour {{nom}}"}}}
		}, "actions[0].reply.text", "unknown placeholder"},
		{"duplicate name", admin, func(w map[string]any) { w["name"] = "Bonjour" }, "name", "another workflow"},
		{"webhook by an agent", agent, func(w map[string]any) {
			w["actions"] = []any{map[string]any{"webhook": map[string]any{"url": "https://example.com/h"}}}
		}, "actions[0].webhook", "admins only"},
		{"empty actions", admin, func(w map[string]any) { w["actions"] = []any{} }, "actions", "at least one action"},
	}
	for _, tc := range cases {
		w := base()
		tc.change(w)
		for _, route := range []string{"/workflows/save", "/workflows/check"} {
			code, rep := tc.c.postJSON(route, map[string]any{"workflow": w})
			found := false
			for _, e := range rep.Errors {
				found = found || e.Path == tc.path && strings.Contains(e.Msg, tc.msg)
			}
			if code != http.StatusUnprocessableEntity || rep.OK || !found {
				t.Errorf("%s, %s: %d %+v, want 422 with an error at %s containing %q", tc.name, route, code, rep.Errors, tc.path, tc.msg)
			}
		}
	}
	// The YAML tab's errors carry their line and column in its text.
	code, rep := admin.postJSON("/workflows/save", map[string]any{"yaml": "name: X\ntrigger: incoming_message\nconditions:\n  schedule: {from: \"25:00\", to: \"18:00\"}\nactions:\n  - reply: {text: hi}\n"})
	if code != http.StatusUnprocessableEntity || len(rep.Errors) != 1 || rep.Errors[0].Line != 4 || rep.Errors[0].Path != "conditions.schedule.from" {
		t.Errorf("YAML error: %d %+v", code, rep.Errors)
	}
	// Two workflows, hours, or a broken body are refused too.
	if code, rep := admin.postJSON("/workflows/save", map[string]any{"yaml": twoYAML}); code != http.StatusUnprocessableEntity || !strings.Contains(rep.Errors[0].Msg, "want exactly one") {
		t.Errorf("two workflows in the builder: %d %+v", code, rep.Errors)
	}
	if code, _ := admin.postJSON("/workflows/save", map[string]any{"workflow": base(), "extra": 1}); code != http.StatusBadRequest {
		t.Errorf("unknown request field: %d, want 400", code)
	}
	if code, _ := admin.postJSON("/workflows/save", map[string]any{"original": "gone", "workflow": base()}); code != http.StatusUnprocessableEntity {
		t.Errorf("saving over a deleted workflow: %d, want 422", code)
	}
	if after := ta.stored(t); len(after) != len(before) || after["prix"] != before["prix"] || after["bonjour"] != before["bonjour"] {
		t.Errorf("something was saved:\nbefore %v\nafter %v", before, after)
	}
	// An admin may save the webhook.
	w := base()
	w["actions"] = []any{map[string]any{"webhook": map[string]any{"url": "https://example.com/h"}}}
	if code, rep := admin.postJSON("/workflows/save", map[string]any{"workflow": w}); code != http.StatusOK || !rep.OK {
		t.Errorf("admin webhook: %d %+v", code, rep)
	}
}

func TestBuilderCheckConvertsBothWays(t *testing.T) {
	ta := startApp(t, "")
	c := loggedIn(t, ta)
	code, rep := c.postJSON("/workflows/check", map[string]any{"yaml": "name: Hors horaires\ntrigger: incoming_message\nconditions:\n  not:\n    schedule: {days: [mon], from: \"09:00\", to: \"18:00\"}\nactions:\n  - reply: {text: Fermé}\n"})
	if code != http.StatusOK || !rep.OK {
		t.Fatalf("check YAML: %d %+v", code, rep)
	}
	var st map[string]any
	if err := json.Unmarshal(rep.Workflow, &st); err != nil {
		t.Fatal(err)
	}
	if st["id"] != "hors-horaires" || st["conditions"].(map[string]any)["not"] == nil {
		t.Errorf("form state from YAML: %v", st)
	}
	code, rep2 := c.postJSON("/workflows/check", map[string]any{"workflow": st})
	if code != http.StatusOK || rep2.YAML != rep.YAML || string(rep2.Workflow) != string(rep.Workflow) {
		t.Errorf("form state back: %d\n%s\nvs\n%s", code, rep2.YAML, rep.YAML)
	}
	if len(ta.engine.Workflows()) != 0 {
		t.Error("check saved a workflow")
	}
}

func TestBuilderTryDraft(t *testing.T) {
	ta := startApp(t, "")
	c := loggedIn(t, ta)
	draft := map[string]any{"name": "Prix", "trigger": "incoming_message", "enabled": false,
		"conditions": map[string]any{"all": []any{
			map[string]any{"text": map[string]any{"contains": "prix"}},
			map[string]any{"schedule": map[string]any{"from": "09:00", "to": "18:00"}},
			map[string]any{"labels": map[string]any{"has_not": "vip"}},
		}},
		"actions": []any{map[string]any{"reply": map[string]any{"text": "Bonjour {{contact.name}}, nos prix…"}}}}
	try := func(text, at string, labels ...string) builderReply {
		t.Helper()
		code, rep := c.postJSON("/workflows/try", map[string]any{"workflow": draft, "message": map[string]any{
			"text": text, "time": at, "phone": "+33611111111", "labels": labels}})
		if code != http.StatusOK || !rep.OK || rep.Try == nil {
			t.Fatalf("try %q: %d %+v", text, code, rep)
		}
		return rep
	}
	rep := try("Quel est le prix ?", "2026-03-02T10:00")
	if !rep.Try.Fired || len(rep.Try.Executions) != 1 || len(rep.Try.Executions[0].Trace) != 3 || len(rep.Try.Effects) != 1 ||
		!strings.Contains(rep.Try.Effects[0], "nos prix") || !strings.Contains(rep.Try.Summary, "as if enabled") {
		t.Errorf("matching message: %+v", rep.Try)
	}
	rep = try("Quel est le prix ?", "2026-03-02T20:00")
	tr := rep.Try.Executions[0].Trace
	if rep.Try.Fired || len(tr) != 3 || !tr[0].Value || tr[1].Value || tr[1].Path != "all[1].schedule" || len(rep.Try.Effects) != 0 {
		t.Errorf("after hours: %+v", rep.Try)
	}
	rep = try("Quel est le prix ?", "2026-03-02T10:00", "vip")
	if rep.Try.Fired || rep.Try.Executions[0].Trace[2].Value {
		t.Errorf("vip contact: %+v", rep.Try)
	}
	if code, rep := c.postJSON("/workflows/try", map[string]any{"workflow": draft, "message": map[string]any{"text": "x", "time": "demain"}}); code != http.StatusUnprocessableEntity || rep.Errors[0].Path != "try.time" {
		t.Errorf("bad time: %d %+v", code, rep.Errors)
	}
	if n := len(ta.engine.Workflows()); n != 0 {
		t.Errorf("trying saved %d workflow(s)", n)
	}
}

func TestWorkflowListSwitchOrderAndCounts(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, twoYAML)
	c := loggedIn(t, ta)
	simSend(t, c, "+33611111111", "le prix ?")
	code, body := c.get("/workflows")
	if code != http.StatusOK || !strings.Contains(body, `href="/workflows/prix"`) || !strings.Contains(body, "all numbers") {
		t.Fatalf("list: %d\n%s", code, body)
	}
	row := body[strings.Index(body, `data-id="prix"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `<td data-label="Fired (7 days)">1<br><small>last `) {
		t.Errorf("prix row should count one firing in 7 days:\n%s", row)
	}
	// The switch disables one workflow only.
	if code, _, resp := c.post("/workflows/bonjour/enabled", url.Values{}); code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "msg=") {
		t.Fatalf("switch off: %d %v", code, resp.Header)
	}
	ws := ta.engine.Workflows()
	if ws[0].Name != "Prix" || !ws[0].Enabled || ws[1].Enabled {
		t.Errorf("after switching bonjour off: %+v", ws)
	}
	// Moving Bonjour up saves the new order as priorities.
	if code, _, _ := c.post("/workflows/bonjour/move", url.Values{"dir": {"up"}}); code != http.StatusSeeOther {
		t.Fatalf("move: %d", code)
	}
	ws = ta.engine.Workflows()
	if ws[0].ID != "bonjour" || ws[0].Priority != 10 || ws[1].ID != "prix" || ws[1].Priority != 20 {
		t.Errorf("after moving bonjour up: %s %d, %s %d", ws[0].ID, ws[0].Priority, ws[1].ID, ws[1].Priority)
	}
	// Errors are styled as errors, and change nothing.
	_, _, resp := c.post("/workflows/nope/enabled", url.Values{"enabled": {"on"}})
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "err=") {
		t.Fatalf("unknown workflow: redirect %q, want an error", loc)
	}
	if _, body := c.get(loc); !strings.Contains(body, `<p class="error" role="alert">Nothing changed`) {
		t.Errorf("error not shown as an error:\n%s", body)
	}
	if code, _, _ := c.post("/workflows/prix/move", url.Values{"dir": {"sideways"}}); code != http.StatusBadRequest {
		t.Errorf("bad direction: %d, want 400", code)
	}
}

func TestTemplatesGalleryUseSaveDelete(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, twoYAML)
	c := loggedIn(t, ta)
	code, body := c.get("/templates")
	oohText := workflow.BuiltinTemplates()["out_of_hours"].Actions[0].Action.(*action.Reply).Text
	if code != http.StatusOK || !strings.Contains(body, html.EscapeString(oohText)) || !strings.Contains(body, `href="/workflows/new?template=out_of_hours"`) {
		t.Fatalf("gallery without the built-ins' full text: %d", code)
	}
	code, body = c.get("/workflows/new?template=out_of_hours")
	if code != http.StatusOK || !strings.Contains(body, `"name":"Out of hours"`) || !strings.Contains(body, `"not":{"schedule"`) {
		t.Errorf("Use out_of_hours: %d, builder not prefilled", code)
	}
	// Save as template from a draft, then use it.
	draft := map[string]any{"name": "ignored", "trigger": "incoming_message", "priority": 5,
		"conditions": map[string]any{"labels": map[string]any{"has": "vip"}},
		"actions":    []any{map[string]any{"assign": map[string]any{"agent": "alice"}}}}
	if code, rep := c.postJSON("/templates", map[string]any{"workflow": draft, "template": "VIP"}); code != http.StatusOK || !rep.OK {
		t.Fatalf("save as template: %d %+v", code, rep)
	}
	if code, rep := c.postJSON("/templates", map[string]any{"workflow": draft, "template": "welcome"}); code != http.StatusUnprocessableEntity || rep.Errors[0].Path != "template" {
		t.Errorf("template named like a built-in: %d %+v", code, rep.Errors)
	}
	if _, body = c.get("/templates"); !strings.Contains(body, `data-template="VIP"`) || !strings.Contains(body, "yours") || !strings.Contains(body, "has: vip") {
		t.Errorf("user template not in the gallery")
	}
	if _, body = c.get("/workflows/new?template=VIP"); !strings.Contains(body, `"name":"VIP"`) || !strings.Contains(body, `"agent":"alice"`) {
		t.Errorf("Use VIP: builder not prefilled")
	}
	if code, _, _ := c.post("/templates/VIP/delete", nil); code != http.StatusSeeOther {
		t.Errorf("delete: %d", code)
	}
	if _, body = c.get("/templates"); strings.Contains(body, `data-template="VIP"`) {
		t.Error("deleted template still listed")
	}
	if _, _, resp := c.post("/templates/VIP/delete", nil); !strings.Contains(resp.Header.Get("Location"), "err=") {
		t.Errorf("deleting again: %q, want an error", resp.Header.Get("Location"))
	}
	if len(ta.engine.Workflows()) != 2 {
		t.Error("templates changed the workflows")
	}
}

func TestReplaceAllAsksBeforeDeleting(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, twoYAML)
	c := loggedIn(t, ta)
	code, body, _ := c.post("/workflows/edit", url.Values{"op": {"save"}, "yaml": {prixYAML}})
	if code != http.StatusOK || !strings.Contains(body, "Saving deletes 1 workflow(s)") || !strings.Contains(body, "<li>Bonjour</li>") {
		t.Fatalf("no confirmation listing Bonjour: %d", code)
	}
	if n := len(ta.engine.Workflows()); n != 2 {
		t.Fatalf("replaced before confirmation: %d workflows", n)
	}
	code, _, _ = c.post("/workflows/edit", url.Values{"op": {"save"}, "yaml": {prixYAML}, "confirm": {"yes"}})
	if ws := ta.engine.Workflows(); code != http.StatusSeeOther || len(ws) != 1 || ws[0].Name != "Prix" {
		t.Errorf("confirmed replace: %d %d workflows", code, len(ws))
	}
}

func TestBuilderHidesWebhookSecretsFromAgents(t *testing.T) {
	ta := startApp(t, "")
	ta.apply(t, "workflows:\n  - name: Hook\n    trigger: incoming_message\n    actions:\n      - webhook: {url: \"https://example.com/h\", secret: s3cr3t-value}\n")
	ta.addUser(t, "agent", testPassword, false)
	agent := ta.client(t)
	agent.login("agent", testPassword)
	for _, p := range []string{"/workflows/hook"} {
		if _, body := agent.get(p); strings.Contains(body, "s3cr3t-value") || !strings.Contains(body, "[hidden]") {
			t.Errorf("agent sees the webhook secret on %s", p)
		}
	}
	if _, body := loggedIn(t, ta).get("/workflows/hook"); !strings.Contains(body, "s3cr3t-value") {
		t.Error("the admin does not see the secret")
	}
	code, rep := agent.postJSON("/workflows/check", map[string]any{"original": "hook", "yaml": "name: Hook\ntrigger: incoming_message\nactions:\n  - webhook: {url: \"https://example.com/h\", secret: other}\n"})
	if code != http.StatusUnprocessableEntity || strings.Contains(rep.YAML, "other") {
		t.Errorf("agent check of a webhook: %d %q", code, rep.YAML)
	}
}
