package app

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/lint"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// cmdLint checks workflow files for mistakes that load fine (workflow/lint):
// one "file:line:col: severity: message" line per finding, or a JSON array
// with --json. Exit 1 when any finding is an error, 2 on usage errors.
func cmdLint(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the findings as a JSON array")
	tz := fs.String("tz", env("TZ", "UTC"), "the account's time zone, as serve --tz (IANA name; default $TZ or UTC)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(stderr, "waauto lint: --tz %q is not a time zone (want an IANA name, e.g. Europe/Paris)\n", *tz)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "waauto lint: no FILE_OR_DIR given")
		return 2
	}
	var files []string
	for _, a := range fs.Args() {
		f, err := workflowFiles(a)
		if err != nil {
			fmt.Fprintf(stderr, "waauto lint: %v\n", err)
			return 2
		}
		files = append(files, f...)
	}
	findings := []lint.Finding{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "waauto lint: %v\n", err)
			return 2
		}
		findings = append(findings, lintFile(f, data, loc)...)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(findings); err != nil {
			fmt.Fprintf(stderr, "waauto lint: %v\n", err)
			return 2
		}
	} else {
		errs := 0
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
			if f.Severity == lint.SeverityError {
				errs++
			}
		}
		fmt.Fprintf(stdout, "%s: %s, %s\n", count(len(files), "file"), count(errs, "error"), count(len(findings)-errs, "warning"))
	}
	if lint.HasErrors(findings) {
		return 1
	}
	return 0
}

// lintFile lints a workflow file, or the workflows of a scenario file
// (SCENARIOS.md: in the scenario's time zone, its workflow_files included)
// when the file loads as a scenario but not as a workflow file.
func lintFile(file string, data []byte, loc *time.Location) []lint.Finding {
	lo := workflow.LoadOptions{Compiler: expr.New(), Location: loc}
	fs := lint.File(file, data, lo, lint.Options{Compiler: expr.New()})
	if !slices.ContainsFunc(fs, func(f lint.Finding) bool { return f.Check == lint.CheckLoad }) {
		return fs
	}
	sc, err := workflowtest.LoadScenario(file, lo)
	if err != nil {
		return fs
	}
	if sc.Location != nil {
		loc = sc.Location
	}
	return lint.Check(sc.Defs, lint.Options{File: file, Data: data, Location: loc, Compiler: expr.New()})
}

// workflowFiles lists path, or the .yaml, .yml and .json files of the
// directory path, sorted.
func workflowFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	var files []string
	for _, ext := range []string{"*.yaml", "*.yml", "*.json"} {
		m, err := filepath.Glob(filepath.Join(path, ext))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .yaml, .yml or .json file", path)
	}
	return files, nil
}

// count renders n things: "1 error", "2 errors".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
