package dashboard

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/replay"
)

// recorded is a store with n customer messages from n contacts, one a
// minute from start, and one automated reply to the first.
func recorded(t *testing.T, n int, start time.Time) *memstore.Store {
	t.Helper()
	ctx := context.Background()
	st := memstore.New()
	for i := range n {
		m := trigger.Message{ID: fmt.Sprint("m", i), Session: "main", Phone: fmt.Sprintf("+336%08d", i), Type: trigger.MessageText,
			Text: "bonjour", Time: start.Add(time.Duration(i) * time.Minute)}
		if _, err := st.RecordInbound(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.RecordOutbound(ctx, workflow.Outbound{Session: "main", Phone: "+33600000000", ID: "r0", Author: workflow.AuthorAutomation,
		Text: "Bonjour !", Time: start.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	return st
}

// scanned counts the customer messages a bounded scan passes on.
func scanned(t *testing.T, s *boundedStore) int {
	t.Helper()
	n := 0
	err := s.ScanMessages(context.Background(), func(b []workflow.MessageRecord) error {
		for _, m := range b {
			if m.Author == workflow.AuthorCustomer {
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("a bounded scan that stops early failed: %v", err)
	}
	return n
}

func TestBoundedStoreStopsAtTheLimit(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	st := recorded(t, 10, start)
	all := &boundedStore{Store: st, since: start, until: start.Add(time.Hour), max: 100}
	if got := scanned(t, all); got != 10 || all.stopped != "" {
		t.Errorf("under the limit: %d messages, stopped %q; want 10, not stopped", got, all.stopped)
	}
	capped := &boundedStore{Store: st, since: start, until: start.Add(time.Hour), max: 4}
	if got := scanned(t, capped); got != 4 || capped.stopped != stopLimit {
		t.Errorf("limit 4: %d messages, stopped %q; want 4, %q", got, capped.stopped, stopLimit)
	}
	// Messages outside the period do not count towards the limit.
	later := &boundedStore{Store: st, since: start.Add(5 * time.Minute), until: start.Add(time.Hour), max: 5}
	if got := scanned(t, later); got != 10 || later.stopped != "" {
		t.Errorf("5 in the period, limit 5: %d passed on, stopped %q; want all 10 passed on, not stopped", got, later.stopped)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	timed := &boundedStore{Store: st, since: start, until: start.Add(time.Hour), max: 100, stop: ctx}
	if got := scanned(t, timed); got != 0 || timed.stopped != stopTime {
		t.Errorf("out of time: %d messages, stopped %q; want 0, %q", got, timed.stopped, stopTime)
	}
}

func TestReplayNotesAreTranslated(t *testing.T) {
	trs, err := newTranslators()
	if err != nil {
		t.Fatal(err)
	}
	fr := trs["fr"].T
	for note, want := range map[string]string{
		"":                            "",
		"not in the draft":            fr("replay.note.not_in_draft"),
		"Fermé fires first and stops": fr("replay.note.stopped_by", "Fermé"),
		"conditions failed: boom":     fr("replay.note.failed", "boom"),
		"something new":               "something new",
	} {
		if got := noteText(note, trs["fr"]); got != want {
			t.Errorf("note %q in French: %q, want %q", note, got, want)
		}
	}
	if fr("replay.note.not_in_draft") == trs["en"].T("replay.note.not_in_draft") {
		t.Error("the French note is the English one")
	}
}

// BenchmarkBuilderReplay replays replayMaxMessages recorded messages (the
// builder's limit) through a two-workflow draft, on the bare memstore and
// through boundedStore: the bound's cost, and how long the longest test
// of the builder takes. Reports messages per second.
func BenchmarkBuilderReplay(b *testing.B) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	st := memstore.New()
	texts := []string{"bonjour", "quel prix ?", "livraison demain ?", "merci"}
	for i := range replayMaxMessages {
		m := trigger.Message{ID: fmt.Sprint("m", i), Session: "main", Phone: fmt.Sprintf("+336%08d", i%2000), Type: trigger.MessageText,
			Text: texts[i%len(texts)], Time: start.Add(time.Duration(i) * time.Second)}
		if _, err := st.RecordInbound(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	draft, err := workflow.Load("d.yaml", []byte(`workflows:
  - {name: Prix, trigger: incoming_message, conditions: {text: {contains: prix}}, actions: [{reply: {text: "Nos prix"}}]}
  - {name: Bonjour, trigger: incoming_message, conditions: {text: {starts_with: bonjour}}, actions: [{reply: {text: "Bonjour !"}}]}
`), workflow.LoadOptions{Compiler: expr.New()})
	if err != nil {
		b.Fatal(err)
	}
	until := start.Add(replayMaxMessages * time.Second)
	for _, bc := range []struct {
		name  string
		store func() replay.Store
	}{
		{"bare", func() replay.Store { return st }},
		{"bounded", func() replay.Store {
			return &boundedStore{Store: st, since: start, until: until, max: replayMaxMessages, stop: ctx}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				rep, err := replay.Run(ctx, bc.store(), draft, replay.Options{Since: start, Until: until, Compiler: expr.New()})
				if err != nil || rep.Messages != replayMaxMessages {
					b.Fatalf("%d messages, %v", rep.Messages, err)
				}
			}
			b.ReportMetric(float64(b.N*replayMaxMessages)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
