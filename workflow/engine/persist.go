package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/workflow"
)

// templatePrefix marks the stored ids of user templates.
const templatePrefix = "template/"

// save writes the workflows of set to the Store, each with the hours it
// may name, and removes stored workflows that are gone. Templates stay.
func (e *Engine) save(ctx context.Context, set *workflowSet) error {
	stored, err := e.cfg.Store.Workflows(ctx)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	now := e.cfg.Clock.Now()
	for i, c := range byPosition(set.list) {
		def, err := workflow.MarshalDefinitions(workflow.Definitions{Workflows: []workflow.Workflow{c.Workflow}, Hours: set.hours}, e.cfg.Registry)
		if err != nil {
			return fmt.Errorf("workflow %q: %w", c.Name, err)
		}
		if err := e.cfg.Store.PutWorkflow(ctx, workflow.StoredWorkflow{ID: c.ID, Name: c.Name, Position: i, Definition: def, UpdatedAt: now}); err != nil {
			return err
		}
		keep[c.ID] = true
	}
	for _, s := range stored {
		if !s.Template && !keep[s.ID] {
			if err := e.cfg.Store.DeleteWorkflow(ctx, s.ID); err != nil && !errors.Is(err, workflow.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// Restore loads the workflows saved in the Store (by an earlier run) and
// makes them current. A stored definition that no longer loads (e.g. its
// custom action is not registered any more) is an error and nothing changes.
func (e *Engine) Restore(ctx context.Context) error {
	stored, err := e.cfg.Store.Workflows(ctx)
	if err != nil {
		return err
	}
	var ws []workflow.Workflow
	hours := maps.Clone(e.cfg.Hours)
	if hours == nil {
		hours = map[string]condition.Hours{}
	}
	var errs []error
	for _, s := range stored {
		if s.Template {
			continue
		}
		d, err := e.load(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ws = append(ws, d.Workflows...)
		maps.Copy(hours, d.Hours)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.apply(ctx, ws, hours, false)
}

func (e *Engine) load(s workflow.StoredWorkflow) (workflow.Definitions, error) {
	d, err := workflow.Load("stored:"+s.ID, s.Definition, workflow.LoadOptions{Registry: e.cfg.Registry, Location: e.Location(), Hours: e.cfg.Hours})
	if err != nil {
		return d, fmt.Errorf("stored workflow %q: %w", s.Name, err)
	}
	return d, nil
}

// SaveTemplate saves w as a user template under w.Name; workflows then
// start from it with `template: NAME`.
func (e *Engine) SaveTemplate(ctx context.Context, w workflow.Workflow) error {
	if w.Name == "" {
		return fmt.Errorf("template: name is required")
	}
	if _, builtin := workflow.BuiltinTemplates()[w.Name]; builtin {
		return fmt.Errorf("template %q: a built-in template has this name: %w", w.Name, workflow.ErrConflict)
	}
	w.Template = ""
	def, err := workflow.Marshal(w, e.cfg.Registry)
	if err != nil {
		return err
	}
	return e.cfg.Store.PutWorkflow(ctx, workflow.StoredWorkflow{ID: templatePrefix + workflow.Slug(w.Name), Name: w.Name, Definition: def, Template: true, UpdatedAt: e.cfg.Clock.Now()})
}

// Templates returns the user's saved templates by name, for LoadOptions.Templates.
func (e *Engine) Templates(ctx context.Context) (map[string]workflow.Workflow, error) {
	stored, err := e.cfg.Store.Workflows(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]workflow.Workflow{}
	for _, s := range stored {
		if !s.Template || !strings.HasPrefix(s.ID, templatePrefix) {
			continue
		}
		d, err := e.load(s)
		if err != nil {
			return nil, err
		}
		for _, w := range d.Workflows {
			out[s.Name] = w
		}
	}
	return out, nil
}

// DeleteTemplate deletes the user template named name (ErrNotFound when
// there is none). Workflows started from it in the builder keep their
// values: the builder saves every value, not the template name.
func (e *Engine) DeleteTemplate(ctx context.Context, name string) error {
	if err := e.cfg.Store.DeleteWorkflow(ctx, templatePrefix+workflow.Slug(name)); err != nil {
		return fmt.Errorf("template %q: %w", name, err)
	}
	return nil
}
