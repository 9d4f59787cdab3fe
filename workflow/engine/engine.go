package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// Config configures an Engine. Store, Transport and Compiler are required;
// every other zero value means the documented default.
type Config struct {
	// Store persists everything; see workflow/memstore and adapters/bun.
	Store workflow.Store
	// Transport sends messages (adapters/whatsmeow, or a test recorder).
	Transport workflow.Transport
	// Media downloads the media of incoming messages from their durable
	// reference (trigger.Media.Ref) where a queued job runs; nil means the
	// Transport when it implements workflow.MediaFetcher. Without one, a
	// queued job sees a message's media without its bytes.
	Media workflow.MediaFetcher
	// Compiler compiles condition trees (condition/expr or condition/cel).
	Compiler condition.Compiler
	// Registry resolves action names; nil means action.NewRegistry().
	Registry *action.Registry
	// Middleware wraps every action run (first listed outermost), e.g. to
	// meter, trace or guard actions.
	Middleware []action.Middleware
	// Clock tells the time; nil means workflow.SystemClock.
	Clock workflow.Clock
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// Jobs runs delayed work; nil means an in-memory queue on Clock, started by Start.
	Jobs workflow.JobQueue
	// Observer is told of every effect (sends, assignments, labels, cancellations...).
	Observer Observer
	// Metrics counts messages, candidates and evaluations; nil counts nothing.
	Metrics Metrics
	// Tracer traces receive → evaluate → send (adapters/otel for
	// OpenTelemetry); nil traces nothing.
	Tracer Tracer
	// Location is the account's time zone; nil means UTC. SetLocation
	// changes it.
	Location *time.Location
	// Hours are named business hours shared by every workflow.
	Hours map[string]condition.Hours

	// Responder writes AI replies; nil makes ai_reply fail (logged).
	Responder ai.Responder
	// Translator and Detector serve reply.translate; nil sends the text as is.
	Translator ai.Translator
	Detector   ai.LanguageDetector
	// AccountPrompt is the shop's prompt given to every AI reply.
	AccountPrompt string
	// Agents says which agents an assign with a strategy may choose (the
	// active ones); nil means every agent the workflow names.
	Agents workflow.AgentDirectory
	// AIFallback runs, in the conversation, when an AI reply cannot be
	// given (model error, timeout, empty reply, no Responder, no credits),
	// e.g. an assign and a label for a human hand-off. Nil means nothing
	// more than the logged failure.
	AIFallback []workflow.Step
	// AIDeadline bounds one AI generation; 0 means 60s.
	AIDeadline time.Duration
	// MeterCredits turns credit accounting on (CharsPerCredit, default
	// 100); SetMeterCredits changes it.
	MeterCredits   bool
	CharsPerCredit int

	// Webhooks delivers webhook posts; nil means HTTP posts with a 10s timeout.
	Webhooks workflow.WebhookPoster
	// WebhookClient sends the posts of the default Webhooks; nil means
	// http.DefaultClient. NewWebhookClient makes one that reaches public
	// addresses only (what a product whose users name URLs wants).
	WebhookClient *http.Client
	// Redactor removes secrets from what the engine logs and from the
	// errors it stores; nil removes the shapes of keys and tokens only.
	// Give it the configured API keys.
	Redactor *workflow.Redactor

	// LoopLimit automated messages per conversation per LoopWindow (defaults 5 per 10m).
	LoopLimit  int
	LoopWindow time.Duration
	// StaleAfter: older messages (replayed backlog) are recorded, not answered; 0 means 10m.
	StaleAfter time.Duration
	// ScheduleExpiry: a scheduled message still unsent this long after its time fails; 0 means 24h.
	ScheduleExpiry time.Duration
	// SessionExpiry: a number disconnected this long is deleted; 0 means 7 days.
	SessionExpiry time.Duration
	// LogRetention: execution log entries older than this are purged; 0 means 90 days.
	LogRetention time.Duration
	// MessageRetention, FiringRetention and ContactRetention: stored
	// messages, firings (never before the longest cooldown ends) and
	// inactive contacts older than this are purged daily with the
	// execution log; 0 means DefaultMessageRetention (180 days),
	// DefaultFiringRetention (90 days) and DefaultContactRetention (730
	// days of inactivity), a negative value keeps them forever.
	MessageRetention, FiringRetention, ContactRetention time.Duration
	// NewMessageID generates WhatsApp message ids; nil means a random "3EB0…" id.
	NewMessageID func() string
}

