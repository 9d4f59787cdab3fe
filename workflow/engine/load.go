package engine

import (
	"context"
	"fmt"
	"os"

	"github.com/waauto/waauto/workflow"
)

// LoadOptions are the options the engine reads workflow files with: its
// Config's Registry, Compiler, Location and Hours. Add Templates or Ignore
// to call workflow.Load directly.
func (e *Engine) LoadOptions() workflow.LoadOptions {
	return workflow.LoadOptions{Registry: e.cfg.Registry, Compiler: e.cfg.Compiler, Location: e.Location(), Hours: e.cfg.Hours}
}

// Load reads a workflow file (workflow.Load) with the engine's own
// configuration and installs its workflows and hours in place of the
// current ones (SetWorkflows). file names the file in error messages. On
// any error nothing changes.
func (e *Engine) Load(ctx context.Context, file string, data []byte) (workflow.Definitions, error) {
	defs, err := workflow.Load(file, data, e.LoadOptions())
	if err != nil {
		return workflow.Definitions{}, err
	}
	if err := e.SetWorkflows(ctx, defs); err != nil {
		return workflow.Definitions{}, fmt.Errorf("%s: %w", file, err)
	}
	return defs, nil
}

// LoadFile is Load of the file at path.
func (e *Engine) LoadFile(ctx context.Context, path string) (workflow.Definitions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return workflow.Definitions{}, fmt.Errorf("load workflows: %w", err)
	}
	return e.Load(ctx, path, data)
}
