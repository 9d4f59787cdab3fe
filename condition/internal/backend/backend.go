// Package backend is the part both condition backends (cel and expr) share:
// it checks a condition tree, folds its operands and writes each leaf as one
// boolean expression in a C-like expression language described by a
// Dialect, keeps the all/any/not structure over them (Tree), and computes
// the per-message clock values the leaves read.
package backend

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
)

// Dialect is what differs between the expression languages.
type Dialect interface {
	// StringOp tests subject against a string literal; op is "contains",
	// "startsWith", "endsWith" or "matches".
	StringOp(subject, op, literal string) string
	// TimeVar names one field ("wd", "ywd", "min", "date", "ydate") of the
	// clock of time zone slot.
	TimeVar(slot int, field string) string
	// CheckRaw validates a raw expression; an expression of the other
	// language is an error wrapping condition.ErrUnsupported.
	CheckRaw(r condition.Raw) error
}

// Internal variable names, shared by both dialects. Raw expressions cannot
// see them: they are checked against condition.Vars only.
const (
	// SinceVar is the time since the last reply in nanoseconds, -1 when none.
	SinceVar = "_since_ns"
)

// Plan is a tree written as one boolean expression per leaf.
type Plan struct {
	// Leaves are the leaves' expressions, in trace order; Raw[i] reports
	// that leaf i is a raw expression.
	Leaves []string
	Raw    []bool
	// Native[i] evaluates leaf i in Go (nil for a raw expression); the
	// backends use it instead of compiling Leaves[i].
	Native []*Native
	// Tree combines the leaves' values into the tree's.
	Tree Tree
	// Zones are the time zones the program reads clocks of; Zones[0] is the
	// account's (Env.Loc), which also gives the raw variables weekday, hour
	// and minute.
	Zones []*time.Location
	// RawLeaves counts the raw expression leaves.
	RawLeaves int
	trace     condition.Trace
	needDates []bool
}

// LeafKey identifies leaf i of p for a condition.LeafCache: its expression
// and the time zones its clock variables name.
func (p *Plan) LeafKey(i int) string {
	var b strings.Builder
	for _, z := range p.Zones {
		b.WriteString(z.String())
		b.WriteByte(',')
	}
	b.WriteByte('\n')
	b.WriteString(p.Leaves[i])
	return b.String()
}

// Trace returns a fresh trace with paths and descriptions filled in and every
// Value false.
func (p *Plan) Trace() condition.Trace {
	if len(p.trace) == 0 {
		return nil
	}
	return slices.Clone(p.trace)
}

// LocalTime is the time of one message seen in one time zone, as the
// programs read it.
type LocalTime struct {
	// Weekday of the message, 0 = Sunday; Yesterday the day before.
	Weekday   int64 `expr:"wd"`
	Yesterday int64 `expr:"ywd"`
	// Minute of the day, 0..1439.
	Minute int64 `expr:"min"`
	// Date and YDate are today and yesterday as "2006-01-02"; set only
	// when the program reads them (business hours with closed dates).
	Date  string `expr:"date"`
	YDate string `expr:"ydate"`
}

func localTime(c condition.LocalTime) LocalTime {
	return LocalTime{Weekday: c.Weekday, Yesterday: c.Yesterday, Minute: c.Minute, Date: c.Date, YDate: c.YDate}
}

// SameClocks reports whether p reads the same clocks as o (nil: none), so
// that clock values set for o serve p.
func (p *Plan) SameClocks(o *Plan) bool {
	return o != nil && slices.Equal(p.Zones, o.Zones) && slices.Equal(p.needDates, o.needDates)
}

// Clocks computes the clock of the message of s in every zone of p into
// dst[:0], each zone's clock computed once per message (condition.Scope.LocalTime).
func (p *Plan) Clocks(s *condition.Scope, dst []LocalTime) []LocalTime {
	dst = dst[:0]
	for i, loc := range p.Zones {
		dst = append(dst, localTime(s.LocalTime(loc, p.needDates[i])))
	}
	return dst
}

// WordPattern is the RE2 pattern matching w as a whole word: not preceded
// or followed by a letter or digit.
func WordPattern(w string) string {
	return `(^|[^\pL\pN])` + regexp.QuoteMeta(w) + `($|[^\pL\pN])`
}

