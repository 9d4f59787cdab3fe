package workflow

import (
	"errors"
	"regexp/syntax"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/trigger"
)

// leafOps lists the operators of each leaf type, in WORKFLOWS.md order.
var leafOps = map[string][]string{
	"text": {"contains", "not_contains", "starts_with", "ends_with", "equals", "not_equals",
		"contains_any", "contains_all", "matches", "empty"},
	"phone":            {"equals", "not_equals", "in", "not_in"},
	"agent":            {"assigned", "is", "is_not"},
	"message_type":     {"is", "is_not", "in", "not_in"},
	"message_count":    {"eq", "ne", "gt", "gte", "lt", "lte"},
	"since_last_reply": {"gt", "gte", "lt", "lte"},
	"labels":           {"has", "has_not", "has_any", "has_all", "has_none"},
	"length":           {"eq", "ne", "gt", "gte", "lt", "lte"},
}

// textModifiers may stand beside the operator of a text leaf.
var textModifiers = []string{"exact", "word"}

// scheduleKeys are the keys of an inline schedule leaf; hours (named
// business hours) stands alone.
var scheduleKeys = []string{"days", "from", "to", "timezone", "hours"}

// nodeKeys is what a condition node may be, for error messages.
var nodeKeys = []string{"all", "any", "not", "text", "phone", "agent", "message_type",
	"message_count", "since_last_reply", "labels", "length", "schedule", "cel", "expr"}

// treeDecoder decodes one workflow's condition tree and remembers the
// node of each leaf by its tree path, to place compile errors.
type treeDecoder struct {
	l      *loader
	leaves map[string]ast.Node
}

func (d *treeDecoder) tree(n ast.Node) condition.Node {
	if yamlpos.IsNull(n) {
		return nil
	}
	return d.node(n, "")
}

func join(path, s string) string {
	if path == "" {
		return s
	}
	return path + "." + s
}

// node decodes the node at tree path tp ("all[1].not").
func (d *treeDecoder) node(n ast.Node, tp string) condition.Node {
	c := d.l.c
	path := "conditions"
	if tp != "" {
		path += "." + tp
	}
	f, ok := c.One(n, path, WordCondition)
	if !ok {
		return nil
	}
	switch f.Key {
	case "all", "any":
		return d.group(f, tp)
	case "not":
		return condition.Not{Node: d.node(f.Value, join(tp, "not"))}
	}
	if !slices.Contains(nodeKeys, f.Key) {
		c.Say(f.KeyNode, f.Path, CodeUnknownCondition, f.Key, strings.Join(nodeKeys, ", "))
		return nil
	}
	d.leaves[join(tp, f.Key)] = f.Value
	return d.leaf(f)
}

func (d *treeDecoder) group(f yamlpos.Field, tp string) condition.Node {
	items, _ := d.l.c.List(f.Value, f.Path)
	var nodes []condition.Node
	for i, it := range items {
		nodes = append(nodes, d.node(it, yamlpos.Index(join(tp, f.Key), i)))
	}
	if f.Key == "all" {
		return condition.All{Nodes: nodes}
	}
	return condition.Any{Nodes: nodes}
}

func (d *treeDecoder) leaf(f yamlpos.Field) condition.Node {
	switch f.Key {
	case "schedule":
		return d.schedule(f)
	case "cel", "expr":
		src := d.l.nonEmpty(f, WordExpression)
		return condition.Raw{Lang: condition.Lang(f.Key), Source: src}
	}
	fields, ok := d.l.c.Mapping(f.Value, f.Path)
	if !ok {
		return nil
	}
	op, ok := d.operator(f, fields)
	if !ok {
		return nil
	}
	switch f.Key {
	case "text":
		return d.text(op, fields)
	case "phone":
		return d.phone(op)
	case "agent":
		return d.agent(op)
	case "message_type":
		return d.messageType(op)
	case "message_count", "length":
		n, _ := d.l.c.Int(op.Value, op.Path)
		if f.Key == "length" {
			return condition.Length{Op: condition.Op(op.Key), N: n}
		}
		return condition.MessageCount{Op: condition.Op(op.Key), N: n}
	case "since_last_reply":
		dur, _ := d.l.duration(op.Value, op.Path)
		return condition.SinceLastReply{Op: condition.Op(op.Key), D: dur}
	default: // labels
		vs := d.oneOrList(op, condition.OpHas, condition.OpHasNot)
		return condition.Labels{Op: condition.Op(op.Key), Values: vs}
	}
}

