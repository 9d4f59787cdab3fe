package langchaingo_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	lcg "github.com/waauto/waauto/adapters/langchaingo"
)

// makePDF builds a minimal valid PDF with one page per text (ASCII only).
func makePDF(pages ...string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n")
	n := len(pages)
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i, text := range pages {
		esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(text)
		stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", esc)
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

func TestExtractPDF(t *testing.T) {
	out, err := lcg.ExtractPDF(makePDF("Invoice 42: pull rouge, 39.90 EUR", "Page two"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out.Pages != 2 || !strings.Contains(out.Text, "Invoice 42: pull rouge, 39.90 EUR") || !strings.Contains(out.Text, "Page two") || out.Truncated {
		t.Errorf("got %+v", out)
	}
	out, err = lcg.ExtractPDF(makePDF("first page", "second page", "third page"), 1, 0)
	if err != nil || strings.Contains(out.Text, "second") || !out.Truncated || out.Pages != 3 {
		t.Errorf("page limit: %+v %v", out, err)
	}
	out, err = lcg.ExtractPDF(makePDF(strings.Repeat("abcdefghij", 20)), 0, 25)
	if err != nil || len([]rune(out.Text)) != 25 || !out.Truncated {
		t.Errorf("char limit: %+v %v", out, err)
	}
	for name, data := range map[string][]byte{
		"garbage":   []byte("%PDF-1.4 this is not a pdf at all"),
		"truncated": makePDF("hello")[:120],
		"empty":     nil,
	} {
		if _, err := lcg.ExtractPDF(data, 0, 0); !errors.Is(err, lcg.ErrPDFMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := lcg.ExtractPDF(makePDF(""), 0, 0); !errors.Is(err, lcg.ErrPDFNoText) {
		t.Errorf("no text: err = %v", err)
	}
}