// Generate checks tree against env and writes it in dialect d. Errors are
// *condition.CompileError values, joined.
func Generate(tree condition.Node, env condition.Env, d Dialect) (*Plan, error) {
	g := &gen{d: d, env: env, plan: &Plan{}, zone: map[string]int{}}
	g.zoneOf(env.Loc())
	leaves := condition.Leaves(tree)
	var errs []error
	for _, l := range leaves {
		e, err := g.leaf(l.Node)
		if err != nil {
			errs = append(errs, &condition.CompileError{Path: l.Path, Err: err})
			continue
		}
		g.plan.Leaves = append(g.plan.Leaves, e)
		_, raw := l.Node.(condition.Raw)
		g.plan.Raw = append(g.plan.Raw, raw)
		g.plan.Native = append(g.plan.Native, g.native(l.Node))
		g.plan.trace = append(g.plan.trace, condition.LeafResult{Path: l.Path, Leaf: condition.Describe(l.Node)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	n := 0
	g.plan.Tree = newTree(tree, &n)
	return g.plan, nil
}

// Tree is the all/any/not structure of a condition tree over its leaves.
type Tree struct {
	op   treeOp
	kids []Tree
	leaf int
}

type treeOp uint8

const (
	opTrue treeOp = iota
	opAll
	opAny
	opNot
	opLeaf
)

func newTree(n condition.Node, i *int) Tree {
	kids := func(nodes []condition.Node) []Tree {
		out := make([]Tree, len(nodes))
		for k, c := range nodes {
			out[k] = newTree(c, i)
		}
		return out
	}
	switch n := n.(type) {
	case nil:
		return Tree{op: opTrue}
	case condition.All:
		return Tree{op: opAll, kids: kids(n.Nodes)}
	case condition.Any:
		return Tree{op: opAny, kids: kids(n.Nodes)}
	case condition.Not:
		return Tree{op: opNot, kids: []Tree{newTree(n.Node, i)}}
	default:
		t := Tree{op: opLeaf, leaf: *i}
		*i++
		return t
	}
}

// LeafValues gives Tree.Match the value of a leaf, by trace index.
type LeafValues interface {
	Leaf(i int) (bool, error)
}

// Match computes the tree's value, asking v only for the leaves it needs:
// all stops at the first false child, any at the first true one. The first
// error is returned.
func (t *Tree) Match(v LeafValues) (bool, error) {
	switch t.op {
	case opAll:
		for k := range t.kids {
			if ok, err := t.kids[k].Match(v); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case opAny:
		for k := range t.kids {
			if ok, err := t.kids[k].Match(v); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case opNot:
		ok, err := t.kids[0].Match(v)
		return !ok && err == nil, err
	case opLeaf:
		return v.Leaf(t.leaf)
	}
	return true, nil
}

// combine is Match over the values of a complete trace (no interface, so
// nothing escapes).
func (t *Tree) combine(tr condition.Trace) bool {
	switch t.op {
	case opAll:
		for k := range t.kids {
			if !t.kids[k].combine(tr) {
				return false
			}
		}
		return true
	case opAny:
		for k := range t.kids {
			if t.kids[k].combine(tr) {
				return true
			}
		}
		return false
	case opNot:
		return !t.kids[0].combine(tr)
	case opLeaf:
		return tr[t.leaf].Value
	}
	return true
}

// Match computes the plan's value from v's leaves (Tree.Match), a panic
// of the evaluation turned into an error naming lang.
func (p *Plan) Match(lang string, v LeafValues) (matched bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			matched, err = false, fmt.Errorf("%s: evaluation panicked: %v", lang, r)
		}
	}()
	return p.Tree.Match(v)
}

// Evaluate asks v for every leaf, in trace order, and returns the trace and
// the plan's value; a panic of the evaluation becomes an error naming lang.
func (p *Plan) Evaluate(lang string, v LeafValues) (res condition.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = condition.Result{}, fmt.Errorf("%s: evaluation panicked: %v", lang, r)
		}
	}()
	res.Trace = p.Trace()
	for i := range res.Trace {
		if res.Trace[i].Value, err = v.Leaf(i); err != nil {
			return condition.Result{}, err
		}
	}
	res.Matched = p.Tree.combine(res.Trace)
	return res, nil
}

type gen struct {
	d    Dialect
	env  condition.Env
	plan *Plan
	zone map[string]int
}

func (g *gen) zoneOf(loc *time.Location) int {
	if loc == nil {
		loc = g.env.Loc()
	}
	if i, ok := g.zone[loc.String()]; ok {
		return i
	}
	i := len(g.plan.Zones)
	g.zone[loc.String()] = i
	g.plan.Zones = append(g.plan.Zones, loc)
	g.plan.needDates = append(g.plan.needDates, false)
	return i
}

func errOp(typ string, op condition.Op) error {
	return fmt.Errorf("unknown operator %q for %s", op, typ)
}

var errNoValue = errors.New("missing value")

func (g *gen) leaf(n condition.Node) (string, error) {
	switch n := n.(type) {
	case condition.Text:
		return g.text(n)
	case condition.Phone:
		return set("phone", "phone", n.Op, n.Values, condition.OpEquals, condition.OpNotEquals, condition.OpIn, condition.OpNotIn)
	case condition.Agent:
		switch n.Op {
		case condition.OpAssigned:
			if n.IsAssigned {
				return `agent != ""`, nil
			}
			return `agent == ""`, nil
		case condition.OpIs:
			return "agent == " + quote(n.ID), nil
		case condition.OpIsNot:
			return "agent != " + quote(n.ID), nil
		}
		return "", errOp("agent", n.Op)
	case condition.MessageType:
		types := make([]string, len(n.Types))
		for i, t := range n.Types {
			types[i] = string(t)
		}
		return set("message_type", "type", n.Op, types, condition.OpIs, condition.OpIsNot, condition.OpIn, condition.OpNotIn)
	case condition.MessageCount:
		return compare("message_count", "message_count", n.Op, int64(n.N), true)
	case condition.Length:
		return compare("length", "length", n.Op, int64(n.N), true)
	case condition.SinceLastReply:
		return since(n)
	case condition.Labels:
		return labels(n)
	case condition.Schedule:
		return g.schedule(n)
	case condition.InHours:
		return g.hours(n)
	case condition.Raw:
		if err := g.d.CheckRaw(n); err != nil {
			return "", err
		}
		g.plan.RawLeaves++
		// Newlines keep a trailing line comment from swallowing the ")".
		return "(\n" + n.Source + "\n)", nil
	}
	return "", fmt.Errorf("%T: %w", n, condition.ErrUnsupported)
}

func quote(s string) string { return strconv.Quote(s) }

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// set writes the one-value / list operators of phone and message_type.
func set(typ, v string, op condition.Op, vals []string, eq, ne, in, notIn condition.Op) (string, error) {
	switch op {
	case eq, ne:
		if len(vals) == 0 {
			return "", fmt.Errorf("%s %s: %w", typ, op, errNoValue)
		}
		if op == eq {
			return v + " == " + quote(vals[0]), nil
		}
		return v + " != " + quote(vals[0]), nil
	case in:
		if len(vals) == 0 {
			return "false", nil
		}
		return v + " in " + quoteAll(vals), nil
	case notIn:
		if len(vals) == 0 {
			return "true", nil
		}
		return "!(" + v + " in " + quoteAll(vals) + ")", nil
	}
	return "", errOp(typ, op)
}

var cmpOps = map[condition.Op]string{
	condition.OpEq: "==", condition.OpNe: "!=", condition.OpGt: ">", condition.OpGte: ">=",
	condition.OpLt: "<", condition.OpLte: "<=",
}

func compare(typ, v string, op condition.Op, n int64, eqAllowed bool) (string, error) {
	sym, ok := cmpOps[op]
	if !ok || !eqAllowed && (op == condition.OpEq || op == condition.OpNe) {
		return "", errOp(typ, op)
	}
	return v + " " + sym + " " + strconv.FormatInt(n, 10), nil
}

// since: a negative value means no reply yet, greater than any duration.
func since(n condition.SinceLastReply) (string, error) {
	c, err := compare("since_last_reply", SinceVar, n.Op, int64(n.D), false)
	if err != nil {
		return "", err
	}
	if n.Op == condition.OpGt || n.Op == condition.OpGte {
		return "(" + SinceVar + " < 0 || " + c + ")", nil
	}
	return "(" + SinceVar + " >= 0 && " + c + ")", nil
}

func labels(n condition.Labels) (string, error) {
	has := func(v string) string { return quote(v) + " in labels" }
	switch n.Op {
	case condition.OpHas, condition.OpHasNot:
		if len(n.Values) == 0 {
			return "", fmt.Errorf("labels %s: %w", n.Op, errNoValue)
		}
		if n.Op == condition.OpHas {
			return has(n.Values[0]), nil
		}
		return "!(" + has(n.Values[0]) + ")", nil
	case condition.OpHasAny:
		return joinEach(n.Values, has, " || ", "false"), nil
	case condition.OpHasAll:
		return joinEach(n.Values, has, " && ", "true"), nil
	case condition.OpHasNone:
		return "!" + joinEach(n.Values, has, " || ", "false"), nil
	}
	return "", errOp("labels", n.Op)
}

func joinEach(vs []string, f func(string) string, op, empty string) string {
	if len(vs) == 0 {
		return empty
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = f(v)
	}
	return "(" + strings.Join(parts, op) + ")"
}

func (g *gen) text(n condition.Text) (string, error) {
	subject, fold := "text", condition.Fold
	if n.Exact {
		subject, fold = "raw_text", func(s string) string { return s }
	}
	contains := func(v string) string {
		if n.Word {
			return g.d.StringOp(subject, "matches", quote(WordPattern(fold(v))))
		}
		return g.d.StringOp(subject, "contains", quote(fold(v)))
	}
	switch n.Op {
	case condition.OpContains:
		return contains(n.Value), nil
	case condition.OpNotContains:
		return "!(" + contains(n.Value) + ")", nil
	case condition.OpStartsWith:
		return g.d.StringOp(subject, "startsWith", quote(fold(n.Value))), nil
	case condition.OpEndsWith:
		return g.d.StringOp(subject, "endsWith", quote(fold(n.Value))), nil
	case condition.OpEquals:
		return subject + " == " + quote(fold(n.Value)), nil
	case condition.OpNotEquals:
		return subject + " != " + quote(fold(n.Value)), nil
	case condition.OpContainsAny:
		return joinEach(n.Values, contains, " || ", "false"), nil
	case condition.OpContainsAll:
		return joinEach(n.Values, contains, " && ", "true"), nil
	case condition.OpMatches:
		if _, err := regexp.Compile(n.Value); err != nil {
			return "", fmt.Errorf("bad regexp %q: %w", n.Value, err)
		}
		return g.d.StringOp(subject, "matches", quote(n.Value)), nil
	case condition.OpEmpty:
		if n.IsEmpty {
			return subject + ` == ""`, nil
		}
		return subject + ` != ""`, nil
	}
	return "", errOp("text", n.Op)
}

func checkClock(c condition.TimeOfDay) error {
	if c < 0 || c >= 24*60 {
		return fmt.Errorf("%d is not a minute of the day", int(c))
	}
	return nil
}

// dayTest writes "v is one of days"; "" when days is every day.
func dayTest(v string, days []time.Weekday) (string, error) {
	if len(days) == 0 {
		return "", nil
	}
	parts := make([]string, len(days))
	for i, d := range days {
		if d < time.Sunday || d > time.Saturday {
			return "", fmt.Errorf("%d is not a weekday", int(d))
		}
		parts[i] = strconv.Itoa(int(d))
	}
	if len(parts) == 1 {
		return v + " == " + parts[0], nil
	}
	return v + " in [" + strings.Join(parts, ", ") + "]", nil
}

func and(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return "true"
	}
	return "(" + strings.Join(keep, " && ") + ")"
}