// operator finds the one operator of a leaf; text also allows the
// modifiers exact and word.
func (d *treeDecoder) operator(leaf yamlpos.Field, fields []yamlpos.Field) (yamlpos.Field, bool) {
	ops := leafOps[leaf.Key]
	var op yamlpos.Field
	found := false
	for _, f := range fields {
		switch {
		case leaf.Key == "text" && slices.Contains(textModifiers, f.Key):
		case !slices.Contains(ops, f.Key):
			d.l.c.Say(f.KeyNode, f.Path, CodeUnknownOperator, f.Key, leaf.Key, strings.Join(ops, ", "))
			return op, false
		case found:
			d.l.c.Say(f.KeyNode, f.Path, CodeSecondOperator, f.Key, op.Key)
			return op, false
		default:
			op, found = f, true
		}
	}
	if !found {
		d.l.c.Say(leaf.Value, leaf.Path, CodeNoOperator, strings.Join(ops, ", "))
	}
	return op, found
}

// oneOrList reads the string operand of the single-value operators and the
// list operand of the others.
func (d *treeDecoder) oneOrList(op yamlpos.Field, single ...condition.Op) []string {
	if slices.Contains(single, condition.Op(op.Key)) {
		s, ok := d.l.c.String(op.Value, op.Path)
		if !ok {
			return nil
		}
		return []string{s}
	}
	return d.l.list(op.Value, op.Path)
}

func (d *treeDecoder) text(op yamlpos.Field, fields []yamlpos.Field) condition.Node {
	c := d.l.c
	t := condition.Text{Op: condition.Op(op.Key)}
	for _, f := range fields {
		switch f.Key {
		case "exact":
			t.Exact, _ = c.Bool(f.Value, f.Path)
		case "word":
			t.Word, _ = c.Bool(f.Value, f.Path)
			if t.Word && !slices.Contains([]condition.Op{condition.OpContains, condition.OpNotContains, condition.OpContainsAny, condition.OpContainsAll}, t.Op) {
				c.Say(f.Value, f.Path, CodeWordOperator, string(t.Op))
			}
		}
	}
	switch t.Op {
	case condition.OpContainsAny, condition.OpContainsAll:
		t.Values = d.l.list(op.Value, op.Path)
	case condition.OpEmpty:
		t.IsEmpty, _ = c.Bool(op.Value, op.Path)
	case condition.OpMatches:
		t.Value, _ = c.String(op.Value, op.Path)
		if err := pattern(t.Value); err != nil {
			c.Addf(op.Value, op.Path, "%.60q %v", t.Value, err)
		}
	default:
		t.Value, _ = c.String(op.Value, op.Path)
	}
	return t
}

// reason returns the cause of a regexp error without the repeated pattern.
func reason(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return string(se.Code)
	}
	return err.Error()
}

func (d *treeDecoder) phone(op yamlpos.Field) condition.Node {
	vs := d.oneOrList(op, condition.OpEquals, condition.OpNotEquals)
	normalize := d.l.opts.NormalizePhone
	if normalize == nil {
		normalize = trigger.NormalizePhone
	}
	for i, v := range vs {
		p, err := normalize(v)
		if err != nil {
			at, path := op.Value, op.Path
			if yamlpos.Kind(op.Value) == "a list" {
				at, path = yamlpos.Find(op.Value, yamlpos.Index("", i)), yamlpos.Index(op.Path, i)
			}
			if d.l.opts.NormalizePhone != nil {
				d.l.c.Addf(at, path, "phone number %v", err)
				continue
			}
			d.l.c.Say(at, path, CodeNotPhone, v)
			continue
		}
		vs[i] = p
	}
	return condition.Phone{Op: condition.Op(op.Key), Values: vs}
}

