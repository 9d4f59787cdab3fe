package engine_test

import (
	"testing"
	"time"

	"github.com/waauto/waauto/workflow/engine"
)

// TestLocalTimeDST checks the DESIGN.md rule on the transitions of 2026: a
// wall-clock time in a DST gap moves forward to the first valid instant, a
// repeated one takes its first occurrence. Go's time.Date gets three of
// these five wrong (research/reliability.md §2).
func TestLocalTimeDST(t *testing.T) {
	for _, c := range []struct {
		zone       string
		y          int
		mo         time.Month
		d, h, mi   int
		want       string // UTC
		wantOffset int    // seconds east of UTC, of the result
		note       string
	}{
		{"Europe/Berlin", 2026, time.March, 29, 2, 30, "2026-03-29T01:00:00Z", 2 * 3600, "gap: 03:00 CEST, not 03:30"},
		{"America/New_York", 2026, time.March, 8, 2, 30, "2026-03-08T07:00:00Z", -4 * 3600, "gap: 03:00 EDT, not 01:30 EST"},
		{"America/Santiago", 2026, time.September, 6, 0, 0, "2026-09-06T04:00:00Z", -3 * 3600, "gap at midnight: 01:00 -03, not the day before"},
		{"Europe/Berlin", 2026, time.October, 25, 2, 30, "2026-10-25T00:30:00Z", 2 * 3600, "repeated: first occurrence (CEST), Go picks CET"},
		{"America/New_York", 2026, time.November, 1, 1, 30, "2026-11-01T05:30:00Z", -4 * 3600, "repeated: first occurrence (EDT)"},
		{"Europe/Berlin", 2026, time.July, 1, 12, 0, "2026-07-01T10:00:00Z", 2 * 3600, "ordinary summer time"},
		{"Asia/Kolkata", 2026, time.January, 1, 0, 0, "2025-12-31T18:30:00Z", 5*3600 + 1800, "zone without DST"},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatalf("load %s: %v", c.zone, err)
		}
		got := engine.LocalTime(c.y, c.mo, c.d, c.h, c.mi, 0, loc)
		if s := got.UTC().Format(time.RFC3339); s != c.want {
			t.Errorf("%s %d-%02d-%02d %02d:%02d (%s): got %s, want %s", c.zone, c.y, c.mo, c.d, c.h, c.mi, c.note, s, c.want)
		}
		if _, off := got.Zone(); off != c.wantOffset {
			t.Errorf("%s %d-%02d-%02d %02d:%02d: offset %d, want %d", c.zone, c.y, c.mo, c.d, c.h, c.mi, off, c.wantOffset)
		}
	}
}

// TestLocalTimeEveryMinuteRoundTrips: through a whole year in zones with
// DST, every wall-clock minute that exists resolves to an instant showing
// that same wall clock, and the earliest such instant.
func TestLocalTimeEveryMinuteRoundTrips(t *testing.T) {
	if testing.Short() {
		t.Skip("a year of minutes in three zones")
	}
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "America/Santiago"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		// Walk instants 15 minutes apart and check each one's wall clock.
		for u := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); u.Year() == 2026; u = u.Add(15 * time.Minute) {
			w := u.In(loc)
			got := engine.LocalTime(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, loc)
			if got.After(u) {
				t.Fatalf("%s: wall %s resolves to %s, after the instant %s that shows it", zone, w.Format("2006-01-02 15:04"), got.UTC(), u)
			}
			if !got.Equal(u) && !got.Add(time.Hour).Equal(u) {
				t.Fatalf("%s: wall %s resolves to %s; the instant %s shows it", zone, w.Format("2006-01-02 15:04"), got.UTC(), u)
			}
		}
	}
}
