package yamlpos_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/internal/yamlpos"
)

type step struct {
	At      string         `yaml:"at"`
	After   time.Duration  `yaml:"after"`
	Count   int            `json:"count"`
	Tags    []string       `yaml:"tags"`
	Expect  map[string]any `yaml:"expect"`
	Nested  *inner         `yaml:"nested"`
	Ignored string         `yaml:"-"`
}

type inner struct {
	On bool
}

func decode(t *testing.T, src string, v any) error {
	t.Helper()
	root, err := yamlpos.Parse([]byte(src))
	if err != nil {
		return err
	}
	var c yamlpos.Collector
	if err := c.Decode(root, "steps[0]", v); err != nil && !errors.Is(err, yamlpos.ErrReported) {
		t.Fatalf("Decode: %v", err)
	}
	return c.Err()
}

func TestDecode(t *testing.T) {
	var s step
	err := decode(t, "at: \"10:00\"\nafter: 5s\ncount: 3\ntags: [a, b]\nexpect: {send: {n: 1}}\nnested: {on: true}\n", &s)
	if err != nil {
		t.Fatal(err)
	}
	want := step{At: "10:00", After: 5 * time.Second, Count: 3, Tags: []string{"a", "b"},
		Expect: map[string]any{"send": map[string]any{"n": uint64(1)}}, Nested: &inner{On: true}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got %#v\nwant %#v", s, want)
	}
}

func TestDecodeReportsEveryErrorWithPosition(t *testing.T) {
	var s step
	err := decode(t, "after: soon\ncount: many\ntags: x\nnested: {on: 1, off: true}\ncolour: red\n", &s)
	want := []string{
		`1:8: steps[0].after: "soon" is not a duration (want e.g. 90s, 15m, 2h)`,
		`2:8: steps[0].count: "many" is not a whole number`,
		`3:7: steps[0].tags: "x" is not a list`,
		`4:14: steps[0].nested.on: "1" is not true or false`,
		`4:17: steps[0].nested.off: unknown key "off" (want one of on)`,
		`5:1: steps[0].colour: unknown key "colour" (want one of at, after, count, tags, expect, nested)`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("got:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

func TestParse(t *testing.T) {
	if n, err := yamlpos.Parse([]byte("# only a comment\n")); n != nil || err != nil {
		t.Fatalf("comment-only document: %v, %v", n, err)
	}
	_, err := yamlpos.Parse([]byte("a: 1\na: 2\n"))
	var e *yamlpos.Error
	if !errors.As(err, &e) || e.Line != 2 || e.Column != 1 || !strings.Contains(e.Msg, `"a" already defined`) {
		t.Fatalf("duplicate key: %#v", err)
	}
}

func TestFindAndPos(t *testing.T) {
	root, err := yamlpos.Parse([]byte("a:\n  b:\n    - x\n    - {c: 7}\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := yamlpos.Find(root, "a.b[1].c")
	if l, c := yamlpos.Pos(n); l != 4 || c != 11 || yamlpos.Text(n) != "7" {
		t.Fatalf("Find: %d:%d %q", l, c, yamlpos.Text(n))
	}
	if yamlpos.Find(root, "a.b[2]") != nil || yamlpos.Find(root, "a.z") != nil {
		t.Fatal("Find of a missing path returned a node")
	}
}

func TestParseRefusesHostileInput(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "x" + strings.Repeat(close, n) + "\n"
	}
	indented := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat(" ", i) + "a:\n")
		}
		return b.String() + strings.Repeat(" ", n)
	}
	cases := []struct{ name, src, want string }{
		{"too large", strings.Repeat("a", yamlpos.MaxSize+1), "too large (1048577 bytes, limit 1 MiB)"},
		{"nested lists", deep("[", "]", 65), "1:65: nested 65 levels deep (limit 64)"},
		{"nested mappings", deep("{a: ", "}", 65), "1:257: nested 65 levels deep (limit 64)"},
		{"nested dashes", deep("- ", "", 65), "1:129: nested 65 levels deep (limit 64)"},
		{"nested indentation", indented(65) + "x\n", "65:65: nested 65 levels deep (limit 64)"},
		{"flow inside block", indented(60) + "b: " + deep("[", "]", 5), "61:67: nested 65 levels deep (limit 64)"},
		{"invalid UTF-8", "a: b\nc: d\xffe\n", "2:5: invalid UTF-8 byte 0xff (want a UTF-8 text file)"},
		{"NUL byte", "a: é\x00\n", "1:5: NUL byte (want a UTF-8 text file, not a binary or UTF-16 one)"},
		{"UTF-16", "\xff\xfea\x00:\x00", "1:1: invalid UTF-8 byte 0xff (want a UTF-8 text file)"},
		{"binary", "a: !!binary aGVsbG8=\n", "1:4: !!binary value (want text)"},
		{"trailing comma in a list", "a: [x, y,]\n", `1:9: trailing comma before "]" (want none: JSON does not allow it)`},
		{"trailing comma in JSON", "{\"a\": 1, # one\n \"b\": 2, # two\n}\n", `2:8: trailing comma before "}" (want none: JSON does not allow it)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := yamlpos.Parse([]byte(tc.src))
			var e *yamlpos.Error
			if !errors.As(err, &e) || e.Error() != tc.want {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

func TestParseAcceptsTheLimits(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("[", 64) + strings.Repeat("]", 64),
		strings.Repeat("- ", 64) + "x",
		"a: [x, y]\nb: {c: d, e: [f]}\nc: \"[[[[[[\" # ,]\nd: |\n  [[[[ ,] -\n  - - - -\n",
		"a: " + strings.Repeat("b", yamlpos.MaxSize-4) + "\n",
	} {
		if _, err := yamlpos.Parse([]byte(src)); err != nil {
			t.Errorf("%.60q: %v", src, err)
		}
	}
}
