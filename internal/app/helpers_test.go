package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // as in the binary: the tests' time zones resolve without /usr/share/zoneinfo

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
)

const testPassword = "correct horse battery"

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testApp is the product on SQLite in a temp dir, with a fake whatsmeow
// client, served by httptest.
type testApp struct {
	*app
	srv  *httptest.Server
	dir  string
	logs *syncBuffer
}

// startApp starts the product on dir (a fresh temp dir when "").
func startApp(t *testing.T, dir string, mod ...func(*options)) *testApp {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	logs := &syncBuffer{}
	o := options{
		DB: filepath.Join(dir, "waauto.db"), TZ: "Europe/Paris", AdminUser: "admin", AdminPassword: testPassword,
		CharsPerCred: 100,
		newClient:    func(*store.Device) wa.Client { return &fakeClient{} },
		logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	o.Devices = devicesPath(o.DB)
	for _, m := range mod {
		m(&o)
	}
	a, err := newApp(t.Context(), o, io.Discard)
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	srv := httptest.NewServer(a.dashboard)
	t.Cleanup(func() { srv.Close(); a.close() })
	return &testApp{app: a, srv: srv, dir: dir, logs: logs}
}

// client is a browser-like HTTP client with a cookie jar that does not
// follow redirects.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	// header is added to every request.
	header http.Header
}

func (ta *testApp) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: ta.srv.URL, header: http.Header{}, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request and returns the status, the body and the response.
func (c *client) do(method, path string, form url.Values) (int, string, *http.Response) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.send(req)
}

// send sends req with the client's headers and returns the status, the
// body and the response.
func (c *client) send(req *http.Request) (int, string, *http.Response) {
	c.t.Helper()
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	code, body, _ := c.do("GET", path, nil)
	return code, body
}

func (c *client) post(path string, form url.Values) (int, string, *http.Response) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.do("POST", path, form)
}

// login logs in and fails the test otherwise.
func (c *client) login(user, password string) {
	c.t.Helper()
	code, body, resp := c.post("/login", url.Values{"user": {user}, "password": {password}})
	if code != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d: %s", user, code, body)
	}
	if loc := resp.Header.Get("Location"); loc != "/numbers" {
		c.t.Fatalf("login redirects to %q", loc)
	}
}

// addUser creates a dashboard user directly in the store.
func (ta *testApp) addUser(t *testing.T, name, password string, admin bool) {
	t.Helper()
	if err := ta.dash.SetUser(context.Background(), name, password, admin); err != nil {
		t.Fatal(err)
	}
}

// fakeClient stands in for *whatsmeow.Client: linking yields the codes
// in qr, nothing reaches the network.
type fakeClient struct {
	mu        sync.Mutex
	connected bool
	handlers  []whatsmeow.EventHandlerWithSuccessStatus
}

// fakeQRCode is the linking code the fake hands out.
const fakeQRCode = "2@FAKEQRCODEFORTESTSONLY,abcdefghijklmnop,qrstuvwxyz0123456789=="

func (f *fakeClient) SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	return whatsmeow.SendResponse{Timestamp: time.Now()}, nil
}
func (f *fakeClient) SendChatPresence(context.Context, types.JID, types.ChatPresence, types.ChatPresenceMedia) error {
	return nil
}
func (f *fakeClient) Upload(context.Context, []byte, whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	return whatsmeow.UploadResponse{}, nil
}
func (f *fakeClient) Download(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) {
	return nil, wa.ErrNoMedia
}
func (f *fakeClient) Connect() error {
	f.mu.Lock()
	f.connected = true
	f.mu.Unlock()
	return nil
}
func (f *fakeClient) Disconnect() {
	f.mu.Lock()
	f.connected = false
	f.mu.Unlock()
}
func (f *fakeClient) Logout(context.Context) error { f.Disconnect(); return nil }
func (f *fakeClient) GetQRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error) {
	ch := make(chan whatsmeow.QRChannelItem, 1)
	ch <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: fakeQRCode, Timeout: time.Minute}
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}
func (f *fakeClient) PairPhone(ctx context.Context, phone string, show bool, ct whatsmeow.PairClientType, name string) (string, error) {
	return "ABCD-EFGH", nil
}
func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected
}
func (f *fakeClient) IsLoggedIn() bool { return false }
func (f *fakeClient) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers = append(f.handlers, h)
	return uint32(len(f.handlers))
}
func (f *fakeClient) RemoveEventHandler(uint32) bool     { return true }
func (f *fakeClient) GenerateMessageID() types.MessageID { return "3EB0FAKE" }

// servedAddr waits for serve to print its address on out and returns it.
func servedAddr(t *testing.T, out *syncBuffer) string {
	t.Helper()
	var addr string
	waitFor(t, "the server to start", func() bool {
		m := regexp.MustCompile(`on http://(\S+) `).FindStringSubmatch(out.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return addr
}

// waitFor polls cond until it holds or the test deadline nears; it is a
// wait for background work, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
