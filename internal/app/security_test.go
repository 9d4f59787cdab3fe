package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
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
