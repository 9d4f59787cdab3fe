package engine_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/waauto/waauto/workflow/engine"
)

func TestGuardDialRefusesInternalAddresses(t *testing.T) {
	guard := engine.GuardDial(nil)
	for addr, refused := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:80": true, "10.1.2.3:80": true, "172.16.0.1:80": true, "192.168.1.1:443": true,
		"169.254.169.254:80": true, "[fe80::1]:80": true, "[fd00:ec2::254]:80": true, "100.100.100.200:80": true,
		"0.0.0.0:80": true, "[::]:80": true, "[::ffff:127.0.0.1]:80": true, "224.0.0.1:80": true,
		"93.184.215.14:443": false, "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443": false, "8.8.8.8:53": false,
	} {
		err := guard("tcp", addr, nil)
		if got := errors.Is(err, engine.ErrForbiddenAddress); got != refused {
			t.Errorf("%s: %v, want refused=%v", addr, err, refused)
		}
	}
	allowed := engine.GuardDial([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	if err := allowed("tcp", "10.1.2.3:80", nil); err != nil {
		t.Errorf("allow-listed intranet address: %v", err)
	}
	if err := allowed("tcp", "127.0.0.1:80", nil); !errors.Is(err, engine.ErrForbiddenAddress) {
		t.Errorf("loopback outside the allow-list: %v", err)
	}
}

// TestWebhookClientChecksEveryConnection: the guarded client refuses the
// loopback test server unless allow-listed, and a redirect from an allowed
// server to the metadata address is refused at connect time.
func TestWebhookClientChecksEveryConnection(t *testing.T) {
	var got int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
			return
		}
		got++
	}))
	defer srv.Close()
	post := func(c *http.Client, url string) error {
		resp, err := c.Post(url, "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := post(engine.NewWebhookClient(nil), srv.URL+"/hook"); !errors.Is(err, engine.ErrForbiddenAddress) || got != 0 {
		t.Fatalf("post to 127.0.0.1 without the allow-list: %v (server hit %d times)", err, got)
	}
	allowing := engine.NewWebhookClient([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	if err := post(allowing, srv.URL+"/hook"); err != nil || got != 1 {
		t.Fatalf("post with 127.0.0.1 allow-listed: %v (server hit %d times)", err, got)
	}
	if err := post(allowing, srv.URL+"/redirect"); !errors.Is(err, engine.ErrForbiddenAddress) {
		t.Fatalf("redirect to the metadata address: %v", err)
	}
}
