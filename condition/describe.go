package condition

import (
	"fmt"
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
