package replay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// Store is what Run reads: the recorded messages, conversations, contacts
// and execution log. Run never writes to it. workflow/memstore and
// adapters/bun implement it.
type Store interface {
	// ScanMessages calls fn with every stored message in batches ordered
	// by session, phone and Seq; fn may use the store.
	ScanMessages(ctx context.Context, fn func([]workflow.MessageRecord) error) error
	Conversation(ctx context.Context, session, phone string) (workflow.Conversation, error)
	Contact(ctx context.Context, phone string) (workflow.Contact, error)
	QueryLogs(ctx context.Context, q workflow.LogQuery) (workflow.LogPage, error)
}

// FactsReader is an optional extension of Store: the facts of many
// conversations in one read. When the store has it, Run reads the
// conversations and contacts of each batch of messages at once instead of
// one Conversation and one Contact per conversation. adapters/bun has it.
type FactsReader interface {
	// ConversationsOf returns the stored conversations of session with
	// these phones, in any order; unknown ones are left out.
	ConversationsOf(ctx context.Context, session string, phones []string) ([]workflow.Conversation, error)
	// ContactsOf returns the stored contacts of these phones, in any
	// order; unknown ones are left out.
	ContactsOf(ctx context.Context, phones []string) ([]workflow.Contact, error)
}

// LogScanner is an optional extension of Store: the execution log of a
// period without the traces, faster than QueryLogs's pages. When the
// store has it, Run reads the log with it and reads the traces of the
// examples it keeps with QueryLogs. adapters/bun has it.
type LogScanner interface {
	// ScanLogs calls fn with every entry of the log whose time is at or
	// after from and before to (zero: no bound), in batches in no
	// particular order, without their Trace; fn may keep the entries. An
	// error of fn stops the scan and is returned.
	ScanLogs(ctx context.Context, from, to time.Time, fn func([]workflow.Execution) error) error
}

// Options configures Run. Compiler is required.
type Options struct {
	// Since and Until bound the replayed messages' times: Since inclusive,
	// Until exclusive (zero: no bound).
	Since, Until time.Time
	// Compiler compiles the draft's conditions (condition/expr or condition/cel).
	Compiler condition.Compiler
	// Location is the account's time zone; nil means UTC.
	Location *time.Location
	// Hours are the account's named business hours; the draft's own
	// (Definitions.Hours) override them by name.
	Hours map[string]condition.Hours
	// Examples is the number of example conversations per list; 0 means 3.
	Examples int
}

// ErrNoCompiler: Options.Compiler is nil.
var ErrNoCompiler = errors.New("replay: Options.Compiler is required")

// Approximations lists, in plain words, the facts of the time that Run
// cannot read back from the store and how it rebuilds them. Exact: the
// text, type and time of each message, the message count, the time since
// the last reply and whether the contact was new.
var Approximations = []string{
	"labels: the contact's current labels are taken as the labels of the whole period (the store keeps no history of labels)",
	"agent: the conversation's current agent is taken as assigned from the first of its logged workflow assignments in the period and its first agent reply, unassigned before; a conversation unassigned now is taken as unassigned throughout (the store keeps no history of assignments)",
	"excluded: the contact's current exclusion applies to the whole period; a number's modules and deletion are not replayed",
	"group messages are not told apart (the store does not keep the flag): group settings are ignored",
	"fired before: the execution log's firings in the period (a purged log, 90 days by default, shows none)",
}

// Report is the outcome of a replay.
type Report struct {
	Since, Until time.Time
	// Messages is the number of customer messages replayed.
	Messages int
	// Workflows lists the draft's workflows in priority order, then the
	// workflows that fired before and are not in the draft, by name.
	Workflows []WorkflowReport
}

// WorkflowReport counts, for one workflow (by name), the replayed
// messages it fired on before and would fire on with the draft.
type WorkflowReport struct {
	Name string
	// InDraft: the draft has this workflow.
	InDraft bool
	// Before: fired on these messages (execution log); Would: would fire
	// with the draft; New: would fire, did not; NoLonger: fired, would not.
	Before, Would, New, NoLonger int
	// Examples of each count, at most Options.Examples, one per conversation.
	WouldExamples, NewExamples, NoLongerExamples []Example
}

// Example is one replayed message and why the workflow did or would act.
type Example struct {
	Session, Phone, MessageID string
	Time                      time.Time
	Text                      string
	// Agent and Labels are the replayed facts.
	Agent  string
	Labels []string
	// Trace is the draft's evaluation (empty when it was not evaluated,
	// see Note); BeforeTrace the logged firing's, if any.
	Trace, BeforeTrace condition.Trace
	// Note says why a workflow that fired before would not now.
	Note string
}

