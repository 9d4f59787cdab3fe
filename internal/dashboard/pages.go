package dashboard

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

//go:embed web
var webFS embed.FS

// staticFS serves web/static (CSS, JS) under /static/.
func staticFS() fs.FS {
	sub, err := fs.Sub(webFS, "web/static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// pages are the parsed page templates by language and name, each with
// the layout.
type pages map[string]map[string]*template.Template

// pageNames lists web/templates/NAME.html; layout.html wraps them, and
// partials/*.html define the pieces several pages share.
var pageNames = []string{"login", "numbers", "link", "workflows", "editor", "exclusions", "scheduled", "logs", "ai", "settings", "simulator", "error", "builder", "templates", "shop", "conversations", "conversation", "userdelete", "doc", "contacts", "contact"}

// parsePages parses every page once per language, with T bound to the
// language's translator.
func (d *Dashboard) parsePages() (pages, error) {
	out := pages{}
	for lang, tr := range d.tr {
		funcs := template.FuncMap{
			"T":           tr.T,
			"reason":      tr.reason,
			"detail":      tr.detail,
			"actionError": tr.actionError,
			"leaf":        tr.leaf,
			"when":        d.when,
			"join":        strings.Join,
			"dict":        dict,
			"json": func(v any) (template.JS, error) {
				s, err := marshalJS(v)
				return template.JS(s), err
			},
			"tz": func() string { return d.location().String() },
		}
		layout, err := template.New("layout.html").Funcs(funcs).ParseFS(webFS, "web/templates/layout.html", "web/templates/partials/*.html")
		if err != nil {
			return nil, err
		}
		out[lang] = map[string]*template.Template{}
		for _, n := range pageNames {
			t, err := layout.Clone()
			if err == nil {
				t, err = t.ParseFS(webFS, "web/templates/"+n+".html")
			}
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", n, err)
			}
			out[lang][n] = t
		}
	}
	return out, nil
}

// dict makes a map of its key, value arguments, to pass several values
// to a template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, want key, value pairs", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// when shows t in the shop's time zone, named by its abbreviation (""
// for the zero time).
func (d *Dashboard) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(d.location()).Format("2006-01-02 15:04:05 MST")
}

// pageData is what every page template gets.
type pageData struct {
	Page string
	User loginSession
	// Lang is the page's language; Here is the page's path, where the
	// language switch comes back to.
	Lang  string
	Here  string
	Msg   string
	Error string
	// AskZone asks an admin to confirm the shop's time zone (first run).
	AskZone bool
	// Alerts say why AI replies cannot be given now.
	Alerts []string
	Data   any
}

// render writes page name with data.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	d.renderError(w, r, status, name, data, nil)
}

// renderError writes page name with data and an error message (already
// in the user's language).
func (d *Dashboard) renderError(w http.ResponseWriter, r *http.Request, status int, name string, data any, err error) {
	q := r.URL.Query()
	pd := pageData{Page: name, User: userOf(r), Lang: d.lang(r), Here: r.URL.RequestURI(), Msg: q.Get("msg"), Error: q.Get("err"), Data: data}
	if r.Method != http.MethodGet {
		pd.Here = r.URL.Path
	}
	pd.AskZone = pd.User.Admin && !d.settings().Confirmed && name != "shop"
	pd.Alerts = d.aiAlerts(r, name)
	if err != nil {
		pd.Error = err.Error()
	} else {
		pd.Error = r.URL.Query().Get("err")
	}
	var buf bytes.Buffer
	if err := d.pages[pd.Lang][name].ExecuteTemplate(&buf, "layout.html", pd); err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
