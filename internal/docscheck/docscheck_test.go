package docscheck

import (
	"reflect"
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
