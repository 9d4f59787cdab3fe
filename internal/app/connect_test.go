package app

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow/store"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
)

// offlineClient is a fake whatsmeow client on a machine without internet.
type offlineClient struct{ *fakeClient }

func (offlineClient) Connect() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "web.whatsapp.com", IsNotFound: true}}
}

// TestConnectWhatsApp: "Connect WhatsApp" creates the number from its
// label alone and shows its QR code with the time it has left.
func TestConnectWhatsApp(t *testing.T) {
	ta := startApp(t, "")
	ta.addUser(t, "lea", "agent password 1", false)
	c := ta.client(t)
	c.login("admin", testPassword)
	code, _, resp := c.post("/numbers/connect", url.Values{"label": {"Boutique Été"}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/numbers/boutique-ete/link" {
		t.Fatalf("connect: %d %q", code, resp.Header.Get("Location"))
	}
	if s, err := ta.store.Session(t.Context(), "boutique-ete"); err != nil || s.Label != "Boutique Été" {
		t.Fatalf("created number %+v %v", s, err)
	}
	waitFor(t, "a QR code", func() bool { code, _ := c.get("/numbers/boutique-ete/qr.png"); return code == http.StatusOK })
	var st struct {
		QR        bool `json:"qr"`
		Seq       int  `json:"seq"`
		ExpiresIn int  `json:"expires_in"`
	}
	_, body := c.get("/numbers/boutique-ete/link/status")
	if err := json.Unmarshal([]byte(body), &st); err != nil || !st.QR || st.Seq != 1 || st.ExpiresIn < 50 || st.ExpiresIn > 60 {
		t.Fatalf("status %s (%v): want a code with about a minute left", body, err)
	}
	if _, page := c.get("/numbers/boutique-ete/link"); !strings.Contains(page, `id="qr-countdown"`) || !strings.Contains(page, "Boutique Été is linked and connected.") {
		t.Fatal("link page lacks the countdown or the connected message")
	}
	// The same label again gets another id.
	if _, _, resp := c.post("/numbers/connect", url.Values{"label": {"Boutique Été"}}); resp.Header.Get("Location") != "/numbers/boutique-ete-2/link" {
		t.Fatalf("second connect: %q", resp.Header.Get("Location"))
	}
	// Bad input and agents are refused, and nothing is created.
	_, _, resp = c.post("/numbers/connect", url.Values{"label": {"  "}})
	if _, body := c.follow(resp); !strings.Contains(body, `<p class="error" role="alert">Name of the number: give a name`) {
		t.Fatalf("empty label:\n%s", body)
	}
	lea := ta.client(t)
	lea.login("lea", "agent password 1")
	if code, _, _ := lea.post("/numbers/connect", url.Values{"label": {"Sneaky"}}); code != http.StatusForbidden {
		t.Errorf("an agent connects a number: %d, want 403", code)
	}
	if _, err := ta.store.Session(t.Context(), "sneaky"); err == nil {
		t.Error("a refused connect created a number")
	}
	if _, page := lea.get("/numbers"); strings.Contains(page, `id="connect"`) {
		t.Error("an agent sees the Connect WhatsApp form")
	}
}

// TestConnectWhatsAppOffline: without internet, linking says so in plain
// words, as an error, and the raw network error stays in the log.
func TestConnectWhatsAppOffline(t *testing.T) {
	ta := startApp(t, "", func(o *options) {
		o.newClient = func(*store.Device) wa.Client { return offlineClient{&fakeClient{}} }
	})
	c := ta.client(t)
	c.login("admin", testPassword)
	_, _, resp := c.post("/numbers/connect", url.Values{"label": {"Shop"}})
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/numbers?err=") {
		t.Fatalf("offline connect redirects to %q", loc)
	}
	_, body := c.follow(resp)
	if !strings.Contains(body, `<p class="error" role="alert">WhatsApp cannot be reached: check this server&#39;s internet connection`) || strings.Contains(body, "no such host") {
		t.Fatalf("offline connect page:\n%s", body)
	}
	if !strings.Contains(ta.logs.String(), "no such host") {
		t.Error("the network error is not in the log")
	}
	_, _, resp = c.post("/numbers/shop/reconnect", nil)
	if _, body := c.follow(resp); !strings.Contains(body, "WhatsApp cannot be reached") {
		t.Errorf("offline reconnect: want the plain-words error")
	}
}

// TestConnectWithoutWhatsApp: with --no-whatsapp the form is not shown and
// a request says why.
func TestConnectWithoutWhatsApp(t *testing.T) {
	ta := startApp(t, "", func(o *options) { o.NoWhatsApp = true })
	c := ta.client(t)
	c.login("admin", testPassword)
	if _, page := c.get("/numbers"); strings.Contains(page, `id="connect"`) {
		t.Error("the Connect WhatsApp form shows without WhatsApp")
	}
	_, _, resp := c.post("/numbers/connect", url.Values{"label": {"Shop"}})
	if _, body := c.follow(resp); !strings.Contains(body, `<p class="error" role="alert">WhatsApp is disabled`) {
		t.Fatalf("connect without WhatsApp:\n%s", body)
	}
}
