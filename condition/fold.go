package condition

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:generate go test -run TestFoldTableIsCurrent -update-fold-table

// Fold normalises text for case- and accent-insensitive comparison: it trims
// surrounding space, removes combining marks after canonical decomposition
// ("Problème" → "probleme") and lower-cases with Unicode rules.
//
// Text made only of ASCII and of U+0080 to U+024F (Latin-1 Supplement,
// Latin Extended-A and -B, whose runes fold one by one whatever their
// neighbours) is folded through a table with at most one allocation;
// anything else (combining marks, other scripts, invalid UTF-8) goes
// through the full Unicode normalisation. Both give the same result.
func Fold(s string) string {
	s = strings.TrimSpace(s)
	// First pass: the folded length, or the full path.
	n, changes := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			changes = changes || 'A' <= c && c <= 'Z'
			n++
			i++
			continue
		}
		r := latinAt(s, i)
		if r < 0 {
			return foldUnicode(s)
		}
		changes = true
		n += len(latinFold[r])
		i += 2
	}
	if !changes {
		return s
	}
	// Second pass: copy the runs that stay, replace the rest.
	var b strings.Builder
	b.Grow(n)
	keep := 0 // s[keep:i] is copied as it is
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			b.WriteString(s[keep:i])
			b.WriteString(latinFold[latinAt(s, i)])
			i += 2
			keep = i
		case 'A' <= c && c <= 'Z':
			b.WriteString(s[keep:i])
			b.WriteByte(c + 'a' - 'A')
			i++
			keep = i
		default:
			i++
		}
	}
	b.WriteString(s[keep:])
	return b.String()
}

// latinAt returns the rune at s[i] when it is a 2-byte UTF-8 sequence
// that latinFold folds, else -1.
func latinAt(s string, i int) int {
	c := s[i]
	if c < 0xC2 || c > 0xDF || i+1 >= len(s) || s[i+1]&0xC0 != 0x80 {
		return -1
	}
	r := int(c&0x1F)<<6 | int(s[i+1]&0x3F)
	if r >= len(latinFold) || latinFold[r] == "" {
		return -1
	}
	return r
}

var accents = runes.Remove(runes.In(unicode.Mn))

// foldUnicode is Fold for any trimmed s: canonical decomposition, combining
// marks removed, recomposition, then Unicode lower case.
func foldUnicode(s string) string {
	t := transform.Chain(norm.NFD, accents, norm.NFC)
	if out, _, err := transform.String(t, s); err == nil {
		s = out
	}
	return strings.ToLower(s)
}
