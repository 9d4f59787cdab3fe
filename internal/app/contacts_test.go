package app

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/waauto/waauto/workflow"
)

// upload posts data as the file of the contacts' import form.
func (c *client) upload(path, name string, data []byte) (int, string, *http.Response) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", c.base+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

// contacts lists every stored contact.
func (ta *testApp) contacts(t *testing.T) []workflow.Contact {
	t.Helper()
	cs, err := ta.store.ListContacts(t.Context(), workflow.ContactQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestContacts: the Contacts page's routes with their roles; the list's
// search, filters and pages; editing one contact (a bad field saves
// nothing); an import with bad lines imports nothing and names each;
// a good one merges; the export reads back as the same contacts.
func TestContacts(t *testing.T) {
	ta := startApp(t, "")
	ta.addUser(t, "lea", "agent password 1", false)
	admin, agent, anon := ta.client(t), ta.client(t), ta.client(t)
	admin.login("admin", testPassword)
	agent.login("lea", "agent password 1")
	if code, _, _ := admin.post("/settings/shop", url.Values{"time_zone": {"Europe/Paris"}, "lang": {"en"}, "country": {"FR"}}); code != http.StatusSeeOther {
		t.Fatalf("shop settings: %d", code)
	}
	simSend(t, admin, "+33600000001", "bonjour") // a conversation, and its contact
	ctx := t.Context()
	if err := ta.store.PutContact(ctx, workflow.Contact{Phone: "+33600000001", Name: "Alice", Labels: []string{"old"}}); err != nil {
		t.Fatal(err)
	}

	// Roles: anonymous requests are refused; an agent sees and edits, an
	// admin also imports and exports.
	good := []byte("phone,name,labels,excluded\n06 00 00 00 01,Alice Martin,vip|commande,no\n0033 6 00 00 00 02,Bob,,oui\n")
	for _, c := range []struct {
		who    *client
		method string
		path   string
		want   int
	}{
		{anon, "GET", "/contacts", http.StatusSeeOther},
		{anon, "GET", "/contacts/export.csv", http.StatusSeeOther},
		{anon, "POST", "/contacts/import", http.StatusUnauthorized},
		{anon, "GET", "/contacts/33600000001", http.StatusSeeOther},
		{anon, "POST", "/contacts/33600000001", http.StatusUnauthorized},
		{agent, "GET", "/contacts", http.StatusOK},
		{agent, "GET", "/contacts/33600000001", http.StatusOK},
		{agent, "GET", "/contacts/export.csv", http.StatusForbidden},
		{agent, "POST", "/contacts/import", http.StatusForbidden},
		{admin, "GET", "/contacts/33699999999", http.StatusNotFound},
		{admin, "GET", "/contacts/abc", http.StatusNotFound},
		{admin, "POST", "/contacts/33699999999", http.StatusNotFound},
	} {
		var code int
		switch {
		case c.method == "GET":
			code, _ = c.who.get(c.path)
		case c.path == "/contacts/import":
			code, _, _ = c.who.upload(c.path, "contacts.csv", good)
		default:
			code, _, _ = c.who.post(c.path, url.Values{"name": {"Mallory"}})
		}
		if code != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, code, c.want)
		}
	}
	if cs := ta.contacts(t); len(cs) != 1 || cs[0].Name != "Alice" {
		t.Fatalf("refused requests changed the contacts: %+v", cs)
	}
	if _, body := agent.get("/contacts"); strings.Contains(body, `id="import"`) || strings.Contains(body, "export.csv") {
		t.Errorf("an agent is offered the import or the export")
	}
	if _, body := admin.get("/contacts"); !strings.Contains(body, `id="import"`) || !strings.Contains(body, `href="/contacts/export.csv"`) ||
		!strings.Contains(body, `href="/contacts"`) {
		t.Errorf("the admin's page has no import, no export or no nav entry")
	}

	// A file with bad lines: nothing imported, every problem with its line.
	bad := []byte("phone,name,labels,excluded\n" +
		"06 00 00 00 01,Alice Martin,vip,no\n" +
		"06 12,Short,,no\n" +
		"0600000003,Carl,,peut-être\n" +
		"+33 6 00 00 00 01,Again,,no\n")
	code, body, _ := admin.upload("/contacts/import", "contacts.csv", bad)
	if code != http.StatusBadRequest || !strings.Contains(body, `class="error" role="alert"`) || !strings.Contains(body, "Nothing was imported: the file has 3 problem(s)") {
		t.Fatalf("bad file: %d, want 400 with the error shown:\n%s", code, body)
	}
	for _, want := range []string{
		"<td>3</td><td>phone</td><td><code>06 12</code></td><td class=\"error\">too few digits</td>",
		"<td>4</td><td>excluded</td><td><code>peut-être</code></td><td class=\"error\">&#34;peut-être&#34; is not yes or no",
		"<td>5</td><td>phone</td>",
		"the number &#43;33600000001 is already on line 2",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("bad file: the page lacks %q", want)
		}
	}
	if cs := ta.contacts(t); len(cs) != 1 || cs[0].Name != "Alice" {
		t.Fatalf("a refused import changed the contacts: %+v", cs)
	}
	// in French
	admin.header.Set("Accept-Language", "fr")
	if _, body, _ := admin.upload("/contacts/import", "contacts.csv", bad); !strings.Contains(body, "Rien n’a été importé") || !strings.Contains(body, "il manque des chiffres") {
		t.Errorf("bad file in French: the message is not French")
	}
	admin.header.Del("Accept-Language")

	// Other refusals: no file, an unknown column, a file too large.
	if code, body, _ := admin.post("/contacts/import", url.Values{}); code != http.StatusBadRequest || !strings.Contains(body, "Choose a CSV file") {
		t.Errorf("no file: %d", code)
	}
	if _, body, _ := admin.upload("/contacts/import", "c.csv", []byte("phone,email\n0600000009,a@b.c\n")); !strings.Contains(body, "unknown column &#34;email&#34;") {
		t.Errorf("unknown column: not named")
	}
	if code, body, _ := admin.upload("/contacts/import", "c.csv", bytes.Repeat([]byte("0600000009\n"), 3<<20/11+1)); code != http.StatusBadRequest || !strings.Contains(body, "too large: at most 3 MB") {
		t.Errorf("3 MB file: %d, want 400 and the limit", code)
	}
	if code, body, _ := admin.upload("/contacts/import", "c.csv", bytes.Repeat([]byte("0600000009\n"), 5<<20/11)); code != http.StatusBadRequest || !strings.Contains(body, "too large: at most 3 MB") {
		t.Errorf("5 MB file (over the request limit): %d, want 400 and the limit", code)
	}
	if len(ta.contacts(t)) != 1 {
		t.Fatalf("a refused import stored contacts")
	}

	// The good file: imported in one go, merged into the existing contact.
	if code, _, resp := admin.upload("/contacts/import", "contacts.csv", good); code != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "2+contact") {
		t.Fatalf("good file: %d %s", code, resp.Header.Get("Location"))
	}
	cs := ta.contacts(t)
	if len(cs) != 2 || cs[0].Name != "Alice Martin" || !slices.Equal(cs[0].Labels, []string{"vip", "commande"}) || cs[0].Excluded ||
		cs[1].Phone != "+33600000002" || cs[1].Name != "Bob" || !cs[1].Excluded || !cs[1].Imported {
		t.Fatalf("after the import: %+v", cs)
	}

	// The list: search by name and by a typed number, label and excluded
	// filters, each row linking to its page and conversations.
	for q, want := range map[string]string{
		"q=martin":                               "&#43;33600000001",
		"q=" + url.QueryEscape("06 00 00 00 02"): "&#43;33600000002",
		"label=commande":                         "&#43;33600000001",
		"excluded=yes":                           "&#43;33600000002",
		"excluded=no":                            "&#43;33600000001",
	} {
		_, body := agent.get("/contacts?" + q)
		if !strings.Contains(body, want) || strings.Count(body, "<tr>") != 2 {
			t.Errorf("filter %s: want only %s", q, want)
		}
	}
	if _, body := agent.get("/contacts"); !strings.Contains(body, `href="/contacts/33600000001"`) || !strings.Contains(body, `href="/conversations?q=%2B33600000001"`) {
		t.Errorf("list: no link to the contact or its conversations")
	}
	if _, body := agent.get("/contacts/33600000001"); !strings.Contains(body, `href="/conversations/simulator/33600000001"`) {
		t.Errorf("contact page: no link to its conversation")
	}

	// Pages: 120 contacts in three pages of 50, 50 and 22.
	var many strings.Builder
	many.WriteString("phone\n")
	for i := range 120 {
		fmt.Fprintf(&many, "+336100%05d\n", i)
	}
	if code, _, _ := admin.upload("/contacts/import", "many.csv", []byte(many.String())); code != http.StatusSeeOther {
		t.Fatalf("120 contacts: %d", code)
	}
	next, seen := "/contacts", 0
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("more than 3 pages")
		}
		_, body := admin.get(next)
		seen += strings.Count(body, "<tr>") - 1
		next = ""
		if i := strings.Index(body, `id="next-page"`); i >= 0 {
			start := strings.LastIndex(body[:i], `href="`) + len(`href="`)
			next = strings.ReplaceAll(body[start:strings.Index(body[start:], `"`)+start], "&amp;", "&")
		}
	}
	if seen != 122 {
		t.Errorf("the pages show %d contacts, want 122", seen)
	}

	// Editing: a bad field saves nothing and says why; a good form saves.
	page := "/contacts/33600000002"
	code, body, _ = agent.post(page, url.Values{"name": {strings.Repeat("x", 101)}, "labels": {"a"}, "excluded": {"yes"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "Name: at most 100 characters") || !strings.Contains(body, `value="`+strings.Repeat("x", 101)+`"`) {
		t.Errorf("long name: %d, want 400, the error and the typed value kept", code)
	}
	if code, body, _ := agent.post(page, url.Values{"name": {"Bob"}, "labels": {"a|b"}}); code != http.StatusBadRequest || !strings.Contains(body, "contains |") {
		t.Errorf("label with |: %d", code)
	}
	if c, _ := ta.store.Contact(ctx, "+33600000002"); c.Name != "Bob" || len(c.Labels) != 0 || !c.Excluded {
		t.Fatalf("refused edits changed the contact: %+v", c)
	}
	if code, _, _ := agent.post(page, url.Values{"name": {" Robert "}, "labels": {"vip, lead ,vip"}}); code != http.StatusSeeOther {
		t.Fatalf("edit: %d", code)
	}
	if c, _ := ta.store.Contact(ctx, "+33600000002"); c.Name != "Robert" || !slices.Equal(c.Labels, []string{"vip", "lead"}) || c.Excluded {
		t.Errorf("after the edit: %+v", c)
	}

	// Export: every contact, and it imports back to the same contacts.
	code, csvText, resp := admin.do("GET", "/contacts/export.csv", nil)
	if code != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", code, resp.Header)
	}
	if n := strings.Count(csvText, "\r\n"); n != 123 {
		t.Errorf("export: %d lines, want the header and 122 contacts", n)
	}
	before := ta.contacts(t)
	if code, _, _ := admin.upload("/contacts/import", "export.csv", []byte(csvText)); code != http.StatusSeeOther {
		t.Fatalf("re-import of the export: %d", code)
	}
	after := ta.contacts(t)
	if len(after) != len(before) {
		t.Fatalf("re-import: %d contacts, had %d", len(after), len(before))
	}
	for i := range before {
		b, a := before[i], after[i]
		if a.Phone != b.Phone || a.Name != b.Name || !slices.Equal(a.Labels, b.Labels) || a.Excluded != b.Excluded || a.Imported != b.Imported || !a.CreatedAt.Equal(b.CreatedAt) {
			t.Errorf("re-import changed %+v into %+v", b, a)
		}
	}
}
