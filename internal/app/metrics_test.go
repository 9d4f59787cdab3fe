package app

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// metricValue returns the value of the sample named by series (name and
// labels as exposed) in a Prometheus text page, or -1 when absent.
func metricValue(page, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(page)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return -1
	}
	return v
}

// A scrape after a handled message shows it counted: the message, the
// candidate and fired evaluation, the send and its latency. /metrics and
// /debug/pprof/ are for admins only: a logged-in admin, or an admin's
// credentials as HTTP basic authentication.
func TestMetricsAfterAHandledMessage(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	c.login("admin", testPassword)
	code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {prixYAML}, "op": {"save"}})
	if code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	if execs, _ := simSend(t, c, "+33 6 00 00 00 01", "Quel est le PRIX ?"); len(execs) != 1 {
		t.Fatalf("executions %v", execs)
	}
	code, page := c.get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics as admin: %d", code)
	}
	for _, series := range []string{
		"waauto_messages_received_total",
		`waauto_workflows_evaluated_total{outcome="fired"}`,
		"waauto_prefilter_candidates_count",
		"waauto_prefilter_candidates_sum",
		`waauto_sends_total{kind="fixed",result="ok"}`,
		"waauto_send_seconds_count",
	} {
		if v := metricValue(page, series); v < 1 {
			t.Errorf("%s = %v after a handled message, want ≥ 1", series, v)
		}
	}
	if code, body := c.get("/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("GET /debug/pprof/ as admin: %d", code)
	}

	// Anonymous, a non-admin and wrong credentials are refused.
	anon := ta.client(t)
	if code, _ := anon.get("/metrics"); code != http.StatusSeeOther {
		t.Errorf("anonymous GET /metrics: %d, want a redirect to the login", code)
	}
	ta.addUser(t, "agent", "agent-password-123", false)
	for _, tc := range []struct {
		user, password string
		want           int
	}{
		{"admin", testPassword, http.StatusOK},
		{"admin", "wrong", http.StatusUnauthorized},
		{"agent", "agent-password-123", http.StatusForbidden},
	} {
		scraper := ta.client(t)
		req, _ := http.NewRequest("GET", ta.srv.URL+"/metrics", nil)
		req.SetBasicAuth(tc.user, tc.password)
		resp, err := scraper.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("basic auth %s/%s: %d, want %d", tc.user, tc.password, resp.StatusCode, tc.want)
		}
	}
}

// The README names every series of the product's own (waauto_*, as
// metrics.go declares them), so that a new metric cannot go undocumented.
func TestREADMENamesEveryMetric(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("metrics.go")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`Name: "(waauto_[a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(names) < 9 {
		t.Fatalf("%d waauto_* series declared in metrics.go, want the 9 the product registers", len(names))
	}
	for _, n := range names {
		if !strings.Contains(string(readme), "`"+n[1]) {
			t.Errorf("README.md does not name %s", n[1])
		}
	}
}