// Run replays the customer messages of store between opts.Since and
// opts.Until through draft with the facts of their time (see
// Approximations), in a fresh in-memory engine: nothing is sent and store
// is only read. It compares each workflow's firings with the execution log.
func Run(ctx context.Context, store Store, draft workflow.Definitions, opts Options) (Report, error) {
	if opts.Compiler == nil {
		return Report{}, ErrNoCompiler
	}
	if opts.Examples <= 0 {
		opts.Examples = 3
	}
	eng, err := engine.New(engine.Config{Store: memstore.New(), Compiler: opts.Compiler, Location: opts.Location, Hours: opts.Hours,
		Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return errors.New("replay sends nothing") })})
	if err != nil {
		return Report{}, fmt.Errorf("replay: %w", err)
	}
	if err := eng.SetWorkflows(ctx, draft); err != nil {
		return Report{}, fmt.Errorf("replay: draft: %w", err)
	}
	r := &run{opts: opts, store: store, eng: eng, byName: map[string]*WorkflowReport{}, draft: map[string]*workflow.Workflow{},
		rep: Report{Since: opts.Since, Until: opts.Until}}
	r.facts, _ = store.(FactsReader)
	r.allowFn = r.allow
	for _, w := range eng.Workflows() {
		r.report(w.Name).InDraft = true
		r.draft[w.Name] = &w
	}
	inDraft := len(r.order)
	if err := r.readLog(ctx); err != nil {
		return Report{}, err
	}
	if err := store.ScanMessages(ctx, func(msgs []workflow.MessageRecord) error { return r.batch(ctx, msgs) }); err != nil {
		return Report{}, fmt.Errorf("replay: %w", err)
	}
	slices.SortStableFunc(r.order[inDraft:], func(a, b *WorkflowReport) int { return strings.Compare(a.Name, b.Name) })
	for _, w := range r.order {
		r.rep.Workflows = append(r.rep.Workflows, *w)
	}
	return r.rep, nil
}

// run is the state of one Run.
type run struct {
	opts   Options
	store  Store
	eng    *engine.Engine
	rep    Report
	byName map[string]*WorkflowReport
	order  []*WorkflowReport
	// draft holds the draft's workflows by name.
	draft map[string]*workflow.Workflow
	// fired holds the logged firings by message, newest first.
	fired map[msgKey][]workflow.Execution
	// untraced: the firings were read without their traces (LogScanner).
	untraced bool
	// assigned holds the first logged assignment per conversation.
	assigned map[convKey]time.Time
	conv     *convState
	// facts is store as a FactsReader (nil: it is not); convs and
	// contacts hold what it read for the current batch.
	facts    FactsReader
	convs    map[convKey]workflow.Conversation
	contacts map[string]workflow.Contact
	// allowFn is r.allow, at is the time of the message played.
	allowFn func(*workflow.Workflow) bool
	at      time.Time
}

// msgKey identifies a message, convKey a conversation.
type (
	msgKey  struct{ session, id string }
	convKey struct{ session, phone string }
)

// convState is what the replay knows of the conversation being played.
type convState struct {
	key       convKey
	agent     string
	contact   workflow.Contact
	assignAt  time.Time // zero: not yet assigned
	lastReply time.Time
	cooldown  map[string]time.Time // workflow id → last would-fire
}

func (r *run) report(name string) *WorkflowReport {
	w, ok := r.byName[name]
	if !ok {
		w = &WorkflowReport{Name: name}
		r.byName[name] = w
		r.order = append(r.order, w)
	}
	return w
}

