package dashboard

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// The Conversations page lists one row per contact and number, newest
// activity first; the conversation page shows its history and executions
// and lets a person assign it, label the contact, exclude it and reply.

// convPath is the page of the conversation (session, phone): the phone's
// digits without "+", so that the URL needs no escaping.
func convPath(session, phone string) string {
	return "/conversations/" + session + "/" + strings.TrimPrefix(phone, "+")
}

// conversationFilter reads the list's filters from the query string.
func conversationFilter(r *http.Request) (workflow.ConversationQuery, map[string]string) {
	q := r.URL.Query()
	form := map[string]string{}
	for _, k := range []string{"session", "agent", "label", "awaiting", "excluded", "q"} {
		form[k] = strings.TrimSpace(q.Get(k))
	}
	cq := workflow.ConversationQuery{Session: form["session"], Label: form["label"], Search: form["q"], After: q.Get("after")}
	switch a := form["agent"]; a {
	case "":
	case "-":
		cq.Agent = new(string)
	default:
		cq.Agent = &a
	}
	cq.Awaiting = yesNo(form["awaiting"])
	cq.Excluded = yesNo(form["excluded"])
	return cq, form
}

// yesNo reads a yes/no filter; anything else means both.
func yesNo(s string) *bool {
	switch s {
	case "yes":
		return new(true)
	case "no":
		return new(false)
	}
	return nil
}

// conversationView is one row of the Conversations page.
type conversationView struct {
	workflow.ConversationRow
	Path  string
	Label string // the number's label
}

