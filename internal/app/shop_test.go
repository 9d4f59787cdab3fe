package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/internal/dashboard"
	"github.com/waauto/waauto/workflow"
)

// follow reads the page a redirect goes to.
func (c *client) follow(resp *http.Response) (int, string) {
	c.t.Helper()
	loc := resp.Header.Get("Location")
	if loc == "" {
		c.t.Fatalf("no redirect (status %d)", resp.StatusCode)
	}
	return c.get(loc)
}

func TestLanguageFromBrowserAndSwitch(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.header.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
	if code, body := c.get("/login"); code != http.StatusOK || !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "Se connecter") {
		t.Fatalf("login page for a French browser: %d\n%s", code, body)
	}
	code, body, _ := c.post("/login", url.Values{"user": {"admin"}, "password": {"wrong password"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "Nom d’utilisateur ou mot de passe incorrect") || !strings.Contains(body, `class="error"`) {
		t.Fatalf("wrong password in French: %d\n%s", code, body)
	}
	c.login("admin", testPassword)
	if _, body := c.get("/numbers"); !strings.Contains(body, "Nom du numéro") || strings.Contains(body, "Name of the number") {
		t.Fatalf("numbers page is not in French:\n%s", body)
	}
	// A handler's message follows the language, styled as an error.
	_, _, resp := c.post("/numbers", url.Values{"id": {"Bad Id!"}})
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "err=") {
		t.Fatalf("a refused number id redirects to %q: want an error", loc)
	}
	if _, body := c.follow(resp); !strings.Contains(body, `<p class="error" role="alert">Identifiant &#34;bad id!&#34;`) {
		t.Fatalf("refused id, French error not shown as an error:\n%s", body)
	}
	// The switch wins over the browser, and comes back to the page.
	code, _, resp = c.post("/lang", url.Values{"lang": {"en"}, "next": {"/workflows"}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/workflows" {
		t.Fatalf("switch to English: %d to %q", code, resp.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == dashboard.LangCookie {
			ck = x
		}
	}
	if ck == nil || ck.Value != "en" || !ck.HttpOnly || ck.MaxAge < 30*24*3600 {
		t.Fatalf("language cookie %+v", ck)
	}
	if _, body := c.get("/workflows"); !strings.Contains(body, ">Simulator</a>") || !strings.Contains(body, `<html lang="en">`) {
		t.Fatalf("workflows after switching to English:\n%s", body)
	}
	c.post("/lang", url.Values{"lang": {"fr"}, "next": {"/workflows"}})
	if _, body := c.get("/workflows"); !strings.Contains(body, ">Simulateur</a>") {
		t.Fatalf("workflows after switching back to French:\n%s", body)
	}
	// Unknown languages and off-site targets are refused.
	if code, _, _ := c.post("/lang", url.Values{"lang": {"de"}}); code != http.StatusBadRequest {
		t.Errorf("lang=de: %d, want 400", code)
	}
	if _, _, resp := c.post("/lang", url.Values{"lang": {"en"}, "next": {"//evil.example"}}); resp.Header.Get("Location") != "/numbers" {
		t.Errorf("off-site next: redirected to %q", resp.Header.Get("Location"))
	}
}

// TestEveryPageInBothLanguages renders each page in English and French:
// the French page differs, and no catalogue key shows raw.
func TestEveryPageInBothLanguages(t *testing.T) {
	ta := startApp(t, "")
	pages := []string{"/numbers", "/workflows", "/workflows/edit", "/simulator", "/scheduled", "/exclusions", "/logs", "/ai", "/settings"}
	bodies := map[string]map[string]string{}
	for _, lang := range []string{"en", "fr"} {
		c := ta.client(t)
		c.login("admin", testPassword)
		c.post("/lang", url.Values{"lang": {lang}})
		bodies[lang] = map[string]string{}
		for _, p := range pages {
			code, body := c.get(p)
			if code != http.StatusOK || !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Fatalf("%s in %s: %d", p, lang, code)
			}
			for _, raw := range []string{"nav.", "common.", ".title", ".err."} {
				if strings.Contains(body, ">"+raw) || strings.Contains(body, raw+"<") {
					t.Errorf("%s in %s shows a raw key around %q", p, lang, raw)
				}
			}
			bodies[lang][p] = body
		}
	}
	for _, p := range pages {
		if bodies["en"][p] == bodies["fr"][p] {
			t.Errorf("%s is the same in both languages", p)
		}
	}
}

// closedAroundNowYAML is an out-of-hours rule whose opening hours, in
// loc, run from an hour before now to two hours after: open now in loc,
// closed now in a zone 10 or more hours away.
func closedAroundNowYAML(loc *time.Location) string {
	h := time.Now().In(loc).Hour()
	return fmt.Sprintf(`workflows:
  - name: Closed
    trigger: incoming_message
    conditions: {not: {schedule: {from: "%02d:00", to: "%02d:00"}}}
    actions: [{reply: {text: "We are closed"}}]
`, (h+23)%24, (h+2)%24)
}

func TestShopSettings(t *testing.T) {
	dir := t.TempDir()
	ta := startApp(t, dir)
	ta.addUser(t, "lea", "agent password 1", false)
	agent := ta.client(t)
	agent.login("lea", "agent password 1")
	c := ta.client(t)
	c.login("admin", testPassword)

	// First run: the flag's zone, asked to be confirmed on every page.
	if _, body := c.get("/numbers"); !strings.Contains(body, `id="ask-zone"`) || !strings.Contains(body, "Europe/Paris") {
		t.Fatalf("first run does not ask for the time zone:\n%s", body)
	}
	if code, body := agent.get("/settings/shop"); code != http.StatusOK || !strings.Contains(body, `value="Europe/Paris"`) || !strings.Contains(body, "Only an admin") {
		t.Fatalf("shop page for an agent: %d", code)
	}
	good := url.Values{"time_zone": {"Pacific/Kiritimati"}, "lang": {"fr"}, "country": {"fr"}}
	if code, _, _ := agent.post("/settings/shop", good); code != http.StatusForbidden {
		t.Fatalf("agent saves shop settings: %d, want 403", code)
	}
	// The out-of-hours rule is open now in Paris.
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {closedAroundNowYAML(ta.loc)}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("saving the out-of-hours rule: %d", code)
	}
	if execs, _ := simSend(t, c, "+33600000001", "hello"); len(execs) != 0 {
		t.Fatalf("open in Paris, yet %v", execs)
	}
	// Bad fields are named, shown as errors, and nothing changes.
	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"time_zone": {"Mars/Olympus"}, "lang": {"en"}}, "Time zone: &#34;Mars/Olympus&#34; is not an IANA time zone"},
		{url.Values{"time_zone": {"Local"}, "lang": {"en"}}, "Time zone: &#34;Local&#34;"},
		{url.Values{"time_zone": {"UTC"}, "lang": {"de"}}, "Unknown language &#34;de&#34;"},
		{url.Values{"time_zone": {"UTC"}, "lang": {"en"}, "country": {"France"}}, "Default country: &#34;FRANCE&#34; is not a two-letter country code"},
	} {
		code, body, _ := c.post("/settings/shop", bad.form)
		if code != http.StatusBadRequest || !strings.Contains(body, `<p class="error" role="alert">`+bad.want) {
			t.Errorf("%v: %d, want 400 with %q", bad.form, code, bad.want)
		}
		if !strings.Contains(body, `value="`+bad.form.Get("time_zone")+`"`) {
			t.Errorf("%v: the typed zone is not kept", bad.form)
		}
	}
	if s, _ := ta.dash.Shop(t.Context(), dashboard.ShopSettings{}); s.Confirmed || ta.engine.Location().String() != "Europe/Paris" {
		t.Fatalf("after refused saves: saved %+v, engine zone %s", s, ta.engine.Location())
	}
	// A good save applies at once: the engine's zone, credits, the pages.
	code, _, resp := c.post("/settings/shop", good)
	if code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "msg=") {
		t.Fatalf("save: %d %q", code, resp.Header.Get("Location"))
	}
	if ta.engine.Location().String() != "Pacific/Kiritimati" || ta.engine.MeterCredits() {
		t.Fatalf("engine after save: zone %s, credits %v", ta.engine.Location(), ta.engine.MeterCredits())
	}
	if execs, _ := simSend(t, c, "+33600000002", "hello"); len(execs) != 1 || execs[0]["Workflow"] != "Closed" || execs[0]["Outcome"] != "fired" {
		t.Fatalf("closed in Kiritimati, yet %v", execs)
	}
	c.header.Set("Accept-Language", "de")
	if _, body := c.get("/logs"); !strings.Contains(body, "Heure (Pacific/Kiritimati)") || strings.Contains(body, `id="ask-zone"`) || !strings.Contains(body, "&#43;14</td>") {
		t.Fatalf("logs after save: want French (the shop's language), the new zone named, no question:\n%s", body)
	}
	// Restart with another --tz: the saved settings win.
	ta.srv.Close()
	ta.app.close()
	ta2 := startApp(t, dir, func(o *options) { o.TZ = "America/New_York"; o.MeterCredits = true })
	if ta2.engine.Location().String() != "Pacific/Kiritimati" || ta2.engine.MeterCredits() {
		t.Fatalf("after restart: zone %s, credits %v", ta2.engine.Location(), ta2.engine.MeterCredits())
	}
	if s, _ := ta2.dash.Shop(t.Context(), dashboard.ShopSettings{}); s.Country != "FR" || s.Lang != "fr" || !s.Confirmed {
		t.Fatalf("saved %+v", s)
	}
}