func (c *Config) setDefaults() error {
	if c.Store == nil || c.Transport == nil || c.Compiler == nil {
		return fmt.Errorf("engine.New: Store, Transport and Compiler are required")
	}
	if c.Registry == nil {
		c.Registry = action.NewRegistry()
	}
	if f, ok := c.Transport.(workflow.MediaFetcher); ok && c.Media == nil {
		c.Media = f
	}
	if c.Clock == nil {
		c.Clock = workflow.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Observer == nil {
		c.Observer = ObserverFunc(func(context.Context, Effect) {})
	}
	if c.Metrics == nil {
		c.Metrics = noMetrics{}
	}
	if c.Tracer == nil {
		c.Tracer = noTracer{}
	}
	if c.Webhooks == nil {
		c.Webhooks = &httpWebhooks{Client: c.WebhookClient}
	}
	setDefault(&c.AIDeadline, 60*time.Second)
	setDefault(&c.CharsPerCredit, 100)
	setDefault(&c.LoopLimit, 5)
	setDefault(&c.LoopWindow, 10*time.Minute)
	setDefault(&c.StaleAfter, 10*time.Minute)
	setDefault(&c.ScheduleExpiry, 24*time.Hour)
	setDefault(&c.SessionExpiry, 7*24*time.Hour)
	setDefault(&c.LogRetention, 90*24*time.Hour)
	setDefault(&c.MessageRetention, DefaultMessageRetention)
	setDefault(&c.FiringRetention, DefaultFiringRetention)
	setDefault(&c.ContactRetention, DefaultContactRetention)
	if c.NewMessageID == nil {
		c.NewMessageID = NewMessageID
	}
	return nil
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Engine runs workflows on incoming messages. Create it with New; it is safe
// for concurrent use.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	set   atomic.Pointer[workflowSet]
	mu    sync.Mutex // serialises workflow-set changes
	jobs  workflow.JobQueue
	mem   *memQueue // the default queue, when Config.Jobs is nil
	ids   *idGen
	burst bursts
	loc   atomic.Pointer[time.Location] // the account's time zone (SetLocation)
	meter atomic.Bool                   // credit accounting on (SetMeterCredits)
	// transport is the Go type of Config.Transport (AttrTransport).
	transport string
	// pacer is Config.Transport when it paces (workflow.Pacer): replies
	// then wait for their slot before they are recorded, and are checked
	// again after the wait.
	pacer workflow.Pacer
	// traced is set when Config.Tracer is not the default: what only
	// spans need (redacted copies of texts) is computed only then.
	traced bool
}

// workflowSet is an immutable snapshot of the compiled workflows, swapped atomically.
type workflowSet struct {
	list  []*compiled // ascending priority, ties in definition order
	hours map[string]condition.Hours
	index *prefilter // keyword prefilter over list; nil iterates all of list
}

type compiled struct {
	workflow.Workflow
	pos     int
	trigger trigger.Trigger
	prog    condition.Program
}

// New returns an engine. Call Start to run its jobs, and Close to stop them.
func New(cfg Config) (*Engine, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, log: slog.New(cfg.Redactor.Handler(cfg.Logger.Handler())), ids: newIDGen(), transport: fmt.Sprintf("%T", cfg.Transport)}
	e.pacer, _ = cfg.Transport.(workflow.Pacer)
	_, untraced := cfg.Tracer.(noTracer)
	e.traced = !untraced
	e.jobs = cfg.Jobs
	if e.jobs == nil {
		e.mem = newMemQueue(cfg.Clock)
		e.jobs = e.mem
	}
	e.set.Store(&workflowSet{hours: cfg.Hours})
	e.loc.Store(cfg.Location)
	e.meter.Store(cfg.MeterCredits)
	return e, nil
}

// Start runs the default job queue (when Config.Jobs is nil) until ctx
// ends or Close is called, queues the daily purge of the
// execution log, and re-queues the scheduled messages still pending in the
// Store (an in-memory queue forgets them on restart; a durable one ignores
// the jobs it already has).
func (e *Engine) Start(ctx context.Context) error {
	if e.mem != nil {
		if err := e.mem.Start(ctx, e.RunJob); err != nil {
			return err
		}
	}
	if err := e.requeueScheduled(ctx); err != nil {
		return fmt.Errorf("re-queue scheduled messages: %w", err)
	}
	return e.queuePurge(ctx, e.cfg.Clock.Now())
}

// Close stops background work. Nothing is buffered: every execution-log
// row is stored before the job that made it returns.
func (e *Engine) Close(ctx context.Context) error {
	if e.mem != nil {
		e.mem.Stop()
	}
	return nil
}

// SetWorkflows replaces all workflows and named hours with d and saves
// them in the Store. Every workflow is validated and compiled first: on any
// error nothing changes.
func (e *Engine) SetWorkflows(ctx context.Context, d workflow.Definitions) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.apply(ctx, d.Workflows, maps2(e.cfg.Hours, d.Hours), true)
}

// apply compiles ws, saves them when persist is set, and makes them current.
// The caller holds e.mu.
func (e *Engine) apply(ctx context.Context, ws []workflow.Workflow, hours map[string]condition.Hours, persist bool) error {
	set, err := e.compile(ws, hours)
	if err != nil {
		return err
	}
	if persist {
		if err := e.save(ctx, set); err != nil {
			return fmt.Errorf("save workflows: %w", err)
		}
	}
	e.set.Store(set)
	return nil
}

// Workflows returns the current workflows in priority order.
func (e *Engine) Workflows() []workflow.Workflow {
	set := e.set.Load()
	out := make([]workflow.Workflow, len(set.list))
	for i, c := range set.list {
		out[i] = c.Workflow
	}
	return out
}

