package condition

import (
	"time"
)

// Scope is the evaluation state of one message, shared by every program
// evaluated on it (Program.Match): the values a backend derives from the
// Facts — its filled evaluation environment, the clock of the message in
// each time zone — are computed once per message instead of once per
// workflow. A Scope is not safe for concurrent use: one goroutine
// evaluates one message. Create it with NewScope.
type Scope struct {
	facts  *Facts
	clocks []Clock
	cache  []scopeEntry
	buf    [2]Clock
	cbuf   [2]scopeEntry
}

type scopeEntry struct{ key, val any }

// NewScope returns the evaluation scope of the message described by f.
func NewScope(f *Facts) *Scope {
	s := &Scope{facts: f}
	s.clocks, s.cache = s.buf[:0], s.cbuf[:0]
	return s
}

// Facts returns the facts the scope evaluates on.
func (s *Scope) Facts() *Facts { return s.facts }

// Clock is the time of a message seen in one time zone.
type Clock struct {
	// Location is the time zone.
	Location *time.Location
	// Weekday of the message, 0 = Sunday; Yesterday is the day before.
	Weekday, Yesterday int64
	// Minute of the day, 0..1439.
	Minute int64
	// Date and YDate are today and yesterday as "2006-01-02", filled only
	// when asked for (Scope.Clock with dates).
	Date, YDate string
}

// Clock returns the time of the message in loc, computed once per zone
// and message; with dates, Date and YDate are filled too.
func (s *Scope) Clock(loc *time.Location, dates bool) Clock {
	for i := range s.clocks {
		c := &s.clocks[i]
		if c.Location != loc {
			continue
		}
		if dates && c.Date == "" {
			c.fillDates(s.facts.Time)
		}
		return *c
	}
	c := NewClock(s.facts.Time, loc, dates)
	s.clocks = append(s.clocks, c)
	return c
}

// NewClock computes the time t in loc; with dates, Date and YDate too.
func NewClock(t time.Time, loc *time.Location, dates bool) Clock {
	lt := t.In(loc)
	wd := int64(lt.Weekday())
	c := Clock{Location: loc, Weekday: wd, Yesterday: (wd + 6) % 7, Minute: int64(lt.Hour()*60 + lt.Minute())}
	if dates {
		c.fillDates(t)
	}
	return c
}

func (c *Clock) fillDates(t time.Time) {
	lt := t.In(c.Location)
	y, m, d := lt.Date()
	c.Date = lt.Format(time.DateOnly)
	c.YDate = time.Date(y, m, d-1, 12, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// Value returns the value a backend stored under key for this message,
// building it with build the first time. Backends key their per-message
// environment with an unexported type of their own.
func (s *Scope) Value(key any, build func(*Facts) any) any {
	for _, e := range s.cache {
		if e.key == key {
			return e.val
		}
	}
	v := build(s.facts)
	s.cache = append(s.cache, scopeEntry{key, v})
	return v
}