func itoa(c condition.TimeOfDay) string { return strconv.Itoa(int(c)) }

func (g *gen) schedule(n condition.Schedule) (string, error) {
	if err := errors.Join(checkClock(n.From), checkClock(n.To)); err != nil {
		return "", err
	}
	s := g.zoneOf(n.Location)
	wd, ywd, m := g.d.TimeVar(s, "wd"), g.d.TimeVar(s, "ywd"), g.d.TimeVar(s, "min")
	today, err := dayTest(wd, n.Days)
	if err != nil {
		return "", err
	}
	if n.From < n.To {
		return and(today, m+" >= "+itoa(n.From), m+" < "+itoa(n.To)), nil
	}
	// The window opens today, or opened yesterday and runs past midnight.
	yesterday, _ := dayTest(ywd, n.Days)
	return "(" + and(today, m+" >= "+itoa(n.From)) + " || " + and(yesterday, m+" < "+itoa(n.To)) + ")", nil
}

func (g *gen) hours(n condition.InHours) (string, error) {
	h, ok := g.env.Hours[n.Name]
	if !ok {
		return "", fmt.Errorf("unknown business hours %q", n.Name)
	}
	s := g.zoneOf(h.Location)
	wd, ywd, m := g.d.TimeVar(s, "wd"), g.d.TimeVar(s, "ywd"), g.d.TimeVar(s, "min")
	var today, yesterday []string
	for day := time.Sunday; day <= time.Saturday; day++ {
		var t, y []string
		for _, sp := range h.Weekly[day] {
			if err := errors.Join(checkClock(sp.From), checkClock(sp.To)); err != nil {
				return "", fmt.Errorf("%s %s: %w", day, sp, err)
			}
			if sp.From < sp.To {
				t = append(t, and(m+" >= "+itoa(sp.From), m+" < "+itoa(sp.To)))
			} else {
				t = append(t, m+" >= "+itoa(sp.From))
				y = append(y, m+" < "+itoa(sp.To))
			}
		}
		d := strconv.Itoa(int(day))
		if len(t) > 0 {
			today = append(today, "("+wd+" == "+d+" && ("+strings.Join(t, " || ")+"))")
		}
		if len(y) > 0 {
			yesterday = append(yesterday, "("+ywd+" == "+d+" && ("+strings.Join(y, " || ")+"))")
		}
	}
	open := func(parts []string, date string) string {
		if len(parts) == 0 {
			return ""
		}
		e := "(" + strings.Join(parts, " || ") + ")"
		if len(h.Closed) > 0 {
			g.plan.needDates[s] = true
			e = "(!(" + g.d.TimeVar(s, date) + " in " + quoteAll(h.Closed) + ") && " + e + ")"
		}
		return e
	}
	var parts []string
	for _, p := range []string{open(today, "date"), open(yesterday, "ydate")} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "false", nil
	}
	return "(" + strings.Join(parts, " || ") + ")", nil
}
