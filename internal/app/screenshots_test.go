package app

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// showcaseYAML fills the dashboard for the screenshots.
const showcaseYAML = `hours:
  boutique:
    timezone: Europe/Paris
    weekly:
      mon: ["09:00-12:30", "14:00-18:00"]
      tue: ["09:00-18:00"]
      sat: ["10:00-13:00"]
workflows:
  - name: Prix et tarifs
    description: Répond aux questions de prix en semaine.
    priority: 10
    trigger: incoming_message
    conditions:
      all:
        - any:
            - text: {contains: prix}
            - text: {contains_any: [tarif, devis], word: true}
        - schedule: {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}
        - not:
            labels: {has: vip}
    actions:
      - reply: {text: "Bonjour {{contact.name}}, nos prix sont sur le site."}
      - label: {add: [prix]}
  - name: Hors horaires de la boutique (message automatique envoyé en dehors des heures d'ouverture)
    priority: 20
    trigger: incoming_message
    stop: true
    cooldown: 2h
    conditions:
      not:
        schedule: {hours: boutique}
    actions:
      - reply: {text: "Merci ! Nous sommes fermés, nous vous répondons dès l'ouverture."}
  - name: Bienvenue
    priority: 30
    trigger: new_contact
    mode: shadow
    actions:
      - reply: {text: "Bienvenue !", translate: true}
      - assign: {agents: [alice, bob], strategy: round_robin}
`

// TestScreenshots captures every page into $WAAUTO_SCREENSHOTS (see
// scripts/screenshots.sh); without it the test skips.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("WAAUTO_SCREENSHOTS")
	if dir == "" {
		t.Skip("set WAAUTO_SCREENSHOTS=DIR (scripts/screenshots.sh) to capture the dashboard's pages")
	}
	ta := startApp(t, "")
	ta.addUser(t, "alice", testPassword, false)
	ta.addUser(t, "bob", testPassword, false)
	ta.apply(t, showcaseYAML)
	c := loggedIn(t, ta)
	simSend(t, c, "+33611111111", "Quel est le prix ?")
	simSend(t, c, "+33622222222", "bonjour, un devis ?")
	scheduleShowcase(t, ta)
	b := newBrowser(t, ta, 1100, 800)
	shoot := func(name string, full bool) {
		t.Helper()
		var png []byte
		var err error
		if full {
			png, err = chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		} else {
			png, err = chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		}
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
	}
	b.step("login page", chromedp.Navigate(b.base+"/login"), chromedp.WaitVisible(`input[name="password"]`))
	shoot("login", false)
	b.login("/workflows")
	for _, p := range []string{"workflows", "templates", "numbers", "simulator", "scheduled", "contacts", "exclusions", "logs", "ai", "settings"} {
		b.step(p, chromedp.Navigate(b.base+"/"+p), chromedp.WaitVisible(`main h1`))
		shoot(p, true)
	}
	badCSV := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(badCSV, []byte("nom;téléphone;exclu\nAmélie;+33 6 00 00 00 01;non\nBob;+33 6 12;peut-être\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.step("contacts import error", chromedp.Navigate(b.base+"/contacts"), chromedp.SetUploadFiles(`#import input[type="file"]`, []string{badCSV}),
		chromedp.Click(`#import button`), chromedp.WaitVisible(`#import-problems`))
	shoot("contacts-import-error", true)
	b.step("builder", chromedp.Navigate(b.base+"/workflows/prix-et-tarifs"), chromedp.WaitVisible(`#f-name`))
	shoot("builder", true)
	b.step("builder try", chromedp.SetValue(`#try-time`, "2026-03-02T10:30"), chromedp.Click(`#try-send`), chromedp.WaitVisible(`#try-verdict`))
	shoot("builder-try", true)
	b.step("builder error", chromedp.SetValue(`#f-cooldown`, "deux heures"), chromedp.Click(`#save`), chromedp.WaitVisible(`.field-error`))
	shoot("builder-error", false)
	b.step("builder yaml", chromedp.Navigate(b.base+"/workflows/prix-et-tarifs"), chromedp.WaitVisible(`#f-name`),
		chromedp.Click(`#tab-yaml`), chromedp.WaitVisible(`#yaml-text`))
	shoot("builder-yaml", false)
	b.step("new from template", chromedp.Navigate(b.base+"/workflows/new?template=out_of_hours"), chromedp.WaitVisible(`#f-name`))
	shoot("builder-template", true)
	b.step("replace all", chromedp.Navigate(b.base+"/workflows/edit"), chromedp.WaitVisible(`#yaml`),
		chromedp.SetValue(`#yaml`, prixYAML), chromedp.Click(`button[value="save"]`), chromedp.WaitVisible(`#confirm-replace`))
	shoot("replace-all", true)

	// The same shop in French: the engine's reasons, the trace and the
	// builder's findings in the user's language too.
	b.step("to French", chromedp.Navigate(b.base+"/logs"), chromedp.WaitVisible(`#langs`),
		chromedp.Click(`#langs button[value="fr"]`), chromedp.WaitVisible(`html[lang="fr"] main h1`))
	b.step("logs fr", chromedp.Click(`main table details summary`), chromedp.WaitVisible(`main table details[open]`))
	shoot("logs-fr", true)
	b.step("builder try fr", chromedp.Navigate(b.base+"/workflows/prix-et-tarifs"), chromedp.WaitVisible(`#f-name`),
		chromedp.SetValue(`#try-time`, "2026-03-02T10:30"), chromedp.Click(`#try-send`), chromedp.WaitVisible(`#try-verdict`))
	shoot("builder-try-fr", true)
	b.step("scheduled fr", chromedp.Navigate(b.base+"/scheduled?status=all&period=30d"), chromedp.WaitVisible(`#scheduled`))
	shoot("scheduled-fr", true)

	phone := newBrowser(t, ta, 390, 844)
	phone.step("phone width", chromedp.EmulateViewport(390, 844))
	phone.login("/workflows")
	b = phone
	b.step("phone list", chromedp.WaitVisible(`main h1`))
	shoot("phone-workflows", true)
	b.step("phone builder", chromedp.Navigate(b.base+"/workflows/prix-et-tarifs"), chromedp.WaitVisible(`#f-name`))
	shoot("phone-builder", true)
}

