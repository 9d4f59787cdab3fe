package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/internal/dashboard"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

const prixYAML = `# replies to price questions
workflows:
  - name: Prix
    priority: 10
    trigger: incoming_message
    conditions:
      text: {contains: prix}
    actions:
      - reply: {text: "Nos prix sont sur le site."}
`

// badYAML has an impossible time on line 6.
const badYAML = `workflows:
  - name: Bad
    trigger: incoming_message
    conditions:
      schedule:
        from: "25:00"
        to: "18:00"
    actions:
      - reply: {text: hi}
`

func TestPagesRequireLogin(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	for _, p := range []string{"/", "/numbers", "/workflows", "/workflows/edit", "/exclusions", "/scheduled", "/logs", "/ai", "/settings", "/simulator"} {
		code, _, resp := c.do("GET", p, nil)
		if code != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without login: %d %q, want 303 to /login", p, code, resp.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/numbers", "/workflows/bulk", "/workflows/edit", "/exclusions", "/scheduled", "/ai/credits", "/simulator/send", "/numbers/simulator/modules"} {
		if code, _, _ := c.post(p, url.Values{"x": {"1"}}); code != http.StatusUnauthorized {
			t.Errorf("POST %s without login: %d, want 401", p, code)
		}
	}
	if code, _ := c.get("/simulator/messages"); code != http.StatusUnauthorized {
		t.Errorf("GET /simulator/messages without login: %d, want 401", code)
	}
	// A forged cookie is no session.
	c.hc.Jar.SetCookies(mustURL(t, ta.srv.URL), []*http.Cookie{{Name: dashboard.SessionCookie, Value: strings.Repeat("ab", 32)}})
	if code, _ := c.get("/simulator/messages"); code != http.StatusUnauthorized {
		t.Errorf("forged cookie: %d, want 401", code)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginSetsStrictHttpOnlyCookie(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	code, body, _ := c.post("/login", url.Values{"user": {"admin"}, "password": {"wrong password"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, dashboard.ErrBadLogin.Error()) {
		t.Fatalf("wrong password: %d", code)
	}
	code, _, resp := c.post("/login", url.Values{"user": {"admin"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/numbers" {
		t.Fatalf("login: %d to %q (an off-site next must be refused)", code, resp.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == dashboard.SessionCookie {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || len(ck.Value) < 64 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, 32 random bytes", ck)
	}
	if code, body := c.get("/numbers"); code != http.StatusOK || !strings.Contains(body, "simulator") {
		t.Fatalf("numbers after login: %d", code)
	}
	h := resp.Header
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
		if h.Get(k) != want {
			t.Errorf("header %s = %q, want %q", k, h.Get(k), want)
		}
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP %q", h.Get("Content-Security-Policy"))
	}
	// Logging out ends the session server-side.
	c.post("/logout", nil)
	if code, _ := c.get("/simulator/messages"); code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d, want 401", code)
	}
}

// TestLoginThrottledPerAddress: an address failing over many user names
// waits, and the page says how long.
func TestLoginThrottledPerAddress(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	for i := range 20 {
		code, _, _ := c.post("/login", url.Values{"user": {fmt.Sprintf("guess%d", i)}, "password": {"nope"}})
		if code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, code)
		}
	}
	// The 21st attempt waits, even with the right password.
	code, body, resp := c.post("/login", url.Values{"user": {"admin"}, "password": {testPassword}})
	if code != http.StatusTooManyRequests || !regexp.MustCompile(`class="error"[^>]*>too many failed logins, try again in [1-5]s<`).MatchString(body) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("21st login: %d Retry-After %q %s, want 429 with the wait", code, resp.Header.Get("Retry-After"), excerpt(body, "error"))
	}
}

func TestCrossOriginPostRejected(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	form := url.Values{"id": {"shop"}, "label": {"Shop"}}
	c.header.Set("Sec-Fetch-Site", "cross-site")
	if code, _, _ := c.post("/numbers", form); code != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", code)
	}
	c.header = http.Header{"Origin": {"https://evil.example"}}
	if code, _, _ := c.post("/numbers", form); code != http.StatusForbidden {
		t.Fatalf("foreign Origin POST: %d, want 403", code)
	}
	if _, err := ta.store.Session(t.Context(), "shop"); err == nil {
		t.Fatal("a rejected request changed state")
	}
	c.header = http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if code, _, _ := c.post("/numbers", form); code != http.StatusSeeOther {
		t.Fatalf("same-origin POST: %d, want 303", code)
	}
	if s, err := ta.store.Session(t.Context(), "shop"); err != nil || s.Label != "Shop" || s.Status != workflow.SessionDisconnected {
		t.Fatalf("added number: %+v, %v", s, err)
	}
}

func TestPairingIsAdminOnly(t *testing.T) {
	ta := startApp(t, "")
	ta.addUser(t, "agent", "agent password 1", false)
	admin := ta.client(t)
	admin.login("admin", testPassword)
	admin.post("/numbers", url.Values{"id": {"shop"}})

	anon := ta.client(t)
	agent := ta.client(t)
	agent.login("agent", "agent password 1")
	cases := []struct{ method, path string }{
		{"POST", "/numbers/shop/link"}, {"GET", "/numbers/shop/link"}, {"GET", "/numbers/shop/qr.png"},
		{"GET", "/numbers/shop/link/status"}, {"POST", "/numbers/shop/pair"}, {"POST", "/numbers/shop/reconnect"},
		{"POST", "/numbers/shop/delete"}, {"POST", "/ai/credits"},
	}
	for _, tc := range cases {
		var form url.Values
		if tc.method == "POST" {
			form = url.Values{"phone": {"+33611111111"}, "balance": {"5"}}
		}
		if code, _, _ := agent.do(tc.method, tc.path, form); code != http.StatusForbidden {
			t.Errorf("agent %s %s: %d, want 403", tc.method, tc.path, code)
		}
		code, _, resp := anon.do(tc.method, tc.path, form)
		if code != http.StatusUnauthorized && !(code == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")) {
			t.Errorf("anonymous %s %s: %d, want 401 or the login page", tc.method, tc.path, code)
		}
	}
	// The agent may still use the rest of the dashboard.
	if code, _ := agent.get("/numbers"); code != http.StatusOK {
		t.Fatalf("agent numbers page: %d", code)
	}
}

func TestLinkByQRServesPNGAndNeverLogsCode(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	c.post("/numbers", url.Values{"id": {"shop"}, "label": {"Boutique"}})
	code, _, resp := c.post("/numbers/shop/link", nil)
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/numbers/shop/link" {
		t.Fatalf("link: %d %q", code, resp.Header.Get("Location"))
	}
	waitFor(t, "a QR code", func() bool { code, _ := c.get("/numbers/shop/qr.png"); return code == http.StatusOK })
	code, body, resp := c.do("GET", "/numbers/shop/qr.png", nil)
	if code != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
		t.Fatalf("qr.png: %d %s", code, resp.Header.Get("Content-Type"))
	}
	var st map[string]any
	_, sbody := c.get("/numbers/shop/link/status")
	if err := json.Unmarshal([]byte(sbody), &st); err != nil || st["qr"] != true || st["connected"] != false {
		t.Fatalf("status %s (%v)", sbody, err)
	}
	if strings.Contains(sbody, "FAKEQR") {
		t.Fatal("the status response holds the QR code")
	}
	_, page := c.get("/numbers/shop/link")
	if strings.Contains(page, "FAKEQR") || !strings.Contains(page, `id="qr"`) {
		t.Fatal("the link page must show the code only as an image")
	}
	// Pair code.
	code, page, _ = c.post("/numbers/shop/pair", url.Values{"phone": {"+33 6 11 11 11 11"}})
	if code != http.StatusOK || !strings.Contains(page, "ABCD-EFGH") {
		t.Fatalf("pair: %d", code)
	}
	if strings.Contains(ta.logs.String(), "FAKEQR") || strings.Contains(ta.logs.String(), "ABCD-EFGH") {
		t.Fatal("a linking code reached the logs")
	}
}

