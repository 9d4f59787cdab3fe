package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// cmdTest runs scenario files: PASS/FAIL per scenario, then "N passed, N failed".
// Exit 1 when a scenario fails, 2 when a file cannot be loaded.
func cmdTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := commandFlags("test", stderr)
	chosen := backendFlag(fs)
	store := fs.String("store", "memory", "store: memory or sqlite")
	keep := fs.String("keep-db", "", "with --store sqlite: keep each run's database as DIR/SCENARIO-BACKEND.db (for waauto replay)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	names, err := chosen()
	if err != nil {
		fmt.Fprintf(stderr, "waauto test: %v\n", err)
		return 2
	}
	newStore, err := storeFactory(*store)
	if err != nil {
		fmt.Fprintf(stderr, "waauto test: %v\n", err)
		return 2
	}
	if *keep != "" && *store != "sqlite" {
		fmt.Fprintln(stderr, "waauto test: --keep-db needs --store sqlite")
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "waauto test: no FILE_OR_DIR given")
		return 2
	}
	var files []string
	for _, a := range fs.Args() {
		f, err := workflowtest.ScenarioFiles(a)
		if err != nil {
			fmt.Fprintf(stderr, "waauto test: %v\n", err)
			return 2
		}
		files = append(files, f...)
	}
	backends := workflowtest.Backends()
	passed, failed, loadErr := 0, 0, false
	for _, f := range files {
		name, fails, err := runScenario(ctx, f, names, backends, newStore, *keep)
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			loadErr = true
			continue
		}
		if len(fails) == 0 {
			passed++
			fmt.Fprintf(stdout, "PASS %s\n", name)
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL %s\n", name)
		for _, x := range fails {
			fmt.Fprintf(stdout, "    %s\n", strings.ReplaceAll(strings.TrimRight(x, "\n"), "\n", "\n    "))
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	switch {
	case loadErr:
		return 2
	case failed > 0:
		return 1
	}
	return 0
}

// runScenario plays one file with each backend; failures are prefixed with
// the backend. With keep, each run's SQLite database is kept in that directory.
func runScenario(ctx context.Context, file string, names []string, backends map[string]condition.Compiler,
	newStore func(context.Context) (workflow.Store, func(), error), keep string) (string, []string, error) {
	var name string
	var fails []string
	for _, b := range names {
		ns := newStore
		if keep != "" {
			ns = keptSQLite(filepath.Join(keep, strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))+"-"+b+".db"))
		}
		rep, err := workflowtest.Run(ctx, file, workflowtest.RunOptions{Compiler: backends[b], NewStore: ns})
		if err != nil {
			return "", nil, err
		}
		name = rep.Name
		for _, f := range rep.Failures {
			fails = append(fails, "["+b+"] "+f)
		}
	}
	return name, fails, nil
}

// storeFactory returns the store each scenario run gets: nil for memory,
// a fresh SQLite file for sqlite.
func storeFactory(kind string) (func(context.Context) (workflow.Store, func(), error), error) {
	switch kind {
	case "memory":
		return nil, nil
	case "sqlite":
		return func(ctx context.Context) (workflow.Store, func(), error) {
			dir, err := os.MkdirTemp("", "waauto-scenario-*")
			if err != nil {
				return nil, nil, err
			}
			st, err := bunstore.Open(ctx, filepath.Join(dir, "scenario.db"), bunstore.Options{})
			if err != nil {
				os.RemoveAll(dir)
				return nil, nil, err
			}
			return st, func() { st.Close(); os.RemoveAll(dir) }, nil
		}, nil
	}
	return nil, errors.New("--store " + kind + " (want memory or sqlite)")
}

// keptSQLite opens a fresh SQLite database at path (an older one there is
// replaced) and keeps it after the run.
func keptSQLite(path string) func(context.Context) (workflow.Store, func(), error) {
	return func(ctx context.Context) (workflow.Store, func(), error) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, err
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, nil, err
			}
		}
		st, err := bunstore.Open(ctx, path, bunstore.Options{})
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
}
