package dashboard

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// referenceDocs are the documents of docs/ the dashboard serves at
// /docs/NAME, by NAME (the file is NAME.md).
var referenceDocs = []string{"workflows", "scenarios"}

// renderDocs renders every reference document to HTML once: headings get
// ids (so /docs/workflows#schedule works) and links between the
// documents ("scenarios.md#steps") point to their pages.
func renderDocs(src fs.FS) (map[string]template.HTML, error) {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(docLinks{}, 100))),
	)
	out := map[string]template.HTML{}
	for _, name := range referenceDocs {
		data, err := fs.ReadFile(src, name+".md")
		if err != nil {
			return nil, fmt.Errorf("reference docs: %w", err)
		}
		var buf bytes.Buffer
		if err := md.Convert(data, &buf); err != nil {
			return nil, fmt.Errorf("reference docs: render %s.md: %w", name, err)
		}
		out[name] = template.HTML(buf.String()) // goldmark escapes text and drops raw HTML (no WithUnsafe)
	}
	return out, nil
}

// docLinks points a link to another reference document ("NAME.md",
// "NAME.md#anchor") to its page (/docs/NAME, /docs/NAME#anchor).
type docLinks struct{}

func (docLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			file, frag, _ := strings.Cut(string(l.Destination), "#")
			if name, ok := strings.CutSuffix(file, ".md"); ok && slices.Contains(referenceDocs, name) {
				l.Destination = []byte("/docs/" + name + strings.TrimSuffix("#"+frag, "#"))
			}
		}
		return ast.WalkContinue, nil
	})
}

// docPage serves a reference document in the dashboard's layout.
func (d *Dashboard) docPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	html, ok := d.docs[name]
	if !ok {
		d.refuse(w, r, http.StatusNotFound, d.t(r, "docs.not_found", name))
		return
	}
	d.render(w, r, http.StatusOK, "doc", docData{Name: name, HTML: html})
}

// docData is what the doc page shows: the document NAME, rendered.
type docData struct {
	Name string
	HTML template.HTML
}
