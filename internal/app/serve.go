package app

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/store"

	"github.com/waauto/waauto/action"
	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	lc "github.com/waauto/waauto/adapters/langchaingo"
	wa "github.com/waauto/waauto/adapters/whatsmeow"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/internal/dashboard"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/pacing"
)

// options are the settings of `waauto serve`, from flags and environment.
type options struct {
	DB            string
	DBPool        int
	Devices       string
	Addr          string
	Workflows     string
	TZ            string
	AdminUser     string
	AdminPassword string
	NoWhatsApp    bool
	Queue         string
	SecureCookie  bool
	ProxyHeader   string
	WebhookAllow  []netip.Prefix
	MeterCredits  bool
	CharsPerCred  int
	AI            aiOptions

	// newClient replaces the whatsmeow client in tests.
	newClient func(dev *store.Device) wa.Client
	// logger overrides the text logger on stderr (tests).
	logger *slog.Logger
	// timeouts shortens the server's timeouts (tests); zero fields take defaultTimeouts'.
	timeouts serverTimeouts
	// registry holds the actions workflows may use; nil means the built-ins.
	registry *action.Registry
}

// env returns the environment variable key, or def when unset.
func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// envInt returns the integer environment variable key, or def when unset
// or not a number.
func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

// storeOptions are the product's database settings: pool bounds every
// connection pool of the store (0: bunstore's default).
func storeOptions(log *slog.Logger, pool int) bunstore.Options {
	return bunstore.Options{Logger: log, MaxOpenConns: pool}
}

// devicePool bounds the WhatsApp key store's pool from the --db-pool
// setting: a quarter of the product database's (at least 2), so that both
// pools together stay within 1.25 × --db-pool connections.
func devicePool(pool int) int {
	return max(2, cmp.Or(pool, bunstore.DefaultMaxOpenConns)/4)
}

// riverConfig is the product's job queue configuration: riverqueue's
// defaults, chosen from `waauto bench` (internal/app/BENCHMARKS.md).
func riverConfig(log *slog.Logger) riverqueue.Config {
	return riverqueue.Config{Logger: log}
}

