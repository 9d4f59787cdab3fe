package workflowtest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/waauto/waauto/internal/yamlpos"
	"github.com/waauto/waauto/workflow"
)

// AddSeeds adds the files matching glob, then srcs, to the seed corpus of
// a fuzz target taking one []byte.
func AddSeeds(f *testing.F, glob string, srcs ...string) {
	f.Helper()
	files, err := filepath.Glob(glob)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range srcs {
		f.Add([]byte(s))
	}
}

// RequirePositioned fails t unless err is nil or workflow.LoadErrors
// whose every *LoadError in file has a line and column. Only a file over
// the size limit (size > 1 MiB) is refused without a position.
func RequirePositioned(t testing.TB, err error, file string, size int) {
	t.Helper()
	if err == nil {
		return
	}
	var les workflow.LoadErrors
	if !errors.As(err, &les) || len(les) == 0 {
		t.Fatalf("error %T is not LoadErrors: %v", err, err)
	}
	for _, le := range les {
		if le.File == file && (le.Line <= 0 || le.Column <= 0) && size <= yamlpos.MaxSize {
			t.Fatalf("error without a position: %#v", le)
		}
	}
}
