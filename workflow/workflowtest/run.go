package workflowtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// RunOptions selects what runs underneath a scenario.
type RunOptions struct {
	// Compiler is the condition backend; nil means condition/expr.
	Compiler condition.Compiler
	// NewStore makes a fresh store per scenario run; nil means memstore.
	// The returned func releases it.
	NewStore func(ctx context.Context) (workflow.Store, func(), error)
	// Detector detects customer languages for reply.translate; nil means langdetect.NewWordList().
	Detector ai.LanguageDetector
}

// Backends returns the two condition backends by name: "cel" and "expr".
func Backends() map[string]condition.Compiler {
	return map[string]condition.Compiler{"cel": cel.New(), "expr": expr.New()}
}

// Report is the outcome of one scenario run.
type Report struct {
	Name string
	// Failures holds one readable diff per failing step; empty means PASS.
	Failures []string
}

// Passed reports whether no step failed.
func (r Report) Passed() bool { return len(r.Failures) == 0 }

// Run loads and plays one scenario file. A file that cannot be loaded
// returns an error (workflow.LoadErrors with positions); failing
// expectations are in the Report.
func Run(ctx context.Context, path string, o RunOptions) (Report, error) {
	if o.Compiler == nil {
		o.Compiler = expr.New()
	}
	sc, err := LoadScenario(path, workflow.LoadOptions{Compiler: o.Compiler})
	if err != nil {
		return Report{}, err
	}
	return sc.Play(ctx, o)
}

// Play runs a loaded scenario.
func (sc *Scenario) Play(ctx context.Context, o RunOptions) (Report, error) {
	rep := Report{Name: sc.Name}
	opts := Options{Compiler: o.Compiler, Location: sc.Location, Start: sc.Start, Sessions: sc.Sessions, AI: sc.AI, Detector: o.Detector}
	if o.NewStore != nil {
		st, release, err := o.NewStore(ctx)
		if err != nil {
			return rep, err
		}
		defer release()
		opts.Store = st
	}
	if sc.credits != nil {
		opts.Credits, opts.CharsPerCredit = &sc.credits.Balance, sc.credits.CharsPerCredit
	}
	if p := sc.pacing; p != nil {
		opts.Pacing = &Pacing{Reply: time.Duration(p.Reply), Cold: time.Duration(p.Cold)}
	}
	h, err := Start(ctx, opts)
	if err != nil {
		return rep, err
	}
	defer h.Close()
	if err := sc.setup(ctx, h); err != nil {
		return rep, fmt.Errorf("%s: %w", sc.File, err)
	}
	for i, st := range sc.Steps {
		h.Clock.Set(ctx, st.At)
		if err := sc.play(ctx, h, st.spec); err != nil {
			rep.Failures = append(rep.Failures, fmt.Sprintf("step %d (line %d): %v", i+1, st.Line, err))
		}
		h.Clock.Settle(ctx)
		got := h.TakeEffects()
		if st.spec.Expect != nil {
			var want []effectSpec
			var c yamlpos.Collector
			for j, n := range *st.spec.Expect {
				e, _ := decodeExpectation(&c, n.Node, fmt.Sprint(j))
				want = append(want, e)
			}
			if d := diffEffects(want, got); d != "" {
				rep.Failures = append(rep.Failures, fmt.Sprintf("step %d (line %d): %s", i+1, st.Line, d))
			}
		}
		if st.spec.State != nil {
			if d := sc.checkState(ctx, h, st.spec.State); d != "" {
				rep.Failures = append(rep.Failures, fmt.Sprintf("step %d (line %d): state:\n%s", i+1, st.Line, d))
			}
		}
	}
	return rep, nil
}

func (sc *Scenario) setup(ctx context.Context, h *Harness) error {
	for _, c := range sc.contacts {
		phone, err := trigger.NormalizePhone(c.Phone)
		if err != nil {
			return fmt.Errorf("contacts: %w", err)
		}
		err = h.Store.PutContact(ctx, workflow.Contact{Phone: phone, Name: c.Name, Labels: c.Labels, Excluded: c.Excluded, Imported: true, CreatedAt: sc.Start})
		if err != nil {
			return err
		}
	}
	for _, a := range sc.assigns {
		if err := h.Engine.Assign(ctx, sc.session(a.Session), a.Phone, a.Agent); err != nil {
			return fmt.Errorf("assignments: %w", err)
		}
	}
	return h.Engine.SetWorkflows(ctx, sc.Defs)
}

