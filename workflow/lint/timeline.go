package lint

import (
	"math/bits"
	"slices"
	"time"

	"github.com/waauto/waauto/condition"
)

// The year the time leaves are evaluated over: a whole year holds every
// weekday at every time of day in each daylight-saving regime.
var (
	yearStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	yearEnd   = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

// bitset is one bit per sample of a timeline.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) fill(n int) bitset {
	for i := range n {
		b.set(i)
	}
	return b
}

// first returns the index of the first set bit, or -1.
func (b bitset) first() int {
	for i, w := range b {
		if w != 0 {
			return i*64 + bits.TrailingZeros64(w)
		}
	}
	return -1
}

func (b bitset) and(c bitset) {
	for i := range b {
		b[i] &= c[i]
	}
}

// timeline decides the time leaves (schedule windows and named hours) of a
// definitions set exactly over yearStart..yearEnd: at is every instant at
// which some leaf may change value (a clock time the leaves name or
// midnight, in each leaf's zone, daylight-saving changes included), so
// every leaf is constant from one sample to the next.
type timeline struct {
	at []time.Time
	// can[a] has the samples where time atom a can be true, cannot[a]
	// those where it can be false. They differ from each other's
	// complement only for hours with closed dates, which are dates of
	// particular years: such hours can be false at any time.
	can, cannot map[int]bitset
	// weekly[a] is atom a's value closed dates aside.
	weekly map[int]bitset
}

func newTimeline(as *atoms, account *time.Location) *timeline {
	zones := map[*time.Location]bool{account: true}
	clocks := map[condition.TimeOfDay]bool{0: true}
	for _, n := range as.time {
		switch n := n.(type) {
		case condition.Schedule:
			if n.Location != nil {
				zones[n.Location] = true
			}
			clocks[n.From], clocks[n.To] = true, true
		case condition.InHours:
			h := as.hours[n.Name]
			if h.Location != nil {
				zones[h.Location] = true
			}
			for _, spans := range h.Weekly {
				for _, s := range spans {
					clocks[s.From], clocks[s.To] = true, true
				}
			}
		}
	}
	tl := &timeline{can: map[int]bitset{}, cannot: map[int]bitset{}, weekly: map[int]bitset{}}
	if len(as.time) == 0 {
		return tl
	}
	seen := map[int64]bool{}
	add := func(t time.Time) {
		if !t.Before(yearStart) && t.Before(yearEnd) && !seen[t.Unix()] {
			seen[t.Unix()] = true
			tl.at = append(tl.at, t)
		}
	}
	add(yearStart)
	for z := range zones {
		for start := yearStart; start.Before(yearEnd); {
			// One period of constant UTC offset [start, end).
			_, off := start.In(z).Zone()
			_, end := start.In(z).ZoneBounds()
			if end.IsZero() || end.After(yearEnd) {
				end = yearEnd
			}
			add(start)
			local := start.Add(time.Duration(off) * time.Second).UTC()
			day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
			for ; day.Add(-time.Duration(off) * time.Second).Before(end); day = day.AddDate(0, 0, 1) {
				for c := range clocks {
					t := day.Add(time.Duration(c)*time.Minute - time.Duration(off)*time.Second)
					if !t.Before(start) && t.Before(end) {
						add(t)
					}
				}
			}
			start = end
		}
	}
	slices.SortFunc(tl.at, func(a, b time.Time) int { return a.Compare(b) })
	n := len(tl.at)
	for a, leaf := range as.time {
		h, known := hoursOf(leaf, as.hours)
		if !known {
			tl.can[a], tl.cannot[a] = newBitset(n).fill(n), newBitset(n).fill(n)
			continue
		}
		weekly := h
		weekly.Closed = nil
		w, not := newBitset(n), newBitset(n)
		for i, t := range tl.at {
			if weekly.Contains(t, account) {
				w.set(i)
			} else {
				not.set(i)
			}
		}
		tl.weekly[a], tl.can[a], tl.cannot[a] = w, w, not
		if len(h.Closed) > 0 {
			tl.cannot[a] = newBitset(n).fill(n)
		}
	}
	return tl
}

// hoursOf returns a time leaf as business hours (condition.Schedule.Hours
// for a window); false for unknown hours.
func hoursOf(n condition.Node, hours map[string]condition.Hours) (condition.Hours, bool) {
	switch n := n.(type) {
	case condition.Schedule:
		return n.Hours(), true
	case condition.InHours:
		h, ok := hours[n.Name]
		return h, ok
	}
	return condition.Hours{}, false
}

// satisfy returns the samples where every literal can hold: value[a] is
// the wanted value of time atom a.
func (tl *timeline) satisfy(value map[int]bool) bitset {
	out := newBitset(len(tl.at)).fill(len(tl.at))
	for a, v := range value {
		if v {
			out.and(tl.can[a])
		} else {
			out.and(tl.cannot[a])
		}
	}
	return out
}
