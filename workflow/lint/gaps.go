package lint

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// timePart returns the part of a condition tree that depends only on the
// time: the tree itself when all its leaves are schedules, else the
// time-only children of a top-level all (nil when there are none).
func timePart(n condition.Node) condition.Node {
	if n == nil {
		return nil
	}
	if timeOnly(n) {
		return n
	}
	all, ok := n.(condition.All)
	if !ok {
		return nil
	}
	var kids []condition.Node
	for _, k := range all.Nodes {
		if timeOnly(k) {
			kids = append(kids, k)
		}
	}
	if len(kids) == 0 {
		return nil
	}
	return condition.All{Nodes: kids}
}

func timeOnly(n condition.Node) bool {
	leaves := condition.Leaves(n)
	return len(leaves) > 0 && !slices.ContainsFunc(leaves, func(l condition.LeafInfo) bool {
		return condition.LeafType(l.Node) != "schedule"
	})
}

// outOfHoursShaped: a time part that says "outside some hours" (a not over
// a schedule, or a window past midnight), or the out_of_hours template.
func outOfHoursShaped(w workflow.Workflow, part condition.Node) bool {
	if w.Template == "out_of_hours" {
		return true
	}
	found := false
	var walk func(n condition.Node)
	walk = func(n condition.Node) {
		switch n := n.(type) {
		case condition.All:
			for _, k := range n.Nodes {
				walk(k)
			}
		case condition.Any:
			for _, k := range n.Nodes {
				walk(k)
			}
		case condition.Not:
			found = true
		case condition.Schedule:
			found = found || n.From > n.To
		}
	}
	walk(part)
	return found
}

// scheduleGaps looks, among the enabled live workflows of each trigger and
// number, for the out-of-hours pattern: at least two workflows whose
// conditions depend on the time, one of them out-of-hours shaped. It
// reports the weekly times, in the account's zone, at which none of their
// time parts holds: messages then get neither answer. Closed dates are left
// aside (they are not weekly); daylight-saving time is taken into account
// by evaluating the whole year 2026.
func (c *checker) scheduleGaps() {
	type group struct {
		trig  trigger.Kind
		scope string
	}
	parts := map[group][]int{}
	for _, i := range c.order {
		w := c.defs.Workflows[i]
		if w.Enabled && w.Mode != workflow.ModeShadow && timePart(w.Conditions) != nil {
			k := group{cmp.Or(w.Trigger, trigger.KindIncomingMessage), w.Session}
			parts[k] = append(parts[k], i)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(parts), func(a, b group) int {
		return cmp.Or(cmp.Compare(a.trig, b.trig), cmp.Compare(a.scope, b.scope))
	}) {
		ids := parts[k]
		shaped := -1
		for _, i := range ids {
			if outOfHoursShaped(c.defs.Workflows[i], timePart(c.defs.Workflows[i].Conditions)) {
				shaped = i
				break
			}
		}
		if len(ids) < 2 || shaped < 0 {
			continue
		}
		gaps := c.uncovered(ids)
		if len(gaps) == 0 {
			continue
		}
		w := c.defs.Workflows[shaped]
		f := c.add(SeverityWarning, CheckScheduleGap, c.src.workflow(shaped, ""), w.Name,
			text(TextScheduleGap, quoted(c.names(ids)), c.loc.String()), gaps...)
		f.Related = slices.DeleteFunc(c.names(ids), func(n string) bool { return n == w.Name })
	}
}

// uncovered renders the periods, in the account's zone, at which none of
// the workflows' time parts holds, weekly ones first.
func (c *checker) uncovered(ids []int) []Text {
	fs := make([]*formula, len(ids))
	for j, i := range ids {
		fs[j] = c.as.tree(timePart(c.defs.Workflows[i].Conditions))
	}
	at := c.tl.at
	type gap struct {
		from, to [2]string // day, HH:MM
		weeks    int
		first    time.Time
	}
	seen := map[string]*gap{}
	var order []string
	for i := 0; i < len(at); i++ {
		if c.covered(fs, i) {
			continue
		}
		start := i
		for i+1 < len(at) && !c.covered(fs, i+1) {
			i++
		}
		from, to := at[start].In(c.loc), yearEnd.In(c.loc)
		if i+1 < len(at) {
			to = at[i+1].In(c.loc)
		}
		if start == 0 || i+1 == len(at) {
			continue // cut by the year's ends; the same gap shows in other weeks
		}
		g := gap{from: [2]string{day(from), from.Format("15:04")}, to: [2]string{day(to), to.Format("15:04")}, weeks: 1, first: from}
		key := g.from[0] + g.from[1] + g.to[0] + g.to[1]
		if g, ok := seen[key]; ok {
			g.weeks++
			continue
		}
		seen[key] = &g
		order = append(order, key)
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(seen[b].weeks, seen[a].weeks) })
	var out []Text
	for _, t := range order {
		g := seen[t]
		if g.weeks >= 50 {
			out = append(out, text(TextGapEveryWeek, g.from[0], g.from[1], g.to[0], g.to[1]))
		} else {
			out = append(out, text(TextGapSomeWeeks, g.from[0], g.from[1], g.to[0], g.to[1], strconv.Itoa(g.weeks), g.first.Format(time.DateOnly)))
		}
	}
	const most = 8
	if len(out) > most {
		out = append(out[:most], text(TextGapMore, strconv.Itoa(len(out)-most)))
	}
	return out
}

func day(t time.Time) string { return strings.ToLower(t.Weekday().String()[:3]) }

// covered reports whether one of fs holds at sample i, closed dates aside.
func (c *checker) covered(fs []*formula, i int) bool {
	value := func(a int) bool {
		w, ok := c.tl.weekly[a]
		return ok && w.has(i)
	}
	return slices.ContainsFunc(fs, func(f *formula) bool { return holds(f, value) })
}

// holds evaluates f with the given atom values.
func holds(f *formula, value func(int) bool) bool {
	switch f.kind {
	case kTrue:
		return true
	case kFalse:
		return false
	case kLit:
		return value(f.atom) != f.neg
	case kAnd:
		for _, k := range f.kids {
			if !holds(k, value) {
				return false
			}
		}
		return true
	}
	for _, k := range f.kids {
		if holds(k, value) {
			return true
		}
	}
	return false
}
