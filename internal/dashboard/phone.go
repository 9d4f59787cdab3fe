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
	var why string
	switch {
	case errors.Is(err, phone.ErrEmpty):
		why = d.t(r, "phone.why.empty")
	case errors.Is(err, phone.ErrNoCountry):
		why = d.t(r, "phone.why.no_country")
	case errors.Is(err, phone.ErrCountryCode):
		why = d.t(r, "phone.why.country_code")
	case errors.Is(err, phone.ErrTooShort):
		why = d.t(r, "phone.why.too_short")
	case errors.Is(err, phone.ErrTooLong):
		why = d.t(r, "phone.why.too_long")
	default:
		why = d.t(r, "phone.why.invalid")
	}
	return "", errors.New(d.t(r, "phone.err.field", d.t(r, field), typed, why))
}

// normalizePhone reads the numbers of the editor's phone conditions with
// the shop's default country.
func (d *Dashboard) normalizePhone(s string) (string, error) {
	return parsePhone(s, d.settings().Country)
}
