package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

const allFields = workflow.ContactFieldName | workflow.ContactFieldLabels | workflow.ContactFieldExcluded

// TestParseContactsCSV: numbers as people type them, both separators,
// French column names, the byte-order mark, quoted cells, blank lines.
func TestParseContactsCSV(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []workflow.ContactImport
	}{
		{"every spelling", "\ufeffphone,name,labels,excluded\r\n" +
			"06 12 34 56 78,Amélie,vip|commande,oui\r\n" +
			"0033 6 00 00 00 02,\"Dupont, Jean\",,no\r\n" +
			"(+33) 6.00.00.00.03,  Zoé  , vip | vip |  ,1\r\n" +
			"+33\u00a06\u00a000\u00a000\u00a000\u00a004,,,\r\n" +
			",,,\r\n\r\n" +
			"+1 (415) 555-2671,\"Multi\nline\",x,TRUE\r\n",
			[]workflow.ContactImport{
				{Phone: "+33612345678", Name: "Amélie", Labels: []string{"vip", "commande"}, Excluded: true, Set: allFields},
				{Phone: "+33600000002", Name: "Dupont, Jean", Set: allFields},
				{Phone: "+33600000003", Name: "Zoé", Labels: []string{"vip"}, Excluded: true, Set: allFields},
				{Phone: "+33600000004", Set: allFields},
				{Phone: "+14155552671", Name: "Multi\nline", Labels: []string{"x"}, Excluded: true, Set: allFields},
			}},
		{"French Excel: semicolons, French names, columns in another order", "Exclu;Nom;Téléphone\n" +
			"non;Léa;06 00 00 00 01\n",
			[]workflow.ContactImport{{Phone: "+33600000001", Name: "Léa", Set: workflow.ContactFieldName | workflow.ContactFieldExcluded}}},
		{"phone only", "PHONE\n0600000001\n",
			[]workflow.ContactImport{{Phone: "+33600000001"}}},
		{"formula guard", "phone,name,labels\n0600000001,'=1+2,'@x|y\n",
			[]workflow.ContactImport{{Phone: "+33600000001", Name: "=1+2", Labels: []string{"@x", "y"}, Set: workflow.ContactFieldName | workflow.ContactFieldLabels}}},
	} {
		got := parseContactsCSV([]byte(c.file), "FR")
		if len(got.Problems) > 0 || !reflect.DeepEqual(got.Rows, c.want) {
			t.Errorf("%s:\n got  %+v (problems %v)\n want %+v", c.name, got.Rows, got.Problems, c.want)
		}
	}
}

// TestParseContactsCSVProblems: every bad line is reported with its line,
// column and reason, and then no row is returned.
func TestParseContactsCSVProblems(t *testing.T) {
	type p struct {
		line     int
		col, key string
	}
	for _, c := range []struct {
		name, file string
		want       []p
	}{
		{"bad lines", "phone,name,excluded\n" +
			"06 12 34 56 78,Ok,no\n" +
			"06 12,Short,no\n" +
			"call me,Words,maybe\n" +
			"06 12 34 56 78,Again,no\n" +
			"0612345679,Too,many,fields\n" +
			"0612345670," + strings.Repeat("x", maxContactName+1) + ",\n",
			[]p{{3, "phone", "phone.why.too_short"}, {4, "phone", "phone.why.invalid"}, {4, "excluded", "contacts.csv.excluded"},
				{5, "phone", "contacts.csv.duplicate"}, {6, "", "contacts.csv.fields"}, {7, "name", "contacts.csv.name_long"}}},
		{"unknown and repeated columns", "Phone,e-mail,name,Nom\n0600000001,a@b,x,y\n",
			[]p{{1, "e-mail", "contacts.csv.unknown_column"}, {1, "Nom", "contacts.csv.repeated_column"}}},
		{"no phone column", "name\nBob\n", []p{{1, "", "contacts.csv.no_phone"}}},
		{"empty", "", []p{{0, "", "contacts.csv.empty"}}},
		{"only a BOM", "\ufeff", []p{{0, "", "contacts.csv.empty"}}},
		{"header only", "phone,name\n", []p{{0, "", "contacts.csv.no_rows"}}},
		{"not UTF-8", "phone,name\n0600000001,Am\xe9lie\n", []p{{0, "", "contacts.csv.not_utf8"}}},
		{"bad quote", "phone,name\n0600000001,ok\n0600000002,\"open\n0600000003,x\n", []p{{3, "", "contacts.csv.syntax"}}},
		{"label too long", "phone,labels\n0600000001,ok|" + strings.Repeat("é", maxLabel+1) + "\n", []p{{2, "labels", "conv.err.label_long"}}},
	} {
		got := parseContactsCSV([]byte(c.file), "FR")
		var have []p
		for _, pr := range got.Problems {
			var fe formError
			if !errors.As(pr.Why, &fe) {
				t.Fatalf("%s: problem %v is not a formError", c.name, pr)
			}
			have = append(have, p{pr.Line, pr.Column, fe.key})
		}
		if !reflect.DeepEqual(have, c.want) || got.Rows != nil {
			t.Errorf("%s:\n got  %v (rows %v)\n want %v", c.name, have, got.Rows, c.want)
		}
	}
	dup := parseContactsCSV([]byte("phone\n0600000001\n+33600000001\n"), "FR")
	if len(dup.Problems) != 1 || !strings.Contains(dup.Problems[0].Why.Error(), "line 2") || dup.Problems[0].Line != 3 {
		t.Errorf("a duplicate names the line of the first: %v", dup.Problems)
	}
}

