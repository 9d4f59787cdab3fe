package dashboard

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/waauto/waauto/workflow"
)

// The Contacts page lists the shop's customers (search, label and
// excluded filters, keyset pages), edits one contact's name, labels and
// exclusion, and imports and exports them as CSV (contacts_csv.go).
//
// Roles: every user (agents too) sees the list and edits one contact, as
// on a conversation page; importing and exporting are for admins, because
// an import changes many contacts at once and an export takes the whole
// customer book out of the shop.

// contactsPageSize is the number of contacts per page.
const contactsPageSize = 50

// contactRoutes registers the Contacts pages.
func (d *Dashboard) contactRoutes(user, admin func(string, http.HandlerFunc)) {
	user("GET /contacts", d.contactsPage)
	admin("GET /contacts/export.csv", d.contactsExport)
	admin("POST /contacts/import", d.contactsImport)
	user("GET /contacts/{phone}", d.contactPage)
	user("POST /contacts/{phone}", d.contactSave)
}

// contactPath is the page of a contact: its phone's digits.
func contactPath(phone string) string { return "/contacts/" + strings.TrimPrefix(phone, "+") }

// contactView is one row of the Contacts page.
type contactView struct {
	workflow.Contact
	Path, Conversations string
}

// contactFilter reads the list's filters from the query string.
func (d *Dashboard) contactFilter(r *http.Request) (workflow.ContactQuery, map[string]string) {
	q := r.URL.Query()
	form := map[string]string{}
	for _, k := range []string{"q", "label", "excluded"} {
		form[k] = strings.TrimSpace(q.Get(k))
	}
	cq := workflow.ContactQuery{Label: form["label"], Search: form["q"], Excluded: yesNo(form["excluded"]), After: q.Get("after"), Limit: contactsPageSize + 1}
	if p, err := d.normalizePhone(cq.Search); err == nil {
		cq.Search = p // "06 12 34 56 78" finds +33612345678
	}
	return cq, form
}

func (d *Dashboard) contactsPage(w http.ResponseWriter, r *http.Request) {
	d.showContacts(w, r, http.StatusOK, nil, nil)
}

// showContacts renders the Contacts page; imp, when set, is a refused
// import whose problems are listed, err the message at the top.
func (d *Dashboard) showContacts(w http.ResponseWriter, r *http.Request, status int, imp *csvImport, err error) {
	q, form := d.contactFilter(r)
	if r.Method != http.MethodGet {
		q, form = workflow.ContactQuery{Limit: contactsPageSize + 1}, map[string]string{}
	}
	list, lerr := d.store.ListContacts(r.Context(), q)
	if lerr != nil {
		d.fail(w, r, lerr)
		return
	}
	data := map[string]any{"Form": form, "MaxMB": maxCSVBytes >> 20, "MaxRows": maxCSVContacts}
	if len(list) > contactsPageSize {
		list = list[:contactsPageSize]
		nq := r.URL.Query()
		nq.Set("after", list[len(list)-1].Phone)
		data["NextURL"] = "/contacts?" + nq.Encode()
	}
	rows := make([]contactView, len(list))
	for i, c := range list {
		rows[i] = contactView{Contact: c, Path: contactPath(c.Phone), Conversations: "/conversations?" + url.Values{"q": {c.Phone}}.Encode()}
	}
	data["Rows"] = rows
	if imp != nil {
		data["Problems"], data["More"] = d.problemViews(r, imp.Problems), imp.More
	}
	d.renderError(w, r, status, "contacts", data, err)
}

// problemView is a refused line of an import, in the user's language.
type problemView struct {
	Line          int
	Column, Value string
	Why           string
}

func (d *Dashboard) problemViews(r *http.Request, ps []csvProblem) []problemView {
	out := make([]problemView, len(ps))
	for i, p := range ps {
		out[i] = problemView{Line: p.Line, Column: p.Column, Value: p.Value, Why: d.formMessage(r, p.Why).Error()}
	}
	return out
}

