package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOversizedBodyRefusedWorkflowsKept: an editor save over the body limit
// (and over Go's own 10 MB form limit, where FormValue silently returns "")
// is refused with a styled 413 and leaves the saved workflows alone; a form
// without its yaml field is refused too, never read as an empty file.
func TestOversizedBodyRefusedWorkflowsKept(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {prixYAML}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	huge := strings.Repeat("#", 11<<20)
	for _, op := range []string{"check", "save"} {
		code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {huge}, "op": {op}})
		if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, `class="error"`) || !strings.Contains(body, "too large") {
			t.Fatalf("%s with an 11 MiB body: %d %s", op, code, excerpt(body, "error"))
		}
		if n := len(ta.engine.Workflows()); n != 1 {
			t.Fatalf("%s with an 11 MiB body left %d workflows, want 1", op, n)
		}
	}
	code, body, _ := c.post("/workflows/edit", url.Values{"op": {"save"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `class="error"`) {
		t.Fatalf("save without yaml: %d %s", code, excerpt(body, "error"))
	}
	if n := len(ta.engine.Workflows()); n != 1 {
		t.Fatalf("a save without yaml left %d workflows, want 1", n)
	}
}

// TestLoginNextOnlyLocalPaths: after login only a clean local path is
// followed; a tab, backslash or scheme trick lands on /numbers.
func TestLoginNextOnlyLocalPaths(t *testing.T) {
	ta := startApp(t, "")
	for next, want := range map[string]string{
		"/\t/evil.com":          "/numbers",
		"/%09/evil.com":         "/numbers",
		"//evil.com":            "/numbers",
		"/\\evil.com":           "/numbers",
		"https://evil.com":      "/numbers",
		"/ /evil.com":           "/numbers",
		"/\n/evil.com":          "/numbers",
		"/logs?phone=%2B336":    "/logs?phone=%2B336",
		"/workflows/edit?t=a#x": "/workflows/edit?t=a#x",
	} {
		c := ta.client(t)
		code, _, resp := c.post("/login", url.Values{"user": {"admin"}, "password": {testPassword}, "next": {next}})
		if code != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("next %q: %d Location %q, want %q", next, code, resp.Header.Get("Location"), want)
		}
	}
}

// TestSlowBodyIsCut: a login body sent a byte at a time is cut by the
// server's read timeout (shortened to 1 s here; every timeout has a
// default).
func TestSlowBodyIsCut(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler), serverTimeouts{})
	if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 {
		t.Fatalf("default timeouts: header %v read %v write %v idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out syncBuffer
	o := options{DB: dir + "/waauto.db", Addr: "127.0.0.1:0", TZ: "UTC", AdminUser: "admin", AdminPassword: testPassword, NoWhatsApp: true,
		logger: slog.New(slog.DiscardHandler), timeouts: serverTimeouts{Read: time.Second}}
	done := make(chan int, 1)
	go func() { done <- serve(ctx, o, &out, io.Discard) }()
	addr := servedAddr(t, &out)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n", addr)
	cut := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, conn); close(cut) }() // ends when the server closes
	for i := 0; ; i++ {
		select {
		case <-cut:
			cancel()
			<-done
			return
		case <-time.After(200 * time.Millisecond):
		}
		if i == 100 { // 20 s of a byte every 200 ms
			t.Fatal("a body sent a byte every 200 ms was still open after 20 s")
		}
		if _, err := conn.Write([]byte("u")); err != nil {
			continue // the server closed its side; the reader sees it next
		}
	}
}

// TestAdminPasswordNeverOnCommandLine: --admin-password is refused with
// the way to do it; the file and the environment work.
func TestAdminPasswordNeverOnCommandLine(t *testing.T) {
	dir := t.TempDir()
	for _, arg := range [][]string{{"--admin-password", "secret password"}, {"--admin-password=secret password"}, {"-admin-password", "x"}} {
		var errb bytes.Buffer
		code := Run(t.Context(), append([]string{"serve", "--db", dir + "/a.db"}, arg...), nil, io.Discard, &errb)
		if code != 2 || !strings.Contains(errb.String(), "WAAUTO_ADMIN_PASSWORD or --admin-password-file") {
			t.Errorf("%v: exit %d, stderr %q", arg, code, errb.String())
		}
	}
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from a file 123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := parseServeFlags([]string{"--admin-password-file", pwFile}, io.Discard)
	if err != nil || o.AdminPassword != "from a file 123" {
		t.Fatalf("password file: %q %v", o.AdminPassword, err)
	}
	t.Setenv(envAdminPassword, "from the environment")
	if o, err := parseServeFlags(nil, io.Discard); err != nil || o.AdminPassword != "from the environment" {
		t.Fatalf("environment: %q %v", o.AdminPassword, err)
	}
}

