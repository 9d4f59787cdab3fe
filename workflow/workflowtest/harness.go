package workflowtest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/action/ai/langdetect"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/pacing"
)

// DefaultStart is the virtual clock's default start: Monday 2026-01-05 09:00.
var DefaultStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Options configures a Harness; zero values mean the defaults.
type Options struct {
	// Compiler is the condition backend; nil means condition/expr.
	Compiler condition.Compiler
	// Registry builds the actions, custom ones included; nil means
	// action.NewRegistry().
	Registry *action.Registry
	// Store is the store; nil means a fresh memstore.
	Store workflow.Store
	// Location is the account time zone; nil means UTC.
	Location *time.Location
	// Start is the virtual clock's start; zero means DefaultStart in Location.
	Start time.Time
	// Sessions are the connected numbers; nil means one, "main".
	Sessions []workflow.Session
	// AI scripts the model; nil means no model (ai_reply fails, logged).
	AI *ScriptedAI
	// Detector detects languages for reply.translate; nil means langdetect.NewWordList().
	Detector ai.LanguageDetector
	// Credits, when set, turns credit metering on with this balance.
	Credits        *int64
	CharsPerCredit int
	// Pacing, when set, paces the sends (workflow/pacing) on the virtual
	// clock: each rule's Every, burst 1, no jitter, no typing time, and a
	// send before its slot is deferred (a *pacing.DeferredError) and its
	// job retried at the slot, as a durable queue snoozes it.
	Pacing *Pacing
	// Configure, when set, may change the engine config last.
	Configure func(*engine.Config)
}

// Pacing is the pacing of a harness: the least gap between replies to one
// customer, and between the other (cold) sends of a number; zero is no
// pacing of that kind.
type Pacing struct {
	Reply, Cold time.Duration
}

// pacer wraps next in a pacing.Pacer on clock following p.
func (p *Pacing) pacer(next workflow.Transport, clock *Clock) workflow.Transport {
	rule := func(every time.Duration) pacing.Rule {
		return pacing.Rule{Every: max(every, time.Nanosecond), Burst: 1}
	}
	return pacing.New(next, pacing.Config{Clock: clock, Sleeper: clock, Reply: rule(p.Reply), Cold: rule(p.Cold),
		MaxWait: time.Nanosecond, Typing: func(string) time.Duration { return 0 }})
}

// Harness runs the real engine on a virtual clock and records its effects.
type Harness struct {
	Engine *engine.Engine
	Store  workflow.Store
	Clock  *Clock

	mu      sync.Mutex
	effects []engine.Effect
}

