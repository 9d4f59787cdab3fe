package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAgentAwayAndPastSchedule: on Settings an admin sets itself
// away and sees its status change; on Scheduled messages a time in the
// past is refused with the typed message kept and "send now" offered.
func TestBrowserAgentAwayAndPastSchedule(t *testing.T) {
	ta := startApp(t, "")
	b := newBrowser(t, ta, 1280, 900)
	b.login("/settings")
	b.step("settings", chromedp.WaitVisible(`#my-state`))
	b.step("set away", chromedp.Click(`#my-state button[value="away"]`), chromedp.WaitVisible(`#my-state button[value="active"]`))
	if flash, state := b.text(`p.flash`), b.text(`#my-state .badge`); !strings.Contains(flash, "admin is away") || state != "away" {
		t.Fatalf("after setting away: flash %q, status %q", flash, state)
	}
	if away, _ := ta.dash.Away(t.Context()); !away["admin"] {
		t.Fatal("admin is not marked away")
	}
	b.screenshot("settings-away")

	past := time.Now().In(ta.loc).Add(-3 * time.Hour)
	b.step("scheduled", chromedp.Navigate(b.base+"/scheduled"), chromedp.WaitVisible(`#schedule`),
		chromedp.SetValue(`#schedule input[name="phone"]`, "+33 6 11 11 11 11"),
		chromedp.SetValue(`#schedule input[name="date"]`, past.Format(time.DateOnly)),
		chromedp.SetValue(`#schedule input[name="time"]`, past.Format("15:04")),
		chromedp.SetValue(`#schedule input[name="text"]`, "Votre commande est prête"),
		chromedp.Click(`#schedule button.primary`), chromedp.WaitVisible(`#send-now`))
	if e := b.text(`p.error`); !strings.Contains(e, "Date and time: "+past.Format("2006-01-02 15:04")+" (Europe/Paris) is in the past") {
		t.Fatalf("past time error %q", e)
	}
	if kept, err := chromedp.Run(b.ctx, chromedp.Value(`#schedule input[name="text"]`)); err != nil || kept != "Votre commande est prête" {
		t.Fatalf("the message typed is lost: %q, %v", kept, err)
	}
	b.screenshot("scheduled-past")
}
