package dashboard

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/waauto/waauto/action"
	wa "github.com/waauto/waauto/adapters/whatsmeow"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/docs"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// Deps are what the dashboard works on. Store, Engine, Users, Compiler,
// Shop and Simulator are required.
type Deps struct {
	// Store is the engine's Store, read by the pages.
	Store workflow.Store
	// Engine runs the workflows; every change goes through it.
	Engine *engine.Engine
	// Users holds the dashboard's users and settings (OpenStore).
	Users *Store
	// Compiler is the one the engine runs workflows with.
	Compiler condition.Compiler
	// Shop are the shop's settings the engine started with (its zone and
	// credit accounting): Store.Shop, or the initial values of the flags.
	Shop ShopSettings
	// MachineZone is the zone of the machine, offered on the first run.
	MachineZone string
	// Logger receives request failures; nil discards them.
	Logger *slog.Logger
	// Simulator is the chat simulator's virtual number.
	Simulator *Simulator
	// WhatsApp links and runs the real numbers; nil when WhatsApp is off.
	WhatsApp *wa.Manager
	// Background outlives requests: numbers linked or reconnected from the
	// dashboard run under it.
	Background context.Context
	// ReleaseNumber is called after a number is deleted, so that another
	// instance may run it; may be nil.
	ReleaseNumber func(id string)
	// AccountPrompt returns the prompt AI replies currently use.
	AccountPrompt func(ctx context.Context) string
	// AI describes the configured model for the AI page.
	AI AIInfo
	// CharsPerCredit is shown on the AI page.
	CharsPerCredit int
	// SecureCookie marks the session cookie Secure even without TLS.
	SecureCookie bool
	// TrustedProxyHeader names the header (X-Forwarded-For, X-Real-IP)
	// whose rightmost address is the client's, set by the reverse proxy
	// in front of the dashboard; "" uses the connection's address.
	TrustedProxyHeader string
	// Metrics, when set, is served at /metrics to admins (a logged-in
	// admin, or an admin's name and password as HTTP basic credentials for
	// a scraper), with the Go profiler at /debug/pprof/.
	Metrics http.Handler
}

// AIInfo is what the AI page shows of the model: never the key itself.
type AIInfo struct {
	Provider, BaseURL, Model string
	KeySet                   bool
	Catalog                  string
	// FallbackAgent gets the conversations whose AI reply cannot be
	// given ("": nothing runs instead); the pages say so.
	FallbackAgent string
}

// ErrNoWhatsApp: a real number was asked for while WhatsApp is off.
var ErrNoWhatsApp = errors.New("whatsapp is disabled (--no-whatsapp)")

// Dashboard is the web interface of the product: numbers, workflows and
// their editor, exclusions, scheduled messages, logs, AI, users and the
// chat simulator, behind a login.
type Dashboard struct {
	store          workflow.Store
	engine         *engine.Engine
	dash           *Store
	auth           *authenticator
	compiler       condition.Compiler
	reg            *action.Registry
	shop           atomic.Pointer[shopState]
	machineZone    string
	log            *slog.Logger
	sim            *Simulator
	wa             *wa.Manager
	links          *linker
	bg             context.Context
	release        func(id string)
	accountPrompt  func(ctx context.Context) string
	ai             AIInfo
	charsPerCredit int
	secureCookie   bool
	proxyHeader    string
	tr             map[string]translator
	pages          pages
	metrics        http.Handler
	docs           map[string]template.HTML
	handler        http.Handler
}

// New builds the dashboard on deps: it parses the page templates and
// prepares logins.
func New(deps Deps) (*Dashboard, error) {
	if deps.Store == nil || deps.Engine == nil || deps.Users == nil || deps.Compiler == nil || deps.Simulator == nil {
		return nil, errors.New("dashboard.New: Store, Engine, Users, Compiler and Simulator are required")
	}
	loc, err := LoadZone(deps.Shop.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("dashboard.New: shop time zone: %w", err)
	}
	d := &Dashboard{
		store: deps.Store, engine: deps.Engine, dash: deps.Users, compiler: deps.Compiler, machineZone: deps.MachineZone,
		log: deps.Logger, sim: deps.Simulator, wa: deps.WhatsApp, bg: deps.Background, release: deps.ReleaseNumber,
		accountPrompt: deps.AccountPrompt, ai: deps.AI,
		charsPerCredit: deps.CharsPerCredit, secureCookie: deps.SecureCookie,
		proxyHeader: deps.TrustedProxyHeader, metrics: deps.Metrics,
	}
	if d.tr, err = newTranslators(); err != nil {
		return nil, err
	}
	if _, ok := d.tr[deps.Shop.Lang]; !ok {
		deps.Shop.Lang = langCode(languages[0])
	}
	d.shop.Store(&shopState{ShopSettings: deps.Shop, loc: loc})
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	// The builder offers the engine's actions, custom ones included.
	d.reg = d.engine.LoadOptions().Registry
	if d.bg == nil {
		d.bg = context.Background()
	}
	if d.accountPrompt == nil {
		d.accountPrompt = func(context.Context) string { return "" }
	}
	if d.wa != nil {
		d.links = newLinker(d.wa)
	}
	if d.pages, err = d.parsePages(); err != nil {
		return nil, err
	}
	if d.docs, err = renderDocs(docs.FS); err != nil {
		return nil, err
	}
	if d.auth, err = newAuthenticator(d.dash, time.Now); err != nil {
		return nil, err
	}
	d.handler = d.routes()
	return d, nil
}

// ServeHTTP serves the dashboard.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.handler.ServeHTTP(w, r) }
