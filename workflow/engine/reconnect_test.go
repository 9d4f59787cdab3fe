package engine_test

import (
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// A number that comes back with several scheduled messages due sends
// every one, oldest first, at its pacing slots. They used to be sent
// inline on reconnect: the first went, the others' pacing put them off,
// nothing queued them again, and they expired 24 h later.
func TestReconnectSendsEveryDueMessageAtItsSlot(t *testing.T) {
	ctx := t.Context()
	const gap = 12 * time.Second
	h := workflowtest.New(t, workflowtest.Options{Pacing: &workflowtest.Pacing{Cold: gap}})
	at := h.Clock.Now().Add(time.Hour)
	texts := []string{"premier", "deuxième", "troisième", "quatrième"}
	for i, text := range texts {
		if _, err := h.Engine.Schedule(ctx, engine.ScheduleRequest{Session: "main", Phone: "+33611111111", Text: text, At: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Engine.SetConnected(ctx, "main", false); err != nil {
		t.Fatal(err)
	}
	h.Advance(ctx, 2*time.Hour)
	h.TakeEffects()
	back := h.Clock.Now()
	if err := h.Engine.SetConnected(ctx, "main", true); err != nil {
		t.Fatalf("reconnect: %v", err)
	}
	got := h.Advance(ctx, time.Minute)
	var sent []string
	var times []time.Time
	for _, e := range got {
		if e.Kind == engine.EffectSend {
			sent, times = append(sent, e.Text), append(times, e.Time)
		}
	}
	if len(sent) != len(texts) {
		t.Fatalf("sent %q within a minute of the reconnect, want all %d", sent, len(texts))
	}
	for i := range sent {
		if sent[i] != texts[i] {
			t.Fatalf("sent %q, want oldest first %q", sent, texts)
		}
		if i > 0 && times[i].Sub(times[i-1]) < gap {
			t.Fatalf("sends at %v, want them %s apart", times, gap)
		}
	}
	if !times[0].Equal(back) {
		t.Errorf("the first went at %v, want at once on reconnect (%v)", times[0], back)
	}
	list, err := h.Store.ListScheduled(ctx, workflow.ScheduleQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Status != workflow.ScheduleSent {
			t.Errorf("%q is %s (%s), want sent", m.Text, m.Status, m.Reason)
		}
	}
}
