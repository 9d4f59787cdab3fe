package docscheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sample = "# Title\n\n## One\n\nText `a` and `b`.\n\n<!-- backend: cel -->\n<!-- error: f.yaml:1:1: x: bad\nf.yaml:2:1: y: worse -->\n```yaml\nname: x\n# not a heading\n```\n\n### Sub\n\n`c`\n\n## Two\n\n```json\n{}\n```\n"

func TestExamples(t *testing.T) {
	got, err := Examples(sample)
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{Lang: "yaml", Text: "name: x\n# not a heading\n", Line: 10, Markers: map[string]string{"backend": "cel", "error": "f.yaml:1:1: x: bad\nf.yaml:2:1: y: worse"}},
		{Lang: "json", Text: "{}\n", Line: 21, Markers: map[string]string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Examples:\n%#v\nwant\n%#v", got, want)
	}
	if _, err := Examples("```yaml\nname: x\n"); err == nil {
		t.Fatal("an unclosed fence gave no error")
	}
}

func TestCheck(t *testing.T) {
	if s, ok := Find(sample, "One"); !ok || s.Level != 2 || Missing(s.Body, "a", "b", "c") != nil {
		t.Fatalf("section One = %+v, %t: want it to hold its subsection", s, ok)
	}
	if _, ok := Find(sample, "not a heading"); ok {
		t.Fatal("a comment line in a fence was taken for a heading")
	}
	got := Check(sample, map[string][]string{"Two": {"a"}, "Sub": {"c"}, "Three": {"z"}})
	want := []string{`no heading "Three" (want it to name z)`, "section \"Two\" does not name `a`"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Check = %q, want %q", got, want)
	}
}

func TestAnchor(t *testing.T) {
	for h, want := range map[string]string{
		"Business hours (`hours`)":          "business-hours-hours",
		"`cel` and `expr`: raw expressions": "cel-and-expr-raw-expressions",
		"Priority, `stop` and order":        "priority-stop-and-order",
		"`since_last_reply`":                "since_last_reply",
	} {
		if got := Anchor(h); got != want {
			t.Errorf("Anchor(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.md")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(a, "# A\n\n## Keys (`k`)\n\n[ok](#keys-k) [ok](b.md#two) [web](https://x.org/#nope) [bad](#keys) [bad](b.md#one) [bad](c.md)\n")
	write(filepath.Join(dir, "b.md"), "# B\n\n## Two\n")
	got, err := BrokenLinks(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !strings.HasPrefix(got[0], "#keys:") || !strings.HasPrefix(got[1], "b.md#one:") || !strings.HasPrefix(got[2], "c.md:") {
		t.Fatalf("BrokenLinks = %q, want #keys, b.md#one and c.md", got)
	}
}
