package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/waauto/waauto/workflow"
)

// TestAgents: an assign action may only name dashboard users; deleting a
// user asks whether to reassign or unassign its conversations; an agent
// sees its own conversations first.
func TestAgents(t *testing.T) {
	ta := startApp(t, "")
	ta.addUser(t, "lea", "agent password 1", false)
	ta.addUser(t, "max", "agent password 2", false)
	c := ta.client(t)
	c.login("admin", testPassword)
	ctx := t.Context()

	assignTo := func(agent string) string {
		return "name: Handoff\ntrigger: incoming_message\nconditions: {text: {contains: humain}}\nactions: [{assign: {agent: " + agent + "}}]\n"
	}
	code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {assignTo("ghost")}, "op": {"save"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "agent &#34;ghost&#34; is not a dashboard user") || len(ta.engine.Workflows()) != 0 {
		t.Fatalf("assign to a stranger: %d, %d workflow(s) saved", code, len(ta.engine.Workflows()))
	}
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {assignTo("lea")}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("assign to lea: %d", code)
	}
	simSend(t, c, "+33600000001", "je veux un humain")
	if cv, err := ta.store.Conversation(ctx, "simulator", "+33600000001"); err != nil || cv.Agent != "lea" {
		t.Fatalf("the workflow did not assign lea: %+v %v", cv, err)
	}
	for _, p := range []string{"+33600000002", "+33600000003"} {
		if err := ta.engine.Assign(ctx, "simulator", p, "lea"); err != nil {
			t.Fatal(err)
		}
	}
	if err := ta.engine.Assign(ctx, "simulator", "+33600000004", "max"); err != nil {
		t.Fatal(err)
	}

	// lea sees her conversations first.
	lea := ta.client(t)
	lea.login("lea", "agent password 1")
	if _, body := lea.get("/conversations"); !strings.Contains(body, `id="mine"`) || !strings.Contains(body, "Assigned to you") {
		t.Fatalf("an agent's list lacks its own conversations first")
	}
	if _, body := c.get("/conversations"); strings.Contains(body, `id="mine"`) {
		t.Errorf("an admin's list has an 'assigned to you' section")
	}
	if code, _ := lea.get("/settings/users/max/delete"); code != http.StatusForbidden {
		t.Errorf("an agent opens the delete page: %d, want 403", code)
	}
	if code, _, _ := lea.post("/settings/users/max/delete", url.Values{"then": {"unassign"}}); code != http.StatusForbidden {
		t.Errorf("an agent deletes a user: %d, want 403", code)
	}

	// Deleting lea asks first.
	if code, body := c.get("/settings/users/lea/delete"); code != http.StatusOK || !strings.Contains(body, "lea has 3 conversation(s) assigned") {
		t.Fatalf("delete page: %d\n%s", code, body)
	}
	for _, bad := range []url.Values{{}, {"then": {"reassign"}, "to": {"ghost"}}, {"then": {"reassign"}, "to": {"lea"}}} {
		code, body, _ := c.post("/settings/users/lea/delete", bad)
		if code != http.StatusBadRequest || !strings.Contains(body, `class="error"`) {
			t.Errorf("delete with %v: %d, want 400 and an error", bad, code)
		}
		if _, err := ta.dash.User(ctx, "lea"); err != nil {
			t.Fatalf("lea deleted by a refused request %v", bad)
		}
	}
	code, _, resp := c.post("/settings/users/lea/delete", url.Values{"then": {"reassign"}, "to": {"max"}})
	if code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "3+conversation%28s%29+reassigned+to+max") {
		t.Fatalf("delete lea: %d %q", code, resp.Header.Get("Location"))
	}
	if _, err := ta.dash.User(ctx, "lea"); err == nil {
		t.Fatal("lea still exists")
	}
	if n, _ := ta.store.OpenConversations(ctx, []string{"lea", "max"}); n["lea"] != 0 || n["max"] != 4 {
		t.Fatalf("open conversations after reassigning: %v", n)
	}
	if code, _ := lea.get("/conversations"); code != http.StatusSeeOther {
		t.Errorf("lea's session survived her deletion: %d", code)
	}
	if code, _, _ := c.post("/settings/users/max/delete", url.Values{"then": {"unassign"}}); code != http.StatusSeeOther {
		t.Fatalf("delete max: %d", code)
	}
	if n, _ := ta.store.OpenConversations(ctx, []string{"max"}); n["max"] != 0 {
		t.Fatalf("max keeps %d conversations", n["max"])
	}
	if code, _, _ := c.post("/settings/users/admin/delete", url.Values{"then": {"unassign"}}); code != http.StatusBadRequest {
		t.Errorf("an admin deletes itself: %d, want 400", code)
	}
	if code, _ := c.get("/settings/users/nobody/delete"); code != http.StatusNotFound {
		t.Errorf("unknown user: %d, want 404", code)
	}
}

