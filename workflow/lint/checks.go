package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// never reports whether the condition node n is certainly false on every message.
func (c *checker) never(n condition.Node) bool {
	return c.solver().solve(c.as.tree(n)) == unsat
}

// contradictions reports conditions that can never be true (an error: the
// workflow never fires) and parts of conditions that can never be true (a
// warning: dead branches).
func (c *checker) contradictions() {
	for i, w := range c.defs.Workflows {
		if w.Conditions != nil {
			c.deadParts(i, w.Conditions, "")
		}
	}
}

func (c *checker) deadParts(i int, n condition.Node, tp string) {
	w := c.defs.Workflows[i]
	if c.never(n) {
		core, ctp := c.core(n, tp)
		why := explain(core)
		if tp == "" {
			c.add(SeverityError, CheckContradiction, c.src.workflow(i, condPath(ctp)), w.Name,
				text(TextNeverFires, w.Name), why)
			return
		}
		c.add(SeverityWarning, CheckContradiction, c.src.workflow(i, condPath(ctp)), w.Name,
			text(TextPartNeverTrue, w.Name, condPath(tp)), why)
		return
	}
	switch n := n.(type) {
	case condition.All:
		for j, k := range n.Nodes {
			c.deadParts(i, k, join(tp, fmt.Sprintf("all[%d]", j)))
		}
	case condition.Any:
		for j, k := range n.Nodes {
			c.deadParts(i, k, join(tp, fmt.Sprintf("any[%d]", j)))
		}
	case condition.Not:
		c.deadParts(i, n.Node, join(tp, "not"))
	}
}

func join(path, s string) string {
	if path == "" {
		return s
	}
	return path + "." + s
}

// core narrows a node that can never be true to the reason: a child that
// can never be true alone, or the smallest set of an `all`'s children that
// cannot hold together. It returns the reason and its tree path.
func (c *checker) core(n condition.Node, tp string) (condition.Node, string) {
	all, ok := n.(condition.All)
	if !ok {
		return n, tp
	}
	for j, k := range all.Nodes {
		if c.never(k) {
			return c.core(k, join(tp, fmt.Sprintf("all[%d]", j)))
		}
	}
	kept := slices.Clone(all.Nodes)
	for j := 0; j < len(kept); {
		rest := slices.Delete(slices.Clone(kept), j, j+1)
		if c.never(condition.All{Nodes: rest}) {
			kept = rest
			continue
		}
		j++
	}
	return condition.All{Nodes: kept}, tp
}

// explain says in words why a node can never be true.
func explain(n condition.Node) Text {
	switch n := n.(type) {
	case condition.Text:
		if n.Op == condition.OpMatches && !n.Exact && canMatch(n.Value, anyRune) {
			return text(TextPatternCase, n.Value)
		}
		if n.Op == condition.OpMatches {
			return text(TextPatternNone, n.Value)
		}
	case condition.All:
		parts := make([]string, len(n.Nodes))
		for i, k := range n.Nodes {
			parts[i] = describe(k)
		}
		if len(parts) == 1 {
			return text(TextNeverTrue, parts[0])
		}
		return text(TextCannotAllHold, strings.Join(parts, " and "))
	}
	return text(TextNeverTrue, describe(n))
}

// describe renders a condition node on one line.
func describe(n condition.Node) string {
	group := func(nodes []condition.Node, sep string) string {
		parts := make([]string, len(nodes))
		for i, k := range nodes {
			parts[i] = describe(k)
		}
		return "(" + strings.Join(parts, sep) + ")"
	}
	switch n := n.(type) {
	case nil:
		return "(always)"
	case condition.All:
		return group(n.Nodes, " and ")
	case condition.Any:
		return group(n.Nodes, " or ")
	case condition.Not:
		return "not " + describe(n.Node)
	case condition.InHours:
		return "schedule hours " + n.Name
	}
	return condition.Describe(n)
}

