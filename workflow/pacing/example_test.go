package pacing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
)

// Two replies to one customer go 6 s apart. A reply the conversation
// overtook while it waited is handed back with Cancel: its slot is given
// back, so the next reply does not wait behind a reply that never went.
func ExamplePacer_Cancel() {
	ctx := context.Background()
	start := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start} // a clock whose Sleep moves it forward at once
	wa := workflow.TransportFunc(func(_ context.Context, m workflow.Outgoing) error {
		fmt.Printf("%-4s %s\n", clock.Now().Sub(start), m.Text)
		return nil
	})
	p := pacing.New(wa, pacing.Config{Clock: clock, Sleeper: clock,
		Reply: pacing.Rule{Every: 6 * time.Second, Burst: 1}, Typing: func(string) time.Duration { return time.Second }})
	reply := func(id, text string) workflow.Outgoing {
		return workflow.Outgoing{ID: id, Session: "shop", To: "+33611111111", Kind: workflow.SendFixed, Text: text}
	}

	_ = p.Send(ctx, reply("a", "Bonjour !"))
	m, _ := p.Pace(ctx, reply("b", "Nos horaires : 9 h - 18 h")) // waits its slot, 6 s after a
	// The customer wrote meanwhile: b is dropped, its slot given back.
	_ = p.Cancel(ctx, m)
	_ = p.Send(ctx, reply("c", "Je regarde votre commande"))
	// Output:
	// 1s   Bonjour !
	// 8s   Je regarde votre commande
}