func (d *Dashboard) conversationsPage(w http.ResponseWriter, r *http.Request) {
	q, form := conversationFilter(r)
	if q.Search != "" {
		// a typed number is searched as stored: "06 12" finds +33612…
		if p, err := d.normalizePhone(q.Search); err == nil {
			q.Search = p
		}
	}
	page, err := d.store.ListConversations(r.Context(), q)
	data := map[string]any{"Form": form}
	if errors.Is(err, workflow.ErrBadCursor) {
		d.renderError(w, r, http.StatusBadRequest, "conversations", data, errors.New(d.t(r, "conv.err.cursor")))
		return
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	sessions, err := d.liveSessions(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	users, err := d.dash.Users(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	labels := map[string]string{}
	for _, s := range sessions {
		labels[s.ID] = s.Label
	}
	rows := conversationViews(page.Rows, labels)
	if me := userOf(r); !me.Admin && q == (workflow.ConversationQuery{}) {
		// an agent sees its own conversations first
		mine, err := d.store.ListConversations(r.Context(), workflow.ConversationQuery{Agent: &me.User, Limit: 20})
		if err != nil {
			d.fail(w, r, err)
			return
		}
		data["Mine"] = conversationViews(mine.Rows, labels)
	}
	if page.Next != "" {
		nq := r.URL.Query()
		nq.Set("after", page.Next)
		data["NextURL"] = "/conversations?" + nq.Encode()
	}
	data["Rows"], data["Sessions"], data["Users"] = rows, sessions, users
	d.render(w, r, http.StatusOK, "conversations", data)
}

// conversationViews adds each row's page and its number's label.
func conversationViews(rows []workflow.ConversationRow, labels map[string]string) []conversationView {
	out := make([]conversationView, len(rows))
	for i, c := range rows {
		out[i] = conversationView{ConversationRow: c, Path: convPath(c.Session, c.Phone), Label: labels[c.Session]}
	}
	return out
}

// conversation reads the conversation named in the path: its number must
// exist and its phone be a number; it writes 404 itself.
func (d *Dashboard) conversation(w http.ResponseWriter, r *http.Request) (workflow.Session, string, bool) {
	s, ok := d.number(w, r)
	if !ok {
		return s, "", false
	}
	digits := r.PathValue("phone")
	if strings.Trim(digits, "0123456789") != "" {
		http.Error(w, d.t(r, "conv.err.not_found"), http.StatusNotFound)
		return s, "", false
	}
	return s, "+" + digits, true
}

func (d *Dashboard) conversationPage(w http.ResponseWriter, r *http.Request) {
	d.showConversation(w, r, http.StatusOK, nil)
}

// showConversation renders the conversation page, with err (in the
// user's language) when an action was refused.
func (d *Dashboard) showConversation(w http.ResponseWriter, r *http.Request, status int, err error) {
	s, phone, ok := d.conversation(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	conv, cerr := d.store.Conversation(ctx, s.ID, phone)
	if errors.Is(cerr, workflow.ErrNotFound) {
		http.Error(w, d.t(r, "conv.err.not_found"), http.StatusNotFound)
		return
	}
	contact, kerr := d.store.Contact(ctx, phone)
	if errors.Is(kerr, workflow.ErrNotFound) {
		contact, kerr = workflow.Contact{Phone: phone}, nil
	}
	hist, herr := d.store.History(ctx, s.ID, phone, 0, 200)
	execs, ferr := d.store.QueryLogs(ctx, workflow.LogQuery{Session: s.ID, Phone: phone, Limit: 50})
	users, uerr := d.dash.Users(ctx)
	if e := errors.Join(cerr, kerr, herr, ferr, uerr); e != nil {
		d.fail(w, r, e)
		return
	}
	d.renderError(w, r, status, "conversation", map[string]any{
		"Number": s, "Conversation": conv, "Contact": contact, "History": hist, "Executions": execs.Entries,
		"Users": users, "Path": convPath(s.ID, phone), "Reply": r.FormValue("text"),
	}, err)
}

// conversationAssign assigns the conversation to a dashboard user, or
// unassigns it (agent "").
func (d *Dashboard) conversationAssign(w http.ResponseWriter, r *http.Request) {
	s, phone, ok := d.conversation(w, r)
	if !ok {
		return
	}
	agent := strings.TrimSpace(r.FormValue("agent"))
	if agent != "" {
		if _, err := d.dash.User(r.Context(), agent); errors.Is(err, errNoUser) {
			d.showConversation(w, r, http.StatusBadRequest, errors.New(d.t(r, "conv.err.agent", agent)))
			return
		} else if err != nil {
			d.fail(w, r, err)
			return
		}
	}
	if err := d.engine.Assign(r.Context(), s.ID, phone, agent); err != nil {
		d.fail(w, r, err)
		return
	}
	d.log.InfoContext(r.Context(), "conversation assigned", "session", s.ID, "phone", phone, "agent", agent, "by", userOf(r).User)
	if agent == "" {
		d.ok(w, r, convPath(s.ID, phone), "conv.unassigned")
		return
	}
	d.ok(w, r, convPath(s.ID, phone), "conv.assigned", agent)
}

// maxLabel bounds a label's length.
const maxLabel = 40

// conversationLabels adds the comma-separated labels of "add" and removes
// the label "remove".
func (d *Dashboard) conversationLabels(w http.ResponseWriter, r *http.Request) {
	s, phone, ok := d.conversation(w, r)
	if !ok {
		return
	}
	var add []string
	for l := range strings.SplitSeq(r.FormValue("add"), ",") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(add, l) {
			add = append(add, l)
		}
	}
	var remove []string
	if l := strings.TrimSpace(r.FormValue("remove")); l != "" {
		remove = []string{l}
	}
	if len(add) == 0 && len(remove) == 0 {
		d.showConversation(w, r, http.StatusBadRequest, errors.New(d.t(r, "conv.err.label_empty")))
		return
	}
	for _, l := range add {
		// The contacts export separates labels with labelSep: a label
		// holding it would come back as two.
		if strings.Contains(l, labelSep) {
			d.showConversation(w, r, http.StatusBadRequest, errors.New(d.t(r, "contacts.err.label_bar", l)))
			return
		}
		if utf8.RuneCountInString(l) > maxLabel {
			d.showConversation(w, r, http.StatusBadRequest, errors.New(d.t(r, "conv.err.label_long", l, maxLabel)))
			return
		}
	}
	if err := d.engine.Label(r.Context(), phone, add, remove); err != nil {
		d.fail(w, r, err)
		return
	}
	d.log.InfoContext(r.Context(), "labels changed", "phone", phone, "added", add, "removed", remove, "by", userOf(r).User)
	d.ok(w, r, convPath(s.ID, phone), "conv.labels_saved")
}

// conversationExclude excludes the contact from automation, or includes it.
func (d *Dashboard) conversationExclude(w http.ResponseWriter, r *http.Request) {
	s, phone, ok := d.conversation(w, r)
	if !ok {
		return
	}
	exclude := r.FormValue("excluded") == "yes"
	if err := d.engine.Exclude(r.Context(), phone, exclude); err != nil {
		d.fail(w, r, err)
		return
	}
	if exclude {
		d.ok(w, r, convPath(s.ID, phone), "excl.excluded", phone)
		return
	}
	d.ok(w, r, convPath(s.ID, phone), "excl.included", phone)
}

// conversationReply sends a person's reply through the engine's send path.
func (d *Dashboard) conversationReply(w http.ResponseWriter, r *http.Request) {
	s, phone, ok := d.conversation(w, r)
	if !ok {
		return
	}
	_, err := d.engine.AgentReply(r.Context(), s.ID, phone, userOf(r).User, r.FormValue("text"))
	var queued *engine.QueuedError
	switch {
	case errors.As(err, &queued):
		// Kept, shown in the conversation, sent later: said as an error,
		// with why it did not go now.
		d.bad(w, r, convPath(s.ID, phone), "conv.err.reply_queued", queued.Err)
		return
	case errors.Is(err, engine.ErrEmptyText):
		d.showConversation(w, r, http.StatusBadRequest, errors.New(d.t(r, "conv.err.reply_empty")))
		return
	case err != nil:
		d.showConversation(w, r, http.StatusBadGateway, errors.New(d.t(r, "conv.err.reply", err)))
		return
	}
	d.ok(w, r, convPath(s.ID, phone), "conv.replied")
}
