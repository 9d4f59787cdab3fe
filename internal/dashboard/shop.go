package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waauto/waauto/internal/phone"
)

// ShopSettings are the shop's own settings, edited under Settings → Shop.
type ShopSettings struct {
	// TimeZone is the shop's IANA time zone: every time of the dashboard
	// is shown in it, and the engine runs the workflows in it.
	TimeZone string `json:"time_zone"`
	// Lang is the interface's language when neither the user's switch nor
	// the browser's Accept-Language chooses one: "en" or "fr".
	Lang string `json:"lang"`
	// Country is the ISO 3166 region (e.g. "FR") of phone numbers typed
	// without a country code; "" means they must have one.
	Country string `json:"country"`
	// Credits turns credit accounting of AI replies on.
	Credits bool `json:"credits"`
	// Confirmed is set once an admin saved the settings; until then the
	// dashboard asks for the time zone.
	Confirmed bool `json:"confirmed"`
}

// settingShop is the settings key of the shop's settings (JSON).
const settingShop = "shop"

// Shop returns the saved shop settings, or def when none were saved.
func (s *Store) Shop(ctx context.Context, def ShopSettings) (ShopSettings, error) {
	v, err := s.setting(ctx, settingShop)
	if err != nil || v == "" {
		return def, err
	}
	var out ShopSettings
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return def, fmt.Errorf("shop settings: %w", err)
	}
	return out, nil
}

// SaveShop saves the shop settings.
func (s *Store) SaveShop(ctx context.Context, v ShopSettings) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.setSetting(ctx, settingShop, string(data))
}

// LoadZone returns the IANA time zone name; "", "Local" and unknown names
// are refused, so that the shop's zone is always named.
func LoadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("%q is not an IANA time zone such as Europe/Paris", name)
	}
	return loc, nil
}

// shopState is the current shop settings with their parsed zone.
type shopState struct {
	ShopSettings
	loc *time.Location
}

// settings returns the shop's current settings.
func (d *Dashboard) settings() ShopSettings { return d.shop.Load().ShopSettings }

// location is the shop's time zone.
func (d *Dashboard) location() *time.Location { return d.shop.Load().loc }

// commonZones are offered in the time zone field (any IANA name is accepted).
var commonZones = []string{
	"Europe/Paris", "Europe/Brussels", "Europe/Zurich", "Europe/Luxembourg", "Europe/Monaco", "Europe/London",
	"Europe/Madrid", "Europe/Lisbon", "Europe/Berlin", "Europe/Rome", "Africa/Casablanca", "Africa/Algiers",
	"Africa/Tunis", "Africa/Dakar", "Africa/Abidjan", "Indian/Reunion", "America/Martinique", "America/Guadeloupe",
	"America/Cayenne", "Pacific/Noumea", "Pacific/Tahiti", "America/Montreal", "America/New_York", "UTC",
}

func (d *Dashboard) shopPage(w http.ResponseWriter, r *http.Request) {
	d.showShop(w, r, http.StatusOK, d.settings(), nil)
}

func (d *Dashboard) showShop(w http.ResponseWriter, r *http.Request, status int, s ShopSettings, err error) {
	d.renderError(w, r, status, "shop", map[string]any{"Shop": s, "Zones": commonZones, "MachineZone": d.machineZone}, err)
}

// shopPost checks and saves the shop settings, then applies them: the
// engine's zone and credit accounting change at once. A bad field is
// named and nothing is saved.
func (d *Dashboard) shopPost(w http.ResponseWriter, r *http.Request) {
	s := ShopSettings{
		TimeZone:  strings.TrimSpace(r.FormValue("time_zone")),
		Lang:      r.FormValue("lang"),
		Country:   strings.ToUpper(strings.TrimSpace(r.FormValue("country"))),
		Credits:   r.FormValue("credits") != "",
		Confirmed: true,
	}
	loc, err := LoadZone(s.TimeZone)
	switch {
	case err != nil:
		err = errors.New(d.t(r, "shop.err.zone", s.TimeZone))
	case d.tr[s.Lang].p == nil:
		err = errors.New(d.t(r, "lang.unknown", s.Lang))
	case s.Country != "" && !phone.Country(s.Country):
		err = errors.New(d.t(r, "shop.err.country", s.Country))
	}
	if err != nil {
		d.showShop(w, r, http.StatusBadRequest, s, err)
		return
	}
	old := d.location()
	if err := d.engine.SetLocation(loc); err != nil {
		d.showShop(w, r, http.StatusUnprocessableEntity, s, errors.New(d.t(r, "shop.err.apply", err)))
		return
	}
	if err := d.dash.SaveShop(r.Context(), s); err != nil {
		_ = d.engine.SetLocation(old) // compiled with it a moment ago
		d.fail(w, r, err)
		return
	}
	d.engine.SetMeterCredits(s.Credits)
	d.shop.Store(&shopState{ShopSettings: s, loc: loc})
	d.ok(w, r, "/settings/shop", "shop.saved", s.TimeZone)
}