// readLog collects the firings and assignments of the period.
func (r *run) readLog(ctx context.Context) error {
	r.fired, r.assigned = map[msgKey][]workflow.Execution{}, map[convKey]time.Time{}
	if ls, ok := r.store.(LogScanner); ok {
		r.untraced = true
		err := ls.ScanLogs(ctx, r.opts.Since, r.opts.Until, func(xs []workflow.Execution) error {
			for _, x := range xs {
				r.logged(x)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("replay: read the execution log: %w", err)
		}
	} else {
		q := workflow.LogQuery{From: r.opts.Since, To: r.opts.Until, Limit: workflow.MaxLogLimit}
		for {
			page, err := r.store.QueryLogs(ctx, q)
			if err != nil {
				return fmt.Errorf("replay: read the execution log: %w", err)
			}
			for _, x := range page.Entries {
				r.logged(x)
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	// Newest first, as QueryLogs returns them, whatever the store's order.
	for _, xs := range r.fired {
		if len(xs) > 1 {
			slices.SortFunc(xs, func(a, b workflow.Execution) int { return strings.Compare(b.ID, a.ID) })
		}
	}
	return nil
}

// logged notes the log entry x if it is a firing.
func (r *run) logged(x workflow.Execution) {
	if !engine.IsFiring(x) {
		return
	}
	k := msgKey{x.Session, x.MessageID}
	r.fired[k] = append(r.fired[k], x)
	for _, a := range x.Actions {
		ck := convKey{x.Session, x.Phone}
		if a.Type == "assign" && a.Outcome == workflow.OutcomeFired {
			if t, ok := r.assigned[ck]; !ok || x.Time.Before(t) {
				r.assigned[ck] = x.Time
			}
		}
	}
}

// beforeTrace returns the trace of the logged firing x, read again when
// the log was read without traces.
func (r *run) beforeTrace(ctx context.Context, x workflow.Execution) (condition.Trace, error) {
	if !r.untraced {
		return x.Trace, nil
	}
	q := workflow.LogQuery{From: x.Time, To: x.Time.Add(time.Nanosecond), WorkflowID: x.WorkflowID, Session: x.Session,
		Phone: x.Phone, Limit: workflow.MaxLogLimit}
	for {
		page, err := r.store.QueryLogs(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("replay: read the trace of %s: %w", x.ID, err)
		}
		for _, e := range page.Entries {
			if e.ID == x.ID {
				return e.Trace, nil
			}
		}
		if page.Next == "" {
			return nil, nil
		}
		q.After = page.Next
	}
}

// batch plays a batch of messages ordered by conversation and Seq.
func (r *run) batch(ctx context.Context, msgs []workflow.MessageRecord) error {
	if r.facts != nil {
		if err := r.readFacts(ctx, msgs); err != nil {
			return err
		}
	}
	for i := range msgs {
		m := &msgs[i]
		if err := r.enter(ctx, m); err != nil {
			return err
		}
		c := r.conv
		switch {
		case m.Author != workflow.AuthorCustomer:
			c.lastReply = m.Time
			if m.Author == workflow.AuthorAgent && c.agent != "" && (c.assignAt.IsZero() || m.Time.Before(c.assignAt)) {
				c.assignAt = m.Time
			}
		case !m.Time.Before(r.opts.Since) && (r.opts.Until.IsZero() || m.Time.Before(r.opts.Until)) && !c.contact.Excluded:
			if err := r.play(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// readFacts reads the conversations and contacts of msgs that enter will
// need, with one query per session and one for the contacts.
func (r *run) readFacts(ctx context.Context, msgs []workflow.MessageRecord) error {
	clear(r.convs)
	clear(r.contacts)
	if r.convs == nil {
		r.convs, r.contacts = map[convKey]workflow.Conversation{}, map[string]workflow.Contact{}
	}
	last := convKey{}
	if r.conv != nil {
		last = r.conv.key
	}
	bySession := map[string][]string{}
	var sessions, phones []string
	for i := range msgs {
		k := convKey{msgs[i].Session, msgs[i].Phone}
		if k == last {
			continue
		}
		last = k
		if _, ok := bySession[k.session]; !ok {
			sessions = append(sessions, k.session)
		}
		bySession[k.session] = append(bySession[k.session], k.phone)
		phones = append(phones, k.phone)
	}
	for _, session := range sessions {
		convs, err := r.facts.ConversationsOf(ctx, session, bySession[session])
		if err != nil {
			return fmt.Errorf("conversations of %s: %w", session, err)
		}
		for _, c := range convs {
			r.convs[convKey{c.Session, c.Phone}] = c
		}
	}
	slices.Sort(phones)
	contacts, err := r.facts.ContactsOf(ctx, slices.Compact(phones))
	if err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	for _, c := range contacts {
		r.contacts[c.Phone] = c
	}
	return nil
}

// enter makes m's conversation the current one, reading its facts once.
func (r *run) enter(ctx context.Context, m *workflow.MessageRecord) error {
	key := convKey{m.Session, m.Phone}
	if r.conv != nil && r.conv.key == key {
		return nil
	}
	var conv workflow.Conversation
	var contact workflow.Contact
	if r.facts != nil {
		conv, contact = r.convs[key], r.contacts[m.Phone]
	} else {
		var err error
		conv, err = r.store.Conversation(ctx, m.Session, m.Phone)
		if err != nil && !errors.Is(err, workflow.ErrNotFound) {
			return fmt.Errorf("conversation %s/%s: %w", m.Session, m.Phone, err)
		}
		contact, err = r.store.Contact(ctx, m.Phone)
		if err != nil && !errors.Is(err, workflow.ErrNotFound) {
			return fmt.Errorf("contact %s: %w", m.Phone, err)
		}
	}
	r.conv = &convState{key: key, agent: conv.Agent, contact: contact, cooldown: map[string]time.Time{}}
	if t, ok := r.assigned[key]; ok && conv.Agent != "" {
		r.conv.assignAt = t
	}
	return nil
}

// allow applies the draft's cooldowns in the current conversation at r.at.
func (r *run) allow(w *workflow.Workflow) bool {
	c := r.conv
	if last, ok := c.cooldown[w.ID]; ok && w.Cooldown > 0 && r.at.Sub(last) < w.Cooldown {
		return false
	}
	c.cooldown[w.ID] = r.at
	return true
}

// play evaluates one customer message with the draft and compares. The
// draft's conditions are matched without traces (engine.DecideMatch); the
// traces of the examples kept are built then.
func (r *run) play(ctx context.Context, m *workflow.MessageRecord) error {
	c := r.conv
	r.rep.Messages++
	agent := ""
	if !c.assignAt.IsZero() && c.assignAt.Before(m.Time) {
		agent = c.agent
	}
	msg := trigger.Message{ID: m.ID, Session: m.Session, Phone: m.Phone, Type: m.Type, Text: m.Text, Time: m.Time}
	newContact := m.Seq == 1 && !c.contact.Imported
	sc := condition.NewScope(condition.NewFacts(condition.Input{Message: msg, Agent: agent, Labels: c.contact.Labels,
		MessageCount: int(m.Seq), LastReply: c.lastReply, IsNewContact: newContact}))
	r.at = m.Time
	decisions := r.eng.DecideMatch(ctx, trigger.Event{Message: msg, NewContact: newContact}, sc, r.allowFn)
	before := r.fired[msgKey{m.Session, m.ID}]
	ex := Example{Session: m.Session, Phone: m.Phone, MessageID: m.ID, Time: m.Time, Text: m.Text, Agent: agent, Labels: c.contact.Labels}
	for _, d := range decisions {
		if !d.Fired {
			continue
		}
		w := r.report(d.Workflow.Name)
		w.Would++
		e := ex
		e.Trace = d.Trace
		r.example(&w.WouldExamples, e)
		if !slices.ContainsFunc(before, func(x workflow.Execution) bool { return x.Workflow == w.Name }) {
			w.New++
			r.example(&w.NewExamples, e)
		}
	}
	for _, x := range before {
		w := r.report(x.Workflow)
		w.Before++
		if slices.ContainsFunc(decisions, func(d engine.Decision) bool { return d.Fired && d.Workflow.Name == x.Workflow }) {
			continue
		}
		w.NoLonger++
		if !r.room(w.NoLongerExamples, m.Session, m.Phone) {
			continue
		}
		e := ex
		var err error
		if e.BeforeTrace, err = r.beforeTrace(ctx, x); err != nil {
			return err
		}
		if i := slices.IndexFunc(decisions, func(d engine.Decision) bool { return d.Workflow.Name == x.Workflow }); i >= 0 {
			if d := &decisions[i]; d.Trace == nil && !d.Matched {
				res, err := d.Explain(ctx, sc)
				d.Trace, d.Err = res.Trace, err
			}
			e.Trace = decisions[i].Trace
		}
		e.Note = notFiring(decisions, r.draft[x.Workflow])
		w.NoLongerExamples = append(w.NoLongerExamples, e)
	}
	return nil
}

// example keeps e in list when there is room and its conversation gave
// none yet.
func (r *run) example(list *[]Example, e Example) {
	if r.room(*list, e.Session, e.Phone) {
		*list = append(*list, e)
	}
}

// room says whether list has room and no example of (session, phone).
func (r *run) room(list []Example, session, phone string) bool {
	if len(list) >= r.opts.Examples {
		return false
	}
	for _, x := range list {
		if x.Session == session && x.Phone == phone {
			return false
		}
	}
	return true
}

// notFiring says why the draft's workflow w (nil: none) would not fire.
func notFiring(ds []engine.Decision, w *workflow.Workflow) string {
	switch {
	case w == nil:
		return "not in the draft"
	case !w.Enabled:
		return "disabled in the draft"
	}
	for _, d := range ds {
		switch {
		case d.Workflow.Name != w.Name:
			continue
		case d.Err != nil:
			return "conditions failed: " + d.Err.Error()
		case !d.Matched:
			return "conditions do not match"
		case d.Workflow.Mode == workflow.ModeShadow:
			return "shadow mode"
		default:
			return "cooldown"
		}
	}
	if n := len(ds); n > 0 && ds[n-1].Fired && ds[n-1].Workflow.Stop {
		return ds[n-1].Workflow.Name + " fires first and stops"
	}
	return "conditions do not match, or its trigger or number does not apply"
}
