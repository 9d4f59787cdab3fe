package workflow

import (
	"embed"
	"fmt"
	"path"
	"strings"
)

// templateFiles holds the built-in templates, one workflow file each, named
// after the template. They are product text (French replies), kept out of
// the code and read by the normal loader.
//
//go:embed templates/*.yaml
var templateFiles embed.FS

// BuiltinTemplates returns the built-in templates by name (WORKFLOWS.md,
// "Templates"): welcome, out_of_hours and agent_handoff, loaded from the
// embedded workflow files of workflow/templates. All are global, priority
// 100, without cooldown and with stop false. Each call returns fresh values.
//
// `template: NAME` in a workflow file starts from the template; every other
// key given replaces the template's value as a whole. In particular
// `actions:` replaces the whole action list (to change the reply text of
// welcome, give `actions: [{reply: {text: ...}}]`) and `conditions:` the
// whole tree. The name defaults to the template's name.
//
// It panics if an embedded file does not load, which the package's tests
// rule out.
func BuiltinTemplates() map[string]Workflow {
	files, err := templateFiles.ReadDir("templates")
	if err != nil {
		panic(fmt.Sprintf("workflow: built-in templates: %v", err))
	}
	out := make(map[string]Workflow, len(files))
	for _, f := range files {
		file := path.Join("templates", f.Name())
		data, err := templateFiles.ReadFile(file)
		if err != nil {
			panic(fmt.Sprintf("workflow: built-in template %s: %v", file, err))
		}
		defs, err := Load(file, data, LoadOptions{})
		if err == nil && len(defs.Workflows) != 1 {
			err = fmt.Errorf("%d workflows, want 1", len(defs.Workflows))
		}
		if err != nil {
			panic(fmt.Sprintf("workflow: built-in template %s: %v", file, err))
		}
		w := defs.Workflows[0]
		w.ID = ""
		out[strings.TrimSuffix(f.Name(), ".yaml")] = w
	}
	return out
}