// TestPhonesAsTyped: national numbers with the shop's country and the
// international spellings are read everywhere a number is typed; a bad
// one is an error naming its field, and nothing is saved.
func TestPhonesAsTyped(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	excluded := func() []string {
		t.Helper()
		yes := true
		list, err := ta.store.ListContacts(t.Context(), workflow.ContactQuery{Excluded: &yes})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range list {
			out = append(out, x.Phone)
		}
		return out
	}
	// No default country yet: a national number is refused, saying why.
	_, _, resp := c.post("/exclusions", url.Values{"phone": {"06 12 34 56 78"}, "op": {"exclude"}})
	if _, body := c.follow(resp); !strings.Contains(body, `<p class="error" role="alert">Phone: &#34;06 12 34 56 78&#34; is not a phone number: give the country code`) {
		t.Fatalf("national number without a default country:\n%s", body)
	}
	if got := excluded(); len(got) != 0 {
		t.Fatalf("excluded after a refused number: %v", got)
	}
	if code, _, _ := c.post("/settings/shop", url.Values{"time_zone": {"Europe/Paris"}, "lang": {"en"}, "country": {"FR"}}); code != http.StatusSeeOther {
		t.Fatalf("setting the country: %d", code)
	}
	for _, typed := range []string{"06 12 34 56 78", "06.12.34.56.78", "(+33) 6 12 34 56 78", "0033 6 12 34 56 78", "+33\u00a06\u00a012\u00a034\u00a056\u00a078"} {
		if code, _, resp := c.post("/exclusions", url.Values{"phone": {typed}, "op": {"exclude"}}); code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "msg=%2B33612345678") {
			t.Errorf("exclude %q: %d %q", typed, code, resp.Header.Get("Location"))
		}
	}
	if got := excluded(); len(got) != 1 || got[0] != "+33612345678" {
		t.Fatalf("excluded: %v", got)
	}
	for _, bad := range []struct{ typed, why string }{
		{"06 12 34", "too few digits"},
		{"+999 612345678", "the country code is unknown"},
		{"call me", "use digits"},
	} {
		_, _, resp := c.post("/exclusions", url.Values{"phone": {bad.typed}, "op": {"exclude"}})
		if _, body := c.follow(resp); !strings.Contains(body, `<p class="error" role="alert">Phone: `) || !strings.Contains(body, bad.why) {
			t.Errorf("exclude %q: want the field and %q", bad.typed, bad.why)
		}
	}
	// Scheduled messages and the logs filter read the same way.
	day := time.Now().In(ta.loc).AddDate(0, 0, 2).Format("2006-01-02")
	_, _, resp = c.post("/scheduled", url.Values{"session": {"simulator"}, "phone": {"07 00 00 00 01"}, "date": {day}, "time": {"09:30"}, "text": {"Rappel"}})
	if list, err := ta.store.ListScheduled(t.Context(), workflow.ScheduleQuery{}); err != nil || len(list) != 1 || list[0].Phone != "+33700000001" {
		t.Fatalf("scheduled %v %v (redirect %q)", list, err, resp.Header.Get("Location"))
	}
	if code, body, _ := c.post("/scheduled", url.Values{"session": {"simulator"}, "phone": {"07 00"}, "date": {day}, "time": {"09:30"}, "text": {"Rappel"}}); code != http.StatusBadRequest ||
		!strings.Contains(body, `<p class="error" role="alert">To: &#34;07 00&#34; is not a phone number`) || !strings.Contains(body, `name="phone" value="07 00"`) {
		t.Fatalf("bad scheduled number:\n%s", body)
	}
	if list, _ := ta.store.ListScheduled(t.Context(), workflow.ScheduleQuery{}); len(list) != 1 {
		t.Fatalf("a refused number was scheduled: %v", list)
	}
	if code, body := c.get("/logs?phone=" + url.QueryEscape("06 1")); code != http.StatusBadRequest || !strings.Contains(body, "Conversation (phone): &#34;06 1&#34; is not a phone number") {
		t.Fatalf("logs filter with a bad number: %d", code)
	}
	// The phone condition of the editor takes national numbers too.
	vip := "name: VIP\ntrigger: incoming_message\nconditions: {phone: {in: [\"06 99 88 77 66\"]}}\nactions: [{reply: {text: Bonjour VIP}}]\n"
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {vip}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("saving a phone condition with a national number: %d", code)
	}
	if execs, msgs := simSend(t, c, "06 99 88 77 66", "hello"); len(execs) != 1 || execs[0]["Workflow"] != "VIP" || len(msgs) != 2 || msgs[0].Phone != "+33699887766" {
		t.Fatalf("simulator from a national number: %v %+v", execs, msgs)
	}
	code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {strings.Replace(vip, "06 99 88 77 66", "06 99", 1)}, "op": {"save"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "phone number &#34;06 99&#34;: too short") {
		t.Fatalf("a short number in a phone condition: %d", code)
	}
}
