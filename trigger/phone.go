package trigger

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadPhone is returned (wrapped) by NormalizePhone for input that is not a phone number.
var ErrBadPhone = errors.New("not a phone number")

// NormalizePhone returns s in E.164 form ("+33611111111"). Spaces, dashes,
// dots and brackets are removed and a leading "00" becomes "+". A number
// without a country prefix is kept as digits with a leading "+": WhatsApp
// numbers always carry their country code.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	in := strings.TrimSpace(s)
	for i, r := range in {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", fmt.Errorf("%q: %w (unexpected %q)", s, ErrBadPhone, r)
		}
	}
	digits := b.String()
	if !strings.HasPrefix(in, "+") && strings.HasPrefix(digits, "00") {
		digits = digits[2:]
	}
	if len(digits) < 6 || len(digits) > 15 || digits[0] == '0' {
		return "", fmt.Errorf("%q: %w (want 6 to 15 digits with the country code)", s, ErrBadPhone)
	}
	return "+" + digits, nil
}
