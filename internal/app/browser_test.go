package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser
// (scripts/install-test-deps.sh).
const chromiumPath = "/usr/bin/chromium"

// TestBrowserLoginEditorSimulator drives the dashboard in a real headless
// Chromium: log in, save a workflow in the YAML editor, send a message in
// the chat simulator and see the reply.
func TestBrowserLoginEditorSimulator(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s is missing; run scripts/install-test-deps.sh to install Chromium", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ta := startApp(t, "")

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	base := ta.srv.URL
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser, %s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("browser, reading %s: %v", sel, err)
		}
		return s
	}
	// A protected page sends the browser to the login form first.
	step("login", chromedp.Navigate(base+"/workflows/edit"),
		chromedp.WaitVisible(`input[name="password"]`),
		chromedp.SetValue(`input[name="user"]`, "admin"),
		chromedp.SendKeys(`input[name="password"]`, testPassword),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`#yaml`))
	step("editor", chromedp.SetValue(`#yaml`, prixYAML),
		chromedp.Click(`button[value="save"]`),
		chromedp.WaitVisible(`#workflows`))
	listed := text(`#workflows tbody`)
	step("simulator", chromedp.Navigate(base+"/simulator"),
		chromedp.WaitVisible(`#sim-text`),
		chromedp.SendKeys(`#sim-text`, "Quel est le prix ?"),
		chromedp.Click(`#sim-send`),
		chromedp.WaitVisible(`#chat li.automation`))
	reply := text(`#chat li.automation .text`)
	why := text(`#why`)
	if !strings.Contains(listed, "Prix") {
		t.Errorf("workflow list after saving: %q", listed)
	}
	if reply != "Nos prix sont sur le site." {
		t.Errorf("simulator reply %q", reply)
	}
	if !strings.Contains(why, "Prix — fired") || !strings.Contains(why, `text contains "prix"`) {
		t.Errorf("why panel %q", why)
	}
	// WAAUTO_SCREENSHOTS=DIR saves a PNG of each page, to look at them.
	if dir := os.Getenv("WAAUTO_SCREENSHOTS"); dir != "" {
		shoot := func(name string) {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
			}
		}
		shoot("simulator")
		for _, p := range []string{"numbers", "workflows", "logs", "ai", "scheduled", "exclusions", "settings"} {
			step(p, chromedp.Navigate(base+"/"+p), chromedp.WaitVisible(`main`))
			shoot(p)
		}
		step("link", chromedp.Navigate(base+"/numbers"), chromedp.SetValue(`input[name="id"]`, "shop"),
			chromedp.Submit(`input[name="id"]`), chromedp.WaitVisible(`.flash`),
			chromedp.Click(`form[action="/numbers/shop/link"] button`), chromedp.WaitVisible(`#qr-img`))
		shoot("link")
		step("editor errors", chromedp.Navigate(base+"/workflows/edit"), chromedp.SetValue(`#yaml`, badYAML),
			chromedp.Click(`button[value="check"]`), chromedp.WaitVisible(`#errors`))
		shoot("editor")
	}
}
