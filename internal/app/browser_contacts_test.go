package app

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestBrowserContactsImportExport: in Chromium, an admin imports a CSV
// file with one bad line and sees the line, column and reason, with
// nothing imported; imports the corrected file and sees the contacts;
// then downloads the export, which holds the same rows.
func TestBrowserContactsImportExport(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	if code, _, _ := c.post("/settings/shop", url.Values{"time_zone": {"Europe/Paris"}, "lang": {"en"}, "country": {"FR"}}); code != http.StatusSeeOther {
		t.Fatalf("shop settings: %d", code)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "nom;téléphone;étiquettes;exclu\nAmélie;06 00 00 00 01;vip|commande;non\nBob;06 12;;oui\n")
	good := write("good.csv", "nom;téléphone;étiquettes;exclu\nAmélie;06 00 00 00 01;vip|commande;non\nBob;06 00 00 00 02;;oui\n")

	b := newBrowser(t, ta, 1280, 900)
	b.login("/contacts")
	b.step("bad file", chromedp.WaitVisible(`#import`),
		chromedp.SetUploadFiles(`#import input[type="file"]`, []string{bad}),
		chromedp.Click(`#import button`),
		chromedp.WaitVisible(`#import-problems`))
	if msg := b.text(`p.error[role="alert"]`); !strings.Contains(msg, "Nothing was imported: the file has 1 problem(s)") {
		t.Errorf("bad file: the error says %q", msg)
	}
	if row := b.text(`#import-problems tr.problem`); !strings.Contains(row, "3") || !strings.Contains(row, "téléphone") ||
		!strings.Contains(row, "06 12") || !strings.Contains(row, "too few digits") {
		t.Errorf("bad file: the problem row says %q, want line 3, column téléphone, 06 12, too few digits", row)
	}
	if cs := ta.contacts(t); len(cs) != 0 {
		t.Fatalf("a file with a bad line imported %+v", cs)
	}

	b.step("corrected file", chromedp.SetUploadFiles(`#import input[type="file"]`, []string{good}),
		chromedp.Click(`#import button`),
		chromedp.WaitVisible(`p.flash`))
	if msg := b.text(`p.flash`); !strings.Contains(msg, "2 contact(s) imported") {
		t.Errorf("corrected file: the message says %q", msg)
	}
	if list := b.text(`#contacts tbody`); !strings.Contains(list, "+33600000001") || !strings.Contains(list, "Amélie") ||
		!strings.Contains(list, "commande") || !strings.Contains(list, "+33600000002") {
		t.Errorf("the list after the import: %q", list)
	}
	if n := len(ta.contacts(t)); n != 2 {
		t.Fatalf("after the corrected import: %d contacts, want 2", n)
	}

	downloads := filepath.Join(dir, "downloads")
	progress := chromedp.Events(b.ctx, cdpbrowser.DownloadProgress)
	b.step("export", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true),
		})
		return err
	}), chromedp.Click(`#export`))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("export download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := "\ufeffphone,name,labels,excluded\r\n+33600000001,Amélie,vip|commande,no\r\n+33600000002,Bob,,yes\r\n"
	if string(data) != want {
		t.Errorf("downloaded export:\n%q\nwant\n%q", data, want)
	}
}