func TestEditorShowsErrorPositionsAndSavesNothing(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	for _, op := range []string{"check", "save"} {
		code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {badYAML}, "op": {op}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s bad yaml: %d", op, code)
		}
		if !regexp.MustCompile(`workflows\.yaml:6:\d+</a>: <code>conditions\.schedule\.from</code>: &#34;25:00&#34;`).MatchString(body) {
			t.Fatalf("%s: no positioned error in:\n%s", op, excerpt(body, "errors"))
		}
		if !strings.Contains(body, "- name: Bad") {
			t.Fatalf("%s: the text must stay in the editor", op)
		}
	}
	if n := len(ta.engine.Workflows()); n != 0 {
		t.Fatalf("a bad file loaded %d workflows", n)
	}
}

func excerpt(s, near string) string {
	i := strings.Index(s, near)
	if i < 0 {
		return s[:min(len(s), 600)]
	}
	return s[i:min(len(s), i+600)]
}

// simSend posts a simulator message and decodes the answer.
func simSend(t *testing.T, c *client, from, text string) (execs []map[string]string, msgs []dashboard.SimMessage) {
	t.Helper()
	code, body, _ := c.post("/simulator/send", url.Values{"from": {from}, "text": {text}})
	if code != http.StatusOK {
		t.Fatalf("simulator send: %d %s", code, body)
	}
	var out struct {
		Executions []map[string]string
		Messages   []dashboard.SimMessage
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Executions, out.Messages
}

func TestEditorSimulatorRoundTripAndRestart(t *testing.T) {
	dir := t.TempDir()
	ta := startApp(t, dir)
	c := ta.client(t)
	c.login("admin", testPassword)
	code, _, resp := c.post("/workflows/edit", url.Values{"yaml": {prixYAML}, "op": {"save"}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/workflows?msg=Saved+1+workflow%28s%29" {
		t.Fatalf("save: %d %q", code, resp.Header.Get("Location"))
	}
	if _, page := c.get("/workflows"); !strings.Contains(page, "<strong>Prix</strong>") {
		t.Fatal("workflow list lacks Prix")
	}
	execs, msgs := simSend(t, c, "+33 6 00 00 00 01", "Quel est le PRIX ?")
	if len(execs) != 1 || execs[0]["Workflow"] != "Prix" || execs[0]["Outcome"] != "fired" || !strings.Contains(execs[0]["Trace"], "prix") {
		t.Fatalf("executions %v", execs)
	}
	if len(msgs) != 2 || msgs[0].Bot || !msgs[1].Bot || msgs[1].Text != "Nos prix sont sur le site." || msgs[1].Phone != "+33600000001" {
		t.Fatalf("messages %+v", msgs)
	}
	if execs, msgs := simSend(t, c, "+33600000001", "bonjour"); len(execs) != 0 || len(msgs) != 1 {
		t.Fatalf("unrelated message: %v %v", execs, msgs)
	}
	// Polling returns what came after a sequence number.
	_, body := c.get(fmt.Sprintf("/simulator/messages?after=%d", msgs[1].Seq))
	if !strings.Contains(body, "bonjour") || strings.Contains(body, "PRIX") {
		t.Fatalf("poll: %s", body)
	}
	// The editor keeps the text with its comment.
	if _, page := c.get("/workflows/edit"); !strings.Contains(page, "# replies to price questions") {
		t.Fatal("editor lost the saved text")
	}
	// Disable in bulk: the workflow no longer fires, the editor shows the current state.
	if code, _, _ := c.post("/workflows/bulk", url.Values{"op": {"disable"}, "name": {"Prix"}}); code != http.StatusSeeOther {
		t.Fatalf("bulk disable: %d", code)
	}
	if execs, _ := simSend(t, c, "+33600000002", "prix ?"); len(execs) != 0 {
		t.Fatalf("disabled workflow ran: %v", execs)
	}
	if _, page := c.get("/workflows/edit"); !strings.Contains(page, "enabled: false") {
		t.Fatalf("editor after bulk disable:\n%s", excerpt(page, "textarea"))
	}

	// Restart on the same database: the workflows come back.
	ta.srv.Close()
	ta.app.close()
	ta2 := startApp(t, dir)
	ws := ta2.engine.Workflows()
	if len(ws) != 1 || ws[0].Name != "Prix" || ws[0].Enabled {
		t.Fatalf("after restart: %+v", ws)
	}
	c2 := ta2.client(t)
	c2.login("admin", testPassword)
	c2.post("/workflows/bulk", url.Values{"op": {"enable"}, "name": {"Prix"}})
	if execs, _ := simSend(t, c2, "+33600000003", "prix"); len(execs) != 1 {
		t.Fatalf("after restart and enable: %v", execs)
	}
	// Delete in bulk.
	c2.post("/workflows/bulk", url.Values{"op": {"delete"}, "name": {"Prix"}})
	if n := len(ta2.engine.Workflows()); n != 0 {
		t.Fatalf("bulk delete left %d", n)
	}
}

func TestEditorTemplates(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	_, page := c.get("/workflows/edit?template=welcome")
	if !strings.Contains(page, "template: welcome") || !strings.Contains(page, "agent_handoff") {
		t.Fatalf("templates missing:\n%s", excerpt(page, "textarea"))
	}
	text := "workflows:\n  - template: welcome\n"
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {text}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("save from template: %d", code)
	}
	welcome := workflow.BuiltinTemplates()["welcome"].Actions[0].Action.(*action.Reply).Text
	if _, msgs := simSend(t, c, "+33600000009", "hello"); len(msgs) != 2 || msgs[1].Text != welcome {
		t.Fatalf("welcome template: %+v", msgs)
	}
}

func TestExclusions(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	c.post("/workflows/edit", url.Values{"yaml": {prixYAML}, "op": {"save"}})
	if code, _, _ := c.post("/exclusions", url.Values{"phone": {"+33 6 12 34 56 78"}, "op": {"exclude"}}); code != http.StatusSeeOther {
		t.Fatalf("exclude: %d", code)
	}
	if _, page := c.get("/exclusions"); !strings.Contains(html.UnescapeString(page), "+33612345678") {
		t.Fatalf("excluded phone not listed:\n%s", excerpt(page, "<table"))
	}
	if execs, msgs := simSend(t, c, "+33612345678", "prix"); len(execs) != 0 || len(msgs) != 1 {
		t.Fatalf("excluded contact was answered: %v %v", execs, msgs)
	}
	c.post("/exclusions", url.Values{"phone": {"+33612345678"}, "op": {"include"}})
	if _, page := c.get("/exclusions"); strings.Contains(html.UnescapeString(page), "+33612345678") {
		t.Fatal("included phone still listed")
	}
	if execs, _ := simSend(t, c, "+33612345678", "prix"); len(execs) != 1 {
		t.Fatalf("included contact not automated: %v", execs)
	}
	if code, _, resp := c.post("/exclusions", url.Values{"phone": {"abc"}}); code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "not+a+phone") {
		t.Fatalf("bad phone: %d %q", code, resp.Header.Get("Location"))
	}
}