// parseServeFlags reads the serve flags; environment variables give the defaults.
func parseServeFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.DB, "db", env("WAAUTO_DB", "waauto.db"), "SQLite file, or a postgres:// DSN (env WAAUTO_DB)")
	fs.IntVar(&o.DBPool, "db-pool", envInt("WAAUTO_DB_POOL", 0), "database connections at most, shared by the job workers and the dashboard, plus a quarter of it for the WhatsApp key store (0: 16; env WAAUTO_DB_POOL); work waits for a free connection, it never fails for want of one")
	fs.StringVar(&o.Devices, "devices", env("WAAUTO_DEVICES", ""), "whatsmeow key store: a SQLite file (default: NAME-devices.db beside --db) or a postgres:// DSN")
	fs.StringVar(&o.Addr, "addr", env("WAAUTO_ADDR", "127.0.0.1:8080"), "dashboard address")
	fs.StringVar(&o.Workflows, "workflows", "", "workflow file to load at start (replaces the saved workflows)")
	fs.StringVar(&o.TZ, "tz", env("TZ", machineZone()), "shop time zone on the first run (IANA name; default $TZ or this machine's zone); then Settings → Shop keeps it")
	fs.StringVar(&o.AdminUser, "admin-user", "admin", "name of the first dashboard admin")
	pwFile := fs.String("admin-password-file", env("WAAUTO_ADMIN_PASSWORD_FILE", ""), "file whose first line is the first admin's password, used only when no user exists (or env "+envAdminPassword+"; default: a random one printed once)")
	fs.BoolVar(&o.NoWhatsApp, "no-whatsapp", false, "run without WhatsApp (simulator only)")
	fs.StringVar(&o.Queue, "queue", env("WAAUTO_QUEUE", "river"), "job queue: river (durable, in the database) or memory (lost on restart)")
	fs.StringVar(&o.ProxyHeader, "trusted-proxy-header", env("WAAUTO_TRUSTED_PROXY_HEADER", ""), "header whose rightmost address is the client's, set by your reverse proxy (X-Forwarded-For or X-Real-IP); logins are throttled by it (env WAAUTO_TRUSTED_PROXY_HEADER)")
	fs.BoolVar(&o.SecureCookie, "secure-cookie", false, "mark the session cookie Secure even without TLS (behind an HTTPS proxy)")
	fs.BoolVar(&o.MeterCredits, "meter-credits", env("WAAUTO_METER_CREDITS", "1") != "0", "AI replies consume credits, on the first run (env WAAUTO_METER_CREDITS=0 turns them off); then Settings → Shop keeps it")
	fs.IntVar(&o.CharsPerCred, "chars-per-credit", 100, "characters of AI reply per credit")
	fs.StringVar(&o.AI.Provider, "ai-provider", env("WAAUTO_AI_PROVIDER", ""), "openai (any OpenAI-compatible server), anthropic or ollama; empty disables AI replies")
	fs.StringVar(&o.AI.BaseURL, "ai-base-url", env("WAAUTO_AI_BASE_URL", ""), "model server URL (env WAAUTO_AI_BASE_URL)")
	fs.StringVar(&o.AI.Model, "ai-model", env("WAAUTO_AI_MODEL", ""), "model name (env WAAUTO_AI_MODEL)")
	fs.StringVar(&o.AI.FallbackAgent, "ai-fallback-agent", env("WAAUTO_AI_FALLBACK_AGENT", ""), "agent who gets the conversation (customer labelled handoff) when an AI reply fails; empty: the failure is only logged")
	fs.StringVar(&o.AI.Prompt, "ai-prompt", env("WAAUTO_AI_PROMPT", ""), "initial account prompt (editable in the dashboard)")
	for _, a := range args {
		if f := strings.TrimLeft(a, "-"); a != f && (f == "admin-password" || strings.HasPrefix(f, "admin-password=")) {
			return o, fmt.Errorf("--admin-password is not accepted (every user of the machine sees it in ps): set %s or --admin-password-file", envAdminPassword)
		}
	}
	allow := fs.String("webhook-allow", env("WAAUTO_WEBHOOK_ALLOW", ""), "addresses or CIDR ranges webhooks may reach although private, loopback or link-local, comma-separated (an intranet; env WAAUTO_WEBHOOK_ALLOW)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.WebhookAllow, err = parseAllowList(*allow); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.Queue != "river" && o.Queue != "memory" {
		return o, fmt.Errorf("--queue %q: want river or memory", o.Queue)
	}
	o.AdminPassword = os.Getenv(envAdminPassword)
	if *pwFile != "" {
		if o.AdminPassword, err = readPasswordFile(*pwFile); err != nil {
			return o, err
		}
	}
	// The API key is read from the environment only, so it never shows in
	// a process listing.
	o.AI.APIKey = os.Getenv("WAAUTO_AI_API_KEY")
	o.AI.ShopifyShop = os.Getenv("WAAUTO_SHOPIFY_SHOP")
	o.AI.ShopifyToken = os.Getenv("WAAUTO_SHOPIFY_TOKEN")
	if o.Devices == "" {
		o.Devices = devicesPath(o.DB)
	}
	return o, nil
}

// parseAllowList reads comma-separated addresses and CIDR ranges.
func parseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("--webhook-allow: %q is not an address or a CIDR range such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// dbPassword is the password in the --db DSN, "" when none.
func (o options) dbPassword() string {
	if u, err := url.Parse(o.DB); err == nil && u.User != nil {
		pw, _ := u.User.Password()
		return pw
	}
	for f := range strings.FieldsSeq(o.DB) {
		if pw, ok := strings.CutPrefix(f, "password="); ok {
			return pw
		}
	}
	return ""
}

// isPostgres reports whether dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") || strings.Contains(dsn, "dbname=")
}

// devicesPath is the default key store: a SQLite file of its own beside the
// product database (waauto.db → waauto-devices.db), or the same PostgreSQL
// database (whatsmeow's tables are prefixed whatsmeow_).
func devicesPath(db string) string {
	if isPostgres(db) {
		return db
	}
	p := strings.TrimPrefix(db, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	ext := filepath.Ext(p)
	return strings.TrimSuffix(p, ext) + "-devices" + cmp.Or(ext, ".db")
}

// cmdServe runs the product: the engine on SQLite (default ./waauto.db) or
// PostgreSQL, WhatsApp numbers, and the dashboard on --addr.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseServeFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "waauto serve: %v\n", err)
		return 2
	}
	o.logger = slog.New(slog.NewTextHandler(stderr, nil))
	return serve(ctx, o, stdout, stderr)
}

