package phone

import (
	"errors"
	"fmt"
	"testing"

	"github.com/waauto/waauto/trigger"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		in, region, want string
		err              error
	}{
		{"06 12 34 56 78", "FR", "+33612345678", nil},
		{"06.12.34.56.78", "FR", "+33612345678", nil},
		{"06-12-34-56-78", "fr", "+33612345678", nil},
		{"06\u00a012\u00a034\u00a056\u00a078", "FR", "+33612345678", nil},
		{"06\u202f12\u202f34\u202f56\u202f78", "FR", "+33612345678", nil},
		{"+33 6 12 34 56 78", "", "+33612345678", nil},
		{"+33 (0)6 12 34 56 78", "", "+33612345678", nil},
		{"(+33) 6 12 34 56 78", "", "+33612345678", nil},
		{"0033 6 12 34 56 78", "", "+33612345678", nil},
		{"0033612345678", "FR", "+33612345678", nil},
		{"+1 (415) 555-2671", "FR", "+14155552671", nil},
		{"(415) 555-2671", "US", "+14155552671", nil},
		{"+32 470 12 34 56", "FR", "+32470123456", nil},
		{"0470 12 34 56", "BE", "+32470123456", nil},
		{"  +44 7911 123456 ", "", "+447911123456", nil},
		{"06 12 34 56 78", "", "", ErrNoCountry},
		{"", "FR", "", ErrEmpty},
		{" \u00a0", "FR", "", ErrEmpty},
		{"06 12 34", "FR", "", ErrTooShort},
		{"06 12 34 56 78 90 12", "FR", "", ErrTooLong},
		{"+999 612345678", "", "", ErrCountryCode},
		{"call me", "FR", "", ErrInvalid},
		// libphonenumber strips one national prefix 0 a reading; the
		// result is read again until it stops changing (found by
		// FuzzParseContactsCSV: +910000000000 came back +91000000000).
		{"+91 00000000000", "", "+9100000000", nil},
		{"+910000000000", "", "+9100000000", nil},
	} {
		got, err := Normalize(c.in, c.region)
		if c.err != nil {
			var pe *Error
			if !errors.Is(err, c.err) || !errors.Is(err, trigger.ErrBadPhone) || !errors.As(err, &pe) || pe.Input != c.in {
				t.Errorf("Normalize(%q, %q) = %q, %v; want %v (wrapping trigger.ErrBadPhone)", c.in, c.region, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", c.in, c.region, got, err, c.want)
		}
		if again, err := Normalize(got, ""); again != got || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want it unchanged", got, again, err)
		}
	}
}

func TestCountry(t *testing.T) {
	if !Country("FR") || !Country("BE") || Country("XX") || Country("fr") {
		t.Error("Country: want FR and BE known, XX and lower case not")
	}
}

func ExampleNormalize() {
	for _, s := range []string{"06 12 34 56 78", "(+33) 6.12.34.56.78", "0033 6 12 34 56 78"} {
		p, err := Normalize(s, "FR")
		fmt.Println(p, err)
	}
	_, err := Normalize("06 12 34 56 78", "")
	fmt.Println(err)
	// Output:
	// +33612345678 <nil>
	// +33612345678 <nil>
	// +33612345678 <nil>
	// "06 12 34 56 78": no country code, and no default country
}