// SetEnabled enables or disables the named workflows (a bulk operation).
// Unknown names are an error and change nothing.
func (e *Engine) SetEnabled(ctx context.Context, names []string, enabled bool) error {
	return e.update(ctx, names, func(w *workflow.Workflow) bool { w.Enabled = enabled; return true })
}

// DeleteWorkflows removes the named workflows (a bulk operation).
func (e *Engine) DeleteWorkflows(ctx context.Context, names []string) error {
	return e.update(ctx, names, func(*workflow.Workflow) bool { return false })
}

// update applies f to the named workflows; f returning false deletes it.
func (e *Engine) update(ctx context.Context, names []string, f func(*workflow.Workflow) bool) error {
	return e.UpdateWorkflows(ctx, func(current []workflow.Workflow) ([]workflow.Workflow, error) {
		want := map[string]bool{}
		for _, n := range names {
			want[n] = true
		}
		var ws []workflow.Workflow
		for _, w := range current {
			if want[w.Name] {
				delete(want, w.Name)
				if !f(&w) {
					continue
				}
			}
			ws = append(ws, w)
		}
		if len(want) > 0 {
			var missing []string
			for n := range want {
				missing = append(missing, n)
			}
			slices.Sort(missing)
			return nil, fmt.Errorf("workflows %q: %w", missing, workflow.ErrNotFound)
		}
		return ws, nil
	})
}

// UpdateWorkflows replaces the workflows with what f returns when given the
// current ones in definition order (a copy f may change), keeping the named
// hours, and saves them. An error of f, or a workflow that does not
// compile, changes nothing. It is how one workflow is saved, or the
// priorities of several, without rewriting the others' definitions.
func (e *Engine) UpdateWorkflows(ctx context.Context, f func(current []workflow.Workflow) ([]workflow.Workflow, error)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	set := e.set.Load()
	current := make([]workflow.Workflow, 0, len(set.list))
	for _, c := range byPosition(set.list) {
		current = append(current, c.Workflow)
	}
	ws, err := f(current)
	if err != nil {
		return err
	}
	return e.apply(ctx, ws, set.hours, true)
}

// Hours returns the named business hours the workflows may name: the
// configured ones and those of the last workflow file applied.
func (e *Engine) Hours() map[string]condition.Hours {
	return maps.Clone(e.set.Load().hours)
}

func byPosition(list []*compiled) []*compiled {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b *compiled) int { return cmp.Compare(a.pos, b.pos) })
	return out
}

func (e *Engine) compile(ws []workflow.Workflow, hours map[string]condition.Hours) (*workflowSet, error) {
	// One leaf cache per set: identical leaves of its workflows are compiled
	// once and evaluated at most once per message.
	env := condition.Env{Location: e.Location(), Hours: hours, Leaves: condition.NewLeafCache()}
	set := &workflowSet{hours: hours}
	var errs []error
	names := map[string]bool{}
	for i, w := range ws {
		c, err := e.compileOne(w, env)
		if err == nil && names[w.Name] {
			err = fmt.Errorf("duplicate workflow name")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("workflow %q: %w", w.Name, err))
			continue
		}
		names[w.Name] = true
		c.pos = i
		set.list = append(set.list, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortStableFunc(set.list, func(a, b *compiled) int { return cmp.Compare(a.Priority, b.Priority) })
	set.index = newPrefilter(set.list, env)
	return set, nil
}

func (e *Engine) compileOne(w workflow.Workflow, env condition.Env) (*compiled, error) {
	if w.Name == "" {
		return nil, fmt.Errorf("name is required")
	}
	if w.ID == "" {
		w.ID = workflow.Slug(w.Name)
	}
	if w.Mode == "" {
		w.Mode = workflow.ModeLive
	}
	if w.Trigger == "" {
		w.Trigger = trigger.KindIncomingMessage
	}
	tr, err := trigger.ForKind(w.Trigger)
	if err != nil {
		return nil, err
	}
	if len(w.Actions) == 0 {
		return nil, fmt.Errorf("actions: at least one action is required")
	}
	for i, s := range w.Actions {
		if s.Action == nil {
			return nil, fmt.Errorf("actions[%d]: nil action", i)
		}
		if !e.cfg.Registry.Has(s.Type) {
			return nil, fmt.Errorf("actions[%d]: %q: %w (register it in Config.Registry)", i, s.Type, action.ErrUnknownAction)
		}
		if v, ok := s.Action.(action.Validator); ok {
			if err := v.Validate(); err != nil {
				return nil, fmt.Errorf("actions[%d].%s: %w", i, s.Type, err)
			}
		}
	}
	prog, err := e.cfg.Compiler.Compile(w.Conditions, env)
	if err != nil {
		return nil, fmt.Errorf("conditions: %w", err)
	}
	return &compiled{Workflow: w, trigger: tr, prog: prog}, nil
}

func maps2(a, b map[string]condition.Hours) map[string]condition.Hours {
	out := make(map[string]condition.Hours, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
