package app

import (
	"net/http"
	"strings"
	"testing"
)

func TestReferenceDocsNeedLogin(t *testing.T) {
	ta := startApp(t, "")
	c := ta.client(t)
	for _, p := range []string{"/docs/workflows", "/docs/scenarios"} {
		code, body, resp := c.do("GET", p, nil)
		if code != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without login: %d %q, want 303 to /login", p, code, resp.Header.Get("Location"))
		}
		if strings.Contains(body, "<h3") {
			t.Errorf("GET %s without login shows the document", p)
		}
	}
}

func TestReferenceDocsRender(t *testing.T) {
	ta := startApp(t, "")
	c := loggedIn(t, ta)
	code, body := c.get("/docs/workflows")
	if code != http.StatusOK {
		t.Fatalf("GET /docs/workflows: %d", code)
	}
	for _, want := range []string{
		`<title>Workflow files · WhatsApp Auto</title>`,
		`<h3 id="schedule"><code>schedule</code></h3>`, // the anchor of /docs/workflows#schedule
		`<h2 id="business-hours-hours">Business hours (<code>hours</code>)</h2>`,
		`<a href="/docs/scenarios">`, // scenarios.md, relative in the file
		`action="/logout"`,           // the dashboard's layout
		`<table>`,                    // GFM tables
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/docs/workflows lacks %q", want)
		}
	}
	if strings.Contains(body, `href="scenarios.md`) {
		t.Error("/docs/workflows keeps a link to scenarios.md (want /docs/scenarios)")
	}

	code, body = c.get("/docs/scenarios")
	if code != http.StatusOK {
		t.Fatalf("GET /docs/scenarios: %d", code)
	}
	// scenarios.md links to workflows.md#limits: the target page has that anchor.
	if !strings.Contains(body, `href="/docs/workflows#limits"`) {
		t.Error(`/docs/scenarios lacks the link to /docs/workflows#limits`)
	}
	if _, wf := c.get("/docs/workflows"); !strings.Contains(wf, `id="limits"`) {
		t.Error(`/docs/workflows has no heading with id "limits"`)
	}

	code, body = c.get("/docs/secrets")
	if code != http.StatusNotFound || !strings.Contains(body, `class="error"`) {
		t.Errorf("GET /docs/secrets: %d, want 404 with an error message", code)
	}
}