func (sc *Scenario) session(s string) string {
	if s == "" {
		return sc.Sessions[0].ID
	}
	return s
}

// play performs a step's event.
func (sc *Scenario) play(ctx context.Context, h *Harness, s stepSpec) error {
	e := h.Engine
	switch {
	case s.Message != nil:
		m := s.Message
		typ := trigger.MessageType(m.Type)
		text := m.Text
		if m.Caption != "" {
			text = m.Caption
		}
		id := m.ID
		if id == "" {
			id = engine.NewMessageID()
		}
		// Receive, as a transport does: record, then the queued evaluation runs until idle.
		return e.Receive(ctx, trigger.Message{ID: id, Session: sc.session(m.Session), Phone: m.From, PushName: m.Name, Type: typ, Text: text, Time: h.Clock.Now()})
	case s.AgentReply != nil:
		return e.ReceiveOwn(ctx, sc.session(s.AgentReply.Session), s.AgentReply.To, engine.NewMessageID(), s.AgentReply.Text, h.Clock.Now())
	case s.Assign != nil:
		return e.Assign(ctx, sc.session(s.Assign.Session), s.Assign.Phone, s.Assign.Agent)
	case s.Unassign != nil:
		return e.Assign(ctx, sc.session(s.Unassign.Session), s.Unassign.Phone, "")
	case s.Label != nil:
		return e.Label(ctx, s.Label.Phone, s.Label.Add, s.Label.Remove)
	case s.Exclude != nil:
		return e.Exclude(ctx, s.Exclude.Phone, true)
	case s.Include != nil:
		return e.Exclude(ctx, s.Include.Phone, false)
	case s.Schedule != nil:
		at, err := ParseLocal(s.Schedule.At, sc.Location)
		if err != nil {
			return err
		}
		_, err = e.Schedule(ctx, engine.ScheduleRequest{ID: s.Schedule.ID, Session: sc.session(s.Schedule.Session), Phone: s.Schedule.To, Text: s.Schedule.Text, At: at})
		return err
	case s.CancelSchedule != nil:
		return e.CancelScheduled(ctx, s.CancelSchedule.ID)
	case s.Disconnect != nil:
		return e.SetConnected(ctx, sc.session(s.Disconnect.Session), false)
	case s.Reconnect != nil:
		return e.SetConnected(ctx, sc.session(s.Reconnect.Session), true)
	case s.DeleteSession != nil:
		return e.DeleteSession(ctx, sc.session(s.DeleteSession.Session))
	case s.Workflows != nil:
		return errors.Join(
			bulk(ctx, s.Workflows.Enable, func(n []string) error { return e.SetEnabled(ctx, n, true) }),
			bulk(ctx, s.Workflows.Disable, func(n []string) error { return e.SetEnabled(ctx, n, false) }),
			bulk(ctx, s.Workflows.Delete, func(n []string) error { return e.DeleteWorkflows(ctx, n) }))
	}
	return nil
}

func bulk(_ context.Context, names []string, f func([]string) error) error {
	if len(names) == 0 {
		return nil
	}
	return f(names)
}