// TestParseContactsCSVLimits: more than maxCSVContacts lines is one
// problem; more than maxCSVProblems problems are counted, not listed.
func TestParseContactsCSVLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("phone\n")
	for i := range maxCSVContacts + 1 {
		fmt.Fprintf(&b, "+336%08d\n", i)
	}
	got := parseContactsCSV([]byte(b.String()), "FR")
	if len(got.Problems) != 1 || got.Problems[0].Line != maxCSVContacts+2 || got.Rows != nil {
		t.Errorf("%d contacts: problems %v, %d rows; want one problem on line %d", maxCSVContacts+1, got.Problems, len(got.Rows), maxCSVContacts+2)
	}
	b.Reset()
	b.WriteString("phone\n")
	for range maxCSVProblems + 7 {
		b.WriteString("nope\n")
	}
	got = parseContactsCSV([]byte(b.String()), "FR")
	if len(got.Problems) != maxCSVProblems || got.More != 7 {
		t.Errorf("%d bad lines: %d listed, %d more; want %d and 7", maxCSVProblems+7, len(got.Problems), got.More, maxCSVProblems)
	}
}

// exportContacts writes contacts as the export does.
func exportContacts(t testing.TB, cs []workflow.Contact) []byte {
	var buf bytes.Buffer
	out, err := newContactsCSV(&buf)
	for _, c := range cs {
		if err == nil {
			err = out.write(c)
		}
	}
	if err == nil {
		err = out.flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestContactsCSVRoundTrip: what the export writes, the import reads back
// as the same contacts.
func TestContactsCSVRoundTrip(t *testing.T) {
	cs := []workflow.Contact{
		{Phone: "+33612345678", Name: "Amélie \"Mimi\" O'Neil, Paris", Labels: []string{"vip", "commande 2"}, Excluded: true},
		{Phone: "+33600000002"},
		{Phone: "+14155552671", Name: "=HYPERLINK(\"http://x\")", Labels: []string{"-1", "+a", "@b"}},
		{Phone: "+447911123456", Name: "'=already quoted", Labels: []string{"''@x"}},
		{Phone: "+32470123456", Name: "line\nbreak"},
	}
	data := exportContacts(t, cs)
	if !bytes.HasPrefix(data, []byte(utf8BOM+"phone,name,labels,excluded\r\n")) {
		t.Fatalf("export starts %q", data[:40])
	}
	if bytes.Contains(data, []byte(",=HYPERLINK")) || !bytes.Contains(data, []byte(`"'=HYPERLINK(""http://x"")"`)) {
		t.Errorf("a formula is exported unguarded:\n%s", data)
	}
	got := parseContactsCSV(data, "")
	if len(got.Problems) > 0 {
		t.Fatalf("re-import: %v", got.Problems)
	}
	checkRoundTrip(t, cs, got.Rows)
}

func checkRoundTrip(t *testing.T, want []workflow.Contact, got []workflow.ContactImport) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("round trip: %d rows, want %d", len(got), len(want))
	}
	for i, c := range want {
		back := got[i].Apply(workflow.Contact{Phone: got[i].Phone})
		if back.Phone != c.Phone || back.Name != c.Name || !slices.Equal(back.Labels, c.Labels) || back.Excluded != c.Excluded || got[i].Set != allFields {
			t.Errorf("round trip of %+v gave %+v", c, got[i])
		}
	}
}

