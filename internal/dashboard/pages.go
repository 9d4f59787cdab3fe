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

// pages are the parsed page templates by name, each with the layout.
type pages map[string]*template.Template

// pageNames lists web/templates/NAME.html; layout.html wraps them.
var pageNames = []string{"login", "numbers", "link", "workflows", "editor", "exclusions", "scheduled", "logs", "ai", "settings", "simulator", "error", "builder", "templates"}

func parsePages(loc *time.Location) (pages, error) {
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04:05")
		},
		"join": strings.Join,
		"json": func(v any) (template.JS, error) {
			s, err := marshalJS(v)
			return template.JS(s), err
		},
		"tz": func() string { return loc.String() },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(webFS, "web/templates/layout.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, n := range pageNames {
		t, err := layout.Clone()
		if err == nil {
			t, err = t.ParseFS(webFS, "web/templates/"+n+".html")
		}
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		out[n] = t
	}
	return out, nil
}

// pageData is what every page template gets.
type pageData struct {
	Title string
	Page  string
	User  loginSession
	Msg   string
	Error string
	Data  any
}

// render writes page name with data.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	d.renderError(w, r, status, name, title, data, nil)
}

// renderError writes page name with data and an error message.
func (d *Dashboard) renderError(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, err error) {
	pd := pageData{Title: title, Page: name, User: userOf(r), Msg: r.URL.Query().Get("msg"), Data: data}
	if err != nil {
		pd.Error = err.Error()
	} else {
		pd.Error = r.URL.Query().Get("err")
	}
	var buf bytes.Buffer
	if err := d.pages[name].ExecuteTemplate(&buf, "layout.html", pd); err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
