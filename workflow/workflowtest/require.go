package workflowtest

import (
	"strings"
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// Sent returns the texts of the send effects, in order.
func (r Result) Sent() []string {
	var out []string
	for _, e := range r.Effects {
		if e.Kind == engine.EffectSend {
			out = append(out, e.Text)
		}
	}
	return out
}

// Fired returns the names of the workflows that fired, in order.
func (r Result) Fired() []string {
	var out []string
	for _, x := range r.Executions {
		if x.Outcome == workflow.OutcomeFired {
			out = append(out, x.Workflow)
		}
	}
	return out
}

// Execution returns the log entry of the named workflow, if it ran.
func (r Result) Execution(workflowName string) (workflow.Execution, bool) {
	for _, x := range r.Executions {
		if x.Workflow == workflowName {
			return x, true
		}
	}
	return workflow.Execution{}, false
}

// RequireFired fails the test unless exactly the named workflows fired, in that order.
func RequireFired(t testing.TB, r Result, names ...string) {
	t.Helper()
	if got := r.Fired(); strings.Join(got, "\x00") != strings.Join(names, "\x00") {
		t.Fatalf("fired %q, want %q\n%s", got, names, describe(r))
	}
}

// RequireSent fails the test unless exactly these texts were sent, in order.
func RequireSent(t testing.TB, r Result, texts ...string) {
	t.Helper()
	if got := r.Sent(); strings.Join(got, "\x00") != strings.Join(texts, "\x00") {
		t.Fatalf("sent %q, want %q\n%s", got, texts, describe(r))
	}
}

// RequireEffects fails the test unless the effects are exactly these, in
// order, each given as FormatEffect renders it (e.g.
// `label phone="+33611111111" add="vip" workflow="VIP"`).
func RequireEffects(t testing.TB, effects []engine.Effect, want ...string) {
	t.Helper()
	got := make([]string, len(effects))
	for i, e := range effects {
		got[i] = FormatEffect(e)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("effects:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// describe renders what a message caused, traces included, for failure messages.
func describe(r Result) string {
	var b strings.Builder
	for _, x := range r.Executions {
		b.WriteString(x.Workflow + ": " + string(x.Outcome) + " (" + x.Reason + ")\n")
		for _, line := range strings.Split(strings.TrimRight(x.Trace.String(), "\n"), "\n") {
			if line != "" {
				b.WriteString("    " + line + "\n")
			}
		}
	}
	for _, e := range r.Effects {
		b.WriteString("effect: " + FormatEffect(e) + "\n")
	}
	return b.String()
}
