// Command waauto is the WhatsApp Auto product: it serves the engine on
// embedded SQLite (or PostgreSQL), runs scenario files, and validates and
// lints workflow files. The product lives in internal/app (wiring and commands)
// and internal/dashboard (the web interface); this is its entry point.
//
//	waauto [serve] [--db PATH_OR_DSN] [--addr 127.0.0.1:8080] [--tz ZONE] [--admin-password-file FILE] (waauto serve -h for all flags)
//	waauto test [--backend cel|expr] [--store memory|sqlite] FILE_OR_DIR...
//	waauto validate FILE...
//	waauto lint [--json] [--tz ZONE] FILE_OR_DIR...
//	waauto admin reset-password [--db PATH_OR_DSN] [--user admin] [--password-file FILE]
//
// OpenTelemetry traces are exported when the standard variables ask for
// them (OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_TRACES_EXPORTER=otlp; see the
// README's Monitoring paragraph), and flushed when the server stops.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // binaries carry the time zone database; libraries do not

	"github.com/waauto/waauto/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
