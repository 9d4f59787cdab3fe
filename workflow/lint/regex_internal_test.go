package lint

import (
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/waauto/waauto/condition"
)

// inFolded must accept every rune Fold can output: checked for the fold of
// every assigned rune (unassigned and private-use ones fold to themselves),
// alone and, for marks, after a letter (composition with a neighbour).
func TestInFoldedAgreesWithFold(t *testing.T) {
	bad := 0
	assigned := []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !unicode.In(r, assigned...) {
			if !inFolded(r) && utf8.ValidRune(r) {
				t.Errorf("inFolded rejects the unassigned %U", r)
			}
			continue
		}
		forms := []string{string(r)}
		if unicode.Is(unicode.M, r) {
			forms = append(forms, "a"+string(r), "E"+string(r))
		}
		for _, s := range forms {
			for _, y := range condition.Fold(s) {
				if !inFolded(y) {
					if bad++; bad < 10 {
						t.Errorf("Fold(%q) = %q holds %U, which inFolded rejects", s, condition.Fold(s), y)
					}
				}
			}
		}
	}
}

func TestCanMatch(t *testing.T) {
	cases := []struct {
		pattern      string
		folded, text bool // can match folded text, raw text
	}{
		{`prix`, true, true},
		{`^Prix`, false, true},
		{`(?i)^PRIX`, true, true},
		{`été`, false, true},
		{`ete|Été`, true, true},
		{`[A-Z]+`, false, true},
		{`[A-Za-z]`, true, true},
		{`a$b`, false, false},
		{`a$`, true, true},
		{`a^b`, false, false},
		{`x*^a`, true, true},
		{`[^\x00-\x{10FFFF}]`, false, false},
		{`^$`, true, true},
		{`\d{5}`, true, true},
		{`(`, true, true}, // invalid: Load rejects it
		{`X?y`, true, true},
		{`(?m)a$\n^b`, true, true},
	}
	for _, tc := range cases {
		if got := canMatch(tc.pattern, inFolded); got != tc.folded {
			t.Errorf("canMatch(%q, folded) = %t, want %t", tc.pattern, got, tc.folded)
		}
		if got := canMatch(tc.pattern, anyRune); got != tc.text {
			t.Errorf("canMatch(%q, raw) = %t, want %t", tc.pattern, got, tc.text)
		}
	}
}
