package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/lint"
)

// The visual builder edits one workflow at a time. Its form state is the
// workflow in the file format, as JSON (what workflow.Marshal writes): the
// page's script renders the form from it and builds it back from the form,
// and every input carries the path of its value in that document
// ("conditions.all[1].schedule.from"), which is also the path of the
// loader's errors. The server loads that document (or the YAML tab's text)
// with the real loader, so the builder accepts exactly what files accept.

// draftFile names the builder's text in error positions.
const draftFile = "workflow.yaml"

// builderRequest is what the builder's script posts.
type builderRequest struct {
	// Original is the id of the workflow being edited; "" for a new one.
	Original string `json:"original"`
	// Workflow is the form state; YAML the YAML tab's text (used when set).
	Workflow json.RawMessage `json:"workflow,omitempty"`
	YAML     string          `json:"yaml,omitempty"`
	// Template names the template to save the draft as.
	Template string `json:"template,omitempty"`
	// Message is the sample message of "Try it here".
	Message *sampleMessage `json:"message,omitempty"`
	// Days is the period of "Test against the last 30 days"; 0 means 30.
	Days int `json:"days,omitempty"`
}

// fieldError is a loader error as the builder shows it, beside the input
// whose data-path is Path.
type fieldError struct {
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Msg    string `json:"msg"`
	Text   string `json:"text"`
	// key and args are the catalogue's message, when Msg is not set yet:
	// answerDraft writes it in the user's language; so it does with load,
	// the loader's error.
	key  string
	args []any
	load *workflow.LoadError
}

// builderReply is the answer to every builder request.
type builderReply struct {
	OK       bool            `json:"ok"`
	Workflow json.RawMessage `json:"workflow,omitempty"`
	YAML     string          `json:"yaml,omitempty"`
	Errors   []fieldError    `json:"errors,omitempty"`
	Redirect string          `json:"redirect,omitempty"`
	Msg      string          `json:"msg,omitempty"`
	Try      *tryResult      `json:"try,omitempty"`
	Replay   *replayResult   `json:"replay,omitempty"`
	// Lint are the linter's findings on the draft among the saved
	// workflows (check only); unlike Errors they do not block saving.
	Lint []lint.Finding `json:"lint,omitempty"`
}

// errDraft: the draft has errors; they are in the reply.
var errDraft = errors.New("the workflow has errors")

// draftError lists the problems of a draft.
type draftError []fieldError

func (e draftError) Error() string { return errDraft.Error() }

func (e draftError) Unwrap() error { return errDraft }

// fieldErr is the error of the input at path, the catalogue's message key
// formatted with args.
func fieldErr(path, key string, args ...any) draftError {
	return draftError{{Path: path, key: key, args: args}}
}

// translated is de with its messages in the language of tr.
func (de draftError) translated(tr translator) draftError {
	out := slices.Clone(de)
	for i, e := range out {
		if e.load != nil {
			le := tr.loadError(e.load)
			out[i].Msg, out[i].Text = le.Msg, le.Error()
			continue
		}
		if e.key == "" {
			continue
		}
		out[i].Msg = tr.T(e.key, e.args...)
		out[i].Text = out[i].Msg
		if e.Path != "" {
			out[i].Text = e.Path + ": " + out[i].Msg
		}
	}
	return out
}

// loadOptions are those the engine runs the account's workflows with.
func (d *Dashboard) loadOptions(ctx context.Context) (workflow.LoadOptions, error) {
	opts := d.engine.LoadOptions()
	var err error
	opts.Templates, err = d.engine.Templates(ctx)
	opts.Hours = d.engine.Hours()
	opts.NormalizePhone = d.normalizePhone
	return opts, err
}