// checkState compares the named entries of the state; "" when they agree.
func (sc *Scenario) checkState(ctx context.Context, h *Harness, s *stateSpec) string {
	var diffs []string
	bad := func(format string, args ...any) { diffs = append(diffs, "  "+fmt.Sprintf(format, args...)) }
	for _, phone := range sortedKeys(s.Contacts) {
		want := s.Contacts[phone]
		p, _ := trigger.NormalizePhone(phone)
		c, err := h.Store.Contact(ctx, p)
		if err != nil {
			bad("contacts[%s]: %v", phone, err)
			continue
		}
		if want.Labels != nil && !sameSet(*want.Labels, c.Labels) {
			bad("contacts[%s].labels: want %v, got %v", phone, *want.Labels, c.Labels)
		}
		if want.Excluded != nil && *want.Excluded != c.Excluded {
			bad("contacts[%s].excluded: want %t, got %t", phone, *want.Excluded, c.Excluded)
		}
		if want.Name != nil && *want.Name != c.Name {
			bad("contacts[%s].name: want %q, got %q", phone, *want.Name, c.Name)
		}
	}
	for _, key := range sortedKeys(s.Conversations) {
		want := s.Conversations[key]
		session, phone, _ := strings.Cut(key, "/")
		p, _ := trigger.NormalizePhone(phone)
		c, err := h.Store.Conversation(ctx, session, p)
		if err != nil && !errors.Is(err, workflow.ErrNotFound) {
			bad("conversations[%s]: %v", key, err)
			continue
		}
		if want.Agent != nil && *want.Agent != c.Agent {
			bad("conversations[%s].agent: want %q, got %q", key, *want.Agent, c.Agent)
		}
	}
	for _, id := range sortedKeys(s.Scheduled) {
		m, err := h.Store.Scheduled(ctx, id)
		status := string(m.Status)
		if status == string(workflow.ScheduleSending) {
			status = string(workflow.SchedulePending)
		}
		if err != nil {
			status = err.Error()
		}
		if status != s.Scheduled[id] {
			bad("scheduled[%s]: want %s, got %s", id, s.Scheduled[id], status)
		}
	}
	if s.Credits != nil {
		bal, err := h.Store.CreditBalance(ctx)
		if err != nil || bal != *s.Credits {
			bad("credits: want %d, got %d %v", *s.Credits, bal, errOrEmpty(err))
		}
	}
	for _, id := range sortedKeys(s.Sessions) {
		st, err := h.Store.Session(ctx, id)
		got := string(st.Status)
		if err != nil {
			got = err.Error()
		}
		if got != s.Sessions[id] {
			bad("sessions[%s]: want %s, got %s", id, s.Sessions[id], got)
		}
	}
	ws := h.Engine.Workflows()
	for _, name := range sortedKeys(s.Workflows) {
		want := s.Workflows[name]
		i := slices.IndexFunc(ws, func(w workflow.Workflow) bool { return w.Name == name })
		if i < 0 {
			bad("workflows[%s]: not found", name)
			continue
		}
		if want.Enabled != nil && *want.Enabled != ws[i].Enabled {
			bad("workflows[%s].enabled: want %t, got %t", name, *want.Enabled, ws[i].Enabled)
		}
		if want.Session != nil && *want.Session != ws[i].Session {
			bad("workflows[%s].session: want %q, got %q", name, *want.Session, ws[i].Session)
		}
	}
	return strings.Join(diffs, "\n")
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return "(" + err.Error() + ")"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// RunFile runs a scenario file once per condition backend, failing t with
// each unmet expectation; it takes the testing.TB that New takes. With a
// *testing.T each backend is a subtest.
func RunFile(t testing.TB, path string) {
	t.Helper()
	for _, name := range []string{"cel", "expr"} {
		run := func(t testing.TB) {
			t.Helper()
			rep, err := Run(context.Background(), path, RunOptions{Compiler: Backends()[name]})
			if err != nil {
				t.Fatalf("%s backend: %v", name, err)
			}
			for _, f := range rep.Failures {
				t.Errorf("%s (%s backend): %s", rep.Name, name, f)
			}
		}
		if tt, ok := t.(*testing.T); ok {
			tt.Run(name, func(t *testing.T) { run(t) })
		} else {
			run(t)
		}
	}
}

// RunDir runs every *.yaml scenario directly in dir (not subdirectories).
func RunDir(t *testing.T, dir string) {
	t.Helper()
	files, err := ScenarioFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.yaml scenario in %s", dir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { RunFile(t, f) })
	}
}

// ScenarioFiles returns the *.yaml files directly in dir, or dir itself
// when it is a file.
func ScenarioFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	files, err := filepath.Glob(filepath.Join(path, "*.yaml"))
	sort.Strings(files)
	return files, err
}
