package condition

import (
	"slices"
	"time"

	"github.com/waauto/waauto/trigger"
)

// HoursOfWeek is a set of hours of the week: bit weekday*24+hour (0..167,
// Sunday 00:00 first), in one time zone.
type HoursOfWeek [3]uint64

// AllHours contains every hour of the week.
var AllHours = HoursOfWeek{^uint64(0), ^uint64(0), 1<<(168-128) - 1}

// HourOfWeek is the bit of the hour of the week of clock c.
func HourOfWeek(c LocalTime) int { return int(c.Weekday)*24 + int(c.Minute/60) }

// Has reports whether h contains hour of the week i.
func (h HoursOfWeek) Has(i int) bool { return h[i/64]&(1<<(i%64)) != 0 }

func (h *HoursOfWeek) set(i int) { h[i/64] |= 1 << (i % 64) }

func (h HoursOfWeek) and(o HoursOfWeek) HoursOfWeek {
	return HoursOfWeek{h[0] & o[0], h[1] & o[1], h[2] & o[2]}
}

func (h HoursOfWeek) or(o HoursOfWeek) HoursOfWeek {
	return HoursOfWeek{h[0] | o[0], h[1] | o[1], h[2] | o[2]}
}

func (h HoursOfWeek) not() HoursOfWeek {
	return HoursOfWeek{^h[0] & AllHours[0], ^h[1] & AllHours[1], ^h[2] & AllHours[2]}
}

// Agent states a tree may need (Needs.Agent), as bits.
const (
	// AgentUnassigned: the tree may be true on a conversation with no agent.
	AgentUnassigned uint8 = 1 << iota
	// AgentAssigned: the tree may be true on a conversation with an agent.
	AgentAssigned
	agentAny = AgentUnassigned | AgentAssigned
)

// Needs is a necessary condition on the dimensions of a message other
// than its text, derived from a condition tree by NeedsOf: a prefilter may
// skip a tree whose Needs do not Admit a message, because the tree is
// certainly false on it.
type Needs struct {
	// Agent has AgentAssigned and/or AgentUnassigned: the states of the
	// conversation the tree may be true in.
	Agent uint8
	// Types lists, sorted, the message types the tree may be true on; nil
	// means any type.
	Types []trigger.MessageType
	// Hours are the hours of the week, in the account's time zone
	// (Env.Loc), the tree may be true in.
	Hours HoursOfWeek
}

// Admits reports whether a tree with these needs may be true on f, whose
// time in the account's time zone is c.
func (n Needs) Admits(f *Facts, c LocalTime) bool {
	agent := AgentUnassigned
	if f.Agent != "" {
		agent = AgentAssigned
	}
	return n.Agent&agent != 0 && n.Hours.Has(HourOfWeek(c)) &&
		(n.Types == nil || slices.Contains(n.Types, f.Type))
}

// Never reports that the needs admit no message at all.
func (n Needs) Never() bool {
	return n.Agent == 0 || n.Hours == (HoursOfWeek{}) || n.Types != nil && len(n.Types) == 0
}

var anyNeeds = Needs{Agent: agentAny, Hours: AllHours}

// NeedsOf derives from tree, compiled against env, sound needs: whenever
// tree is true on some Facts f, the result Admits f. Like Keywords it
// pushes negations to the leaves (De Morgan); then all (AND) intersects
// its children's needs and any (OR) unites them. Leaves that bound a
// dimension:
//   - agent: assigned, is (an agent, or "" for none) and is_not "";
//   - message_type: is and in, and their negations is_not and not_in;
//   - schedule windows and business hours in the account's time zone: the
//     hours they overlap, or for their negation the hours they do not
//     cover entirely (business hours with closed dates bound nothing
//     when negated).
//
// Every other leaf, and windows in another time zone, bound nothing.
func NeedsOf(tree Node, env Env) Needs {
	n := needsOf(tree, env, false)
	if n.Never() {
		return Needs{Types: []trigger.MessageType{}}
	}
	return n
}