// parseDraft loads the draft of req: exactly one workflow, no hours.
func (d *Dashboard) parseDraft(ctx context.Context, req builderRequest) (workflow.Workflow, error) {
	text := []byte(req.YAML)
	if req.YAML == "" {
		text = req.Workflow
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return workflow.Workflow{}, fieldErr("", "builder.err.empty")
	}
	opts, err := d.loadOptions(ctx)
	if err != nil {
		return workflow.Workflow{}, err
	}
	defs, err := workflow.Load(draftFile, text, opts)
	if err != nil {
		var les workflow.LoadErrors
		if !errors.As(err, &les) {
			return workflow.Workflow{}, err
		}
		out := make(draftError, len(les))
		for i, le := range les {
			out[i] = fieldError{Path: le.Path, Line: le.Line, Column: le.Column, Msg: le.Msg, Text: le.Error(), load: le}
		}
		return workflow.Workflow{}, out
	}
	switch {
	case len(defs.Hours) > 0:
		return workflow.Workflow{}, fieldErr("hours", "builder.err.hours")
	case len(defs.Workflows) != 1:
		return workflow.Workflow{}, fieldErr("", "builder.err.count", len(defs.Workflows))
	}
	return defs.Workflows[0], nil
}

// checkSave reports what would make saving w (replacing original) fail:
// a name or id another workflow has, a webhook saved by a non-admin.
func (d *Dashboard) checkSave(r *http.Request, w workflow.Workflow, original string) error {
	var errs draftError
	for _, o := range d.engine.Workflows() {
		if o.ID == original {
			continue
		}
		if o.Name == w.Name {
			errs = append(errs, fieldErr("name", "builder.err.name_taken", w.Name)...)
		} else if o.ID == w.ID {
			errs = append(errs, fieldErr("id", "builder.err.id_taken", w.ID, o.Name)...)
		}
	}
	if !userOf(r).Admin {
		for i, s := range w.Actions {
			if s.Type == "webhook" {
				errs = append(errs, fieldErr(fmt.Sprintf("actions[%d].webhook", i), "builder.err.webhook_admin")...)
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// stateOf is the form state of w: its file-format JSON.
func (d *Dashboard) stateOf(w workflow.Workflow) (json.RawMessage, error) {
	return workflow.Marshal(w, d.reg)
}

// shownTo is w as user r may see it: webhook secrets hidden from
// non-admins (as in the YAML editor).
func shownTo(r *http.Request, w workflow.Workflow) workflow.Workflow {
	if userOf(r).Admin {
		return w
	}
	w.Actions = slices.Clone(w.Actions)
	for i, s := range w.Actions {
		if wh, ok := s.Action.(*action.Webhook); ok && wh.Secret != "" {
			c := *wh
			c.Secret = strings.Trim(hiddenSecret, `"`)
			w.Actions[i].Action = &c
		}
	}
	return w
}

// yamlOf is w as the YAML tab shows it.
func (d *Dashboard) yamlOf(w workflow.Workflow) (string, error) {
	js, err := d.stateOf(w)
	if err != nil {
		return "", err
	}
	y, err := yaml.JSONToYAML(js)
	return string(y), err
}

// readBuilder decodes a builder request; false when it answered already.
func (d *Dashboard) readBuilder(w http.ResponseWriter, r *http.Request) (builderRequest, bool) {
	var req builderRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, builderReply{Errors: fieldErr("", "builder.err.bad_request", err).translated(d.tr[d.lang(r)])})
		return req, false
	}
	return req, true
}

// answerDraft writes the errors of err, or fails.
func (d *Dashboard) answerDraft(w http.ResponseWriter, r *http.Request, err error) {
	var de draftError
	if errors.As(err, &de) {
		writeJSON(w, http.StatusUnprocessableEntity, builderReply{Errors: de.translated(d.tr[d.lang(r)])})
		return
	}
	d.log.ErrorContext(r.Context(), "builder request failed", "path", r.URL.Path, "err", err)
	writeJSON(w, http.StatusInternalServerError, builderReply{Errors: fieldErr("", "err.internal").translated(d.tr[d.lang(r)])})
}

// builderCheck loads the draft and answers its form state and YAML: the
// YAML tab and the form switch through it, and the form validates as
// the user types. It also answers the linter's findings on the draft.
func (d *Dashboard) builderCheck(w http.ResponseWriter, r *http.Request) {
	wf, req, ok := d.savableDraft(w, r)
	if !ok {
		return
	}
	findings, err := d.draftFindings(r.Context(), wf, req.Original)
	if err != nil {
		d.answerDraft(w, r, err)
		return
	}
	d.answerWorkflow(w, r, wf, builderReply{OK: true, Lint: d.tr[d.lang(r)].findings(findings)})
}

// savableDraft reads the request's draft and checks that it could be
// saved; when not, it answers the errors and returns false.
func (d *Dashboard) savableDraft(w http.ResponseWriter, r *http.Request) (workflow.Workflow, builderRequest, bool) {
	req, ok := d.readBuilder(w, r)
	if !ok {
		return workflow.Workflow{}, req, false
	}
	wf, err := d.parseDraft(r.Context(), req)
	if err == nil {
		err = d.checkSave(r, wf, req.Original)
	}
	if err != nil {
		d.answerDraft(w, r, err)
		return wf, req, false
	}
	return wf, req, true
}

func (d *Dashboard) answerWorkflow(w http.ResponseWriter, r *http.Request, wf workflow.Workflow, rep builderReply) {
	wf = shownTo(r, wf)
	var err error
	if rep.Workflow, err = d.stateOf(wf); err == nil {
		rep.YAML, err = d.yamlOf(wf)
	}
	if err != nil {
		d.answerDraft(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// builderSave saves only the draft's workflow: it replaces the workflow
// req.Original (or is added last); the others keep their definitions.
// Nothing is saved while any error remains.
func (d *Dashboard) builderSave(w http.ResponseWriter, r *http.Request) {
	wf, req, ok := d.savableDraft(w, r)
	if !ok {
		return
	}
	if err := d.putWorkflow(r.Context(), wf, req.Original); err != nil {
		d.answerDraft(w, r, err)
		return
	}
	d.answerWorkflow(w, r, wf, builderReply{OK: true, Redirect: "/workflows/" + wf.ID, Msg: d.t(r, "builder.saved", wf.Name)})
}

// putWorkflow replaces the workflow whose id is original with wf, or adds
// wf when original is "".
func (d *Dashboard) putWorkflow(ctx context.Context, wf workflow.Workflow, original string) error {
	err := d.engine.UpdateWorkflows(ctx, func(ws []workflow.Workflow) ([]workflow.Workflow, error) {
		ws, ok := withDraft(ws, wf, original)
		if !ok {
			return nil, fieldErr("", "builder.err.gone", original)
		}
		return ws, nil
	})
	if err == nil {
		// The whole-set editor shows the current workflows again.
		err = d.dash.setSetting(ctx, settingYAML, "")
	}
	return err
}

// builderData is what the builder page embeds for its script.
type builderData struct {
	Original string          `json:"original"`
	Name     string          `json:"-"`
	Workflow json.RawMessage `json:"workflow"`
	Catalog  catalog         `json:"catalog"`
	Admin    bool            `json:"admin"`
	// Texts are the script's texts in the user's language (scriptTexts).
	Texts map[string]string `json:"texts"`
}

// scriptPrefixes name the catalogue keys the builder's script uses (its
// own, and the replay panel's); builder.page.* are the template's.
var scriptPrefixes = []string{"builder.", "replay."}

// rawCatalogues are the catalogues as read, texts unformatted.
var rawCatalogues = sync.OnceValues(catalogues)

// scriptTexts are the texts of the builder's script in lang, unformatted
// (the script fills in their fmt verbs).
func scriptTexts(lang string) (map[string]string, error) {
	cats, err := rawCatalogues()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range cats[lang] {
		if !strings.HasPrefix(k, "builder.page.") && slices.ContainsFunc(scriptPrefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			out[k] = v
		}
	}
	return out, nil
}

// catalog is what the form offers: the file format's leaves and
// operators, the actions and their fields, and what exists in the account.
type catalog struct {
	Triggers     []trigger.Kind      `json:"triggers"`
	Conditions   []string            `json:"conditions"`
	Operators    map[string][]string `json:"operators"`
	MessageTypes []string            `json:"messageTypes"`
	Hours        []string            `json:"hours"`
	Labels       []string            `json:"labels"`
	Agents       []string            `json:"agents"`
	Sessions     []string            `json:"sessions"`
	Zones        []string            `json:"zones"`
	TimeZone     string              `json:"timeZone"`
	Actions      []actionInfo        `json:"actions"`
	Placeholders []string            `json:"placeholders"`
	Sample       map[string]string   `json:"sample"`
}

type actionInfo struct {
	Name   string         `json:"name"`
	Fields []action.Field `json:"fields"`
	Custom bool           `json:"custom,omitempty"`
	Admin  bool           `json:"admin,omitempty"`
}

// zones are offered in the time-zone picker; any IANA name is accepted.
var zones = []string{"UTC", "Europe/Paris", "Europe/London", "Europe/Brussels", "Europe/Madrid", "Europe/Berlin",
	"Europe/Rome", "Europe/Lisbon", "Europe/Zurich", "Africa/Casablanca", "Africa/Abidjan", "Africa/Dakar",
	"Africa/Tunis", "Africa/Algiers", "Africa/Lagos", "Africa/Johannesburg", "America/New_York", "America/Chicago",
	"America/Denver", "America/Los_Angeles", "America/Montreal", "America/Mexico_City", "America/Bogota",
	"America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
	"Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "Indian/Reunion", "America/Martinique", "America/Guadeloupe",
	"America/Cayenne", "Pacific/Noumea", "Pacific/Tahiti", "Indian/Mayotte"}

var builtinActions = []string{"reply", "ai_reply", "assign", "label", "webhook"}

func (d *Dashboard) catalog(ctx context.Context) (catalog, error) {
	c := catalog{
		Triggers:   []trigger.Kind{trigger.KindIncomingMessage, trigger.KindNewContact},
		Conditions: workflow.ConditionTypes(), Operators: workflow.ConditionOperators(),
		Hours: slices.AppendSeq([]string{}, maps.Keys(d.engine.Hours())), Zones: zones, TimeZone: d.location().String(),
		Placeholders: action.Placeholders,
		Sample:       map[string]string{"contact.name": sampleName, "contact.phone": "+33612345678", "session.label": "Boutique", "agent": "alice"},
	}
	for _, t := range trigger.MessageTypes {
		c.MessageTypes = append(c.MessageTypes, string(t))
	}
	for _, name := range d.reg.Names() {
		fields, _ := d.reg.Fields(name)
		c.Actions = append(c.Actions, actionInfo{Name: name, Fields: fields, Custom: !slices.Contains(builtinActions, name), Admin: name == "webhook"})
	}
	labels, agents := map[string]bool{}, map[string]bool{}
	contacts, err := d.store.ListContacts(ctx, workflow.ContactQuery{Limit: 1000})
	if err != nil {
		return c, err
	}
	for _, ct := range contacts {
		for _, l := range ct.Labels {
			labels[l] = true
		}
	}
	users, err := d.dash.Users(ctx)
	if err != nil {
		return c, err
	}
	for _, u := range users {
		agents[u.Name] = true
	}
	for _, w := range d.engine.Workflows() {
		collectNames(w, labels, agents)
	}
	slices.Sort(c.Hours)
	c.Labels, c.Agents = slices.AppendSeq([]string{}, maps.Keys(labels)), slices.AppendSeq([]string{}, maps.Keys(agents))
	slices.Sort(c.Labels)
	slices.Sort(c.Agents)
	c.Sessions, err = d.numberIDs(ctx)
	return c, err
}

// collectNames adds the labels and agents w names to the pickers.
func collectNames(w workflow.Workflow, labels, agents map[string]bool) {
	for _, l := range condition.Leaves(w.Conditions) {
		switch n := l.Node.(type) {
		case condition.Labels:
			for _, v := range n.Values {
				labels[v] = true
			}
		case condition.Agent:
			if n.ID != "" {
				agents[n.ID] = true
			}
		}
	}
	for _, s := range w.Actions {
		switch a := s.Action.(type) {
		case *action.Label:
			for _, v := range slices.Concat(a.Add, a.Remove) {
				labels[v] = true
			}
		case *action.Assign:
			for _, v := range append([]string{a.Agent}, a.Agents...) {
				if v != "" {
					agents[v] = true
				}
			}
		}
	}
}

// blankWorkflow is the new-workflow form: a reply to every message.
const blankWorkflow = `{"name": "", "trigger": "incoming_message", "actions": [{"reply": {"text": ""}}]}`

// builderPage shows one workflow's builder: /workflows/new (blank, or
// ?template=NAME prefilled) or /workflows/{id}.
func (d *Dashboard) builderPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	data := builderData{Admin: userOf(r).Admin, Workflow: json.RawMessage(blankWorkflow)}
	var wf workflow.Workflow
	found := false
	switch {
	case id != "":
		i := slices.IndexFunc(d.engine.Workflows(), func(w workflow.Workflow) bool { return w.ID == id })
		if i < 0 {
			d.bad(w, r, "/workflows", "builder.err.no_workflow", id)
			return
		}
		wf, found, data.Original = d.engine.Workflows()[i], true, id
	case r.URL.Query().Get("template") != "":
		t, err := d.fromTemplate(r.Context(), r.URL.Query().Get("template"))
		if err != nil {
			d.bad(w, r, "/templates", "builder.err.template", err)
			return
		}
		wf, found = t, true
	}
	if found {
		st, err := d.stateOf(shownTo(r, wf))
		if err != nil {
			d.fail(w, r, err)
			return
		}
		data.Workflow, data.Name = st, wf.Name
	}
	c, err := d.catalog(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data.Catalog = c
	if data.Texts, err = scriptTexts(d.lang(r)); err != nil {
		d.fail(w, r, err)
		return
	}
	d.render(w, r, http.StatusOK, "builder", data)
}

// fromTemplate is a new workflow started from the named template, with a
// name no workflow has yet.
func (d *Dashboard) fromTemplate(ctx context.Context, name string) (workflow.Workflow, error) {
	opts, err := d.loadOptions(ctx)
	if err != nil {
		return workflow.Workflow{}, err
	}
	defs, err := workflow.Load(draftFile, fmt.Appendf(nil, "template: %q\n", name), opts)
	if err != nil {
		return workflow.Workflow{}, fmt.Errorf("template %q: %w", name, err)
	}
	wf := defs.Workflows[0]
	wf.Template = "" // the builder's workflow stands alone: every value is in the form
	taken := map[string]bool{}
	for _, o := range d.engine.Workflows() {
		taken[o.Name], taken[o.ID] = true, true
	}
	base := wf.Name
	for i := 2; taken[wf.Name] || taken[workflow.Slug(wf.Name)]; i++ {
		wf.Name = fmt.Sprintf("%s (%d)", base, i)
	}
	wf.ID = workflow.Slug(wf.Name)
	return wf, nil
}

// marshalJS is data for a <script type="application/json"> block.
func marshalJS(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true) // <, > and & escaped: the block cannot be closed early
	err := enc.Encode(v)
	return b.String(), err
}

// builderRoutes adds the builder, the list's per-row controls and the
// template gallery.
func (d *Dashboard) builderRoutes(user func(pattern string, h http.HandlerFunc)) {
	user("GET /workflows/new", d.builderPage)
	user("GET /workflows/{id}", d.builderPage)
	user("POST /workflows/check", d.builderCheck)
	user("POST /workflows/save", d.builderSave)
	user("POST /workflows/try", d.builderTry)
	user("POST /workflows/replay", d.builderReplay)
	user("POST /workflows/{id}/enabled", d.workflowEnabled)
	user("POST /workflows/{id}/move", d.workflowMove)
	user("GET /templates", d.templatesPage)
	user("POST /templates", d.templateSave)
	user("POST /templates/{name}/delete", d.templateDelete)
}