// windows reports schedule windows and business-hours periods of zero
// length (From == To reads as 24 hours) and empty day lists (read as every day).
func (c *checker) windows() {
	for i, w := range c.defs.Workflows {
		for _, l := range condition.Leaves(w.Conditions) {
			s, ok := l.Node.(condition.Schedule)
			if !ok {
				continue
			}
			pos := c.src.workflow(i, condPath(l.Path))
			if s.From == s.To {
				c.add(SeverityWarning, CheckWindow, pos, w.Name, text(TextWindowZero, w.Name, s.From.String(), s.To.String()))
			}
			if s.Days != nil && len(s.Days) == 0 {
				c.add(SeverityWarning, CheckWindow, pos, w.Name, text(TextNoDays, w.Name))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.defs.Hours)) {
		h := c.defs.Hours[name]
		for d := time.Sunday; d <= time.Saturday; d++ {
			for j, s := range h.Weekly[d] {
				if s.From == s.To {
					day := strings.ToLower(d.String()[:3])
					c.add(SeverityWarning, CheckWindow, c.src.at(fmt.Sprintf("hours.%s.weekly.%s[%d]", name, day, j)), "",
						text(TextHoursZero, name, day, s.String(), s.From.String()))
				}
			}
		}
	}
}

// stops reports whether workflow s, when its conditions match a message
// that reaches workflow w, certainly fires and stops w: s is enabled, live,
// a stop workflow without cooldown, fires on every event w fires on, and
// its conditions cannot fail to evaluate (no raw expression).
func stops(s, w workflow.Workflow) bool {
	return s.Enabled && s.Stop && s.Mode != workflow.ModeShadow && s.Cooldown == 0 && len(s.Actions) > 0 &&
		(s.Trigger == trigger.KindIncomingMessage || s.Trigger == "" || s.Trigger == w.Trigger) &&
		(s.Session == "" || s.Session == w.Session) && (s.Groups || !w.Groups) &&
		!hasRaw(s.Conditions)
}

func hasRaw(n condition.Node) bool {
	return slices.ContainsFunc(condition.Leaves(n), func(l condition.LeafInfo) bool {
		_, raw := l.Node.(condition.Raw)
		return raw
	})
}

// unreachable reports each enabled workflow that the higher-priority stop
// workflows shadow: whenever its conditions hold, one of them fires first
// and stops the run.
func (c *checker) unreachable() {
	for k, wi := range c.order {
		w := c.defs.Workflows[wi]
		if !w.Enabled || c.solver().solve(c.f[wi]) == unsat {
			continue // disabled, or already reported as a contradiction
		}
		var cover []int
		for _, si := range c.order[:k] {
			if stops(c.defs.Workflows[si], w) {
				cover = append(cover, si)
			}
		}
		if len(cover) == 0 {
			continue
		}
		by := c.shadowers(c.f[wi], cover)
		if len(by) == 0 {
			continue
		}
		related := c.names(by)
		t := text(TextUnreachableOne, w.Name, quoted(related))
		if len(related) > 1 {
			t.Code = TextUnreachableMany
		}
		f := c.add(SeverityError, CheckUnreachable, c.src.workflow(wi, ""), w.Name, t)
		f.Related = related
	}
}

// names returns the names of the workflows at indexes ids.
func (c *checker) names(ids []int) []string {
	out := make([]string, len(ids))
	for j, i := range ids {
		out[j] = c.defs.Workflows[i].Name
	}
	return out
}

// quoted renders names as "a", "b".
func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// shadowers returns stop workflows among cover that together match
// whenever f does: one alone when one suffices, else all those that can
// match together with f; nil when they do not cover f.
func (c *checker) shadowers(f *formula, cover []int) []int {
	for _, si := range cover {
		if c.solver().solve(and(f, not(c.f[si]))) == unsat {
			return []int{si}
		}
	}
	if len(cover) < 2 {
		return nil
	}
	all := []*formula{f}
	for _, si := range cover {
		all = append(all, not(c.f[si]))
	}
	if c.solver().solve(and(all...)) != unsat {
		return nil
	}
	var by []int
	for _, si := range cover {
		if c.solver().solve(and(f, c.f[si])) != unsat {
			by = append(by, si)
		}
	}
	return by
}

// unused reports named hours no workflow uses and account templates no
// workflow starts from.
func (c *checker) unused() {
	usedHours, usedTemplates := map[string]bool{}, map[string]bool{}
	for _, w := range c.defs.Workflows {
		usedTemplates[w.Template] = true
		for _, l := range condition.Leaves(w.Conditions) {
			if h, ok := l.Node.(condition.InHours); ok {
				usedHours[h.Name] = true
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.defs.Hours)) {
		if !usedHours[name] {
			c.add(SeverityWarning, CheckUnusedHours, c.src.at("hours."+name), "", text(TextUnusedHours, name))
		}
	}
	for _, name := range c.opts.Templates {
		if !usedTemplates[name] {
			c.add(SeverityWarning, CheckUnusedTemplate, Pos{File: c.src.file}, "", text(TextUnusedTemplate, name))
		}
	}
}

// actions reports webhooks without a secret, ai_reply without a model and
// workflows scoped to unknown numbers.
func (c *checker) actions() {
	for i, w := range c.defs.Workflows {
		if c.opts.Numbers != nil && w.Session != "" && !slices.Contains(c.opts.Numbers, w.Session) {
			c.add(SeverityError, CheckUnknownNumber, c.src.workflow(i, "session"), w.Name,
				text(TextUnknownNumber, w.Name, w.Session, strings.Join(c.opts.Numbers, ", ")))
		}
		for j, s := range w.Actions {
			pos := c.src.workflow(i, fmt.Sprintf("actions[%d]", j))
			switch a := s.Action.(type) {
			case *action.Webhook:
				if a.Secret == "" {
					c.add(SeverityWarning, CheckWebhookSecret, pos, w.Name, text(TextWebhookSecret, w.Name, a.URL))
				}
			case *action.AIReply:
				if c.opts.NoAIModel {
					c.add(SeverityError, CheckNoAIModel, pos, w.Name, text(TextNoAIModel, w.Name))
				}
			}
		}
	}
}
