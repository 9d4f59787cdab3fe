package app

import (
	"context"
	"fmt"
	"io"
)

// Run runs the waauto command line args (without the program name) and
// returns the exit code: serve (the default), test, validate, lint, replay,
// admin, bench or help; stdin is read by admin reset-password only.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "test":
		return cmdTest(ctx, args, stdout, stderr)
	case "validate":
		return cmdValidate(args, stdout, stderr)
	case "lint":
		return cmdLint(args, stdout, stderr)
	case "replay":
		return cmdReplay(ctx, args, stdout, stderr)
	case "admin":
		return cmdAdmin(ctx, args, stdin, stdout, stderr)
	case "bench":
		return cmdBench(ctx, args, stdout, stderr)
	case "serve":
		return cmdServe(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "waauto: unknown command %q\n%s", cmd, usage)
	return 2
}

const usage = `usage:
  waauto [serve] [--db PATH_OR_DSN] [--addr 127.0.0.1:8080] [--workflows FILE] [--tz ZONE]
               [--admin-password-file FILE] [--no-whatsapp] [--meter-credits] [--ai-provider openai|anthropic|ollama]
               (waauto serve -h lists every flag and environment variable)
  waauto test [--backend cel|expr] [--store memory|sqlite] [--keep-db DIR] FILE_OR_DIR...
  waauto validate [--backend cel|expr] FILE...
  waauto lint [--json] [--tz ZONE] FILE_OR_DIR...
  waauto replay --workflows DRAFT [--since 30d|DATE] [--until DATE] [--db PATH_OR_DSN] [--tz ZONE] [--json]
  waauto bench [--store memory|sqlite|DSN] [--queue river|memory] [--messages 10000] [--contacts 1000]
               [--workflows 50] [--rate 0] [--workers N] [--poll D] [--db-pool N]
               (end-to-end load: Receive → reply through the product's store and job queue, no WhatsApp)
  waauto admin reset-password [--db PATH_OR_DSN] [--user admin] [--password-file FILE]
               (the new password: from FILE, else $WAAUTO_ADMIN_PASSWORD, else the first line of stdin)
`
