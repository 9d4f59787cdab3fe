package waauto_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection keeps the architecture: the core never imports
// adapters or transport/storage/LLM SDKs, condition never imports a
// backend library, adapters never import each other, and the core's layers
// point one way (trigger, condition, action, the workflow contract, then
// the engine).
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/waauto/waauto/"
	core := []string{"trigger", "condition", "action", "workflow"}
	forbiddenInCore := []string{mod + "adapters/", "go.mau.fi/whatsmeow", "github.com/uptrace/bun", "github.com/tmc/langchaingo", "github.com/riverqueue/river", "go.opentelemetry.io/"}
	// layers: a package (and, with sub, its subpackages) must not import dep
	// (or its subpackages).
	layers := []struct {
		pkg string
		sub bool
		dep string
	}{
		{"trigger", true, "condition"},
		{"condition", true, "action"},
		// The contract (model, file format, ports) that adapters and
		// workflow-file tools import must not pull the engine in.
		{"workflow", false, "workflow/engine"},
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		rel := strings.TrimPrefix(pkg, mod)
		isCore := false
		for _, c := range core {
			isCore = isCore || rel == c || strings.HasPrefix(rel, c+"/")
		}
		for _, d := range deps {
			if isCore {
				for _, f := range forbiddenInCore {
					if strings.HasPrefix(d, f) {
						t.Errorf("core package %s imports %s", pkg, d)
					}
				}
			}
			if rel == "condition" && (strings.HasPrefix(d, "github.com/google/cel-go") || strings.HasPrefix(d, "github.com/expr-lang/expr")) {
				t.Errorf("condition imports the backend library %s (only condition/cel and condition/expr may)", d)
			}
			for _, l := range layers {
				inPkg := rel == l.pkg || l.sub && strings.HasPrefix(rel, l.pkg+"/")
				if inPkg && (d == mod+l.dep || strings.HasPrefix(d, mod+l.dep+"/")) {
					t.Errorf("%s imports %s (it must not import %s)", pkg, d, l.dep)
				}
			}
			if a, ok := strings.CutPrefix(rel, "adapters/"); ok {
				own := strings.SplitN(a, "/", 2)[0]
				if o, ok := strings.CutPrefix(d, mod+"adapters/"); ok && strings.SplitN(o, "/", 2)[0] != own {
					t.Errorf("adapter %s imports another adapter %s", pkg, d)
				}
			}
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d packages listed; go list output looks wrong", checked)
	}
}
