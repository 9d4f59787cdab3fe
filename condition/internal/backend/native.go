package backend

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
)

// Native is a built-in leaf evaluated in Go instead of by the backend's
// program: the same comparison as the leaf's generated expression, on the
// facts and the program's clocks, without the interpreter, its filled
// environment or the allocations of reading fields by reflection. Raw
// expression leaves have none. The backends store it as the leaf's
// condition.CachedLeaf program; the condition suite (conditiontest) holds
// both backends, and so the natives, to the reference evaluator.
type Native struct {
	eval func(f *condition.Facts, clocks []LocalTime) bool
	// Memo is set when the leaf costs enough (a regular expression) to be
	// remembered in the message's scope; the others are cheaper to compute
	// again than to look up.
	Memo bool
}

// Eval is the leaf's value on f, clocks being the program's (Plan.Clocks).
func (n *Native) Eval(f *condition.Facts, clocks []LocalTime) bool { return n.eval(f, clocks) }

type nativeFunc = func(f *condition.Facts, clocks []LocalTime) bool

func native(fn nativeFunc) *Native { return &Native{eval: fn} }

// native returns the Go evaluation of leaf n, which Generate has already
// checked and written; nil for a raw expression.
func (g *gen) native(n condition.Node) *Native {
	switch n := n.(type) {
	case condition.Text:
		return g.nativeText(n)
	case condition.Phone:
		return nativeSet(func(f *condition.Facts) string { return f.Phone }, n.Op, n.Values,
			condition.OpEquals, condition.OpNotEquals, condition.OpIn, condition.OpNotIn)
	case condition.Agent:
		switch n.Op {
		case condition.OpAssigned:
			if n.IsAssigned {
				return native(func(f *condition.Facts, _ []LocalTime) bool { return f.Agent != "" })
			}
			return native(func(f *condition.Facts, _ []LocalTime) bool { return f.Agent == "" })
		case condition.OpIs:
			id := n.ID
			return native(func(f *condition.Facts, _ []LocalTime) bool { return f.Agent == id })
		case condition.OpIsNot:
			id := n.ID
			return native(func(f *condition.Facts, _ []LocalTime) bool { return f.Agent != id })
		}
	case condition.MessageType:
		types := make([]string, len(n.Types))
		for i, t := range n.Types {
			types[i] = string(t)
		}
		return nativeSet(func(f *condition.Facts) string { return string(f.Type) }, n.Op, types,
			condition.OpIs, condition.OpIsNot, condition.OpIn, condition.OpNotIn)
	case condition.MessageCount:
		return nativeCompare(func(f *condition.Facts) int64 { return int64(f.MessageCount) }, n.Op, int64(n.N))
	case condition.Length:
		return nativeCompare(func(f *condition.Facts) int64 { return int64(f.Length) }, n.Op, int64(n.N))
	case condition.SinceLastReply:
		return nativeSince(n)
	case condition.Labels:
		return nativeLabels(n)
	case condition.Schedule:
		return g.nativeSchedule(n)
	case condition.InHours:
		return g.nativeHours(n)
	}
	return nil
}

// nativeSet is set's meaning: one value compared, or a list.
func nativeSet(v func(*condition.Facts) string, op condition.Op, vals []string, eq, ne, in, notIn condition.Op) *Native {
	vals = slices.Clone(vals)
	switch op {
	case eq:
		want := vals[0]
		return native(func(f *condition.Facts, _ []LocalTime) bool { return v(f) == want })
	case ne:
		want := vals[0]
		return native(func(f *condition.Facts, _ []LocalTime) bool { return v(f) != want })
	case in:
		return native(func(f *condition.Facts, _ []LocalTime) bool { return slices.Contains(vals, v(f)) })
	case notIn:
		return native(func(f *condition.Facts, _ []LocalTime) bool { return !slices.Contains(vals, v(f)) })
	}
	return nil
}

// cmpInt compares a with b by one of cmpOps' operators.
func cmpInt(op condition.Op) func(a, b int64) bool {
	switch op {
	case condition.OpEq:
		return func(a, b int64) bool { return a == b }
	case condition.OpNe:
		return func(a, b int64) bool { return a != b }
	case condition.OpGt:
		return func(a, b int64) bool { return a > b }
	case condition.OpGte:
		return func(a, b int64) bool { return a >= b }
	case condition.OpLt:
		return func(a, b int64) bool { return a < b }
	case condition.OpLte:
		return func(a, b int64) bool { return a <= b }
	}
	return nil
}

func nativeCompare(v func(*condition.Facts) int64, op condition.Op, n int64) *Native {
	c := cmpInt(op)
	if c == nil {
		return nil
	}
	return native(func(f *condition.Facts, _ []LocalTime) bool { return c(v(f), n) })
}

// nativeSince is since's meaning: no reply yet is longer than any duration.
func nativeSince(n condition.SinceLastReply) *Native {
	c, d := cmpInt(n.Op), int64(n.D)
	if c == nil {
		return nil
	}
	ns := func(f *condition.Facts) int64 {
		if f.SinceLastReply < 0 {
			return -1
		}
		return int64(f.SinceLastReply)
	}
	if n.Op == condition.OpGt || n.Op == condition.OpGte {
		return native(func(f *condition.Facts, _ []LocalTime) bool { s := ns(f); return s < 0 || c(s, d) })
	}
	return native(func(f *condition.Facts, _ []LocalTime) bool { s := ns(f); return s >= 0 && c(s, d) })
}

