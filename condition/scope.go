package condition

import (
	"sync"
	"time"
)

// Scope is the evaluation state of one message, shared by every program
// evaluated on it (Program.Match): the values a backend derives from the
// Facts — its filled evaluation environment, the clock of the message in
// each time zone, the value of each leaf shared through a LeafCache — are
// computed once per message instead of once per workflow. A Scope is not safe for concurrent use: one goroutine
// evaluates one message. Create it with NewScope, or Reset one kept inside
// a larger record.
type Scope struct {
	facts  *Facts
	clocks []LocalTime
	cache  []scopeEntry
	// memo holds the leaves' values while they are few (searched in
	// order, no allocation); past memoInline they move to big. Only raw
	// leaves and regular expressions are remembered (backend.Native.Memo).
	memo []memoEntry
	big  map[*CachedLeaf]bool
	buf  [2]LocalTime
	cbuf [2]scopeEntry
	mbuf [memoInline]memoEntry
}

type scopeEntry struct{ key, val any }

type memoEntry struct {
	leaf  *CachedLeaf
	value bool
}

const memoInline = 4

// NewScope returns the evaluation scope of the message described by f.
func NewScope(f *Facts) *Scope {
	s := new(Scope)
	s.Reset(f)
	return s
}

// Reset makes s the empty evaluation scope of the message described by f,
// in place: what NewScope returns, for a caller that keeps the Scope inside
// a larger record (one allocation per message). A Scope keeps its first
// values in itself: it must not be copied once used.
func (s *Scope) Reset(f *Facts) {
	// The inline arrays are not cleared: nothing past a slice's length is
	// read, and a fresh Scope is zero already.
	s.facts, s.big = f, nil
	s.clocks, s.cache, s.memo = s.buf[:0], s.cbuf[:0], s.mbuf[:0]
}

// Facts returns the facts the scope evaluates on.
func (s *Scope) Facts() *Facts { return s.facts }

// LocalTime is the time of a message seen in one time zone.
type LocalTime struct {
	// Location is the time zone.
	Location *time.Location
	// Weekday of the message, 0 = Sunday; Yesterday is the day before.
	Weekday, Yesterday int64
	// Minute of the day, 0..1439.
	Minute int64
	// Date and YDate are today and yesterday as "2006-01-02", filled only
	// when asked for (Scope.LocalTime with dates).
	Date, YDate string
}

// LocalTime returns the time of the message in loc, computed once per zone
// and message; with dates, Date and YDate are filled too.
func (s *Scope) LocalTime(loc *time.Location, dates bool) LocalTime {
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
	c := NewLocalTime(s.facts.Time, loc, dates)
	s.clocks = append(s.clocks, c)
	return c
}

// NewLocalTime computes the time t in loc; with dates, Date and YDate too.
func NewLocalTime(t time.Time, loc *time.Location, dates bool) LocalTime {
	lt := t.In(loc)
	wd := int64(lt.Weekday())
	c := LocalTime{Location: loc, Weekday: wd, Yesterday: (wd + 6) % 7, Minute: int64(lt.Hour()*60 + lt.Minute())}
	if dates {
		c.fillDates(t)
	}
	return c
}

func (c *LocalTime) fillDates(t time.Time) {
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

// LeafCache lets the programs compiled with it (Env.Leaves) share their
// identical leaves — the same schedule, labels or message_type test in many
// workflows: each is compiled once, and evaluated at most once per message
// on a Scope (Program.Match), however many programs hold it. Create it with
// NewLeafCache; it is safe for concurrent use.
type LeafCache struct {
	mu     sync.Mutex
	leaves map[string]*CachedLeaf
}

// CachedLeaf is one compiled leaf of a LeafCache; a Scope remembers its
// value for the message.
type CachedLeaf struct {
	// Program is the backend's compiled leaf.
	Program any
}

// NewLeafCache returns an empty cache.
func NewLeafCache() *LeafCache { return &LeafCache{leaves: map[string]*CachedLeaf{}} }

// Leaf returns the leaf cached under key, compiling it with compile the
// first time. key must identify the leaf's meaning completely (backend,
// expression, time zones).
func (c *LeafCache) Leaf(key string, compile func() (any, error)) (*CachedLeaf, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.leaves[key]; ok {
		return l, nil
	}
	p, err := compile()
	if err != nil {
		return nil, err
	}
	l := &CachedLeaf{Program: p}
	c.leaves[key] = l
	return l, nil
}

// Len is the number of distinct leaves in the cache.
func (c *LeafCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.leaves)
}

// Known returns the value of leaf l on the scope's message, if remembered.
func (s *Scope) Known(l *CachedLeaf) (value, known bool) {
	if s.big != nil {
		value, known = s.big[l]
		return value, known
	}
	for _, e := range s.memo {
		if e.leaf == l {
			return e.value, true
		}
	}
	return false, false
}

// Remember records the value of leaf l on the scope's message.
func (s *Scope) Remember(l *CachedLeaf, value bool) {
	if s.big == nil && len(s.memo) < memoInline {
		s.memo = append(s.memo, memoEntry{l, value})
		return
	}
	if s.big == nil {
		s.big = make(map[*CachedLeaf]bool, 4*memoInline)
		for _, e := range s.memo {
			s.big[e.leaf] = e.value
		}
	}
	s.big[l] = value
}
