package trigger_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/waauto/waauto/trigger"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{5,14}$`)

// FuzzNormalizePhone: NormalizePhone never panics, returns E.164 or an
// error wrapping ErrBadPhone, and is idempotent.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+33611111111", "+33 6 11 11 11 11", "0033 (6) 11-11.11.11", "33611111111",
		"+1 555 0100", "06 11 11 11 11", "call-me", "", "+", "00", "\u00a0+44 20 7946 0958", "+3361111111111111"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := trigger.NormalizePhone(s)
		if err != nil {
			if !errors.Is(err, trigger.ErrBadPhone) {
				t.Fatalf("NormalizePhone(%q): %v does not wrap ErrBadPhone", s, err)
			}
			return
		}
		if !e164.MatchString(p) {
			t.Fatalf("NormalizePhone(%q) = %q, not E.164", s, p)
		}
		if again, err := trigger.NormalizePhone(p); err != nil || again != p {
			t.Fatalf("NormalizePhone(%q) = %q, %v; want it unchanged", p, again, err)
		}
	})
}