func nativeLabels(n condition.Labels) *Native {
	vals := slices.Clone(n.Values)
	hasAny := func(f *condition.Facts) bool {
		for _, v := range vals {
			if slices.Contains(f.Labels, v) {
				return true
			}
		}
		return false
	}
	switch n.Op {
	case condition.OpHas:
		v := vals[0]
		return native(func(f *condition.Facts, _ []LocalTime) bool { return slices.Contains(f.Labels, v) })
	case condition.OpHasNot:
		v := vals[0]
		return native(func(f *condition.Facts, _ []LocalTime) bool { return !slices.Contains(f.Labels, v) })
	case condition.OpHasAny:
		return native(func(f *condition.Facts, _ []LocalTime) bool { return hasAny(f) })
	case condition.OpHasAll:
		return native(func(f *condition.Facts, _ []LocalTime) bool {
			for _, v := range vals {
				if !slices.Contains(f.Labels, v) {
					return false
				}
			}
			return true
		})
	case condition.OpHasNone:
		return native(func(f *condition.Facts, _ []LocalTime) bool { return !hasAny(f) })
	}
	return nil
}

// nativeText is text's meaning; word and matches tests are regular
// expressions (the same RE2 patterns as the generated leaves), remembered
// per message.
func (g *gen) nativeText(n condition.Text) *Native {
	subject, fold := func(f *condition.Facts) string { return f.Text }, condition.Fold
	if n.Exact {
		subject, fold = func(f *condition.Facts) string { return f.RawText }, func(s string) string { return s }
	}
	memo := false
	contains := func(v string) func(string) bool {
		if n.Word {
			memo = true
			return regexp.MustCompile(WordPattern(fold(v))).MatchString
		}
		lit := fold(v)
		return func(s string) bool { return strings.Contains(s, lit) }
	}
	one := func(test func(string) bool) *Native {
		return &Native{eval: func(f *condition.Facts, _ []LocalTime) bool { return test(subject(f)) }, Memo: memo}
	}
	switch n.Op {
	case condition.OpContains:
		return one(contains(n.Value))
	case condition.OpNotContains:
		c := contains(n.Value)
		return one(func(s string) bool { return !c(s) })
	case condition.OpStartsWith:
		lit := fold(n.Value)
		return one(func(s string) bool { return strings.HasPrefix(s, lit) })
	case condition.OpEndsWith:
		lit := fold(n.Value)
		return one(func(s string) bool { return strings.HasSuffix(s, lit) })
	case condition.OpEquals:
		lit := fold(n.Value)
		return one(func(s string) bool { return s == lit })
	case condition.OpNotEquals:
		lit := fold(n.Value)
		return one(func(s string) bool { return s != lit })
	case condition.OpContainsAny, condition.OpContainsAll:
		tests := make([]func(string) bool, len(n.Values))
		for i, v := range n.Values {
			tests[i] = contains(v)
		}
		all := n.Op == condition.OpContainsAll
		return one(func(s string) bool {
			for _, t := range tests {
				if t(s) != all {
					return !all
				}
			}
			return all
		})
	case condition.OpMatches:
		re, err := regexp.Compile(n.Value)
		if err != nil {
			return nil
		}
		memo = true
		return one(re.MatchString)
	case condition.OpEmpty:
		if n.IsEmpty {
			return one(func(s string) bool { return s == "" })
		}
		return one(func(s string) bool { return s != "" })
	}
	return nil
}

// daySet is dayTest's meaning: every day when empty.
func daySet(days []time.Weekday) func(int64) bool {
	if len(days) == 0 {
		return func(int64) bool { return true }
	}
	var set [7]bool
	for _, d := range days {
		set[d] = true
	}
	return func(d int64) bool { return d >= 0 && d < 7 && set[d] }
}

func (g *gen) nativeSchedule(n condition.Schedule) *Native {
	slot, from, to := g.zoneOf(n.Location), int64(n.From), int64(n.To)
	in := daySet(n.Days)
	if from < to {
		return native(func(_ *condition.Facts, clocks []LocalTime) bool {
			c := &clocks[slot]
			return in(c.Weekday) && c.Minute >= from && c.Minute < to
		})
	}
	return native(func(_ *condition.Facts, clocks []LocalTime) bool {
		c := &clocks[slot]
		return in(c.Weekday) && c.Minute >= from || in(c.Yesterday) && c.Minute < to
	})
}

func (g *gen) nativeHours(n condition.InHours) *Native {
	h := g.env.Hours[n.Name]
	slot := g.zoneOf(h.Location)
	var week [7][]condition.Span
	for day := time.Sunday; day <= time.Saturday; day++ {
		week[day] = slices.Clone(h.Weekly[day])
	}
	closed := slices.Clone(h.Closed)
	return native(func(_ *condition.Facts, clocks []LocalTime) bool {
		c := &clocks[slot]
		if c.Weekday >= 0 && c.Weekday < 7 {
			for _, sp := range week[c.Weekday] {
				from, to := int64(sp.From), int64(sp.To)
				if c.Minute >= from && (from >= to || c.Minute < to) {
					if !slices.Contains(closed, c.Date) {
						return true
					}
					break
				}
			}
		}
		if c.Yesterday >= 0 && c.Yesterday < 7 {
			for _, sp := range week[c.Yesterday] {
				if sp.From >= sp.To && c.Minute < int64(sp.To) {
					return !slices.Contains(closed, c.YDate)
				}
			}
		}
		return false
	})
}