// serverTimeouts bound how long one client may hold a connection: the
// headers, the whole request with its body (a body sent a byte every few
// seconds is cut), the response, and an idle keep-alive.
type serverTimeouts struct{ ReadHeader, Read, Write, Idle time.Duration }

// defaultTimeouts are the dashboard server's: a 4 MiB editor save has a
// minute to arrive.
var defaultTimeouts = serverTimeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Write: 2 * time.Minute, Idle: 2 * time.Minute}

// newHTTPServer is the dashboard's server with every timeout set (zero
// fields of t take defaultTimeouts'); dashboard.MaxBody bounds the bodies.
func newHTTPServer(h http.Handler, log *slog.Logger, t serverTimeouts) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cmp.Or(t.ReadHeader, defaultTimeouts.ReadHeader),
		ReadTimeout:       cmp.Or(t.Read, defaultTimeouts.Read),
		WriteTimeout:      cmp.Or(t.Write, defaultTimeouts.Write),
		IdleTimeout:       cmp.Or(t.Idle, defaultTimeouts.Idle),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serve runs the product with o until ctx ends and returns the exit code.
func serve(ctx context.Context, o options, stdout, stderr io.Writer) int {
	a, err := newApp(ctx, o, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "waauto: %v\n", err)
		return 1
	}
	defer a.close()
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "waauto: %v\n", err)
		return 1
	}
	srv := newHTTPServer(a.dashboard, a.log, o.timeouts)
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Fprintf(stdout, "WhatsApp Auto on http://%s (database %s)\n", ln.Addr(), bunstore.Redact(o.DB))
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "waauto: %v\n", err)
		return 1
	}
	<-done
	fmt.Fprintln(stdout, "WhatsApp Auto stopped")
	return 0
}

// app is the running product: store, engine, WhatsApp numbers, dashboard.
type app struct {
	opts     options
	metrics  *metrics
	log      *slog.Logger
	redactor *workflow.Redactor
	loc      *time.Location
	store    *bunstore.Store
	dash     *dashboard.Store
	engine   *engine.Engine
	compiler condition.Compiler
	devices  *wa.DeviceStore
	wa       *wa.Manager
	sim      *dashboard.Simulator
	ai       dashboard.AIInfo
	// shop are the shop's settings: saved under Settings → Shop, or the
	// flags' values on the first run; loc is shop.TimeZone's.
	shop dashboard.ShopSettings
	// responder is the model behind ai_reply and translation; nil without a provider.
	responder *lc.Responder
	dashboard *dashboard.Dashboard
	river     *riverqueue.Queue
	leases    *riverqueue.NumberLeases // numbers this instance runs; nil without WhatsApp
	bg        context.Context
	stopBg    context.CancelFunc
	// tracer traces the engine (OTEL_* environment); nil when off.
	// stopTracing flushes its spans.
	tracer      engine.Tracer
	stopTracing func(context.Context) error
}

