package dashboard

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/waauto/waauto/workflow"
)

// galleryItem is one template of the gallery with its full text.
type galleryItem struct {
	Name, Title, Description, YAML string
	User                           bool
}

func (d *Dashboard) gallery(r *http.Request) ([]galleryItem, error) {
	user, err := d.engine.Templates(r.Context())
	if err != nil {
		return nil, err
	}
	var out []galleryItem
	add := func(name string, t workflow.Workflow, isUser bool) error {
		y, err := d.yamlOf(shownTo(r, t))
		if err != nil {
			return fmt.Errorf("template %q: %w", name, err)
		}
		out = append(out, galleryItem{Name: name, Title: t.Name, Description: t.Description, YAML: y, User: isUser})
		return nil
	}
	for name, t := range workflow.BuiltinTemplates() {
		if err := add(name, t, false); err != nil {
			return nil, err
		}
	}
	for name, t := range user {
		if err := add(name, t, true); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b galleryItem) int {
		if a.User != b.User {
			return map[bool]int{false: -1, true: 1}[a.User]
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out, nil
}

// templatesPage is the gallery: built-in and user templates, each with its
// full text, "Use" (a prefilled builder) and, for user templates, "Delete".
func (d *Dashboard) templatesPage(w http.ResponseWriter, r *http.Request) {
	items, err := d.gallery(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.render(w, r, http.StatusOK, "templates", map[string]any{"Templates": items})
}

// templateSave saves the builder's draft as a user template named
// req.Template (the draft itself is not saved as a workflow).
func (d *Dashboard) templateSave(w http.ResponseWriter, r *http.Request) {
	req, ok := d.readBuilder(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(req.Template)
	if name == "" || workflow.Slug(name) == "" {
		d.answerDraft(w, r, fieldErr("template", "builder.err.template_name", req.Template))
		return
	}
	wf, err := d.parseDraft(r.Context(), req)
	if err != nil {
		d.answerDraft(w, r, err)
		return
	}
	wf.Name, wf.ID = name, workflow.Slug(name)
	err = d.engine.SaveTemplate(r.Context(), wf)
	if errors.Is(err, workflow.ErrConflict) {
		err = fieldErr("template", "builder.err.template_builtin", name)
	}
	if err != nil {
		d.answerDraft(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, builderReply{OK: true, Msg: fmt.Sprintf("Saved as template %q", name), Redirect: "/templates"})
}

// templateDelete deletes a user template.
func (d *Dashboard) templateDelete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	err := d.engine.DeleteTemplate(r.Context(), name)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		backError(w, r, "/templates", fmt.Sprintf("Nothing deleted: there is no user template %q", name))
	case err != nil:
		d.fail(w, r, err)
	default:
		back(w, r, "/templates", fmt.Sprintf("Deleted template %q", name))
	}
}
