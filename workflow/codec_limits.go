package workflow

import (
	"fmt"
	"regexp/syntax"
	"strconv"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/internal/yamlpos"
)

// Bounds of a workflow file, beyond the size and nesting bounds of the
// YAML reader (1 MiB, 64 levels). Each caps the work a condition costs at
// load and on every message: the compile time of a condition tree grows
// faster than linearly with its keywords (100,000 contains_any words took
// 20 s to validate), and a regular expression is matched in time
// proportional to its compiled size.
const (
	// MaxListItems bounds each list of a condition (contains_any,
	// contains_all, phone in, labels has_any...).
	MaxListItems = 1000
	// MaxKeywords bounds the items of all those lists in one file.
	MaxKeywords = 5000
	// MaxPatternLen bounds a `matches` pattern, in bytes.
	MaxPatternLen = 1000
	// MaxPatternInsts bounds the compiled program of a `matches` pattern,
	// in instructions of regexp/syntax (`[a-z]{1,1000}` has 2,001).
	MaxPatternInsts = 5000
)

// list reads a condition's list of strings within MaxListItems and the
// file's MaxKeywords.
func (l *loader) list(n ast.Node, path string) []string {
	vs, _ := l.c.Strings(n, path, false)
	if len(vs) > MaxListItems {
		l.c.Say(yamlpos.Find(n, yamlpos.Index("", MaxListItems)), yamlpos.Index(path, MaxListItems),
			CodeListLimit, strconv.Itoa(len(vs)), strconv.Itoa(MaxListItems))
		return nil
	}
	before := l.keywords
	l.keywords += len(vs)
	if before <= MaxKeywords && l.keywords > MaxKeywords {
		l.c.Say(n, path, CodeKeywordsLimit, strconv.Itoa(l.keywords), strconv.Itoa(MaxKeywords))
	}
	return vs
}

// pattern compiles a `matches` pattern within MaxPatternLen and
// MaxPatternInsts; the error says why it is refused.
func pattern(p string) error {
	if len(p) > MaxPatternLen {
		return fmt.Errorf("is %d bytes long (limit %d)", len(p), MaxPatternLen)
	}
	re, err := syntax.Parse(p, syntax.Perl) // as regexp.Compile does
	var prog *syntax.Prog
	if err == nil {
		prog, err = syntax.Compile(re.Simplify())
	}
	if err != nil {
		return fmt.Errorf("is not a regular expression (want RE2 syntax: %s)", reason(err))
	}
	if len(prog.Inst) > MaxPatternInsts {
		return fmt.Errorf("compiles to %d instructions (limit %d; use fewer or smaller repeats)", len(prog.Inst), MaxPatternInsts)
	}
	return nil
}
