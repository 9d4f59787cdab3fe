package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/workflow"
)

// editorFile names the editor's text in error positions.
const editorFile = "workflows.yaml"

// settingYAML keeps the editor's last applied text (with its comments).
// It is cleared when a bulk operation changes the workflows, so that the
// editor then shows the current workflows again.
const settingYAML = "workflows_yaml"

// workflowsBulk enables, disables or deletes the checked workflows.
func (d *Dashboard) workflowsBulk(w http.ResponseWriter, r *http.Request) {
	names, op, err := parseBulk(r.PostForm)
	if err != nil {
		d.badForm(w, r, "/workflows", err)
		return
	}
	ctx := r.Context()
	switch op {
	case "enable":
		err = d.engine.SetEnabled(ctx, names, true)
	case "disable":
		err = d.engine.SetEnabled(ctx, names, false)
	case "delete":
		err = d.engine.DeleteWorkflows(ctx, names)
	}
	if err != nil {
		d.bad(w, r, "/workflows", "wf.err.nothing_changed", err)
		return
	}
	if err := d.dash.setSetting(ctx, settingYAML, ""); err != nil {
		d.fail(w, r, err)
		return
	}
	d.ok(w, r, "/workflows", "wf.done."+op, len(names))
}

// editorData is what the editor page shows.
type editorData struct {
	Text      string
	Errors    []*workflow.LoadError
	Templates []templateInfo
	Checked   bool
	// Deleted lists the workflows saving would delete, asked for
	// confirmation before anything is saved.
	Deleted []string
}

type templateInfo struct {
	Name, Description string
	User              bool
}

// currentYAML is the editor's text: the last applied one, or the current
// workflows written out.
func (d *Dashboard) currentYAML(ctx context.Context) (string, error) {
	s, err := d.dash.setting(ctx, settingYAML)
	if err != nil || s != "" {
		return s, err
	}
	ws := d.engine.Workflows()
	if len(ws) == 0 {
		return "workflows: []\n", nil
	}
	js, err := workflow.MarshalDefinitions(workflow.Definitions{Workflows: ws}, nil)
	if err != nil {
		return "", err
	}
	y, err := yaml.JSONToYAML(js)
	return string(y), err
}