// New builds a harness; the engine is closed when the test ends.
func New(t testing.TB, o Options) *Harness {
	t.Helper()
	h, err := Start(context.Background(), o)
	if err != nil {
		t.Fatalf("workflowtest.New: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// Start builds a harness outside a test (e.g. a chat simulator). Close it
// when done.
func Start(ctx context.Context, o Options) (*Harness, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Start.IsZero() {
		y, m, d := DefaultStart.Date()
		o.Start = time.Date(y, m, d, 9, 0, 0, 0, o.Location)
	}
	if o.Compiler == nil {
		o.Compiler = expr.New()
	}
	if o.Store == nil {
		o.Store = memstore.New()
	}
	if o.Detector == nil {
		o.Detector = langdetect.NewWordList()
	}
	h := &Harness{Store: o.Store, Clock: NewClock(o.Start)}
	cfg := engine.Config{
		Store: o.Store, Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil }),
		Compiler: o.Compiler, Registry: o.Registry, Clock: h.Clock, Jobs: h.Clock, Location: o.Location,
		Logger:   slog.New(slog.DiscardHandler),
		Observer: engine.ObserverFunc(h.record), Webhooks: webhookRecorder{},
		Detector: o.Detector,
	}
	if o.AI != nil {
		o.AI.clock = h.Clock
		cfg.Responder, cfg.Translator = o.AI, o.AI
	}
	if o.Credits != nil {
		cfg.MeterCredits, cfg.CharsPerCredit = true, o.CharsPerCredit
		if err := o.Store.SetCredits(ctx, *o.Credits); err != nil {
			return nil, err
		}
	}
	if o.Pacing != nil {
		cfg.Transport = o.Pacing.pacer(cfg.Transport, h.Clock)
	}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	e, err := engine.New(cfg)
	if err != nil {
		return nil, err
	}
	h.Engine = e
	if err := h.Clock.Start(ctx, e.RunJob); err != nil {
		return nil, err
	}
	sessions := o.Sessions
	if sessions == nil {
		sessions = []workflow.Session{{ID: "main", Label: "main"}}
	}
	for i, s := range sessions {
		s.CreatedAt = o.Start.Add(time.Duration(i))
		if err := e.PutSession(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := e.Start(ctx); err != nil {
		return nil, err
	}
	h.Clock.Settle(ctx)
	return h, nil
}

// webhookRecorder delivers nothing: the Observer records the webhook effect.
type webhookRecorder struct{}

func (webhookRecorder) Post(context.Context, workflow.WebhookDelivery) error { return nil }

func (h *Harness) record(_ context.Context, e engine.Effect) {
	h.mu.Lock()
	h.effects = append(h.effects, e)
	h.mu.Unlock()
}

// Load reads a workflow file with the harness engine's registry,
// compiler, location and hours and installs its workflows
// (engine.Engine.Load).
func (h *Harness) Load(ctx context.Context, file string, data []byte) error {
	_, err := h.Engine.Load(ctx, file, data)
	return err
}

// LoadFile is Load of the file at path.
func (h *Harness) LoadFile(ctx context.Context, path string) error {
	_, err := h.Engine.LoadFile(ctx, path)
	return err
}

// Close stops the engine and flushes its execution log.
func (h *Harness) Close() error { return h.Engine.Close(context.Background()) }

// TakeEffects returns the effects recorded since the last call.
func (h *Harness) TakeEffects() []engine.Effect {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.effects
	h.effects = nil
	return out
}

// Result is what one received message caused.
type Result struct {
	// Executions are the workflows that fired (or were skipped, failed, shadowed), with their traces.
	Executions []workflow.Execution
	// Effects are what happened until the system was idle at that instant.
	Effects []engine.Effect
}

// Receive delivers a customer message at the current virtual time and runs
// until idle. Zero fields get defaults: session "main", a fresh id, type text.
func (h *Harness) Receive(ctx context.Context, m trigger.Message) (Result, error) {
	if m.Session == "" {
		m.Session = "main"
	}
	if m.ID == "" {
		m.ID = engine.NewMessageID()
	}
	h.Clock.Settle(ctx)
	execs, err := h.Engine.Handle(ctx, m)
	h.Clock.Settle(ctx)
	return Result{Executions: execs, Effects: h.TakeEffects()}, err
}

// Advance moves the virtual clock forward and returns the effects of what fell due.
func (h *Harness) Advance(ctx context.Context, d time.Duration) []engine.Effect {
	h.Clock.Advance(ctx, d)
	return h.TakeEffects()
}

// ScriptedAI is a model whose replies are templates: {{message}} is the
// triggering text. Each generation takes Latency of virtual time. It also
// translates: {{lang}} and {{text}}.
type ScriptedAI struct {
	Latency time.Duration
	// ReplyTemplate is the reply; "" means "{{message}}".
	ReplyTemplate string
	// TranslateTemplate is a translation; "" means "[{{lang}}] {{text}}".
	TranslateTemplate string
	clock             *Clock
}

// Respond implements ai.Responder.
func (s *ScriptedAI) Respond(ctx context.Context, req ai.Request) (ai.Reply, error) {
	if s.Latency > 0 && s.clock != nil {
		if err := s.clock.Sleep(ctx, s.Latency); err != nil {
			return ai.Reply{}, err
		}
	}
	reply := s.ReplyTemplate
	if reply == "" {
		reply = "{{message}}"
	}
	return ai.Reply{Text: strings.ReplaceAll(reply, "{{message}}", req.Message.Text), Usage: ai.Usage{Model: "scripted"}}, nil
}

// Translate implements ai.Translator.
func (s *ScriptedAI) Translate(ctx context.Context, text, lang string) (ai.Translation, error) {
	tpl := s.TranslateTemplate
	if tpl == "" {
		tpl = "[{{lang}}] {{text}}"
	}
	return ai.Translation{Text: strings.NewReplacer("{{lang}}", lang, "{{text}}", text).Replace(tpl), Usage: ai.Usage{Model: "scripted"}}, nil
}
