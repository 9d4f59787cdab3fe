package app

import (
	"flag"
	"fmt"
	"io"
)

// commandFlags is the flag set of the command name: its usage and parse
// errors go to stderr, and the command exits 2 when Parse fails.
func commandFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// backendFlag adds --backend (cel, expr or both; default both) to fs. After
// Parse, the returned func gives the chosen condition backends' names, in
// the order workflowtest.Backends names them, or an error naming the flag.
func backendFlag(fs *flag.FlagSet) func() ([]string, error) {
	backend := fs.String("backend", "both", "condition backend: cel, expr or both")
	return func() ([]string, error) {
		switch *backend {
		case "both":
			return []string{"cel", "expr"}, nil
		case "cel", "expr":
			return []string{*backend}, nil
		}
		return nil, fmt.Errorf("--backend %q (want cel, expr or both)", *backend)
	}
}