func needsOf(n Node, env Env, neg bool) Needs {
	switch n := n.(type) {
	case nil:
		if neg {
			return Needs{Types: []trigger.MessageType{}}
		}
		return anyNeeds
	case All:
		if neg {
			return unite(n.Nodes, env, true)
		}
		return intersect(n.Nodes, env, false)
	case Any:
		if neg {
			return intersect(n.Nodes, env, true)
		}
		return unite(n.Nodes, env, false)
	case Not:
		return needsOf(n.Node, env, !neg)
	case Agent:
		return Needs{Agent: agentNeed(n, neg), Hours: AllHours}
	case MessageType:
		return Needs{Agent: agentAny, Hours: AllHours, Types: typeNeed(n, neg)}
	case Schedule:
		if !sameZone(n.Location, env) {
			return anyNeeds
		}
		may, full := n.Hours().hoursOfWeek()
		return hoursNeed(may, full, neg)
	case InHours:
		h, ok := env.Hours[n.Name]
		if !ok || !sameZone(h.Location, env) || neg && len(h.Closed) > 0 {
			return anyNeeds
		}
		may, full := h.hoursOfWeek()
		return hoursNeed(may, full, neg)
	}
	return anyNeeds
}

func hoursNeed(may, full HoursOfWeek, neg bool) Needs {
	if neg {
		return Needs{Agent: agentAny, Hours: full.not()}
	}
	return Needs{Agent: agentAny, Hours: may}
}

// intersect is the needs of an AND of nodes (each negated when neg).
func intersect(nodes []Node, env Env, neg bool) Needs {
	out := anyNeeds
	for _, c := range nodes {
		n := needsOf(c, env, neg)
		out.Agent &= n.Agent
		out.Hours = out.Hours.and(n.Hours)
		switch {
		case n.Types == nil:
		case out.Types == nil:
			out.Types = n.Types
		default:
			out.Types = slices.DeleteFunc(slices.Clone(out.Types), func(t trigger.MessageType) bool { return !slices.Contains(n.Types, t) })
		}
	}
	return out
}

// unite is the needs of an OR of nodes (each negated when neg); children
// that are never true add nothing.
func unite(nodes []Node, env Env, neg bool) Needs {
	out := Needs{Types: []trigger.MessageType{}}
	for _, c := range nodes {
		n := needsOf(c, env, neg)
		if n.Never() {
			continue
		}
		out.Agent |= n.Agent
		out.Hours = out.Hours.or(n.Hours)
		if out.Types != nil {
			if n.Types == nil {
				out.Types = nil
			} else {
				out.Types = append(slices.Clone(out.Types), n.Types...)
				slices.Sort(out.Types)
				out.Types = slices.Compact(out.Types)
			}
		}
	}
	return out
}

func agentNeed(n Agent, neg bool) uint8 {
	var assigned bool // the leaf is true exactly when the agent is assigned...
	switch {
	case n.Op == OpAssigned:
		assigned = n.IsAssigned
	case n.Op == OpIs && n.ID == "":
	case n.Op == OpIsNot && n.ID == "":
		assigned = true
	case n.Op == OpIs && !neg, n.Op == OpIsNot && neg:
		return AgentAssigned // ...or true only on one agent
	default:
		return agentAny
	}
	if assigned != neg {
		return AgentAssigned
	}
	return AgentUnassigned
}

func typeNeed(n MessageType, neg bool) []trigger.MessageType {
	var in bool // the leaf is true exactly when the type is in vals
	var vals []trigger.MessageType
	switch n.Op {
	case OpIs, OpIsNot:
		if len(n.Types) == 0 {
			return nil
		}
		in, vals = n.Op == OpIs, n.Types[:1]
	case OpIn, OpNotIn:
		in, vals = n.Op == OpIn, n.Types
	default:
		return nil
	}
	if in == neg {
		return nil // the complement of a set of types: any type may be left
	}
	out := slices.Clone(vals)
	if out == nil {
		out = []trigger.MessageType{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sameZone reports whether loc (nil: the account's) is the account's zone.
func sameZone(loc *time.Location, env Env) bool {
	return loc == nil || loc == env.Loc() || loc.String() == env.Loc().String()
}

// hoursOfWeek returns the hours of the week the weekly periods of h
// overlap (may) and those a single period covers entirely (full); closed
// dates are not considered.
func (h Hours) hoursOfWeek() (may, full HoursOfWeek) {
	mark := func(day time.Weekday, from, to int) { // minutes [from, to) of day
		from, to = max(from, 0), min(to, 24*60)
		for hr := from / 60; hr*60 < to; hr++ {
			i := int(day)*24 + hr
			may.set(i)
			if from <= hr*60 && to >= hr*60+60 {
				full.set(i)
			}
		}
	}
	for day, spans := range h.Weekly {
		if day < time.Sunday || day > time.Saturday {
			continue // refused by the compilers
		}
		for _, s := range spans {
			if s.From < s.To {
				mark(day, int(s.From), int(s.To))
				continue
			}
			mark(day, int(s.From), 24*60)
			mark((day+1)%7, 0, int(s.To))
		}
	}
	return may, full
}
