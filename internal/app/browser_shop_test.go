package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/waauto/waauto/workflow"
)

// screenshots is where WAAUTO_SCREENSHOTS=DIR asks the journeys to save
// their pages ("" = nowhere).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("WAAUTO_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
}

// TestBrowserLanguageSwitch: the switch at the top turns the dashboard to
// French and back, and the choice stays from page to page.
func TestBrowserLanguageSwitch(t *testing.T) {
	// Credits on, as in a fresh product (TestCreditsOnByDefault): the
	// screenshots show the box ticked.
	ta := startApp(t, "", func(o *options) { o.MeterCredits = true })
	b := newBrowser(t, ta, 1280, 900)
	base := b.base
	b.login("/numbers")
	b.step("numbers", chromedp.WaitVisible(`#langs`))
	if nav := b.text(`header nav`); !strings.Contains(nav, "Numbers") {
		t.Fatalf("nav before switching: %q", nav)
	}
	b.step("to French", chromedp.Click(`#langs button[value="fr"]`), chromedp.WaitVisible(`html[lang="fr"] #langs button.on[value="fr"]`))
	if nav, h1 := b.text(`header nav`), b.text(`h1`); !strings.Contains(nav, "Numéros") || !strings.Contains(nav, "Réglages") || h1 != "Numéros" {
		t.Fatalf("after switching to French: nav %q, h1 %q", nav, h1)
	}
	b.step("another page", chromedp.Navigate(base+"/settings/shop"), chromedp.WaitVisible(`#shop`))
	if h1 := b.text(`h1`); h1 != "Boutique" {
		t.Fatalf("shop page in French: h1 %q", h1)
	}
	b.screenshot("shop-fr")
	// The engine's reason for a run is French too.
	b.step("save a workflow", chromedp.Navigate(base+"/workflows/edit"), chromedp.WaitVisible(`#yaml`),
		chromedp.SetValue(`#yaml`, prixYAML), chromedp.Click(`button[value="save"]`), chromedp.WaitVisible(`#bulk`))
	b.step("simulator", chromedp.Navigate(base+"/simulator"), chromedp.WaitVisible(`#sim-text`),
		chromedp.SendKeys(`#sim-text`, "le prix ?"), chromedp.Click(`#sim-send`),
		chromedp.Poll[chromedp.Void](`document.querySelector("#why").textContent.includes("conditions remplies")`))
	b.step("shop page again", chromedp.Navigate(base+"/settings/shop"), chromedp.WaitVisible(`#shop`))
	b.step("back to English", chromedp.Click(`#langs button[value="en"]`), chromedp.WaitVisible(`html[lang="en"] #shop`))
	if h1 := b.text(`h1`); h1 != "Shop" {
		t.Fatalf("after switching back: h1 %q", h1)
	}
	b.screenshot("shop-en")
}

// TestBrowserShopZoneFollowsInSimulator: an out-of-hours rule open now in
// Paris says nothing; once the shop's zone is set to one 12 hours away, the
// same message in the simulator gets the closed reply.
func TestBrowserShopZoneFollowsInSimulator(t *testing.T) {
	ta := startApp(t, "")
	b := newBrowser(t, ta, 1280, 900)
	base := b.base
	b.login("/workflows/edit")
	b.step("save the rule", chromedp.WaitVisible(`#yaml`), chromedp.SetValue(`#yaml`, closedAroundNowYAML(ta.loc)),
		chromedp.Click(`button[value="save"]`), chromedp.WaitVisible(`#bulk`))
	send := func(what, text string) {
		t.Helper()
		b.step(what, chromedp.Navigate(base+"/simulator"), chromedp.WaitVisible(`#sim-text`),
			chromedp.SendKeys(`#sim-text`, text), chromedp.Click(`#sim-send`),
			// the page empties the field once the answer is shown
			chromedp.Poll[chromedp.Void](`document.querySelector("#sim-text").value === ""`))
	}
	send("simulator, open", "hello")
	b.step("why, open", chromedp.Poll[chromedp.Void](`document.querySelector("#why").textContent.includes("No workflow ran")`))
	b.step("shop settings", chromedp.Navigate(base+"/settings/shop"), chromedp.WaitVisible(`#first-run`),
		chromedp.SetValue(`#time_zone`, "Pacific/Kiritimati"), chromedp.Submit(`#time_zone`),
		chromedp.WaitVisible(`p.flash`))
	if flash := b.text(`p.flash`); !strings.Contains(flash, "Pacific/Kiritimati") {
		t.Fatalf("after saving the zone: %q", flash)
	}
	b.screenshot("shop")
	send("simulator, closed", "hello again")
	b.step("closed reply", chromedp.WaitVisible(`#chat li.automation`))
	if reply, why := b.text(`#chat li.automation .text`), b.text(`#why`); reply != "We are closed" || !strings.Contains(why, "Closed — fired") {
		t.Fatalf("after the zone change: reply %q, why %q", reply, why)
	}
	b.step("logs", chromedp.Navigate(base+"/logs"), chromedp.WaitVisible(`table.logs`))
	if head := b.text(`table.logs thead`); !strings.Contains(strings.ToLower(head), "pacific/kiritimati") { // shown upper-case
		t.Fatalf("logs header %q: want the shop's zone", head)
	}
}

