package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// cmdServe runs the product: the engine on SQLite (default ./waauto.db) or
// PostgreSQL, with a status page and a chat simulator on --addr.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "waauto.db", "SQLite file, or a postgres:// DSN")
	addr := fs.String("addr", "127.0.0.1:8080", "dashboard address")
	wfFile := fs.String("workflows", "", "workflow file to load at start")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	app, err := newApp(ctx, *db, *wfFile, log)
	if err != nil {
		fmt.Fprintf(stderr, "waauto: %v\n", err)
		return 1
	}
	defer app.close()
	srv := &http.Server{Addr: *addr, Handler: app.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Fprintf(stdout, "WhatsApp Auto on http://%s (database %s)\n", *addr, *db)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "waauto: %v\n", err)
		return 1
	}
	return 0
}

// app is the running product.
type app struct {
	store  *bunstore.Store
	engine *workflow.Engine
	mu     sync.Mutex
	sent   []workflow.Outgoing // simulator outbox
}

func newApp(ctx context.Context, db, wfFile string, log *slog.Logger) (*app, error) {
	st, err := bunstore.Open(ctx, db, bunstore.Options{})
	if err != nil {
		return nil, err
	}
	a := &app{store: st}
	eng, err := workflow.New(workflow.Config{
		Store: st, Compiler: expr.New(), Logger: log,
		Transport: sendFunc(a.record),
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	a.engine = eng
	if err := eng.PutSession(ctx, workflow.Session{ID: "simulator", Label: "Simulator"}); err != nil {
		st.Close()
		return nil, err
	}
	if wfFile != "" {
		data, err := os.ReadFile(wfFile)
		if err != nil {
			st.Close()
			return nil, err
		}
		defs, err := workflow.Load(wfFile, data, workflow.LoadOptions{Compiler: expr.New()})
		if err == nil {
			err = eng.SetWorkflows(ctx, defs)
		}
		if err != nil {
			st.Close()
			return nil, err
		}
	}
	if err := eng.Start(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) close() {
	_ = a.engine.Close(context.Background())
	_ = a.store.Close()
}

type sendFunc func(context.Context, workflow.Outgoing) error

func (f sendFunc) Send(ctx context.Context, m workflow.Outgoing) error { return f(ctx, m) }

func (a *app) record(_ context.Context, m workflow.Outgoing) error {
	a.mu.Lock()
	a.sent = append(a.sent, m)
	a.mu.Unlock()
	return nil
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /api/simulate", a.simulate)
	mux.HandleFunc("GET /api/logs", a.logs)
	return http.NewCrossOriginProtection().Handler(mux)
}

var homeTmpl = template.Must(template.New("home").Parse(`<!doctype html><meta charset="utf-8"><title>WhatsApp Auto</title>
<h1>WhatsApp Auto</h1>
<h2>Workflows</h2><ul>{{range .}}<li>{{.Name}} (priority {{.Priority}}{{if not .Enabled}}, disabled{{end}})</li>{{else}}<li>none loaded (start with --workflows FILE)</li>{{end}}</ul>
<h2>Chat simulator</h2><form method="post" action="/api/simulate"><input name="from" value="+33600000000"> <input name="text" placeholder="message"> <button>Send</button></form>`))

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = homeTmpl.Execute(w, a.engine.Workflows())
}

// simulate plays a customer message on the simulator number and returns
// what fired (with traces) and what was sent.
func (a *app) simulate(w http.ResponseWriter, r *http.Request) {
	from, text := r.FormValue("from"), r.FormValue("text")
	a.mu.Lock()
	before := len(a.sent)
	a.mu.Unlock()
	execs, err := a.engine.Handle(r.Context(), trigger.Message{ID: workflow.NewMessageID(), Session: "simulator", Phone: from, Text: text})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	sent := append([]workflow.Outgoing(nil), a.sent[before:]...)
	a.mu.Unlock()
	writeJSON(w, map[string]any{"executions": execs, "sent": sent})
}

func (a *app) logs(w http.ResponseWriter, r *http.Request) {
	if err := a.engine.FlushLogs(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	page, err := a.store.QueryLogs(r.Context(), workflow.LogQuery{After: r.URL.Query().Get("after"), Phone: r.URL.Query().Get("phone")})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, page)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