// TestAgentsAway: an agent sets itself away (not others); an admin sets
// anyone; round robin skips the away agent; with every agent away the
// conversation stays unassigned and the log says why.
func TestAgentsAway(t *testing.T) {
	ta := startApp(t, "")
	ta.addUser(t, "lea", "agent password 1", false)
	ta.addUser(t, "max", "agent password 2", false)
	c := ta.client(t)
	c.login("admin", testPassword)
	ctx := t.Context()
	const rr = "name: Tour\ntrigger: incoming_message\nactions: [{assign: {agents: [lea, max], strategy: round_robin}}]\n"
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {rr}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	agentOf := func(phone string) string {
		t.Helper()
		simSend(t, c, phone, "bonjour")
		cv, err := ta.store.Conversation(ctx, "simulator", phone)
		if err != nil {
			t.Fatal(err)
		}
		return cv.Agent
	}

	lea := ta.client(t)
	lea.login("lea", "agent password 1")
	if _, body := lea.get("/settings"); !strings.Contains(body, `id="my-state"`) || !strings.Contains(body, `action="/settings/users/lea/away"`) {
		t.Fatalf("an agent's settings lack its own status form")
	}
	if code, _, _ := lea.post("/settings/users/max/away", url.Values{"state": {"away"}}); code != http.StatusForbidden {
		t.Errorf("an agent sets another away: %d, want 403", code)
	}
	if code, _, resp := lea.post("/settings/users/lea/away", url.Values{"state": {"sleeping"}}); code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "err=") {
		t.Errorf("bad state: %d %q, want an error", code, resp.Header.Get("Location"))
	}
	if code, _, _ := lea.post("/settings/users/lea/away", url.Values{"state": {"away"}}); code != http.StatusSeeOther {
		t.Fatalf("lea sets herself away: %d", code)
	}
	if away, _ := ta.dash.Away(ctx); !away["lea"] || away["max"] {
		t.Fatalf("away after lea's switch = %v", away)
	}
	if _, body := c.get("/settings"); !strings.Contains(body, `<li data-user="lea">lea <span class="badge">agent</span>
    <span class="badge warn">away</span>`) {
		t.Errorf("the users list does not show lea away")
	}
	for _, p := range []string{"+33600000011", "+33600000012"} {
		if got := agentOf(p); got != "max" {
			t.Errorf("%s assigned to %q, want max (lea is away)", p, got)
		}
	}
	if code, _, _ := c.post("/settings/users/max/away", url.Values{"state": {"away"}}); code != http.StatusSeeOther {
		t.Fatalf("admin sets max away: %d", code)
	}
	if got := agentOf("+33600000013"); got != "" {
		t.Errorf("with everyone away, assigned to %q, want nobody", got)
	}
	page, err := ta.store.QueryLogs(ctx, workflow.LogQuery{Phone: "+33600000013"})
	if err != nil || len(page.Entries) != 1 || len(page.Entries[0].Actions) != 1 ||
		page.Entries[0].Actions[0].Outcome != workflow.OutcomeSkipped || !strings.Contains(page.Entries[0].Actions[0].Error, "no active agent among lea, max") {
		t.Fatalf("log with everyone away = %+v, %v; want the assign skipped saying why", page.Entries, err)
	}
	if code, _, _ := c.post("/settings/users/lea/away", url.Values{"state": {"active"}}); code != http.StatusSeeOther {
		t.Fatal("admin sets lea active")
	}
	if got := agentOf("+33600000014"); got != "lea" {
		t.Errorf("lea active again, assigned to %q", got)
	}
	if code, _, _ := c.post("/settings/users/ghost/away", url.Values{"state": {"away"}}); code != http.StatusNotFound {
		t.Errorf("unknown user: %d, want 404", code)
	}
}