// TestAdminResetPassword: `waauto admin reset-password` sets a new
// password read from stdin (or the environment) and the old one stops
// working; a short one is refused.
func TestAdminResetPassword(t *testing.T) {
	dir := t.TempDir()
	ta := startApp(t, dir)
	db := filepath.Join(dir, "waauto.db")
	var out, errb bytes.Buffer
	if code := Run(t.Context(), []string{"admin", "reset-password", "--db", db}, strings.NewReader("short\n"), &out, &errb); code != 1 || !strings.Contains(errb.String(), "at least 10 characters") {
		t.Fatalf("short password: exit %d, %q", code, errb.String())
	}
	errb.Reset()
	if code := Run(t.Context(), []string{"admin", "reset-password", "--db", db}, strings.NewReader("a brand new password\n"), &out, &errb); code != 0 {
		t.Fatalf("reset: exit %d, %q", code, errb.String())
	}
	if code, _, _ := ta.client(t).post("/login", url.Values{"user": {"admin"}, "password": {testPassword}}); code != http.StatusUnauthorized {
		t.Fatalf("old password after reset: %d, want 401", code)
	}
	ta.client(t).login("admin", "a brand new password")
	t.Setenv(envAdminPassword, "the environment's password")
	if code := Run(t.Context(), []string{"admin", "reset-password", "--db", db, "--user", "rescue"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("reset from env: exit %d, %q", code, errb.String())
	}
	if u, err := ta.dash.User(t.Context(), "rescue"); err != nil || !u.Admin {
		t.Fatalf("reset of a missing user: %+v %v, want a new admin", u, err)
	}
	ta.client(t).login("rescue", "the environment's password")
}

// TestTrustedProxyHeaderSeparatesClients: behind a proxy every request
// comes from its address; with --trusted-proxy-header the failures of one
// client do not slow another, and without it they share the count.
func TestTrustedProxyHeaderSeparatesClients(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		ta := startApp(t, "", func(o *options) {
			if trusted {
				o.ProxyHeader = "X-Forwarded-For"
			}
		})
		attacker, admin := ta.client(t), ta.client(t)
		attacker.header.Set("X-Forwarded-For", "198.51.100.1, 203.0.113.66")
		admin.header.Set("X-Forwarded-For", "203.0.113.10")
		for range 4 {
			attacker.post("/login", url.Values{"user": {"admin"}, "password": {"guess"}})
		}
		code, body, _ := admin.post("/login", url.Values{"user": {"admin"}, "password": {testPassword}})
		if trusted && code != http.StatusSeeOther {
			t.Fatalf("trusted header: the admin at another address got %d %s", code, excerpt(body, "error"))
		}
		if !trusted && code != http.StatusTooManyRequests {
			t.Fatalf("no trusted header: the admin behind the same proxy got %d, want 429 (one shared address)", code)
		}
	}
	o, err := parseServeFlags([]string{"--trusted-proxy-header", "X-Real-IP"}, io.Discard)
	if err != nil || o.ProxyHeader != "X-Real-IP" {
		t.Fatalf("flag: %q %v", o.ProxyHeader, err)
	}
}

// TestLoginSurvivesRestart: the session cookie still works after the
// product restarts on the same database (sessions are in the store).
func TestLoginSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ta := startApp(t, dir)
	c := ta.client(t)
	c.login("admin", testPassword)
	ta.srv.Close()
	ta.close()
	tb := startApp(t, dir)
	c.base = tb.srv.URL
	if code, body := c.get("/numbers"); code != http.StatusOK {
		t.Fatalf("after a restart: %d %s", code, excerpt(body, "error"))
	}
}

// hookYAML posts a webhook to url with a secret on "prix".
func hookYAML(url string) string {
	return `workflows:
  - name: Hook
    trigger: incoming_message
    conditions:
      text: {contains: prix}
    actions:
      - webhook: {url: "` + url + `", secret: "s3cr3t-value"}
`
}

