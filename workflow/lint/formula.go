package lint

import (
	"fmt"
	"strings"

	"github.com/waauto/waauto/condition"
)

// Fields group the atoms whose truth values are related (see theory.go).
const (
	fText    = "text"     // the folded text, Facts.Text
	fRaw     = "raw_text" // the trimmed text as sent (exact: true)
	fPhone   = "phone"
	fType    = "message_type"
	fAgent   = "agent"
	fLabel   = "labels"
	fCount   = "message_count"
	fLength  = "length"
	fSince   = "since_last_reply"
	fTime    = "schedule"
	fOpaque  = "raw" // cel / expr expressions: independent atoms
	fUnknown = "unknown"
)

// Atom operators.
const (
	aContains = "contains"
	aWord     = "word"
	aStarts   = "starts_with"
	aEnds     = "ends_with"
	aEquals   = "equals" // also phone, message type and agent id equality
	aMatches  = "matches"
	aAssigned = "assigned"
	aHas      = "has"
	aGE       = "gte" // numeric: value >= N
	aTime     = "time"
	aExpr     = "expr"
)

// atom is a boolean proposition on one message. Two leaves that say the
// same thing share one atom; related atoms share a field.
type atom struct {
	field, op, val string
	n              int64 // numeric bound of aGE
}

func (a atom) String() string {
	switch a.op {
	case aGE:
		return fmt.Sprintf("%s >= %d", a.field, a.n)
	case aAssigned:
		return "agent assigned"
	}
	return fmt.Sprintf("%s %s %q", a.field, a.op, a.val)
}

// kind of a formula node.
type kind uint8

const (
	kTrue kind = iota
	kFalse
	kLit
	kAnd
	kOr
)

// formula is a condition tree in negation normal form over atoms.
type formula struct {
	kind kind
	atom int  // kLit
	neg  bool // kLit: the literal is the atom's negation
	kids []*formula
}

var (
	fTrue  = &formula{kind: kTrue}
	fFalse = &formula{kind: kFalse}
)

func lit(a int, neg bool) *formula { return &formula{kind: kLit, atom: a, neg: neg} }

func and(fs ...*formula) *formula { return &formula{kind: kAnd, kids: fs} }
func or(fs ...*formula) *formula  { return &formula{kind: kOr, kids: fs} }

// not negates an NNF formula (De Morgan).
func not(f *formula) *formula {
	switch f.kind {
	case kTrue:
		return fFalse
	case kFalse:
		return fTrue
	case kLit:
		return lit(f.atom, !f.neg)
	}
	kids := make([]*formula, len(f.kids))
	for i, k := range f.kids {
		kids[i] = not(k)
	}
	if f.kind == kAnd {
		return or(kids...)
	}
	return and(kids...)
}

// atoms interns the atoms of the trees of one Check.
type atoms struct {
	list  []atom
	index map[atom]int
	// time holds the leaf of each time atom (by atom index).
	time map[int]condition.Node
	// hours are the named business hours InHours leaves refer to.
	hours map[string]condition.Hours
}

func newAtoms(hours map[string]condition.Hours) *atoms {
	return &atoms{index: map[atom]int{}, time: map[int]condition.Node{}, hours: hours}
}

func (as *atoms) id(a atom) int {
	if i, ok := as.index[a]; ok {
		return i
	}
	as.list = append(as.list, a)
	as.index[a] = len(as.list) - 1
	return len(as.list) - 1
}

func (as *atoms) lit(a atom, neg bool) *formula { return lit(as.id(a), neg) }

// tree converts a condition tree; nil is true.
func (as *atoms) tree(n condition.Node) *formula {
	switch n := n.(type) {
	case nil:
		return fTrue
	case condition.All:
		kids := make([]*formula, len(n.Nodes))
		for i, c := range n.Nodes {
			kids[i] = as.tree(c)
		}
		return and(kids...)
	case condition.Any:
		kids := make([]*formula, len(n.Nodes))
		for i, c := range n.Nodes {
			kids[i] = as.tree(c)
		}
		return or(kids...)
	case condition.Not:
		return not(as.tree(n.Node))
	}
	return as.leaf(n)
}

// leaf converts one leaf to a formula over atoms. A leaf it does not
// understand is an atom of its own, unrelated to any other: that can only
// make the analysis find fewer contradictions, never a false one.
func (as *atoms) leaf(n condition.Node) *formula {
	switch n := n.(type) {
	case condition.Text:
		return as.text(n)
	case condition.Phone:
		return as.set(fPhone, n.Op, n.Values)
	case condition.MessageType:
		vals := make([]string, len(n.Types))
		for i, t := range n.Types {
			vals[i] = string(t)
		}
		return as.set(fType, n.Op, vals)
	case condition.Agent:
		return as.agent(n)
	case condition.Labels:
		return as.labels(n)
	case condition.MessageCount:
		return as.compare(fCount, n.Op, int64(n.N))
	case condition.Length:
		return as.compare(fLength, n.Op, int64(n.N))
	case condition.SinceLastReply:
		// No reply yet is greater than any duration: the value +inf.
		return as.compare(fSince, n.Op, int64(n.D))
	case condition.Schedule, condition.InHours:
		return as.timeLeaf(n)
	case condition.Raw:
		return as.lit(atom{field: fOpaque, op: aExpr, val: string(n.Lang) + ":" + n.Source}, false)
	}
	return as.lit(atom{field: fUnknown, val: fmt.Sprintf("%#v", n)}, false)
}

