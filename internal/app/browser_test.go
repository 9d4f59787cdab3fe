package app

import (
	"context"
	"os"
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
	ta := startApp(t, "")
	b := newBrowser(t, ta, 1280, 900)
	base, step, text := b.base, b.step, b.text
	// A protected page sends the browser to the login form first.
	b.login("/workflows/edit")
	step("editor page", chromedp.WaitVisible(`#yaml`))
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
}

// browser drives a headless Chromium against a test app.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newBrowser starts a headless Chromium for the test, or skips the test
// when Chromium is missing or in -short mode. It ends with the test (90 s
// at most).
func newBrowser(t *testing.T, ta *testApp, width, height int) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s is missing; run scripts/install-test-deps.sh to install Chromium", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancel(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, base: ta.srv.URL}
}

// step runs steps or fails the test naming what they did.
func (b *browser) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser, %s: %v", what, err)
	}
}

// text returns the visible text of sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel))
	if err != nil {
		b.t.Fatalf("browser, reading %s: %v", sel, err)
	}
	return s
}

// login logs in as admin through the login form.
func (b *browser) login(then string) {
	b.t.Helper()
	b.step("login", chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(`input[name="password"]`),
		chromedp.SetValue(`input[name="user"]`, "admin"),
		chromedp.SendKeys(`input[name="password"]`, testPassword),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`header.top`),
		chromedp.Navigate(b.base+then))
}
