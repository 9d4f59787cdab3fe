// Package phone reads phone numbers as people type them, for the product
// (dashboard forms, exclusions, the phone condition of the workflow
// editor): national formats with the shop's default country ("06 12 34 56
// 78" with FR is +33612345678) and the usual international spellings
// (brackets, a 00 prefix, dots, dashes, non-breaking spaces), with
// github.com/nyaruka/phonenumbers, the Go port of libphonenumber.
//
// The core's trigger.NormalizePhone stays dependency-free and only reads
// numbers that carry their country code; the product normalises with
// Normalize before calling the core, and gives workflow.Load a
// LoadOptions.NormalizePhone built on it.
package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/waauto/waauto/trigger"
)

// The reasons a number is refused, wrapped in *Error.
var (
	// ErrEmpty: nothing was typed.
	ErrEmpty = errors.New("empty")
	// ErrNoCountry: a national number, and no default country to read it.
	ErrNoCountry = errors.New("no country code, and no default country")
	// ErrCountryCode: the country code is unknown.
	ErrCountryCode = errors.New("unknown country code")
	// ErrTooShort and ErrTooLong: the wrong number of digits for the country.
	ErrTooShort = errors.New("too short")
	ErrTooLong  = errors.New("too long")
	// ErrInvalid: not a phone number at all (letters, a lone +...).
	ErrInvalid = errors.New("not a phone number")
)

// Error is a refused number: Input as typed, Reason one of the ErrX above.
type Error struct {
	Input  string
	Reason error
}

// Error says the number as typed and why it was refused.
func (e *Error) Error() string { return fmt.Sprintf("%q: %v", e.Input, e.Reason) }

// Unwrap returns the reason, and trigger.ErrBadPhone as every bad number.
func (e *Error) Unwrap() []error { return []error{e.Reason, trigger.ErrBadPhone} }

// spaces are the blanks people paste inside numbers.
var spaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2007", " ", "\u2009", " ", "\t", " ")

// Normalize returns s in E.164 form ("+33612345678"). A number without a
// country code is read as a number of region (ISO 3166 alpha-2, e.g.
// "FR"); with region "" it is refused with ErrNoCountry. The number must
// have a possible length for its country; it need not be assigned.
//
// Normalize is idempotent: Normalize(Normalize(s)) is Normalize(s), so a
// number exported and imported again stays the same. libphonenumber strips
// a national prefix typed after the country code ("+91 0…" loses its 0),
// and once more from its own output when the digits left still start
// with one; Normalize therefore reads its result again until it stops
// changing, and refuses the number if that ends in an error.
func Normalize(s, region string) (string, error) {
	out, err := normalizeOnce(s, region)
	// Every round that changes the number strips at least one digit, so
	// this ends; the bound only guards against a library that would not.
	for range 16 {
		if err != nil {
			return "", &Error{Input: s, Reason: err.(*Error).Reason}
		}
		again, err2 := normalizeOnce(out, "")
		if err2 == nil && again == out {
			return out, nil
		}
		out, err = again, err2
	}
	return "", &Error{Input: s, Reason: ErrInvalid}
}

// normalizeOnce is one reading of s by phonenumbers.
func normalizeOnce(s, region string) (string, error) {
	in := strings.TrimSpace(spaces.Replace(s))
	if in == "" {
		return "", &Error{Input: s, Reason: ErrEmpty}
	}
	digitsOnly := strings.TrimLeft(in, "( ")
	intl := strings.HasPrefix(digitsOnly, "+") || strings.HasPrefix(digitsOnly, "00")
	if strings.HasPrefix(digitsOnly, "00") {
		in = "+" + strings.TrimPrefix(digitsOnly, "00")
	}
	if !intl && region == "" {
		return "", &Error{Input: s, Reason: ErrNoCountry}
	}
	n, err := phonenumbers.Parse(in, strings.ToUpper(region))
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "", &Error{Input: s, Reason: ErrCountryCode}
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "", &Error{Input: s, Reason: ErrTooShort}
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "", &Error{Input: s, Reason: ErrTooLong}
	case err != nil:
		return "", &Error{Input: s, Reason: ErrInvalid}
	}
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.IS_POSSIBLE:
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "", &Error{Input: s, Reason: ErrCountryCode}
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "", &Error{Input: s, Reason: ErrTooShort}
	case phonenumbers.TOO_LONG:
		return "", &Error{Input: s, Reason: ErrTooLong}
	default:
		return "", &Error{Input: s, Reason: ErrInvalid}
	}
	out, err := trigger.NormalizePhone(phonenumbers.Format(n, phonenumbers.E164))
	if err != nil {
		return "", &Error{Input: s, Reason: ErrInvalid}
	}
	return out, nil
}

// Country reports whether region is a country phonenumbers knows ("FR").
func Country(region string) bool { return phonenumbers.GetSupportedRegions()[region] }
