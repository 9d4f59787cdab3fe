package condition

import (
	"fmt"
	"time"
)

// TimeOfDay is a time of day in minutes after midnight (0..1439).
type TimeOfDay int

// ParseTimeOfDay parses "HH:MM" (24-hour).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a time of day (want HH:MM)", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, fmt.Errorf("%q is not a time of day (want HH:MM)", s)
	}
	return TimeOfDay(h*60 + m), nil
}

// String formats c as "HH:MM".
func (c TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Span is a period of one day, From inclusive, To exclusive; a To not after
// From runs past midnight into the next day.
type Span struct{ From, To TimeOfDay }

// String formats s as "HH:MM-HH:MM".
func (s Span) String() string { return s.From.String() + "-" + s.To.String() }

// ParseSpan parses "HH:MM-HH:MM".
func ParseSpan(s string) (Span, error) {
	if len(s) != 11 || s[5] != '-' {
		return Span{}, fmt.Errorf("%q is not a period (want HH:MM-HH:MM)", s)
	}
	from, err := ParseTimeOfDay(s[:5])
	if err != nil {
		return Span{}, err
	}
	to, err := ParseTimeOfDay(s[6:])
	if err != nil {
		return Span{}, err
	}
	return Span{from, to}, nil
}

// Hours are named business hours: periods per weekday and closed dates.
type Hours struct {
	// Location is the hours' time zone; nil means the account's.
	Location *time.Location
	// Weekly lists the open periods of each weekday; days absent are closed.
	Weekly map[time.Weekday][]Span
	// Closed lists dates ("2006-01-02", in Location) when the shop is closed.
	Closed []string
}

// Hours returns the window as business hours: the same period on each of
// its days (every day when Days is empty), in its Location. A window
// contains an instant exactly when its Hours do.
func (s Schedule) Hours() Hours {
	days := s.Days
	if len(days) == 0 {
		days = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	}
	h := Hours{Location: s.Location, Weekly: make(map[time.Weekday][]Span, len(days))}
	for _, d := range days {
		h.Weekly[d] = []Span{{From: s.From, To: s.To}}
	}
	return h
}

// Contains reports whether instant t, seen in loc (or Location if set), is
// inside the hours. A period past midnight belongs to the day it opens.
func (h Hours) Contains(t time.Time, loc *time.Location) bool {
	if h.Location != nil {
		loc = h.Location
	}
	t = t.In(loc)
	m := TimeOfDay(t.Hour()*60 + t.Minute())
	if !h.closed(t) {
		for _, s := range h.Weekly[t.Weekday()] {
			if s.From < s.To && m >= s.From && m < s.To || s.From >= s.To && m >= s.From {
				return true
			}
		}
	}
	y := t.AddDate(0, 0, -1)
	if !h.closed(y) {
		for _, s := range h.Weekly[y.Weekday()] {
			if s.From >= s.To && m < s.To {
				return true
			}
		}
	}
	return false
}

func (h Hours) closed(t time.Time) bool {
	date := t.Format(time.DateOnly)
	for _, c := range h.Closed {
		if c == date {
			return true
		}
	}
	return false
}