func TestScheduledInAccountTimezone(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	day := time.Now().In(ta.loc).AddDate(0, 0, 2).Format("2006-01-02")
	code, _, resp := c.post("/scheduled", url.Values{"session": {"simulator"}, "phone": {"+33 6 11 11 11 11"}, "date": {day}, "time": {"09:30"}, "text": {"Rappel"}})
	if code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "Scheduled+for") {
		t.Fatalf("schedule: %d %q", code, resp.Header.Get("Location"))
	}
	list, err := ta.store.ListScheduled(t.Context(), workflow.ScheduleQuery{})
	if err != nil || len(list) != 1 {
		t.Fatalf("scheduled: %v %v", list, err)
	}
	if got := list[0].At.In(ta.loc).Format("2006-01-02 15:04"); got != day+" 09:30" || list[0].Status != workflow.SchedulePending {
		t.Fatalf("stored %s (%s), want %s 09:30 Europe/Paris", got, list[0].Status, day)
	}
	if _, page := c.get("/scheduled?status=pending"); !strings.Contains(page, "Rappel") {
		t.Fatal("pending list lacks the message")
	}
	if _, page := c.get("/scheduled?status=sent"); strings.Contains(page, "Rappel") {
		t.Fatal("sent list shows a pending message")
	}
	if code, _, _ := c.post("/scheduled/"+list[0].ID+"/cancel", nil); code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", code)
	}
	if m, _ := ta.store.Scheduled(t.Context(), list[0].ID); m.Status != workflow.ScheduleCancelled {
		t.Fatalf("after cancel: %s", m.Status)
	}
	_, _, resp = c.post("/scheduled/"+list[0].ID+"/cancel", nil)
	if !strings.Contains(resp.Header.Get("Location"), "no+longer+pending") {
		t.Fatalf("second cancel: %q", resp.Header.Get("Location"))
	}
	if code, body, _ := c.post("/scheduled", url.Values{"session": {"simulator"}, "phone": {"+33611111111"}, "date": {day}, "time": {"25:00"}, "text": {"x"}}); code != http.StatusBadRequest || !strings.Contains(body, "is not a date and time") {
		t.Fatalf("bad time: %d", code)
	}
}

