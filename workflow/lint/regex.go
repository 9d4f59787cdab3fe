package lint

import (
	"regexp/syntax"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// canMatch reports whether pattern can match some text made of runes that
// allowed accepts. It over-approximates: false means certainly never (a
// class or literal no allowed rune fits, `$` before a mandatory
// character, ...); an invalid pattern is reported as matching, Load rejects
// it anyway.
func canMatch(pattern string, allowed func(rune) bool) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return true
	}
	return reCan(re.Simplify(), allowed)
}

func reCan(re *syntax.Regexp, allowed func(rune) bool) bool {
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if !runeCan(r, re.Flags&syntax.FoldCase != 0, allowed) {
				return false
			}
		}
		return true
	case syntax.OpCharClass:
		return classCan(re.Rune, allowed)
	case syntax.OpCapture, syntax.OpPlus:
		return reCan(re.Sub[0], allowed)
	case syntax.OpRepeat:
		return re.Min == 0 || reCan(re.Sub[0], allowed)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if reCan(s, allowed) {
				return true
			}
		}
		return false
	case syntax.OpConcat:
		for i, s := range re.Sub {
			if !reCan(s, allowed) {
				return false
			}
			// Text anchors inside a concatenation: nothing can be consumed
			// before ^ or after $ (without the m flag).
			if s.Op == syntax.OpBeginText && consumes(re.Sub[:i]) || s.Op == syntax.OpEndText && consumes(re.Sub[i+1:]) {
				return false
			}
		}
		return true
	}
	return true // empty match, anchors, any char, star, quest
}

// consumes reports whether matching subs certainly consumes a character.
func consumes(subs []*syntax.Regexp) bool {
	for _, s := range subs {
		if minLen(s) > 0 {
			return true
		}
	}
	return false
}

func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += minLen(s)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range re.Sub {
			if m := minLen(s); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	return 0
}

func runeCan(r rune, foldCase bool, allowed func(rune) bool) bool {
	if allowed(r) {
		return true
	}
	if foldCase {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if allowed(f) {
				return true
			}
		}
	}
	return false
}

// classCan reports whether a class (pairs of inclusive bounds) holds an
// allowed rune. Large ranges are assumed to.
func classCan(ranges []rune, allowed func(rune) bool) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi-lo > 4096 {
			return true
		}
		for r := lo; r <= hi; r++ {
			if allowed(r) {
				return true
			}
		}
	}
	return false
}

func anyRune(rune) bool { return true }

// inFolded reports whether r can occur in a folded text (condition.Fold):
// Fold lower-cases, so r must be its own lower case, and it removes the
// combining marks of the canonical decomposition, so r must not decompose
// into one ("é" cannot occur, "e" can). TestInFoldedAgreesWithFold checks
// this against Fold for every rune.
func inFolded(r rune) bool {
	if unicode.ToLower(r) != r || unicode.Is(unicode.Mn, r) {
		return false
	}
	if r < 0x80 {
		return true
	}
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			return false
		}
	}
	return true
}
