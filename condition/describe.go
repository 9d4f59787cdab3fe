package condition

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Describe renders a leaf the way the execution log shows it, close to its
// workflow-file form: `text contains "prix"`, `schedule mon,tue 09:00-18:00`.
func Describe(n Node) string {
	switch n := n.(type) {
	case Text:
		var s string
		switch n.Op {
		case OpContainsAny, OpContainsAll:
			s = fmt.Sprintf("text %s %s", n.Op, quoteList(n.Values))
		case OpEmpty:
			s = fmt.Sprintf("text empty %t", n.IsEmpty)
		default:
			s = fmt.Sprintf("text %s %q", n.Op, n.Value)
		}
		if n.Word {
			s += " (word)"
		}
		if n.Exact {
			s += " (exact)"
		}
		return s
	case Phone:
		return fmt.Sprintf("phone %s %s", n.Op, listOrOne(n.Op == OpEquals || n.Op == OpNotEquals, n.Values))
	case Agent:
		if n.Op == OpAssigned {
			return fmt.Sprintf("agent assigned %t", n.IsAssigned)
		}
		return fmt.Sprintf("agent %s %q", n.Op, n.ID)
	case MessageType:
		types := make([]string, len(n.Types))
		for i, t := range n.Types {
			types[i] = string(t)
		}
		return fmt.Sprintf("message_type %s %s", n.Op, listOrOne(n.Op == OpIs || n.Op == OpIsNot, types))
	case MessageCount:
		return fmt.Sprintf("message_count %s %d", n.Op, n.N)
	case SinceLastReply:
		return fmt.Sprintf("since_last_reply %s %s", n.Op, n.D)
	case Labels:
		return fmt.Sprintf("labels %s %s", n.Op, listOrOne(n.Op == OpHas || n.Op == OpHasNot, n.Values))
	case Length:
		return fmt.Sprintf("length %s %d", n.Op, n.N)
	case Schedule:
		days := "every day"
		if len(n.Days) > 0 {
			names := make([]string, len(n.Days))
			for i, d := range n.Days {
				names[i] = strings.ToLower(d.String()[:3])
			}
			days = strings.Join(names, ",")
		}
		s := fmt.Sprintf("schedule %s %s-%s", days, n.From, n.To)
		if n.Location != nil {
			s += " " + n.Location.String()
		}
		return s
	case InHours:
		return fmt.Sprintf("schedule hours %q", n.Name)
	case Raw:
		return fmt.Sprintf("%s %q", n.Lang, n.Source)
	}
	return fmt.Sprintf("%T", n)
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func listOrOne(one bool, vs []string) string {
	if one && len(vs) > 0 {
		return fmt.Sprintf("%q", vs[0])
	}
	return quoteList(vs)
}

// WeekdayNames maps the day keys of workflow files to time.Weekday.
var WeekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// LeafText is a leaf description (LeafResult.Leaf, as Describe writes it)
// read back into its parts, so that a program can show the "why" of an
// execution in another language, logged traces included.
type LeafText struct {
	// Kind is the leaf's key in a workflow file: "text", "phone", "agent",
	// "message_type", "message_count", "since_last_reply", "labels",
	// "length", "schedule", "cel" or "expr".
	Kind string
	// Op is the operator, "hours" for named business hours, "" for a
	// schedule window and a raw expression.
	Op string
	// Args are the values as Describe writes them: `"prix"`,
	// `["a", "b"]`, `3`, `mon,tue 09:00-18:00 Europe/Paris`, `true`.
	Args string
	// Word and Exact are the text modifiers.
	Word, Exact bool
	// EveryDay marks a schedule window on every day; Args then starts at
	// the window's times.
	EveryDay bool
}

// leafOps are the operators of each leaf kind that has some.
var leafOps = map[string][]Op{
	"text": {OpContains, OpNotContains, OpStartsWith, OpEndsWith, OpEquals, OpNotEquals,
		OpContainsAny, OpContainsAll, OpMatches, OpEmpty},
	"phone":            {OpEquals, OpNotEquals, OpIn, OpNotIn},
	"agent":            {OpAssigned, OpIs, OpIsNot},
	"message_type":     {OpIs, OpIsNot, OpIn, OpNotIn},
	"message_count":    {OpEq, OpNe, OpGt, OpGte, OpLt, OpLte},
	"since_last_reply": {OpGt, OpGte, OpLt, OpLte},
	"labels":           {OpHas, OpHasNot, OpHasAny, OpHasAll, OpHasNone},
	"length":           {OpEq, OpNe, OpGt, OpGte, OpLt, OpLte},
}

// LeafOps lists the operators of a leaf kind ("text", ...); nil for the
// kinds without one (schedule, cel, expr).
func LeafOps(kind string) []Op { return slices.Clone(leafOps[kind]) }

// ParseLeaf reads a leaf description written by Describe; false for any
// other text (e.g. one written by another version), which is best shown
// as it is. It is exact: String gives leaf back.
func ParseLeaf(leaf string) (LeafText, bool) {
	var l LeafText
	kind, rest, _ := strings.Cut(leaf, " ")
	l.Kind = kind
	switch {
	case leafOps[kind] != nil:
		op, args, _ := strings.Cut(rest, " ")
		if !slices.Contains(leafOps[kind], Op(op)) {
			return LeafText{}, false
		}
		l.Op = op
		if kind == "text" {
			args, l.Exact = strings.CutSuffix(args, " (exact)")
			args, l.Word = strings.CutSuffix(args, " (word)")
		}
		l.Args = args
	case kind == "schedule":
		if args, ok := strings.CutPrefix(rest, "hours "); ok && strings.HasPrefix(args, `"`) {
			l.Op, l.Args = "hours", args
		} else {
			l.Args, l.EveryDay = rest, false
			if args, ok := strings.CutPrefix(rest, "every day "); ok {
				l.Args, l.EveryDay = args, true
			}
		}
	case kind == string(LangCEL) || kind == string(LangExpr):
		l.Args = rest
	default:
		return LeafText{}, false
	}
	if l.Args == "" || strings.HasPrefix(l.Args, " ") || l.String() != leaf {
		return LeafText{}, false
	}
	return l, true
}

// String writes l as Describe does.
func (l LeafText) String() string {
	s := l.Kind
	if l.Op != "" {
		s += " " + l.Op
	}
	if l.EveryDay {
		s += " every day"
	}
	s += " " + l.Args
	if l.Word {
		s += " (word)"
	}
	if l.Exact {
		s += " (exact)"
	}
	return s
}