func TestScheduledSentAfterRestart(t *testing.T) {
	dir := t.TempDir()
	ta := startApp(t, dir)
	m, err := ta.engine.Schedule(t.Context(), engine.ScheduleRequest{Session: dashboard.SimulatorSession, Phone: "+33611111111", Text: "plus tard", At: time.Now().Add(1500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	ta.srv.Close()
	ta.app.close()
	ta2 := startApp(t, dir)
	waitFor(t, "the scheduled message to be sent after a restart", func() bool {
		got, _ := ta2.store.Scheduled(context.Background(), m.ID)
		return got.Status == workflow.ScheduleSent
	})
	if msgs := ta2.sim.Since(0, ""); len(msgs) != 1 || msgs[0].Text != "plus tard" {
		t.Fatalf("simulator got %+v", msgs)
	}
}

func TestLogsPaginationAndWhy(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	c.post("/workflows/edit", url.Values{"yaml": {prixYAML}, "op": {"save"}})
	for i := range 25 {
		simSend(t, c, fmt.Sprintf("+3360000%04d", i), "prix")
	}
	seen := map[string]bool{}
	next := "/logs?period=today&limit=10"
	pages := 0
	idRe := regexp.MustCompile(`<a href="/logs\?period=all&amp;session=simulator&amp;phone=%2b(\d+)">`)
	for next != "" {
		code, page := c.get(next)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", next, code)
		}
		pages++
		for _, m := range idRe.FindAllStringSubmatch(page, -1) {
			if seen[m[1]] {
				t.Fatalf("entry %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		if pages == 1 && !strings.Contains(page, `text contains &#34;prix&#34; → true`) {
			t.Fatalf("no why in:\n%s", excerpt(page, "trace"))
		}
		next = ""
		if m := regexp.MustCompile(`href="(/logs\?[^"]+)" id="next-page"`).FindStringSubmatch(page); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != 25 || pages != 3 {
		t.Fatalf("%d entries on %d pages, want 25 on 3", len(seen), pages)
	}
	// Conversation filter and history.
	_, page := c.get("/logs?period=all&session=simulator&phone=%2B33600000007")
	if n := len(idRe.FindAllString(page, -1)); n != 1 || !strings.Contains(page, "Nos prix sont sur le site.") {
		t.Fatalf("conversation filter: %d entries", n)
	}
	// Custom period in the past: nothing.
	_, page = c.get("/logs?period=custom&from=2020-01-01&to=2020-01-31")
	if !strings.Contains(page, "No executions in this period") {
		t.Fatal("custom period in 2020 shows entries")
	}
	if code, _ := c.get("/logs?period=custom&from=x"); code != http.StatusBadRequest {
		t.Fatalf("bad custom period: %d", code)
	}
}

func TestNumbersModulesAndCredits(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	c.post("/numbers", url.Values{"id": {"shop"}, "label": {"Boutique"}})
	if _, _, resp := c.post("/numbers", url.Values{"id": {"Bad Id!"}}); !strings.Contains(resp.Header.Get("Location"), "lower-case") {
		t.Fatalf("bad id: %q", resp.Header.Get("Location"))
	}
	c.post("/numbers/shop/modules", url.Values{"workflows": {"on"}, "scheduled": {"on"}})
	s, _ := ta.store.Session(t.Context(), "shop")
	if s.Enabled(workflow.ModuleAI) || !s.Enabled(workflow.ModuleWorkflows) || !s.Enabled(workflow.ModuleScheduled) {
		t.Fatalf("modules %+v", s.Disabled)
	}
	c.post("/numbers/shop/label", url.Values{"label": {"Ventes"}})
	s, _ = ta.store.Session(t.Context(), "shop")
	if s.Label != "Ventes" || s.Enabled(workflow.ModuleAI) {
		t.Fatalf("label change lost modules: %+v", s)
	}
	_, page := c.get("/numbers")
	if !strings.Contains(page, "Ventes") || !strings.Contains(page, `dot yellow`) || !strings.Contains(page, `dot green`) {
		t.Fatal("numbers page lacks status colours")
	}
	c.post("/numbers/shop/delete", nil)
	if s, _ := ta.store.Session(t.Context(), "shop"); s.Status != workflow.SessionDeleted {
		t.Fatalf("after delete: %s", s.Status)
	}
	if code, _, _ := c.post("/numbers/simulator/delete", nil); code != http.StatusBadRequest {
		t.Fatalf("deleting the simulator: %d", code)
	}
	// Credits and prompt.
	c.post("/ai/credits", url.Values{"balance": {"42"}})
	if n, _ := ta.store.CreditBalance(t.Context()); n != 42 {
		t.Fatalf("balance %d", n)
	}
	if _, _, resp := c.post("/ai/credits", url.Values{"balance": {"-1"}}); !strings.Contains(resp.Header.Get("Location"), "not+a+credit") {
		t.Fatal("negative balance accepted")
	}
	c.post("/ai/prompt", url.Values{"prompt": {"Tu es la boutique Laine."}})
	if p := ta.accountPrompt(t.Context()); p != "Tu es la boutique Laine." {
		t.Fatalf("prompt %q", p)
	}
	if _, page := c.get("/ai"); !strings.Contains(page, `value="42"`) || !strings.Contains(page, "boutique Laine") {
		t.Fatal("AI page lacks balance or prompt")
	}
}

func TestSettingsPasswordAndUsers(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	c.post("/settings/users", url.Values{"user": {"alice"}, "password": {"alice password"}})
	u, err := ta.dash.User(t.Context(), "alice")
	if err != nil || u.Admin {
		t.Fatalf("alice: %+v %v", u, err)
	}
	a := ta.client(t)
	a.login("alice", "alice password")
	if code, _, _ := a.post("/settings/users", url.Values{"user": {"bob"}, "password": {"bob password"}}); code != http.StatusForbidden {
		t.Fatalf("non-admin adds a user: %d", code)
	}
	a.post("/settings/password", url.Values{"current": {"alice password"}, "new": {"new alice password"}})
	if code, _ := a.get("/simulator/messages"); code != http.StatusUnauthorized {
		t.Fatal("a password change must end the sessions")
	}
	a.login("alice", "new alice password")
}

func TestFirstRunPrintsOneTimePassword(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	o := options{DB: dir + "/waauto.db", TZ: "UTC", AdminUser: "admin", NoWhatsApp: true}
	a, err := newApp(t.Context(), o, &out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`one-time password (\S+) `).FindStringSubmatch(out.String())
	if m == nil {
		a.close()
		t.Fatalf("no password printed: %q", out.String())
	}
	srv := httptest.NewServer(a.dashboard)
	(&testApp{app: a, srv: srv}).client(t).login("admin", m[1]) // fails the test unless the printed password logs in
	srv.Close()
	if u, err := a.dash.User(t.Context(), "admin"); err != nil || !u.Admin {
		t.Fatalf("first user: %+v %v, want an admin", u, err)
	}
	a.close()
	out.Reset()
	a, err = newApp(t.Context(), o, &out)
	if err != nil {
		t.Fatal(err)
	}
	a.close()
	if out.Len() != 0 {
		t.Fatalf("second run printed %q", out.String())
	}
}

func TestServeBadFlagsAndDatabase(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--db", dir + "/missing/dir/x.db", "--no-whatsapp"}, 1, "waauto: open sqlite " + dir + "/missing/dir/x.db"},
		{[]string{"--tz", "Mars/Olympus", "--db", dir + "/a.db"}, 1, `--tz "Mars/Olympus"`},
		{[]string{"serve", "--ai-provider", "skynet", "--db", dir + "/b.db"}, 1, `--ai-provider "skynet"`},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
	} {
		var out, errb bytes.Buffer
		code := Run(t.Context(), tc.args, nil, &out, &errb)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if code != tc.code || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line with %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
}

func TestServeStopsOnCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"--db", dir + "/waauto.db", "--addr", "127.0.0.1:0"}, nil, &out, &errb)
	}()
	addr := servedAddr(t, &out)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(out.String(), "stopped") {
		t.Fatalf("stdout %q", out.String())
	}
}

func TestAIFallbackHandsOff(t *testing.T) {
	if got := (aiOptions{}).fallback(); got != nil {
		t.Fatalf("no fallback agent: %+v", got)
	}
	steps := aiOptions{FallbackAgent: "alice"}.fallback()
	if len(steps) != 2 || steps[0].Action.(*action.Assign).Agent != "alice" || steps[1].Action.(*action.Label).Add[0] != "handoff" {
		t.Fatalf("fallback = %+v", steps)
	}
}