func (as *atoms) text(n condition.Text) *formula {
	field, fold := fText, condition.Fold
	if n.Exact {
		field, fold = fRaw, func(s string) string { return s }
	}
	one := func(op, v string) *formula { return as.lit(atom{field: field, op: op, val: fold(v)}, false) }
	containsOp := aContains
	if n.Word {
		containsOp = aWord
	}
	each := func(vs []string) []*formula {
		out := make([]*formula, len(vs))
		for i, v := range vs {
			out[i] = one(containsOp, v)
		}
		return out
	}
	switch n.Op {
	case condition.OpContains:
		return one(containsOp, n.Value)
	case condition.OpNotContains:
		return not(one(containsOp, n.Value))
	case condition.OpStartsWith:
		return one(aStarts, n.Value)
	case condition.OpEndsWith:
		return one(aEnds, n.Value)
	case condition.OpEquals:
		return one(aEquals, n.Value)
	case condition.OpNotEquals:
		return not(one(aEquals, n.Value))
	case condition.OpContainsAny:
		return or(each(n.Values)...)
	case condition.OpContainsAll:
		return and(each(n.Values)...)
	case condition.OpMatches:
		// The pattern is not folded: it runs on the folded text as written.
		return as.lit(atom{field: field, op: aMatches, val: n.Value}, false)
	case condition.OpEmpty:
		e := one(aEquals, "")
		if n.IsEmpty {
			return e
		}
		return not(e)
	}
	return as.lit(atom{field: fUnknown, val: fmt.Sprintf("%#v", n)}, false)
}

// set converts equals / not_equals / is / is_not / in / not_in over a
// single-valued field.
func (as *atoms) set(field string, op condition.Op, vals []string) *formula {
	eq := func(v string) *formula { return as.lit(atom{field: field, op: aEquals, val: v}, false) }
	switch op {
	case condition.OpEquals, condition.OpIs, condition.OpNotEquals, condition.OpIsNot:
		if len(vals) == 0 {
			break
		}
		if op == condition.OpNotEquals || op == condition.OpIsNot {
			return not(eq(vals[0]))
		}
		return eq(vals[0])
	case condition.OpIn, condition.OpNotIn:
		kids := make([]*formula, len(vals))
		for i, v := range vals {
			kids[i] = eq(v)
		}
		if op == condition.OpNotIn {
			return not(or(kids...))
		}
		return or(kids...)
	}
	return as.lit(atom{field: fUnknown, val: fmt.Sprintf("%s %s %q", field, op, vals)}, false)
}

func (as *atoms) agent(n condition.Agent) *formula {
	assigned := as.lit(atom{field: fAgent, op: aAssigned}, false)
	is := func(id string) *formula {
		if id == "" { // the agent is "" exactly when unassigned
			return not(assigned)
		}
		return as.lit(atom{field: fAgent, op: aEquals, val: id}, false)
	}
	switch n.Op {
	case condition.OpAssigned:
		if n.IsAssigned {
			return assigned
		}
		return not(assigned)
	case condition.OpIs:
		return is(n.ID)
	case condition.OpIsNot:
		return not(is(n.ID))
	}
	return as.lit(atom{field: fUnknown, val: fmt.Sprintf("%#v", n)}, false)
}

func (as *atoms) labels(n condition.Labels) *formula {
	kids := make([]*formula, len(n.Values))
	for i, v := range n.Values {
		kids[i] = as.lit(atom{field: fLabel, op: aHas, val: v}, false)
	}
	switch n.Op {
	case condition.OpHas, condition.OpHasNot:
		if len(kids) == 0 {
			break
		}
		if n.Op == condition.OpHasNot {
			return not(kids[0])
		}
		return kids[0]
	case condition.OpHasAny:
		return or(kids...)
	case condition.OpHasAll:
		return and(kids...)
	case condition.OpHasNone:
		return not(or(kids...))
	}
	return as.lit(atom{field: fUnknown, val: fmt.Sprintf("%#v", n)}, false)
}

// compare converts a comparison with n to atoms "value >= k".
func (as *atoms) compare(field string, op condition.Op, n int64) *formula {
	ge := func(k int64) *formula { return as.lit(atom{field: field, op: aGE, n: k}, false) }
	if field == fSince && (op == condition.OpEq || op == condition.OpNe) {
		// With no reply yet both are false: not an interval of +inf.
		return as.lit(atom{field: fUnknown, val: fmt.Sprintf("%s %s %d", field, op, n)}, false)
	}
	switch op {
	case condition.OpEq:
		return and(ge(n), not(ge(n+1)))
	case condition.OpNe:
		return or(not(ge(n)), ge(n+1))
	case condition.OpGt:
		return ge(n + 1)
	case condition.OpGte:
		return ge(n)
	case condition.OpLt:
		return not(ge(n))
	case condition.OpLte:
		return not(ge(n + 1))
	}
	return as.lit(atom{field: fUnknown, val: fmt.Sprintf("%s %s %d", field, op, n)}, false)
}

func (as *atoms) timeLeaf(n condition.Node) *formula {
	var key string
	switch n := n.(type) {
	case condition.Schedule:
		var b strings.Builder
		for _, d := range n.Days {
			fmt.Fprintf(&b, "%d", d)
		}
		loc := ""
		if n.Location != nil {
			loc = n.Location.String()
		}
		key = fmt.Sprintf("%s %s-%s %s", b.String(), n.From, n.To, loc)
	case condition.InHours:
		key = "hours " + n.Name
	}
	a := as.id(atom{field: fTime, op: aTime, val: key})
	as.time[a] = n
	return lit(a, false)
}