// TestBrowserConversation: from the Conversations page, open a
// conversation, assign it then unassign it, add a label, and reply as an
// agent; the reply shows in the history and in the simulator.
func TestBrowserConversation(t *testing.T) {
	ta := startApp(t, "")
	b := newBrowser(t, ta, 1280, 900)
	base := b.base
	ta.addUser(t, "lea", "agent password 1", false)
	b.login("/simulator")
	b.step("a customer writes", chromedp.WaitVisible(`#sim-text`), chromedp.SendKeys(`#sim-text`, "Bonjour, vous êtes ouverts ?"),
		chromedp.Click(`#sim-send`), chromedp.Poll[chromedp.Void](`document.querySelector("#sim-text").value === ""`))
	b.step("conversations", chromedp.Navigate(base+"/conversations"), chromedp.WaitVisible(`#conversations tr.awaiting`))
	b.screenshot("conversations")
	b.step("open it", chromedp.Click(`#conversations tr.awaiting a`), chromedp.WaitVisible(`#assign`))
	b.step("assign", chromedp.SetValue(`#assign select`, "lea"), chromedp.Submit(`#assign select`), chromedp.WaitVisible(`#unassign`))
	if agent := b.text(`#agent`); !strings.Contains(agent, "Assigned to lea") {
		t.Fatalf("after assigning: %q", agent)
	}
	b.step("unassign", chromedp.Click(`#unassign button`), chromedp.WaitNotPresent(`#unassign`))
	if agent := b.text(`#agent`); !strings.Contains(agent, "Not assigned") {
		t.Fatalf("after unassigning: %q", agent)
	}
	b.step("add a label", chromedp.SendKeys(`#add-label input[name="add"]`, "vip"), chromedp.Submit(`#add-label input[name="add"]`),
		chromedp.WaitVisible(`#labels button[value="vip"]`))
	b.step("reply", chromedp.SendKeys(`#reply textarea`, "Oui, jusqu'à 19 h !"), chromedp.Submit(`#reply textarea`),
		chromedp.WaitVisible(`#history li.agent`))
	if reply := b.text(`#history li.agent`); !strings.Contains(reply, "Oui, jusqu'à 19 h !") {
		t.Fatalf("history after the reply: %q", reply)
	}
	b.screenshot("conversation")
	b.step("simulator", chromedp.Navigate(base+"/simulator"), chromedp.WaitVisible(`#chat li.automation`))
	if got := b.text(`#chat li.automation .text`); got != "Oui, jusqu'à 19 h !" {
		t.Fatalf("the simulator shows %q", got)
	}
}

// TestBrowserConnectWhatsApp: "Connect WhatsApp" with a name shows the QR
// code with its countdown; once WhatsApp says the number is connected,
// the page goes back to the numbers with its status.
func TestBrowserConnectWhatsApp(t *testing.T) {
	ta := startApp(t, "")
	b := newBrowser(t, ta, 1280, 900)
	b.login("/numbers")
	b.step("connect", chromedp.WaitVisible(`#connect`), chromedp.SendKeys(`#connect input[name="label"]`, "Boutique"),
		chromedp.Submit(`#connect input[name="label"]`), chromedp.WaitVisible(`#qr-img`), chromedp.WaitVisible(`#qr-countdown`))
	if left := b.text(`#qr-countdown`); !strings.HasSuffix(left, " s") {
		t.Fatalf("countdown %q", left)
	}
	b.screenshot("link")
	if err := ta.engine.SetConnected(t.Context(), "boutique", true); err != nil {
		t.Fatal(err)
	}
	b.step("connected", chromedp.WaitVisible(`p.flash`))
	if flash, row := b.text(`p.flash`), b.text(`table.list`); flash != "Boutique is linked and connected." || !strings.Contains(row, "connected") {
		t.Fatalf("after connecting: flash %q, numbers %q", flash, row)
	}
	b.screenshot("numbers")
}

// TestBrowserAIFailureInSimulator: without a model, the simulator says
// that the AI reply failed and what the fallback did; the AI page shows
// its usage chart.
func TestBrowserAIFailureInSimulator(t *testing.T) {
	ta := startApp(t, "", func(o *options) { o.AI.FallbackAgent = "admin" })
	b := newBrowser(t, ta, 1280, 900)
	defs, err := workflow.Load("old.yaml", []byte(aiYAML), workflow.LoadOptions{})
	if err == nil {
		err = ta.engine.SetWorkflows(t.Context(), defs)
	}
	if err != nil {
		t.Fatal(err)
	}
	b.login("/simulator")
	b.step("send", chromedp.WaitVisible(`#sim-text`), chromedp.SendKeys(`#sim-text`, "Bonjour"), chromedp.Click(`#sim-send`),
		chromedp.WaitVisible(`#why .ai-failed`))
	if failed, fallback := b.text(`#why .ai-failed`), b.text(`#why .fallback`); failed != "AI reply failed: no model configured" || !strings.Contains(fallback, "assign: fired") {
		t.Fatalf("why panel: %q, %q", failed, fallback)
	}
	b.screenshot("simulator-ai-failed")
	b.step("ai page", chromedp.Navigate(b.base+"/ai"), chromedp.WaitVisible(`#usage-chart`))
	b.screenshot("ai")
}