func (d *treeDecoder) agent(op yamlpos.Field) condition.Node {
	a := condition.Agent{Op: condition.Op(op.Key)}
	if a.Op == condition.OpAssigned {
		a.IsAssigned, _ = d.l.c.Bool(op.Value, op.Path)
		return a
	}
	a.ID = d.l.nonEmpty(op, WordAgent)
	return a
}

var messageTypes = []string{"text", "image", "audio", "video", "document", "sticker", "location", "contact", "other"}

func (d *treeDecoder) messageType(op yamlpos.Field) condition.Node {
	vs := d.oneOrList(op, condition.OpIs, condition.OpIsNot)
	m := condition.MessageType{Op: condition.Op(op.Key)}
	for _, v := range vs {
		if !trigger.MessageType(v).Valid() {
			d.l.c.Say(op.Value, op.Path, CodeNotMessageType, v, strings.Join(messageTypes, ", "))
		}
		m.Types = append(m.Types, trigger.MessageType(v))
	}
	return m
}

func (d *treeDecoder) schedule(f yamlpos.Field) condition.Node {
	c := d.l.c
	fields, ok := c.Mapping(f.Value, f.Path)
	if !ok {
		return nil
	}
	if h, ok := field(fields, "hours"); ok {
		c.Known(fields, "hours")
		return d.inHours(h)
	}
	c.Known(fields, scheduleKeys...)
	var s condition.Schedule
	for _, k := range fields {
		switch k.Key {
		case "days":
			s.Days = d.days(k)
		case "from":
			s.From = d.clock(k)
		case "to":
			s.To = d.clock(k)
		case "timezone":
			s.Location = d.l.location(k)
		}
	}
	for _, req := range []string{"from", "to"} {
		if _, ok := field(fields, req); !ok {
			c.SayWant(f.Value, yamlpos.Key(f.Path, req), CodeRequired, WordTime)
		}
	}
	return s
}

func (d *treeDecoder) inHours(f yamlpos.Field) condition.Node {
	name, ok := d.l.c.String(f.Value, f.Path)
	if ok {
		if _, known := d.l.hours[name]; !known {
			d.l.c.Say(f.Value, f.Path, CodeUnknownHours, name, hourNames(d.l.hours))
		}
	}
	return condition.InHours{Name: name}
}

func hourNames(h map[string]condition.Hours) string {
	if len(h) == 0 {
		return "none defined"
	}
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func (d *treeDecoder) days(f yamlpos.Field) []time.Weekday {
	names, _ := d.l.c.Strings(f.Value, f.Path, false)
	out := make([]time.Weekday, 0, len(names))
	for i, n := range names {
		wd, ok := condition.WeekdayNames[n]
		if !ok {
			d.l.c.Say(yamlpos.Find(f.Value, yamlpos.Index("", i)), yamlpos.Index(f.Path, i), CodeNotDay, n)
			continue
		}
		out = append(out, wd)
	}
	return out
}

func (d *treeDecoder) clock(f yamlpos.Field) condition.TimeOfDay {
	s, ok := d.l.c.String(f.Value, f.Path)
	if !ok {
		return 0
	}
	clk, err := condition.ParseTimeOfDay(s)
	if err != nil {
		d.l.c.Addf(f.Value, f.Path, "%s", err.Error())
	}
	return clk
}

func (l *loader) location(f yamlpos.Field) *time.Location {
	s, ok := l.c.String(f.Value, f.Path)
	if !ok {
		return nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil || s == "" || s == "Local" {
		l.c.Say(f.Value, f.Path, CodeNotZone, s)
		return nil
	}
	return loc
}

// ConditionOperators returns the operators of each condition leaf type of
// the file format, in WORKFLOWS.md order; schedule, cel and expr take no
// operator. Forms offer exactly these.
func ConditionOperators() map[string][]string {
	out := make(map[string][]string, len(leafOps))
	for k, v := range leafOps {
		out[k] = slices.Clone(v)
	}
	return out
}

// ConditionTypes lists what a condition node may be (all, any, not and the
// leaf types), in WORKFLOWS.md order.
func ConditionTypes() []string { return slices.Clone(nodeKeys) }
