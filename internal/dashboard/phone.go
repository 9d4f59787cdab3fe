package dashboard

import (
	"errors"
	"net/http"

	"github.com/waauto/waauto/internal/phone"
)

// phone reads the number typed in the form field named by the catalogue
// key field, with the shop's default country. Its error is in the user's
// language, names the field and says what is wrong.
func (d *Dashboard) phone(r *http.Request, field, typed string) (string, error) {
	p, err := parsePhone(typed, d.settings().Country)
	if err == nil {
		return p, nil
	}
	why := d.formMessage(r, phoneWhy(err)).Error()
	return "", errors.New(d.t(r, "phone.err.field", d.t(r, field), typed, why))
}

// phoneWhy says why parsePhone refused a number, as a formError.
func phoneWhy(err error) error {
	switch {
	case errors.Is(err, phone.ErrEmpty):
		return invalid("phone.why.empty")
	case errors.Is(err, phone.ErrNoCountry):
		return invalid("phone.why.no_country")
	case errors.Is(err, phone.ErrCountryCode):
		return invalid("phone.why.country_code")
	case errors.Is(err, phone.ErrTooShort):
		return invalid("phone.why.too_short")
	case errors.Is(err, phone.ErrTooLong):
		return invalid("phone.why.too_long")
	}
	return invalid("phone.why.invalid")
}

// normalizePhone reads the numbers of the editor's phone conditions with
// the shop's default country.
func (d *Dashboard) normalizePhone(s string) (string, error) {
	return parsePhone(s, d.settings().Country)
}