// newApp opens everything serve needs. On error, what was opened is closed.
func newApp(ctx context.Context, o options, stdout io.Writer) (_ *app, err error) {
	log := o.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Secrets never reach a log line or a stored error (the execution
	// log, scheduled messages, the job queue's attempts).
	red := workflow.NewRedactor(o.AI.APIKey, o.AI.ShopifyToken, o.dbPassword())
	log = slog.New(red.Handler(log.Handler()))
	loc, err := dashboard.LoadZone(o.TZ)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: not an IANA time zone such as Europe/Paris", o.TZ)
	}
	a := &app{opts: o, log: log, redactor: red, loc: loc, compiler: expr.New(), sim: dashboard.NewSimulator(500), metrics: newMetrics()}
	a.bg, a.stopBg = context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	// Configuration errors first, before any file is touched.
	if a.responder, a.ai, err = newAI(o.AI, log); err != nil {
		return nil, err
	}
	if a.tracer, a.stopTracing, err = newTracing(ctx, log); err != nil {
		return nil, err
	}
	a.store, err = bunstore.Open(ctx, o.DB, storeOptions(log, o.DBPool))
	if err != nil {
		return nil, err
	}
	if a.dash, err = dashboard.OpenStore(ctx, a.store.DB()); err != nil {
		return nil, err
	}
	if err := a.loadShop(ctx); err != nil {
		return nil, err
	}
	generated, err := a.dash.EnsureAdmin(ctx, o.AdminUser, o.AdminPassword)
	if err != nil {
		return nil, fmt.Errorf("creating the first admin: %w", err)
	}
	if generated != "" {
		fmt.Fprintf(stdout, "Created dashboard admin %q with the one-time password %s (shown only now; change it under Settings)\n", o.AdminUser, generated)
	}
	if err := a.openEngine(ctx); err != nil {
		return nil, err
	}
	if err := a.openDashboard(); err != nil {
		return nil, err
	}
	if err := a.loadWorkflows(ctx); err != nil {
		return nil, err
	}
	if err := a.engine.Start(a.bg); err != nil {
		return nil, err
	}
	if err := a.startJobs(); err != nil {
		return nil, err
	}
	if a.wa != nil {
		a.leases.Acquire(ctx)
		go a.pruneLoop()
		go a.leases.Run(a.bg)
	}
	return a, nil
}

// loadShop reads the shop's settings; on the first run the flags give
// them (--tz, --meter-credits), and the dashboard asks to confirm them.
func (a *app) loadShop(ctx context.Context) error {
	shop, err := a.dash.Shop(ctx, dashboard.ShopSettings{TimeZone: a.opts.TZ, Lang: "en", Credits: a.opts.MeterCredits})
	if err != nil {
		return err
	}
	loc, err := dashboard.LoadZone(shop.TimeZone)
	if err != nil {
		return fmt.Errorf("saved shop time zone: %w", err)
	}
	a.shop, a.loc = shop, loc
	return nil
}

// machineZone is this machine's IANA time zone: the target of
// /etc/localtime, else /etc/timezone, else UTC.
func machineZone() string {
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			if _, err := dashboard.LoadZone(name); err == nil {
				return name
			}
		}
	}
	if data, err := os.ReadFile("/etc/timezone"); err == nil {
		if name := strings.TrimSpace(string(data)); name != "" {
			if _, err := dashboard.LoadZone(name); err == nil {
				return name
			}
		}
	}
	return "UTC"
}

// openDashboard builds the dashboard on the opened engine.
func (a *app) openDashboard() error {
	deps := dashboard.Deps{
		Store: a.store, Engine: a.engine, Users: a.dash, Compiler: a.compiler, Shop: a.shop, MachineZone: machineZone(), Logger: a.log,
		Simulator: a.sim, WhatsApp: a.wa, Background: a.bg, AccountPrompt: a.accountPrompt, AI: a.ai,
		CharsPerCredit: a.opts.CharsPerCred, SecureCookie: a.opts.SecureCookie,
		TrustedProxyHeader: a.opts.ProxyHeader, Metrics: a.metrics.handler(),
	}
	if a.leases != nil {
		deps.ReleaseNumber = a.leases.Release
	}
	var err error
	a.dashboard, err = dashboard.New(deps)
	return err
}

