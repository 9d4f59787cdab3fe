package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// TestScheduledPastRefused: a time in the past is refused with an error
// naming the field and the shop's zone, what was typed is kept, nothing
// is scheduled, and "send now" is offered; choosing it sends at once.
func TestScheduledPastRefused(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	past := time.Now().In(ta.loc).Add(-2 * time.Hour)
	form := url.Values{"session": {"simulator"}, "phone": {"+33 6 11 11 11 11"}, "date": {past.Format(time.DateOnly)}, "time": {past.Format("15:04")}, "text": {"Rappel <b>"}}
	code, body, _ := c.post("/scheduled", form)
	if code != http.StatusBadRequest || !strings.Contains(body, `<p class="error" role="alert">Date and time: `+past.Format("2006-01-02 15:04")+` (Europe/Paris) is in the past`) {
		t.Fatalf("past time: %d\n%s", code, excerpt(body, "error"))
	}
	for _, kept := range []string{`name="phone" value="&#43;33 6 11 11 11 11"`, `name="date" value="` + past.Format(time.DateOnly) + `"`, `name="time" value="` + past.Format("15:04") + `"`, `name="text" value="Rappel &lt;b&gt;"`, `id="send-now"`} {
		if !strings.Contains(body, kept) {
			t.Errorf("the refused form lacks %s", kept)
		}
	}
	if list, _ := ta.store.ListScheduled(t.Context(), workflow.ScheduleQuery{}); len(list) != 0 {
		t.Fatalf("a past time was scheduled: %v", list)
	}
	form.Set("send_now", "1")
	if code, _, resp := c.post("/scheduled", form); code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "msg=") {
		t.Fatalf("send now: %d %q", code, resp.Header.Get("Location"))
	}
	waitFor(t, "the message sent now", func() bool {
		list, _ := ta.store.ListScheduled(t.Context(), workflow.ScheduleQuery{Status: []workflow.ScheduleStatus{workflow.ScheduleSent}})
		return len(list) == 1 && list[0].Text == "Rappel <b>"
	})
	// The form names the zone beside the time and under the form.
	if _, body := c.get("/scheduled"); !strings.Contains(body, "Time (Europe/Paris) <input type=\"time\"") || !strings.Contains(body, "Date and time are in the shop&#39;s time zone, Europe/Paris.") {
		t.Errorf("the form does not name the shop's zone:\n%s", excerpt(body, `id="schedule"`))
	}
}

// TestScheduledPeriods: every tab has a period filter in the shop's zone:
// the pending tab looks ahead, the others back; custom days bound both
// ways; a bad period is an error naming the field.
func TestScheduledPeriods(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	ctx := t.Context()
	now := time.Now().In(ta.loc)
	day := func(d, h int) time.Time {
		return engine.LocalTime(now.Year(), now.Month(), now.Day()+d, h, 0, 0, ta.loc)
	}
	for _, m := range []struct {
		text string
		at   time.Time
	}{{"in-3-days", day(3, 10)}, {"in-20-days", day(20, 10)}, {"in-60-days", day(60, 10)}, {"tonight", day(0, 23)}} {
		if _, err := ta.engine.Schedule(ctx, engine.ScheduleRequest{Session: "simulator", Phone: "+33611111111", Text: m.text, At: m.at}); err != nil {
			t.Fatal(err)
		}
	}
	if now.Hour() == 23 {
		t.Skip("the 'tonight' message may be due already")
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"status=pending", []string{"tonight", "in-3-days", "in-20-days", "in-60-days"}},
		{"status=pending&period=today", []string{"tonight"}},
		{"status=pending&period=7d", []string{"tonight", "in-3-days"}},
		{"status=pending&period=30d", []string{"tonight", "in-3-days", "in-20-days"}},
		{"status=pending&period=custom&from=" + day(2, 0).Format(time.DateOnly) + "&to=" + day(20, 0).Format(time.DateOnly), []string{"in-3-days", "in-20-days"}},
		{"status=all&period=custom&from=" + day(60, 0).Format(time.DateOnly) + "&to=" + day(60, 0).Format(time.DateOnly), []string{"in-60-days"}},
		// The other tabs look back: since the start of today.
		{"status=all&period=today", []string{"tonight", "in-3-days", "in-20-days", "in-60-days"}},
		{"status=sent&period=7d", nil},
	} {
		code, body := c.get("/scheduled?" + tc.query)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", tc.query, code)
		}
		table := body[strings.Index(body, `id="scheduled"`):]
		var got []string
		for _, m := range []string{"tonight", "in-3-days", "in-20-days", "in-60-days"} {
			if strings.Contains(table, "<td>"+m+"</td>") {
				got = append(got, m)
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: rows %v, want %v", tc.query, got, tc.want)
		}
		if tc.want != nil && !strings.Contains(table, `<small class="muted">Europe/Paris</small>`) {
			t.Errorf("%s: the zone is not named beside the times", tc.query)
		}
	}
	// The tabs keep the period.
	if _, body := c.get("/scheduled?status=pending&period=7d"); !strings.Contains(body, `href="/scheduled?status=sent&amp;period=7d&amp;from=&amp;to="`) {
		t.Error("the tabs lose the period")
	}
	for _, bad := range []struct{ query, want string }{
		{"period=year", "Unknown period &#34;year&#34;"},
		{"period=custom&from=2026-03-31", "Custom period: give two dates YYYY-MM-DD"},
		{"period=custom&from=2026-03-31&to=2026-03-01", "Period: the end &#34;2026-03-01&#34; comes before the start &#34;2026-03-31&#34;"},
	} {
		code, body := c.get("/scheduled?" + bad.query)
		if code != http.StatusBadRequest || !strings.Contains(body, `<p class="error" role="alert">`+bad.want) {
			t.Errorf("%s: %d, want 400 with %q", bad.query, code, bad.want)
		}
	}
}

// TestScheduledReasonsInTheUsersLanguage: why a scheduled message was not
// sent reads in the user's language (cancelled by a user, expired, its
// follow-up's conditions changed), and a pending message's last failed
// attempt is named as such and styled as an error, its error as the
// transport gave it.
func TestScheduledReasonsInTheUsersLanguage(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	scheduleShowcase(t, ta)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"<small>cancelled</small>", "<small>expired: still unsent 24 h after its time</small>", "<small>conditions_changed</small>",
			`<small class="err">Last attempt failed, will retry: send 3EB0: session &#34;main&#34;: not connected</small>`}},
		{"fr", []string{"<small>annulé par un utilisateur</small>", "<small>expiré : toujours pas envoyé 24 h après son heure</small>",
			"<small>les conditions ne tenaient plus au moment de l’envoi</small>",
			`<small class="err">Dernière tentative échouée, nouvel essai prévu : send 3EB0: session &#34;main&#34;: not connected</small>`}},
	} {
		c.header.Set("Accept-Language", tc.lang)
		code, body := c.get("/scheduled?status=all&period=30d")
		if code != http.StatusOK {
			t.Fatalf("%s: %d", tc.lang, code)
		}
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %s\n%s", tc.lang, want, excerpt(body, `id="scheduled"`))
			}
		}
	}
}
