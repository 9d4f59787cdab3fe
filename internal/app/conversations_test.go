package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// TestConversations: the list with its filters, search and pages; the
// conversation page with its history and executions; assign, unassign,
// labels, exclusion and an agent's reply, with bad input refused.
func TestConversations(t *testing.T) {
	ta := startApp(t, "")
	ta.addUser(t, "lea", "agent password 1", false)
	c := ta.client(t)
	c.login("admin", testPassword)
	if code, _, _ := c.post("/settings/shop", url.Values{"time_zone": {"Europe/Paris"}, "lang": {"en"}, "country": {"FR"}}); code != http.StatusSeeOther {
		t.Fatalf("shop settings: %d", code)
	}
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {prixYAML}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("saving Prix: %d", code)
	}
	simSend(t, c, "+33600000001", "Quel est le prix ?") // answered by automation
	simSend(t, c, "+33600000002", "bonjour")            // awaiting a reply
	ctx := t.Context()

	// Anonymous requests are refused.
	anon := ta.client(t)
	if code, _ := anon.get("/conversations"); code != http.StatusSeeOther {
		t.Errorf("anonymous list: %d, want a redirect to the login", code)
	}
	if code, _, _ := anon.post("/conversations/simulator/33600000002/assign", url.Values{"agent": {"lea"}}); code != http.StatusUnauthorized {
		t.Errorf("anonymous assign: %d, want 401", code)
	}

	_, list := c.get("/conversations")
	i1, i2 := strings.Index(list, "&#43;33600000001"), strings.Index(list, "&#43;33600000002")
	if i1 < 0 || i2 < 0 || i2 > i1 || strings.Count(list, `class="awaiting"`) != 1 {
		t.Fatalf("list: want both conversations, the newest (awaiting) first:\n%s", list)
	}
	for q, want := range map[string]string{
		"awaiting=yes":                           "&#43;33600000002",
		"awaiting=no":                            "&#43;33600000001",
		"q=" + url.QueryEscape("06 00 00 00 01"): "&#43;33600000001",
		"q=0000002":                              "&#43;33600000002",
	} {
		_, body := c.get("/conversations?" + q)
		if !strings.Contains(body, want) || strings.Count(body, `<tr `)+strings.Count(body, "<tr>") != 2 {
			t.Errorf("filter %s: want only %s", q, want)
		}
	}
	_, body := c.get("/conversations?after=garbage")
	if !strings.Contains(body, `class="error"`) {
		t.Errorf("bad cursor: want an error shown")
	}

	page := "/conversations/simulator/33600000001"
	if code, body := c.get(page); code != http.StatusOK || !strings.Contains(body, "Quel est le prix ?") ||
		!strings.Contains(body, "Nos prix sont sur le site.") || !strings.Contains(body, `text contains &#34;prix&#34;`) {
		t.Fatalf("conversation page: %d\n%s", code, body)
	}
	if code, _ := c.get("/conversations/simulator/33699999999"); code != http.StatusNotFound {
		t.Errorf("unknown conversation: %d, want 404", code)
	}
	if code, _ := c.get("/conversations/nonumber/33600000001"); code != http.StatusNotFound {
		t.Errorf("unknown number: %d, want 404", code)
	}

	// Assign: only to an existing user; then unassign.
	conv := func() workflow.Conversation {
		t.Helper()
		cv, err := ta.store.Conversation(ctx, "simulator", "+33600000001")
		if err != nil {
			t.Fatal(err)
		}
		return cv
	}
	code, body, _ := c.post(page+"/assign", url.Values{"agent": {"ghost"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `<p class="error" role="alert">Agent: &#34;ghost&#34; is not a dashboard user`) || conv().Agent != "" {
		t.Fatalf("assign to a stranger: %d, agent %q", code, conv().Agent)
	}
	if code, _, _ := c.post(page+"/assign", url.Values{"agent": {"lea"}}); code != http.StatusSeeOther || conv().Agent != "lea" {
		t.Fatalf("assign to lea: %d, agent %q", code, conv().Agent)
	}
	if _, body := c.get("/conversations?agent=lea"); !strings.Contains(body, "&#43;33600000001") || strings.Contains(body, "&#43;33600000002") {
		t.Errorf("agent filter")
	}
	if _, body := c.get("/conversations?agent=-"); strings.Contains(body, "&#43;33600000001") || !strings.Contains(body, "&#43;33600000002") {
		t.Errorf("unassigned filter")
	}
	if code, _, _ := c.post(page+"/assign", url.Values{"agent": {""}}); code != http.StatusSeeOther || conv().Agent != "" {
		t.Fatalf("unassign: %d, agent %q", code, conv().Agent)
	}
	if !strings.Contains(ta.logs.String(), "conversation assigned") || !strings.Contains(ta.logs.String(), "agent=lea") {
		t.Errorf("the log does not say who was assigned")
	}

	// Labels.
	labels := func() []string {
		t.Helper()
		ct, err := ta.store.Contact(ctx, "+33600000001")
		if err != nil {
			t.Fatal(err)
		}
		return ct.Labels
	}
	if code, _, _ := c.post(page+"/labels", url.Values{"add": {"vip, commande ,vip"}}); code != http.StatusSeeOther || strings.Join(labels(), ",") != "vip,commande" {
		t.Fatalf("add labels: %d, %v", code, labels())
	}
	if code, body, _ := c.post(page+"/labels", url.Values{"add": {strings.Repeat("x", 41)}}); code != http.StatusBadRequest || !strings.Contains(body, "Labels: ") || len(labels()) != 2 {
		t.Fatalf("a too long label: %d, %v", code, labels())
	}
	if code, body, _ := c.post(page+"/labels", url.Values{"add": {"new, a|b"}}); code != http.StatusBadRequest || !strings.Contains(body, "separates labels") || len(labels()) != 2 {
		t.Fatalf("a label with the CSV separator |: %d, %v", code, labels())
	}
	if code, _, _ := c.post(page+"/labels", url.Values{"add": {" , "}}); code != http.StatusBadRequest {
		t.Fatalf("no label: %d", code)
	}
	if _, body := c.get("/conversations?label=vip"); !strings.Contains(body, "&#43;33600000001") || strings.Contains(body, "&#43;33600000002") {
		t.Errorf("label filter")
	}
	if code, _, _ := c.post(page+"/labels", url.Values{"remove": {"vip"}}); code != http.StatusSeeOther || strings.Join(labels(), ",") != "commande" {
		t.Fatalf("remove a label: %d, %v", code, labels())
	}

	// Exclude and include.
	c.post(page+"/exclude", url.Values{"excluded": {"yes"}})
	if _, body := c.get("/conversations?excluded=yes"); !strings.Contains(body, "&#43;33600000001") || strings.Contains(body, "&#43;33600000002") {
		t.Errorf("excluded filter after excluding")
	}
	c.post(page+"/exclude", url.Values{"excluded": {"no"}})
	if ct, _ := ta.store.Contact(ctx, "+33600000001"); ct.Excluded {
		t.Errorf("still excluded after including")
	}

	// An agent's reply goes out through the engine as the agent's.
	lea := ta.client(t)
	lea.login("lea", "agent password 1")
	code, body, _ = lea.post("/conversations/simulator/33600000002/reply", url.Values{"text": {"  "}})
	if code != http.StatusBadRequest || !strings.Contains(body, "Reply: the message is empty") {
		t.Fatalf("empty reply: %d", code)
	}
	if code, _, _ := lea.post("/conversations/simulator/33600000002/reply", url.Values{"text": {"Bonjour, que puis-je faire ?"}}); code != http.StatusSeeOther {
		t.Fatalf("reply: %d", code)
	}
	hist, err := ta.store.History(ctx, "simulator", "+33600000002", 0, 10)
	if err != nil || len(hist) != 2 || hist[1].Author != workflow.AuthorAgent || hist[1].Text != "Bonjour, que puis-je faire ?" {
		t.Fatalf("history after the reply: %+v %v", hist, err)
	}
	if msgs := ta.sim.Since(0, "+33600000002"); len(msgs) != 2 || !msgs[1].Bot || msgs[1].Text != "Bonjour, que puis-je faire ?" {
		t.Fatalf("the simulator did not get the reply: %+v", msgs)
	}
	if _, body := c.get("/conversations?awaiting=yes"); strings.Contains(body, "&#43;33600000002") {
		t.Errorf("still awaiting after the agent's reply")
	}

	// A reply that cannot go at once (here no WhatsApp at all) is kept,
	// shown in the conversation and queued: the page says so as an error.
	if err := ta.engine.PutSession(ctx, workflow.Session{ID: "boutique", Status: workflow.SessionConnected}); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.store.RecordInbound(ctx, trigger.Message{ID: "in-3", Session: "boutique", Phone: "+33600000003", Text: "Allô ?", Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	code, _, resp := lea.post("/conversations/boutique/33600000003/reply", url.Values{"text": {"Je reviens vers vous"}})
	if code != http.StatusSeeOther {
		t.Fatalf("reply without WhatsApp: %d", code)
	}
	_, body = lea.get(resp.Header.Get("Location"))
	if !strings.Contains(body, `<p class="error" role="alert">Reply not sent yet: it is kept and will be sent automatically as soon as possible (`) {
		t.Errorf("the queued reply is not said as an error:\n%s", excerpt(body, "Reply"))
	}
	if hist, err := ta.store.History(ctx, "boutique", "+33600000003", 0, 10); err != nil || len(hist) != 2 || hist[1].Text != "Je reviens vers vous" {
		t.Fatalf("history after the queued reply: %+v %v", hist, err)
	}
}
