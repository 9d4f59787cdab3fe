package condition

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	n, changes, latin := latinSize(s)
	switch {
	case !latin:
		return foldUnicode(s)
	case !changes:
		return s
	}
	// As strings.Builder does: b is never written again.
	b := appendLatin(make([]byte, 0, n), s)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// AppendFold appends Fold(s) to dst and returns the extended buffer, so
// that a caller can fold every message into one buffer it reuses: for
// ASCII and Latin text (see Fold) it allocates only when dst is too small.
func AppendFold(dst []byte, s string) []byte {
	s = strings.TrimSpace(s)
	n, _, latin := latinSize(s)
	if !latin {
		return append(dst, foldUnicode(s)...)
	}
	return appendLatin(slices.Grow(dst, n), s)
}

// latinSize is the first pass of the table fold of trimmed s: the length
// of the result, whether it differs from s, and whether the table can fold
// s at all (latin false: the full Unicode path is needed).
func latinSize(s string) (n int, changes, latin bool) {
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
			return 0, false, false
		}
		changes = true
		n += len(latinFold[r])
		i += 2
	}
	return n, changes, true
}

// appendLatin is the second pass: it appends the table fold of s (for
// which latinSize said latin) to b, copying the runs that stay and
// replacing the rest.
func appendLatin(b []byte, s string) []byte {
	keep := 0 // s[keep:i] is copied as it is
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			b = append(b, s[keep:i]...)
			b = append(b, latinFold[latinAt(s, i)]...)
			i += 2
			keep = i
		case 'A' <= c && c <= 'Z':
			b = append(b, s[keep:i]...)
			b = append(b, c+'a'-'A')
			i++
			keep = i
		default:
			i++
		}
	}
	return append(b, s[keep:]...)
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
