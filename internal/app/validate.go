package app

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// cmdValidate checks workflow files with the condition backends of
// --backend (default both, as waauto test): a file is valid when one of
// them loads it, since a cel: leaf needs the cel backend and an expr: leaf
// the expr backend. Every positioned error is printed once; exit 2 when
// any file is invalid.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := commandFlags("validate", stderr)
	backends := backendFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	names, err := backends()
	if err != nil {
		fmt.Fprintf(stderr, "waauto validate: %v\n", err)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "waauto validate: no FILE given")
		return 2
	}
	compilers := workflowtest.Backends()
	code := 0
	for _, f := range fs.Args() {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", f, err)
			code = 2
			continue
		}
		n, by, errs := validateFile(f, data, names, compilers)
		if len(errs) > 0 {
			for _, e := range errs {
				fmt.Fprintln(stderr, e)
			}
			code = 2
			continue
		}
		note := ""
		if len(names) > 1 && len(by) == 1 {
			note = fmt.Sprintf(" (%s backend only)", by[0])
		}
		fmt.Fprintf(stdout, "%s: ok, %d workflows%s\n", f, n, note)
	}
	return code
}

// validateFile loads data with each backend of names. When some load it,
// it returns the count of workflows and the backends that load it. When
// none does, it returns the errors of all, each once, in file order; a
// backend's refusal of the other backend's raw expressions
// (condition.ErrUnsupported) is left out, unless nothing else is wrong (a
// file mixing cel: and expr: leaves, which no backend runs).
func validateFile(file string, data []byte, names []string, compilers map[string]condition.Compiler) (n int, by []string, errs []string) {
	var found, unsupported workflow.LoadErrors
	seen := map[string]bool{}
	for _, b := range names {
		defs, err := workflow.Load(file, data, workflow.LoadOptions{Compiler: compilers[b]})
		if err == nil {
			n, by = len(defs.Workflows), append(by, b)
			continue
		}
		var les workflow.LoadErrors
		if !errors.As(err, &les) {
			les = workflow.LoadErrors{{File: file, Msg: err.Error()}}
		}
		for _, e := range les {
			switch {
			case seen[e.Error()]:
			case strings.Contains(e.Msg, condition.ErrUnsupported.Error()):
				unsupported = append(unsupported, e)
			default:
				found = append(found, e)
			}
			seen[e.Error()] = true
		}
	}
	if len(by) > 0 {
		return n, by, nil
	}
	if len(found) == 0 {
		found = unsupported
	}
	slices.SortStableFunc(found, func(a, b *workflow.LoadError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	for _, e := range found {
		errs = append(errs, e.Error())
	}
	return 0, nil, errs
}
