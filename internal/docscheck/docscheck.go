// Package docscheck reads the project's Markdown references (docs/*.md) so
// that tests can keep them true: the fenced examples with the marker
// comments before them, the sections under each heading, and the keys
// named in inline code.
package docscheck

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// Read returns the Markdown file at path, relative to the test's package
// directory (e.g. "../docs/workflows.md"); it fails the test when the file
// cannot be read.
func Read(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// Example is one fenced code block of a Markdown file.
type Example struct {
	// Lang is the fence's info string, e.g. "yaml".
	Lang string
	// Text is the block's content, ending with a newline.
	Text string
	// Line is the line of the opening fence (1-based).
	Line int
	// Markers holds the HTML comments written on the lines just before the
	// fence, `<!-- KEY: VALUE -->` (a comment may span lines), by KEY.
	Markers map[string]string
}

// Examples returns the fenced code blocks of md in order. A fence that is
// never closed is an error.
func Examples(md string) ([]Example, error) {
	lines := strings.Split(md, "\n")
	var out []Example
	for i := 0; i < len(lines); i++ {
		info, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		ex := Example{Lang: strings.TrimSpace(info), Line: i + 1, Markers: markers(lines[:i])}
		end := slices.Index(lines[i+1:], "```")
		if end < 0 {
			return nil, fmt.Errorf("line %d: fence never closed", i+1)
		}
		ex.Text = strings.Join(lines[i+1:i+1+end], "\n") + "\n"
		out = append(out, ex)
		i += end + 1
	}
	return out, nil
}

var commentRE = regexp.MustCompile(`(?s)<!--\s*([^:]+?)\s*:\s*(.*?)\s*-->\s*$`)

// markers reads the comments that end on the line just before a fence,
// going up while the lines before are comments too.
func markers(before []string) map[string]string {
	m := map[string]string{}
	end := len(before)
	for end > 0 && strings.HasSuffix(strings.TrimSpace(before[end-1]), "-->") {
		start := end - 1
		for start >= 0 && !strings.Contains(before[start], "<!--") {
			start--
		}
		if start < 0 {
			break
		}
		c := commentRE.FindStringSubmatch(strings.Join(before[start:end], "\n"))
		if c == nil {
			m[strings.Join(before[start:end], "\n")] = "" // not KEY: VALUE; the caller rejects the unknown key
		} else {
			m[c[1]] = c[2]
		}
		end = start
	}
	return m
}

// Section is the text under one heading, its subsections included.
type Section struct {
	// Heading is the heading's text without the leading #s.
	Heading string
	// Level is the number of #s.
	Level int
	// Body runs from the heading to the next heading of the same or a
	// higher level.
	Body string
}

// Sections lists the sections of md in order. Lines inside fences are
// never headings.
func Sections(md string) []Section {
	lines := strings.Split(md, "\n")
	type head struct{ line, level int }
	var heads []head
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if fenced {
			continue
		}
		if lvl := len(l) - len(strings.TrimLeft(l, "#")); lvl > 0 && strings.HasPrefix(l[lvl:], " ") {
			heads = append(heads, head{i, lvl})
		}
	}
	out := make([]Section, len(heads))
	for k, h := range heads {
		end := len(lines)
		for _, n := range heads[k+1:] {
			if n.level <= h.level {
				end = n.line
				break
			}
		}
		out[k] = Section{Heading: strings.TrimSpace(lines[h.line][h.level:]), Level: h.level, Body: strings.Join(lines[h.line:end], "\n")}
	}
	return out
}

// Find returns the section whose heading is exactly heading.
func Find(md, heading string) (Section, bool) {
	for _, s := range Sections(md) {
		if s.Heading == heading {
			return s, true
		}
	}
	return Section{}, false
}

// Missing returns the names that text does not write as inline code
// (`name`), in the order given.
func Missing(text string, names ...string) []string {
	var out []string
	for _, n := range names {
		if !strings.Contains(text, "`"+n+"`") {
			out = append(out, n)
		}
	}
	return out
}

// Check returns one line per heading of names (heading -> names that must
// be written as inline code in the section under that heading) that is
// absent from md or whose section misses names; none when md names
// everything.
func Check(md string, names map[string][]string) []string {
	var out []string
	for _, h := range slices.Sorted(maps.Keys(names)) {
		s, ok := Find(md, h)
		if !ok {
			out = append(out, fmt.Sprintf("no heading %q (want it to name %s)", h, strings.Join(names[h], ", ")))
			continue
		}
		if m := Missing(s.Body, names[h]...); len(m) > 0 {
			out = append(out, fmt.Sprintf("section %q does not name %s", h, "`"+strings.Join(m, "`, `")+"`"))
		}
	}
	return out
}

// Anchor returns the fragment GitHub gives a heading: lower case, inline
// code marks and punctuation dropped, spaces turned into '-'.
func Anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// BrokenLinks returns the relative links of the Markdown file at path
// whose file does not exist or whose #fragment names no heading there.
// Absolute URLs are not followed.
func BrokenLinks(path string) ([]string, error) {
	md, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range linkRE.FindAllStringSubmatch(string(md), -1) {
		target, frag, _ := strings.Cut(m[1], "#")
		if strings.Contains(target, "://") {
			continue
		}
		doc := md
		if target != "" {
			if doc, err = os.ReadFile(filepath.Join(filepath.Dir(path), target)); err != nil {
				out = append(out, fmt.Sprintf("%s: %v", m[1], err))
				continue
			}
		}
		if frag != "" && !slices.ContainsFunc(Sections(string(doc)), func(s Section) bool { return Anchor(s.Heading) == frag }) {
			out = append(out, fmt.Sprintf("%s: no heading with anchor #%s", m[1], frag))
		}
	}
	return out, nil
}