func (d *Dashboard) templates(ctx context.Context) ([]templateInfo, error) {
	var out []templateInfo
	for name, t := range workflow.BuiltinTemplates() {
		out = append(out, templateInfo{Name: name, Description: t.Description})
	}
	user, err := d.engine.Templates(ctx)
	if err != nil {
		return nil, err
	}
	for name, t := range user {
		out = append(out, templateInfo{Name: name, Description: t.Description, User: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (d *Dashboard) editorPage(w http.ResponseWriter, r *http.Request) {
	text, err := d.currentYAML(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if t := r.URL.Query().Get("template"); t != "" {
		text = addTemplate(text, t)
	}
	if !userOf(r).Admin {
		text = hideSecrets(text)
	}
	d.showEditor(w, r, http.StatusOK, editorData{Text: text}, nil)
}

// addTemplate appends a workflow starting from template t to the text.
func addTemplate(text, t string) string {
	if strings.TrimSpace(text) == "workflows: []" {
		text = "workflows:\n"
	}
	return strings.TrimRight(text, "\n") + fmt.Sprintf("\n  - template: %s\n    name: %s (copy)\n", t, t)
}

func (d *Dashboard) showEditor(w http.ResponseWriter, r *http.Request, status int, ed editorData, err error) {
	ts, terr := d.templates(r.Context())
	if terr != nil {
		d.fail(w, r, terr)
		return
	}
	ed.Templates = ts
	d.renderError(w, r, status, "editor", ed, err)
}

// editorPost checks the text with workflow.Load and, unless only checking,
// makes it the account's workflows. Errors keep the text in the editor with
// every position listed.
func (d *Dashboard) editorPost(w http.ResponseWriter, r *http.Request) {
	if !r.PostForm.Has("yaml") {
		d.refuse(w, r, http.StatusBadRequest, "The form has no workflow text, nothing was saved")
		return
	}
	text := r.PostForm.Get("yaml")
	ed := editorData{Text: text, Checked: true}
	if r.FormValue("op") == "check" {
		if _, err := d.loadYAML(r.Context(), editorFile, []byte(text)); err != nil {
			ed.Errors = d.loadErrors(r, err)
			d.showEditor(w, r, http.StatusUnprocessableEntity, ed, errors.New(d.t(r, "editor.err.check")))
			return
		}
		d.showEditor(w, r, http.StatusOK, ed, nil)
		return
	}
	if !userOf(r).Admin {
		defs, err := d.loadYAML(r.Context(), editorFile, []byte(text))
		if err == nil && hasWebhook(defs) {
			err = errWebhookAdminOnly
		}
		if err != nil {
			ed.Errors = d.loadErrors(r, err)
			d.showEditor(w, r, http.StatusUnprocessableEntity, ed, errors.New("nothing was saved: "+err.Error()))
			return
		}
	}
	if r.FormValue("confirm") != "yes" {
		deleted, err := d.wouldDelete(r.Context(), []byte(text))
		if err != nil {
			ed.Errors = d.loadErrors(r, err)
			d.showEditor(w, r, http.StatusUnprocessableEntity, ed, errors.New("nothing was saved: the workflows have errors"))
			return
		}
		if len(deleted) > 0 {
			ed.Deleted, ed.Checked = deleted, false
			d.showEditor(w, r, http.StatusOK, ed, nil)
			return
		}
	}
	n, err := d.ApplyWorkflows(r.Context(), editorFile, []byte(text))
	if err != nil {
		ed.Errors = d.loadErrors(r, err)
		d.showEditor(w, r, http.StatusUnprocessableEntity, ed, errors.New(d.t(r, "editor.err.save")))
		return
	}
	d.ok(w, r, "/workflows", "wf.saved", n)
}

// errWebhookAdminOnly: a non-admin saved workflows that post webhooks.
var errWebhookAdminOnly = errors.New("only an admin can save workflows with a webhook (it sends customer data to another server)")

// hasWebhook reports whether a workflow of defs posts a webhook.
func hasWebhook(defs workflow.Definitions) bool {
	for _, wf := range defs.Workflows {
		for _, st := range wf.Actions {
			if _, ok := st.Action.(*action.Webhook); ok {
				return true
			}
		}
	}
	return false
}

// secretValue matches the value of a secret key in YAML, block or flow style.
var secretValue = regexp.MustCompile(`(\bsecret\s*:[ \t]*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,}#][^,}\n#]*)`)

// hiddenSecret replaces webhook secrets in the editor of non-admins.
const hiddenSecret = `"[hidden]"`

// hideSecrets replaces the value of every secret key in the workflow text.
func hideSecrets(text string) string {
	return secretValue.ReplaceAllString(text, "${1}"+hiddenSecret)
}

// loadYAML parses a workflow file the way the engine will run it.
func (d *Dashboard) loadYAML(ctx context.Context, file string, data []byte) (workflow.Definitions, error) {
	opts, err := d.loadOptions(ctx)
	if err != nil {
		return workflow.Definitions{}, err
	}
	opts.Hours = nil // the file replaces the named hours too
	defs, err := workflow.Load(file, data, opts)
	if err != nil {
		return defs, err
	}
	errs := d.checkAI(file, defs)
	if err := d.checkAgents(ctx, file, defs); err != nil {
		var les workflow.LoadErrors
		if !errors.As(err, &les) {
			return defs, err
		}
		errs = append(errs, les...)
	}
	if len(errs) > 0 {
		return defs, errs
	}
	return defs, nil
}

// ApplyWorkflows loads the workflow file data (named file in errors),
// makes it the account's workflows (saved in the Store by the engine) and
// keeps the text for the editor. It returns how many workflows it holds.
func (d *Dashboard) ApplyWorkflows(ctx context.Context, file string, data []byte) (int, error) {
	defs, err := d.loadYAML(ctx, file, data)
	if err != nil {
		return 0, err
	}
	if err := d.engine.SetWorkflows(ctx, defs); err != nil {
		return 0, err
	}
	return len(defs.Workflows), d.dash.setSetting(ctx, settingYAML, string(data))
}

// loadErrors lists the positioned errors in err in the language of r;
// any other error becomes one entry without position.
func (d *Dashboard) loadErrors(r *http.Request, err error) []*workflow.LoadError {
	tr := d.tr[d.lang(r)]
	var les workflow.LoadErrors
	if errors.As(err, &les) {
		out := make([]*workflow.LoadError, len(les))
		for i, e := range les {
			out[i] = tr.loadError(e)
		}
		return out
	}
	var le *workflow.LoadError
	if errors.As(err, &le) {
		return []*workflow.LoadError{tr.loadError(le)}
	}
	return []*workflow.LoadError{{Msg: err.Error()}}
}

// wouldDelete lists the current workflows the text does not keep (by id).
func (d *Dashboard) wouldDelete(ctx context.Context, text []byte) ([]string, error) {
	defs, err := d.loadYAML(ctx, editorFile, text)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, w := range defs.Workflows {
		keep[w.ID] = true
	}
	var out []string
	for _, w := range d.engine.Workflows() {
		if !keep[w.ID] {
			out = append(out, w.Name)
		}
	}
	return out, nil
}