// scheduleShowcase schedules five messages in the next days and gives
// four of them the states a shop sees: cancelled by a user, expired, a
// follow-up whose conditions no longer held, and waiting after a failed
// attempt (scheduled_test.go checks how they read).
func scheduleShowcase(t *testing.T, ta *testApp) {
	t.Helper()
	ctx := t.Context()
	at := time.Now().Add(26 * time.Hour).Truncate(time.Hour)
	var ids []string
	for i, text := range []string{"Votre commande est prête", "Soldes : -20 % ce week-end", "Rappel : rendez-vous demain 10 h", "Toujours intéressé ?", "Merci pour votre visite"} {
		m, err := ta.engine.Schedule(ctx, engine.ScheduleRequest{Session: "simulator", Phone: "+3361111111" + strconv.Itoa(i), Text: text, At: at.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if err := ta.engine.CancelScheduled(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tr := range []struct {
		id       string
		from, to workflow.ScheduleStatus
		reason   string
	}{
		{ids[2], workflow.SchedulePending, workflow.ScheduleFailed, "expired: still unsent 24h0m0s after its time"},
		{ids[3], workflow.SchedulePending, workflow.ScheduleSending, ""},
		{ids[3], workflow.ScheduleSending, workflow.ScheduleCancelled, "conditions_changed"},
		{ids[4], workflow.SchedulePending, workflow.ScheduleSending, ""},
		{ids[4], workflow.ScheduleSending, workflow.SchedulePending, "send 3EB0: session \"main\": not connected"},
	} {
		if err := ta.store.TransitionScheduled(ctx, tr.id, tr.from, tr.to, tr.reason, now); err != nil {
			t.Fatal(err)
		}
	}
}