// FuzzParseContactsCSV: on any bytes the import either lists problems
// and no row, or gives rows that keep its promises (E.164 phones, each
// once, clean names and labels); and the export of those rows reads back
// as the same rows.
func FuzzParseContactsCSV(f *testing.F) {
	for _, s := range []string{
		"phone,name,labels,excluded\n06 12 34 56 78,Amélie,vip|commande,oui\n",
		"\ufeffTéléphone;Nom\n0033 6 00 00 00 02;\"Dupont; Jean\"\n",
		"phone\n06 12\n06 12\n",
		"phone,name\n0600000001,'=1+2\n",
		"phone,name\n0600000001,\"open\n",
		"phone,e-mail\n",
		"",
		"phone,labels\n+1 (415) 555-2671, a | b |a\n",
		"phone\n+91 00000000000\n",                             // +910000000000 once came back +91000000000
		"phone,nAme,lABels,eXClu\n010000000,\b\r\x01c,a\rb|c,", // control characters once came back changed
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := parseContactsCSV(data, "FR")
		if len(got.Problems) > 0 {
			if got.Rows != nil || len(got.Problems) > maxCSVProblems {
				t.Fatalf("problems %d with %d rows", len(got.Problems), len(got.Rows))
			}
			for _, p := range got.Problems {
				if _, ok := errors.AsType[formError](p.Why); !ok {
					t.Fatalf("problem %v: not a message of the catalogue", p)
				}
			}
			return
		}
		if len(got.Rows) == 0 || len(got.Rows) > maxCSVContacts {
			t.Fatalf("no problem and %d rows", len(got.Rows))
		}
		seen := map[string]bool{}
		cs := make([]workflow.Contact, len(got.Rows))
		for i, r := range got.Rows {
			if n, err := trigger.NormalizePhone(r.Phone); err != nil || n != r.Phone || seen[r.Phone] {
				t.Fatalf("row %d: phone %q not E.164 or repeated", i, r.Phone)
			}
			seen[r.Phone] = true
			if r.Name != strings.TrimSpace(r.Name) || strings.ContainsFunc(r.Name, isStrayControl) || utf8.RuneCountInString(r.Name) > maxContactName {
				t.Fatalf("row %d: name %q", i, r.Name)
			}
			for _, l := range r.Labels {
				if l == "" || l != strings.TrimSpace(l) || strings.ContainsFunc(l, isStrayControl) || strings.Contains(l, labelSep) || utf8.RuneCountInString(l) > maxLabel {
					t.Fatalf("row %d: label %q", i, l)
				}
			}
			if !r.Set.Has(workflow.ContactFieldName) && r.Name != "" || !r.Set.Has(workflow.ContactFieldLabels) && r.Labels != nil {
				t.Fatalf("row %d: a value in a column the file does not have: %+v", i, r)
			}
			cs[i] = r.Apply(workflow.Contact{Phone: r.Phone})
		}
		again := parseContactsCSV(exportContacts(t, cs), "FR")
		if len(again.Problems) > 0 {
			t.Fatalf("re-import of the export: %v", again.Problems)
		}
		checkRoundTrip(t, cs, again.Rows)
	})
}

// isStrayControl: a control character other than a line break, which an
// imported name or label never keeps.
func isStrayControl(r rune) bool { return r != '\n' && unicode.IsControl(r) }

// BenchmarkParseContactsCSV reads a file of 50,000 contacts (the limit)
// typed in national form.
func BenchmarkParseContactsCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("phone,name,labels,excluded\n")
	for i := range maxCSVContacts {
		fmt.Fprintf(&buf, "06 10 %02d %02d %02d,Client %d,vip|commande,non\n", i/10000, i/100%100, i%100, i)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if got := parseContactsCSV(buf.Bytes(), "FR"); len(got.Rows) != maxCSVContacts {
			b.Fatalf("%d rows, problems %v", len(got.Rows), got.Problems[:min(3, len(got.Problems))])
		}
	}
}
