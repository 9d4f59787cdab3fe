package app

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestCreditsOnByDefault: a fresh product meters AI credits: the flag's
// default is on, the first run keeps it, the shop page's box is ticked
// and the engine meters; WAAUTO_METER_CREDITS=0 turns it off.
func TestCreditsOnByDefault(t *testing.T) {
	t.Setenv("WAAUTO_METER_CREDITS", "") // restored after the test
	if err := os.Unsetenv("WAAUTO_METER_CREDITS"); err != nil {
		t.Fatal(err)
	}
	o, err := parseServeFlags(nil, io.Discard)
	if err != nil || !o.MeterCredits {
		t.Fatalf("default flags: credits %v, %v; want on", o.MeterCredits, err)
	}
	ta := startApp(t, "", func(x *options) { x.MeterCredits = o.MeterCredits })
	if !ta.engine.MeterCredits() || !ta.shop.Credits {
		t.Fatalf("fresh product: engine meters %v, shop credits %v; want both on", ta.engine.MeterCredits(), ta.shop.Credits)
	}
	c := ta.client(t)
	c.login("admin", testPassword)
	if code, body := c.get("/settings/shop"); code != http.StatusOK || !strings.Contains(body, `name="credits" id="credits" value="on" checked`) {
		t.Fatalf("shop page of a fresh product: %d, the credits box is not ticked:\n%s", code, excerpt(body, `name="credits"`))
	}
	t.Setenv("WAAUTO_METER_CREDITS", "0")
	if o, _ := parseServeFlags(nil, io.Discard); o.MeterCredits {
		t.Error("WAAUTO_METER_CREDITS=0 leaves credits on")
	}
}