// contactsExport streams every contact as CSV, page by page.
func (d *Dashboard) contactsExport(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="contacts.csv"`)
	out, err := newContactsCSV(w)
	q := workflow.ContactQuery{Limit: 1000}
	for err == nil {
		var page []workflow.Contact
		page, err = d.store.ListContacts(r.Context(), q)
		for _, c := range page {
			if err == nil {
				err = out.write(c)
			}
		}
		if err == nil {
			err = out.flush()
		}
		if len(page) < q.Limit {
			break
		}
		q.After = page[len(page)-1].Phone
	}
	if err != nil {
		// the status is sent: the download ends short, and the log says why
		d.log.ErrorContext(r.Context(), "contacts export failed", "err", err)
	}
}

// contactsImport reads an uploaded CSV file and, when every line is good,
// imports it in one store transaction; otherwise it stores nothing and
// lists every problem.
func (d *Dashboard) contactsImport(w http.ResponseWriter, r *http.Request) {
	data, err := d.uploadedCSV(r)
	if err != nil {
		d.showContacts(w, r, http.StatusBadRequest, nil, err)
		return
	}
	imp := parseContactsCSV(data, d.settings().Country)
	if len(imp.Problems) > 0 {
		n := len(imp.Problems) + imp.More
		d.showContacts(w, r, http.StatusBadRequest, &imp, errors.New(d.t(r, "contacts.err.nothing_imported", n)))
		return
	}
	if err := d.store.ImportContacts(r.Context(), imp.Rows); err != nil {
		d.fail(w, r, err)
		return
	}
	d.log.InfoContext(r.Context(), "contacts imported", "count", len(imp.Rows), "by", userOf(r).User)
	d.ok(w, r, "/contacts", "contacts.imported", len(imp.Rows))
}

// uploadedCSV reads the form's file, at most maxCSVBytes; its error is in
// the user's language.
func (d *Dashboard) uploadedCSV(r *http.Request) ([]byte, error) {
	f, _, err := r.FormFile("file")
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, errors.New(d.t(r, "contacts.err.too_large", maxCSVBytes>>20))
	}
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, errors.New(d.t(r, "contacts.err.no_file"))
	}
	if err != nil {
		return nil, errors.New(d.t(r, "form.err.unreadable", err))
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, maxCSVBytes+1))
	if err != nil {
		return nil, errors.New(d.t(r, "form.err.unreadable", err))
	}
	if len(data) > maxCSVBytes {
		return nil, errors.New(d.t(r, "contacts.err.too_large", maxCSVBytes>>20))
	}
	return data, nil
}

// contact reads the contact named in the path; it writes 404 itself.
func (d *Dashboard) contact(w http.ResponseWriter, r *http.Request) (workflow.Contact, bool) {
	digits := r.PathValue("phone")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		http.Error(w, d.t(r, "contacts.err.not_found"), http.StatusNotFound)
		return workflow.Contact{}, false
	}
	c, err := d.store.Contact(r.Context(), "+"+digits)
	if errors.Is(err, workflow.ErrNotFound) {
		http.Error(w, d.t(r, "contacts.err.not_found"), http.StatusNotFound)
		return c, false
	}
	if err != nil {
		d.fail(w, r, err)
		return c, false
	}
	return c, true
}

func (d *Dashboard) contactPage(w http.ResponseWriter, r *http.Request) {
	c, ok := d.contact(w, r)
	if !ok {
		return
	}
	d.showContact(w, r, http.StatusOK, c, contactForm(c), nil)
}

// contactForm is the edit form's fields for c.
func contactForm(c workflow.Contact) map[string]string {
	f := map[string]string{"name": c.Name, "labels": strings.Join(c.Labels, ", ")}
	if c.Excluded {
		f["excluded"] = "yes"
	}
	return f
}

// showContact renders a contact's page with the form's fields and the
// conversations of its phone; err is the refused field's message.
func (d *Dashboard) showContact(w http.ResponseWriter, r *http.Request, status int, c workflow.Contact, form map[string]string, err error) {
	page, cerr := d.store.ListConversations(r.Context(), workflow.ConversationQuery{Search: c.Phone, Limit: 100})
	if cerr != nil {
		d.fail(w, r, cerr)
		return
	}
	sessions, serr := d.liveSessions(r)
	if serr != nil {
		d.fail(w, r, serr)
		return
	}
	labels := map[string]string{}
	for _, s := range sessions {
		labels[s.ID] = s.Label
	}
	// the search is "contains": keep this phone's conversations only
	rows := slices.DeleteFunc(page.Rows, func(row workflow.ConversationRow) bool { return row.Phone != c.Phone })
	d.renderError(w, r, status, "contact", map[string]any{
		"Contact": c, "Form": form, "Path": contactPath(c.Phone), "Conversations": conversationViews(rows, labels),
	}, err)
}

// contactSave saves the edit form: the name, the labels (comma-separated)
// and the exclusion, all or nothing.
func (d *Dashboard) contactSave(w http.ResponseWriter, r *http.Request) {
	c, ok := d.contact(w, r)
	if !ok {
		return
	}
	form := map[string]string{"name": r.FormValue("name"), "labels": r.FormValue("labels"), "excluded": r.FormValue("excluded")}
	row, err := parseContactForm(c.Phone, form)
	if err != nil {
		d.showContact(w, r, http.StatusBadRequest, c, form, d.formMessage(r, err))
		return
	}
	if err := d.store.ImportContacts(r.Context(), []workflow.ContactImport{row}); err != nil {
		d.fail(w, r, err)
		return
	}
	d.log.InfoContext(r.Context(), "contact saved", "phone", c.Phone, "labels", row.Labels, "excluded", row.Excluded, "by", userOf(r).User)
	d.ok(w, r, contactPath(c.Phone), "contacts.saved", c.Phone)
}

// parseContactForm reads a contact's edit form: a name of at most
// maxContactName characters, labels separated by commas (each at most
// maxLabel characters, no "|": the export separates labels with it) and
// the excluded checkbox.
func parseContactForm(phone string, form map[string]string) (workflow.ContactImport, error) {
	row := workflow.ContactImport{Phone: phone, Name: strings.TrimSpace(form["name"]), Excluded: form["excluded"] == "yes",
		Set: workflow.ContactFieldName | workflow.ContactFieldLabels | workflow.ContactFieldExcluded}
	if utf8.RuneCountInString(row.Name) > maxContactName {
		return row, invalid("contacts.err.name_long", maxContactName)
	}
	for l := range strings.SplitSeq(form["labels"], ",") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || slices.Contains(row.Labels, l):
			continue
		case strings.Contains(l, labelSep):
			return row, invalid("contacts.err.label_bar", l)
		case utf8.RuneCountInString(l) > maxLabel:
			return row, invalid("conv.err.label_long", l, maxLabel)
		}
		row.Labels = append(row.Labels, l)
	}
	return row, nil
}

// String is the problem as the log shows it.
func (p csvProblem) String() string {
	return fmt.Sprintf("line %d, column %q (%q): %v", p.Line, p.Column, p.Value, p.Why)
}