// openEngine wires the engine: router transport (simulator + WhatsApp),
// AI responder, credits, job queue.
func (a *app) openEngine(ctx context.Context) error {
	o := a.opts
	router := &router{sim: a.sim, metrics: a.metrics}
	jobs, err := a.jobQueue(ctx)
	if err != nil {
		return err
	}
	cfg := engine.Config{
		Store:          a.store,
		Transport:      router,
		Metrics:        a.metrics,
		Tracer:         a.tracer,
		Compiler:       a.compiler,
		Registry:       o.registry,
		Logger:         a.log,
		Location:       a.loc,
		Detector:       newDetector(),
		MeterCredits:   a.shop.Credits,
		CharsPerCredit: o.CharsPerCred,
		Jobs:           jobs,
		// Users name webhook URLs: only public addresses and the allow-list.
		WebhookClient: engine.NewWebhookClient(o.WebhookAllow),
		Redactor:      a.redactor,
		// Round robin and least busy choose among the active dashboard users.
		Agents: a.dash,
	}
	if a.responder != nil {
		cfg.Responder = &promptResponder{inner: a.responder, prompt: a.accountPrompt, metrics: a.metrics}
		cfg.Translator = a.responder
	}
	// The fallback also runs without a model or without credits.
	cfg.AIFallback = o.AI.fallback()
	if a.engine, err = engine.New(cfg); err != nil {
		return err
	}
	if _, err := a.store.Session(ctx, dashboard.SimulatorSession); errors.Is(err, workflow.ErrNotFound) {
		if err := a.engine.PutSession(ctx, workflow.Session{ID: dashboard.SimulatorSession, Label: "Chat simulator"}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if o.NoWhatsApp {
		return nil
	}
	if isPostgres(o.Devices) {
		a.devices, err = wa.OpenPostgres(ctx, o.Devices, a.log)
	} else {
		a.devices, err = wa.OpenSQLite(ctx, o.Devices, a.log)
	}
	if err != nil {
		return fmt.Errorf("whatsapp key store %s: %w", bunstore.Redact(o.Devices), err)
	}
	a.devices.SetMaxOpenConns(devicePool(o.DBPool))
	// Pacing per number: scheduled sends at most 5 a minute, auto-replies 1
	// per 6 s per customer, typing before replies. With River a send whose
	// slot is more than 10 s away is snoozed instead of holding a worker.
	pcfg := pacing.Config{Logger: a.log}
	if a.river != nil {
		pcfg.MaxWait = 10 * time.Second
	}
	sink := &wa.SessionStatuses{Sessions: a.engine}
	a.wa = wa.NewManager(wa.ManagerConfig{
		Store:     a.devices,
		Inbox:     a.engine,
		Status:    sink,
		Logger:    a.log,
		NewClient: o.newClient,
	})
	waTransport := a.wa.Transport()
	pacer := pacing.New(waTransport, pcfg)
	sink.Holds = pacer
	router.wa, router.media = pacer, waTransport
	a.leases = riverqueue.NewNumberLeases(riverqueue.NumberLeasesConfig{
		DB:      a.store.DB(),
		Numbers: a.linkedNumbers,
		Start:   a.startNumber,
		Logger:  a.log,
	})
	return nil
}

// jobQueue chooses the engine's job queue: River in the product's
// database (durable: scheduled messages, AI replies, webhooks and sends
// survive a crash and are shared by instances on PostgreSQL), or, with
// --queue memory, the engine's in-memory queue (nil).
func (a *app) jobQueue(ctx context.Context) (workflow.JobQueue, error) {
	if a.opts.Queue == "memory" {
		return nil, nil
	}
	q, err := riverqueue.New(ctx, a.store, riverConfig(a.log))
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	a.river = q
	a.metrics.queueDepth(q.Waiting)
	return q, nil
}

// startJobs starts River once the engine exists (the engine starts its own
// in-memory queue, and re-queues pending scheduled messages, in Start).
func (a *app) startJobs() error {
	if a.river == nil {
		return nil
	}
	return a.river.Start(a.bg, func(ctx context.Context, j workflow.Job) error {
		return a.redactor.Error(a.engine.RunJob(ctx, j))
	})
}

// loadWorkflows makes the saved workflows current, or those of --workflows
// when given (which are then saved). The one place that decides where
// workflows persist: the engine saves them in the Store on every change.
func (a *app) loadWorkflows(ctx context.Context) error {
	if a.opts.Workflows == "" {
		if err := a.engine.Restore(ctx); err != nil {
			return fmt.Errorf("restoring saved workflows: %w", err)
		}
		return nil
	}
	data, err := os.ReadFile(a.opts.Workflows)
	if err != nil {
		return err
	}
	if _, err := a.dashboard.ApplyWorkflows(ctx, a.opts.Workflows, data); err != nil {
		return err
	}
	return nil
}

// linkedNumbers lists the numbers with WhatsApp keys.
func (a *app) linkedNumbers(ctx context.Context) ([]string, error) {
	bound, err := a.devices.Bindings(ctx)
	return slices.Sorted(maps.Keys(bound)), err
}

// startNumber connects a linked number once this instance holds its lease;
// a number linked here a moment ago already runs.
func (a *app) startNumber(_ context.Context, id string) error {
	for _, si := range a.wa.Sessions() {
		if si.ID == id {
			return nil
		}
	}
	return a.wa.Start(a.bg, id, wa.SessionOptions{})
}

// pruneLoop deletes numbers disconnected for 7 days, hourly.
func (a *app) pruneLoop() {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-a.bg.Done():
			return
		case <-t.C:
			ids, err := a.wa.PruneDisconnected(a.bg, 7*24*time.Hour)
			if err != nil {
				a.log.Error("pruning disconnected numbers failed", "err", err)
			}
			for _, id := range ids {
				a.log.Info("number deleted after 7 days disconnected", "session", id)
			}
		}
	}
}

