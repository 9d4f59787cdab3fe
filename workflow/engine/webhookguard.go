package engine

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress: a webhook connection to a loopback, private,
// link-local (cloud metadata), shared, multicast or unspecified address
// that the allow-list does not name.
var ErrForbiddenAddress = errors.New("webhook address not allowed (loopback, private, link-local or metadata)")

// forbiddenPrefixes are refused besides what netip classifies: shared
// address space (carrier NAT, Alibaba's metadata at 100.100.100.200),
// "this network", and the reserved and broadcast block.
var forbiddenPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 reaches IPv4 inside
}

// forbiddenAddress reports whether webhooks refuse ip by default.
func forbiddenAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid() {
		return true
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// GuardDial returns a net.Dialer Control function that refuses, with
// ErrForbiddenAddress, connections to loopback, private, link-local
// (169.254.169.254 and other metadata services), shared, multicast and
// unspecified addresses unless allow contains them. It runs on the
// address actually connected to, after name resolution, so a name that
// resolves to 127.0.0.1 and every redirect are checked too.
func GuardDial(allow []netip.Prefix) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %q is not an address", ErrForbiddenAddress, address)
		}
		ip := ap.Addr().Unmap()
		for _, p := range allow {
			if p.Contains(ip) {
				return nil
			}
		}
		if forbiddenAddress(ip) {
			return fmt.Errorf("%w: %s (add it to the webhook allow-list for an intranet)", ErrForbiddenAddress, ip)
		}
		return nil
	}
}

// NewWebhookClient returns a Config.WebhookClient for a product that lets
// users name webhook URLs: it connects only to public addresses
// and those in allow (GuardDial, checked on every connection, redirects
// included), ignores proxy settings from the environment, and follows at
// most 3 redirects.
func NewWebhookClient(allow []netip.Prefix) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: GuardDial(allow)}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         d.DialContext,
			TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConns:        10,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("webhook: more than 3 redirects")
			}
			return nil
		},
	}
}
