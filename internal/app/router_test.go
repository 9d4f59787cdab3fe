package app

import (
	"context"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/waauto/waauto/internal/dashboard"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
)

// The router paces what goes to WhatsApp through its pacer (so the engine
// checks a reply after the wait), and lets the simulator's messages and a
// missing WhatsApp go at once.
func TestRouterPacesWhatGoesToWhatsApp(t *testing.T) {
	ctx := context.Background()
	wa := workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil })
	clock := &stepClock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	r := &router{wa: pacing.New(wa, pacing.Config{Clock: clock, Sleeper: clock}), metrics: newMetrics()}
	reply := workflow.Outgoing{ID: "a", Session: "main", To: "+33611111111", Kind: workflow.SendFixed, Text: "Bien reçu"}
	m, err := r.Pace(ctx, reply)
	if err != nil || !m.Paced || clock.slept <= 0 {
		t.Fatalf("Pace to WhatsApp = %+v, %v after %s: want paced after the typing time", m, err, clock.slept)
	}
	clock.slept = 0
	sim := reply
	sim.Session = dashboard.SimulatorSession
	if m, err := r.Pace(ctx, sim); err != nil || m.Paced || clock.slept != 0 {
		t.Fatalf("Pace in the simulator = %+v, %v after %s: want it unchanged, at once", m, err, clock.slept)
	}
	if m, err := (&router{}).Pace(ctx, reply); err != nil || m.Paced {
		t.Fatalf("Pace without WhatsApp = %+v, %v: want it unchanged", m, err)
	}

	// Cancel hands the paced reply back to WhatsApp's pacer: the next reply
	// to that chat takes its slot instead of waiting 6 s more.
	if err := r.Cancel(ctx, m); err != nil {
		t.Fatal(err)
	}
	clock.slept = 0
	next := reply
	next.ID = "b"
	if _, err := r.Pace(ctx, next); err != nil || clock.slept >= 6*time.Second {
		t.Fatalf("Pace after a cancel = %v after %s: want the cancelled reply's slot, under the 6 s gap", err, clock.slept)
	}
	if err := r.Cancel(ctx, sim); err != nil {
		t.Fatalf("Cancel in the simulator = %v, want nothing to do", err)
	}

	// A send the engine did not pace (a recorded AI reply's retry) waits
	// for its slot in Send, timed as a pacing wait, not as the send.
	clock.slept = 0
	retry := reply
	retry.ID, retry.Kind = "c", workflow.SendAI
	if err := r.Send(ctx, retry); err != nil || clock.slept <= 0 {
		t.Fatalf("Send unpaced = %v after %s: want it paced first", err, clock.slept)
	}
	var pm dto.Metric
	if err := r.metrics.paceTime.Write(&pm); err != nil || pm.GetHistogram().GetSampleCount() != 3 {
		t.Fatalf("pacing waits observed: %d (%v), want 3 (a, b, c)", pm.GetHistogram().GetSampleCount(), err)
	}
	if err := r.metrics.sendTime.Write(&pm); err != nil || pm.GetHistogram().GetSampleCount() != 1 {
		t.Fatalf("sends timed: %d (%v), want 1 (c)", pm.GetHistogram().GetSampleCount(), err)
	}
}

// stepClock is a virtual clock whose Sleep moves it forward at once.
type stepClock struct {
	now   time.Time
	slept time.Duration
}

func (c *stepClock) Now() time.Time { return c.now }

func (c *stepClock) Sleep(_ context.Context, d time.Duration) error {
	c.now, c.slept = c.now.Add(d), c.slept+d
	return nil
}