func (a *app) close() {
	if a.stopBg != nil {
		a.stopBg()
	}
	if a.wa != nil {
		a.wa.Close()
	}
	if a.leases != nil {
		a.leases.ReleaseAll()
	}
	if a.river != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := a.river.Stop(ctx); err != nil {
			a.log.Error("stopping the job queue", "err", err)
		}
		cancel()
	}
	if a.engine != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := a.engine.Close(ctx); err != nil {
			a.log.Error("closing the engine", "err", err)
		}
		cancel()
	}
	if a.stopTracing != nil { // after the engine and the queue: their last spans are flushed
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := a.stopTracing(ctx); err != nil {
			a.log.Error("flushing the traces", "err", err)
		}
		cancel()
		a.stopTracing = nil
	}
	if a.devices != nil {
		_ = a.devices.Close()
	}
	if a.store != nil {
		_ = a.store.Close()
	}
}

// router sends the simulator's messages to the page and the others
// through WhatsApp, from which it also downloads the media of queued
// incoming messages.
type router struct {
	sim   *dashboard.Simulator
	wa    workflow.Transport
	media workflow.MediaFetcher
	// metrics times and counts the sends.
	metrics *metrics
}

// FetchMedia downloads an incoming message's media through WhatsApp.
func (r *router) FetchMedia(ctx context.Context, session string, ref []byte) ([]byte, error) {
	if r.media == nil {
		return nil, dashboard.ErrNoWhatsApp
	}
	return r.media.FetchMedia(ctx, session, ref)
}

// Pace waits for m's pacing slot when m goes to WhatsApp through a pacer
// (workflow.Pacer), so that the engine checks a reply again after that
// wait; the simulator's messages and an unpaced transport go at once. A
// wait that ends with m's slot is timed (waauto_pacing_wait_seconds).
func (r *router) Pace(ctx context.Context, m workflow.Outgoing) (workflow.Outgoing, error) {
	p, ok := r.wa.(workflow.Pacer)
	if !ok || m.Session == dashboard.SimulatorSession {
		return m, nil
	}
	start := time.Now()
	m, err := p.Pace(ctx, m)
	if err == nil {
		r.metrics.paced(start)
	}
	return m, err
}

// Cancel hands a paced message the engine will not send back to the pacer
// that paced it (its slot, its "typing…" indicator).
func (r *router) Cancel(ctx context.Context, m workflow.Outgoing) error {
	if p, ok := r.wa.(workflow.Pacer); ok && m.Session != dashboard.SimulatorSession {
		return p.Cancel(ctx, m)
	}
	return nil
}

// Send hands m to the simulator or to WhatsApp. A message the engine did
// not pace first (an agent's, a recorded reply's retry) waits for its slot
// here, before the send is timed: waauto_send_seconds is the transport's
// time alone.
func (r *router) Send(ctx context.Context, m workflow.Outgoing) (err error) {
	if !m.Paced {
		if m, err = r.Pace(ctx, m); err != nil {
			return err
		}
	}
	start := time.Now()
	defer func() { r.metrics.sent(m.Kind, start, err) }()
	if m.Session == dashboard.SimulatorSession {
		r.sim.Add(dashboard.SimMessage{Bot: true, Phone: m.To, Text: m.Text, Kind: string(m.Kind), Workflow: m.Workflow})
		return nil
	}
	if r.wa == nil {
		return dashboard.ErrNoWhatsApp
	}
	return r.wa.Send(ctx, m)
}
