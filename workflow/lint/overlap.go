package lint

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// replies reports whether w sends a message to the customer.
func replies(w workflow.Workflow) bool {
	return slices.ContainsFunc(w.Actions, func(s workflow.Step) bool {
		switch s.Action.(type) {
		case *action.Reply, *action.AIReply:
			return true
		}
		return false
	})
}

// overlaps reports pairs of enabled live workflows that both reply to one
// message. A pair is reported only with an example message on which
// Options.Compiler evaluates both as firing, the stop workflows before
// them not firing: an overlap is shown, never guessed.
func (c *checker) overlaps() {
	if c.opts.Compiler == nil {
		return
	}
	progs, ok := c.compile()
	if !ok {
		return
	}
	for k, ai := range c.order {
		a := c.defs.Workflows[ai]
		if !a.Enabled || a.Mode == workflow.ModeShadow || a.Stop || !replies(a) {
			continue
		}
		for _, bi := range c.order[k+1:] {
			b := c.defs.Workflows[bi]
			if !b.Enabled || b.Mode == workflow.ModeShadow || !replies(b) ||
				a.Session != "" && b.Session != "" && a.Session != b.Session {
				continue
			}
			ex, ok := c.example(ai, bi, progs)
			if !ok {
				continue
			}
			f := c.add(SeverityWarning, CheckOverlap, c.src.workflow(bi, ""), b.Name, text(TextOverlap, a.Name, b.Name))
			f.Example, f.Related = ex, []string{a.Name}
		}
	}
}

func (c *checker) compile() ([]condition.Program, bool) {
	env := condition.Env{Location: c.loc, Hours: c.hours}
	progs := make([]condition.Program, len(c.defs.Workflows))
	for i, w := range c.defs.Workflows {
		p, err := c.opts.Compiler.Compile(w.Conditions, env)
		if err != nil {
			return nil, false
		}
		progs[i] = p
	}
	return progs, true
}

// event is a candidate message with its conversation state.
type event struct {
	msg   trigger.Message
	facts *condition.Facts
}

// example finds a message on which workflows a and b both fire.
func (c *checker) example(ai, bi int, progs []condition.Program) (*Example, bool) {
	a, b := c.defs.Workflows[ai], c.defs.Workflows[bi]
	needNew := a.Trigger == trigger.KindNewContact || b.Trigger == trigger.KindNewContact
	session := cmp.Or(a.Session, b.Session, "main")
	// The stop workflows that would run before b on such a message must
	// not match, new_contact ones included: the first message of a
	// conversation is a new contact's.
	parts := []*formula{c.f[ai], c.f[bi]}
	for _, si := range c.order {
		if si == bi {
			break
		}
		s := c.defs.Workflows[si]
		if si != ai && s.Stop && s.Mode != workflow.ModeShadow && applies(s, session, true, false) {
			parts = append(parts, not(c.f[si]))
		}
	}
	sv := c.solver()
	if sv.solve(and(parts...)) != sat {
		return nil, false
	}
	ev := c.build(sv.model, session, needNew)
	fired := c.run(ev, progs)
	if !slices.Contains(fired, ai) || !slices.Contains(fired, bi) {
		return nil, false
	}
	ex := &Example{
		Session: session, Text: ev.msg.Text, Type: string(ev.msg.Type), Phone: ev.msg.Phone, Labels: ev.facts.Labels,
		Agent: ev.facts.Agent, MessageCount: ev.facts.MessageCount, Time: ev.msg.Time.In(c.loc), NewContact: ev.facts.IsNewContact,
	}
	if ev.facts.SinceLastReply >= 0 {
		ex.SinceLastReply = ev.facts.SinceLastReply.String()
	}
	return ex, true
}

func applies(w workflow.Workflow, session string, newContact, group bool) bool {
	return w.Enabled && (w.Trigger != trigger.KindNewContact || newContact) &&
		(w.Session == "" || w.Session == session) && (!group || w.Groups)
}

// run evaluates the workflows on ev the way the engine does (priority
// order, stop) and returns those that fire.
func (c *checker) run(ev event, progs []condition.Program) []int {
	var fired []int
	for _, i := range c.order {
		w := c.defs.Workflows[i]
		if !applies(w, ev.msg.Session, ev.facts.IsNewContact, false) {
			continue
		}
		res, err := progs[i].Eval(context.Background(), ev.facts)
		if err != nil || !res.Matched || w.Mode == workflow.ModeShadow {
			continue
		}
		fired = append(fired, i)
		if w.Stop {
			break
		}
	}
	return fired
}