// TestWebhookSSRFRefusedAndAdminOnly: the product's webhooks refuse the
// loopback server unless --webhook-allow names it; a non-admin cannot save
// a webhook and never sees its secret.
func TestWebhookSSRFRefusedAndAdminOnly(t *testing.T) {
	var hits atomic.Int64
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer hook.Close()
	for _, allowed := range []bool{false, true} {
		ta := startApp(t, "", func(o *options) {
			if allowed {
				o.WebhookAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
			}
		})
		ta.addUser(t, "agent", "agent password 1", false)
		agent := ta.client(t)
		agent.login("agent", "agent password 1")
		code, body, _ := agent.post("/workflows/edit", url.Values{"yaml": {hookYAML(hook.URL)}, "op": {"save"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "only an admin can save workflows with a webhook") || len(ta.engine.Workflows()) != 0 {
			t.Fatalf("non-admin saving a webhook: %d, %d workflows, %s", code, len(ta.engine.Workflows()), excerpt(body, "error"))
		}
		admin := ta.client(t)
		admin.login("admin", testPassword)
		if code, _, _ := admin.post("/workflows/edit", url.Values{"yaml": {hookYAML(hook.URL)}, "op": {"save"}}); code != http.StatusSeeOther {
			t.Fatalf("admin saving a webhook: %d", code)
		}
		if _, page := agent.get("/workflows/edit"); strings.Contains(page, "s3cr3t-value") || !strings.Contains(page, "[hidden]") {
			t.Fatalf("the non-admin's editor shows the secret:\n%s", excerpt(page, "secret"))
		}
		if _, page := admin.get("/workflows/edit"); !strings.Contains(page, "s3cr3t-value") {
			t.Fatalf("the admin's editor hides the secret:\n%s", excerpt(page, "secret"))
		}
		before := hits.Load()
		simSend(t, admin, "+33600000001", "prix ?")
		if allowed {
			waitFor(t, "the allow-listed webhook", func() bool { return hits.Load() == before+1 })
			continue
		}
		waitFor(t, "the refusal in the log", func() bool { return strings.Contains(ta.logs.String(), "webhook address not allowed") })
		if hits.Load() != before {
			t.Fatal("the webhook reached 127.0.0.1 without the allow-list")
		}
	}
}

// TestProviderKeyNeverLoggedOrStored: a model server whose error echoes
// the API key: neither the server log nor the Logs page shows the key.
func TestProviderKeyNeverLoggedOrStored(t *testing.T) {
	const key = "test-key-abcdef0123456789"
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error","code":"invalid_api_key"}}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer model.Close()
	ta := startApp(t, "", func(o *options) {
		o.AI = aiOptions{Provider: "openai", BaseURL: model.URL + "/v1", Model: "gpt-test", APIKey: key}
	})
	c := ta.client(t)
	c.login("admin", testPassword)
	yaml := "workflows:\n  - name: IA\n    trigger: incoming_message\n    actions: [{ai_reply: {}}]\n"
	if code, body, _ := c.post("/workflows/edit", url.Values{"yaml": {yaml}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", code, excerpt(body, "error"))
	}
	simSend(t, c, "+33600000001", "bonjour")
	var page string
	waitFor(t, "the failed AI reply in the Logs page", func() bool {
		_, page = c.get("/logs?period=all")
		return strings.Contains(page, "Incorrect API key")
	})
	if strings.Contains(page, key) || !strings.Contains(page, "[redacted]") {
		t.Fatalf("the Logs page shows the key:\n%s", excerpt(page, "Incorrect"))
	}
	if logs := ta.logs.String(); strings.Contains(logs, key) {
		t.Fatalf("the server log shows the key:\n%s", excerpt(logs, key))
	}
}

// TestParallelLoginsThrottled: 120 wrong logins at once from one address
// get at most the free failures' 401s; the rest wait (429), none bypasses
// the count.
func TestParallelLoginsThrottled(t *testing.T) {
	ta := startApp(t, "")
	var wg sync.WaitGroup
	var wrong, waited atomic.Int64
	for range 120 {
		wg.Go(func() {
			resp, err := http.PostForm(ta.srv.URL+"/login", url.Values{"user": {"admin"}, "password": {"guess"}})
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusUnauthorized:
				wrong.Add(1)
			case http.StatusTooManyRequests:
				waited.Add(1)
			default:
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if wrong.Load() > 3 || wrong.Load()+waited.Load() != 120 {
		t.Fatalf("120 parallel logins: %d checked (401), %d throttled (429); want at most 3 checked", wrong.Load(), waited.Load())
	}
}