// build makes a message from a satisfying assignment of the atoms, as the
// engine could see it: a conversation with a reply in it has at least two
// messages, and its first message is a new contact's (needNew forces one).
// The message may not satisfy the assignment; the caller checks it.
func (c *checker) build(model map[int]bool, session string, needNew bool) event {
	by := map[string][]literal{}
	timeVals := map[int]bool{}
	for id, v := range model {
		a := c.as.list[id]
		by[a.field] = append(by[a.field], literal{atom: a, value: v})
		if a.field == fTime {
			timeVals[id] = v
		}
	}
	for _, ls := range by {
		slices.SortFunc(ls, func(x, y literal) int { return strings.Compare(x.atom.String(), y.atom.String()) })
	}
	var in condition.Input
	in.Message.Session = session
	in.Message.Text = buildText(append(by[fRaw], by[fText]...))
	if lo, _ := bounds(by[fLength], 0); int64(utf8.RuneCountInString(in.Message.Text)) < lo {
		in.Message.Text += " " + strings.Repeat("x", int(lo)-utf8.RuneCountInString(in.Message.Text)-1)
	}
	in.Message.Phone = pickValue(fPhone, by[fPhone], []string{"+33611111111", "+33622222222", "+15551234567"})
	in.Message.Type = trigger.MessageType(pickValue(fType, by[fType], []string{"text", "image", "audio", "video", "document"}))
	for _, l := range by[fLabel] {
		if l.value {
			in.Labels = append(in.Labels, l.atom.val)
		}
	}
	if id := pickValue(fAgent, by[fAgent], nil); id != "" {
		in.Agent = id
	} else if slices.Contains(by[fAgent], literal{atom: atom{field: fAgent, op: aAssigned}, value: true}) {
		in.Agent = pickValue(fAgent, by[fAgent], []string{"agent-1", "agent-2"})
	}
	lo, _ := bounds(by[fCount], 1)
	in.MessageCount = int(lo)
	in.Message.Time = yearStart.AddDate(0, 0, 4).Add(10 * time.Hour) // a Monday
	if i := c.tl.satisfy(timeVals).first(); len(c.tl.at) > 0 && i >= 0 {
		in.Message.Time = c.tl.at[i]
	}
	if since, bounded := bounds(by[fSince], 0); bounded || since > 0 {
		in.LastReply = in.Message.Time.Add(-time.Duration(since))
		in.MessageCount = max(in.MessageCount, 2)
	}
	// A new contact's message is the first of its conversation (no earlier
	// message, reply or agent) from a contact nobody labelled before.
	in.IsNewContact = in.MessageCount == 1 && in.Agent == "" && in.LastReply.IsZero() && len(in.Labels) == 0
	if needNew && !in.IsNewContact {
		in.MessageCount, in.Agent, in.LastReply, in.Labels, in.IsNewContact = 1, "", time.Time{}, nil, true
	}
	return event{msg: in.Message, facts: condition.NewFacts(in)}
}

// bounds returns the smallest value >= min allowed by "value >= k"
// literals, and whether an upper bound exists.
func bounds(lits []literal, min int64) (int64, bool) {
	lo, upper := min, false
	for _, l := range lits {
		if l.value {
			lo = max(lo, l.atom.n)
		} else {
			upper = true
		}
	}
	return lo, upper
}

// pickValue returns the value a positive equality names, else the first
// candidate no negative literal excludes ("" when none).
func pickValue(field string, lits []literal, candidates []string) string {
	for _, l := range lits {
		if l.atom.op == aEquals && l.value {
			return l.atom.val
		}
	}
	for _, v := range candidates {
		if !slices.Contains(lits, literal{atom: atom{field: field, op: aEquals, val: v}, value: false}) {
			return v
		}
	}
	return ""
}

// buildText makes a text holding the positive text literals: the equals
// operand when there is one, else the starts_with operand, the contained
// words and the ends_with operand.
func buildText(lits []literal) string {
	var start, end string
	var mid []string
	for _, l := range lits {
		if !l.value {
			continue
		}
		switch l.atom.op {
		case aEquals:
			return l.atom.val
		case aStarts:
			start = l.atom.val
		case aEnds:
			end = l.atom.val
		case aContains, aWord:
			mid = append(mid, l.atom.val)
		}
	}
	parts := slices.DeleteFunc(append(append([]string{start}, mid...), end), func(s string) bool { return s == "" })
	if len(parts) == 0 {
		return "bonjour"
	}
	return strings.Join(parts, " ")
}
