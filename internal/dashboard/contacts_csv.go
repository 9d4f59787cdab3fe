package dashboard

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/waauto/waauto/workflow"
)

// The contacts' CSV file, read by the import and written by the export:
//
//   - a header row naming the columns, in any order: phone (required),
//     name, labels, excluded (French names are accepted too: téléphone,
//     nom, étiquettes, exclu). An unknown or repeated column is an error.
//   - fields separated by commas, or by semicolons when the header has
//     semicolons and no comma (what Excel writes in French); quoting as
//     RFC 4180 (encoding/csv).
//   - labels separated by "|" in their cell: not ";", which French Excel
//     uses between fields, nor ",", the standard separator, so a labels
//     cell needs no quotes in either.
//   - excluded is true/false, yes/no, oui/non or 1/0; empty is no.
//   - UTF-8; the export starts with a byte-order mark, because Excel reads
//     a CSV file without one in the machine's legacy code page and mangles
//     every accented name; the import skips one.
//   - a cell that a spreadsheet would run as a formula (starting with =, +,
//     -, @, tab or carriage return) is exported behind a ' and the import
//     drops that ', so a name like "=HYPERLINK(…)" cannot run in Excel and
//     still comes back unchanged.
//
// The import checks every line before storing anything; with any problem
// it stores nothing and lists them all.

// The import's limits.
const (
	maxCSVBytes    = 3 << 20
	maxCSVContacts = 50_000
	maxCSVProblems = 500
	maxContactName = 100
)

// The columns of the contacts' file.
const (
	colPhone    = "phone"
	colName     = "name"
	colLabels   = "labels"
	colExcluded = "excluded"
)

// csvColumns maps the header names the import reads to their column.
var csvColumns = map[string]string{
	colPhone: colPhone, "téléphone": colPhone, "telephone": colPhone,
	colName: colName, "nom": colName,
	colLabels: colLabels, "étiquettes": colLabels, "etiquettes": colLabels,
	colExcluded: colExcluded, "exclu": colExcluded,
}

// labelSep separates the labels in their cell.
const labelSep = "|"

// utf8BOM starts the exported file.
const utf8BOM = "\ufeff"

// csvProblem is one thing wrong in an imported file: its line, the
// column as the file names it ("" for the whole line), the value read and
// why it is refused (a formError).
type csvProblem struct {
	Line   int
	Column string
	Value  string
	Why    error
}

// csvImport is what reading a contacts file gives: the rows to import
// when there is no problem, otherwise the problems (at most
// maxCSVProblems, More counting the others).
type csvImport struct {
	Rows     []workflow.ContactImport
	Problems []csvProblem
	More     int
}

func (c *csvImport) problem(p csvProblem) {
	if len(c.Problems) < maxCSVProblems {
		c.Problems = append(c.Problems, p)
		return
	}
	c.More++
}

// parseContactsCSV reads a contacts file, phones read with region (the
// shop's default country). A file that cannot be read at all (not CSV,
// no header, too many contacts) is one problem.
func parseContactsCSV(data []byte, region string) csvImport {
	var out csvImport
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if !utf8.Valid(data) {
		out.problem(csvProblem{Why: invalid("contacts.csv.not_utf8")})
		return out
	}
	rd := csv.NewReader(bytes.NewReader(data))
	rd.Comma = separator(data)
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if errors.Is(err, io.EOF) {
		out.problem(csvProblem{Why: invalid("contacts.csv.empty")})
		return out
	}
	if err != nil {
		out.problem(csvProblem{Line: 1, Why: invalid("contacts.csv.syntax", csvReason(err))})
		return out
	}
	cols := readHeader(header, &out)
	if len(out.Problems) > 0 {
		return out
	}
	seen, n := map[string]int{}, 0
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				line = pe.StartLine
			}
			out.problem(csvProblem{Line: line, Why: invalid("contacts.csv.syntax", csvReason(err))})
			out.Rows = nil
			return out // the rest of the file cannot be trusted
		}
		line, _ := rd.FieldPos(0) // a record has at least one field
		if blank(rec) {
			continue
		}
		if n++; n > maxCSVContacts {
			out = csvImport{}
			out.problem(csvProblem{Line: line, Why: invalid("contacts.csv.too_many", maxCSVContacts)})
			return out
		}
		if len(rec) != len(header) {
			out.problem(csvProblem{Line: line, Why: invalid("contacts.csv.fields", len(rec), len(header))})
			continue
		}
		row, ok := readRow(rec, header, cols, line, region, &out)
		if !ok {
			continue
		}
		if first, dup := seen[row.Phone]; dup {
			out.problem(csvProblem{Line: line, Column: header[cols[colPhone]], Value: rec[cols[colPhone]], Why: invalid("contacts.csv.duplicate", row.Phone, first)})
			continue
		}
		seen[row.Phone] = line
		out.Rows = append(out.Rows, row)
	}
	if len(out.Problems) > 0 {
		out.Rows = nil
	} else if len(out.Rows) == 0 {
		out.problem(csvProblem{Why: invalid("contacts.csv.no_rows")})
	}
	return out
}

// separator is ';' when the header line has semicolons and no comma.
func separator(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.ContainsRune(first, ';') && !bytes.ContainsRune(first, ',') {
		return ';'
	}
	return ','
}

// csvReason is what encoding/csv found wrong, without its position (the
// problem has the line).
func csvReason(err error) string {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// readHeader maps each column to its index in the header, recording
// unknown, repeated and missing columns as problems.
func readHeader(header []string, out *csvImport) map[string]int {
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		col, ok := csvColumns[name]
		switch {
		case !ok:
			out.problem(csvProblem{Line: 1, Column: h, Value: h, Why: invalid("contacts.csv.unknown_column", h)})
		case hasCol(cols, col):
			out.problem(csvProblem{Line: 1, Column: h, Value: h, Why: invalid("contacts.csv.repeated_column", h)})
		default:
			cols[col] = i
		}
	}
	if _, ok := cols[colPhone]; !ok && len(out.Problems) == 0 {
		out.problem(csvProblem{Line: 1, Why: invalid("contacts.csv.no_phone")})
	}
	return cols
}

func hasCol(cols map[string]int, col string) bool {
	_, ok := cols[col]
	return ok
}

// blank reports whether every field of rec is empty (spreadsheets write
// such lines as ",,,").
func blank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" })
}

// readRow reads one line, recording each bad field as a problem.
func readRow(rec, header []string, cols map[string]int, line int, region string, out *csvImport) (workflow.ContactImport, bool) {
	var row workflow.ContactImport
	good := true
	bad := func(col string, why error) {
		out.problem(csvProblem{Line: line, Column: header[cols[col]], Value: rec[cols[col]], Why: why})
		good = false
	}
	p, err := parsePhone(rec[cols[colPhone]], region)
	if err != nil {
		bad(colPhone, phoneWhy(err))
	}
	row.Phone = p
	if i, ok := cols[colName]; ok {
		row.Set |= workflow.ContactFieldName
		row.Name = plainCell(rec[i])
		if n := utf8.RuneCountInString(row.Name); n > maxContactName {
			bad(colName, invalid("contacts.csv.name_long", maxContactName))
		}
	}
	if i, ok := cols[colLabels]; ok {
		row.Set |= workflow.ContactFieldLabels
		labels, err := parseLabels(plainCell(rec[i]))
		if err != nil {
			bad(colLabels, err)
		}
		row.Labels = labels
	}
	if i, ok := cols[colExcluded]; ok {
		row.Set |= workflow.ContactFieldExcluded
		ex, err := parseExcluded(rec[i])
		if err != nil {
			bad(colExcluded, err)
		}
		row.Excluded = ex
	}
	return row, good
}

// parseLabels reads the labels of a cell separated by "|": trimmed,
// without empties or repeats, each at most maxLabel characters.
func parseLabels(cell string) ([]string, error) {
	var labels []string
	for l := range strings.SplitSeq(cell, labelSep) {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || slices.Contains(labels, l):
			continue
		case utf8.RuneCountInString(l) > maxLabel:
			return nil, invalid("conv.err.label_long", l, maxLabel)
		}
		labels = append(labels, l)
	}
	return labels, nil
}

// parseExcluded reads yes/no in the spellings a shop may type.
func parseExcluded(cell string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(cell)) {
	case "true", "yes", "oui", "1", "y", "o", "x":
		return true, nil
	case "false", "no", "non", "0", "n", "":
		return false, nil
	}
	return false, invalid("contacts.csv.excluded", cell)
}

// formulaStart reports whether a spreadsheet would read s as a formula.
func formulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// toCell protects a text cell from spreadsheets: one ' in front of a text
// that, without its leading 's, starts like a formula.
func toCell(s string) string {
	if formulaStart(strings.TrimLeft(s, "'")) {
		return "'" + s
	}
	return s
}

// plainCell is a text cell as stored: toCell undone, line breaks as
// "\n", every other control character (a lone carriage return, a tab, a
// stray byte of a badly converted file) a space, and trimmed. The CSV
// reader would not give those back as they were (it drops a carriage
// return before a line feed), so an exported contact would not import
// the same.
func plainCell(s string) string {
	s = strings.ReplaceAll(fromCell(s), "\r\n", "\n")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// fromCell undoes toCell.
func fromCell(s string) string {
	if strings.HasPrefix(s, "'") && formulaStart(strings.TrimLeft(s, "'")) {
		return s[1:]
	}
	return s
}

// contactsCSV writes a contacts file.
type contactsCSV struct {
	w *csv.Writer
}

// newContactsCSV starts a contacts file on w: the byte-order mark and the
// header.
func newContactsCSV(w io.Writer) (*contactsCSV, error) {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return nil, err
	}
	c := &contactsCSV{w: csv.NewWriter(w)}
	c.w.UseCRLF = true // RFC 4180
	return c, c.w.Write([]string{colPhone, colName, colLabels, colExcluded})
}

// write adds one contact.
func (c *contactsCSV) write(ct workflow.Contact) error {
	excluded := "no"
	if ct.Excluded {
		excluded = "yes"
	}
	return c.w.Write([]string{ct.Phone, toCell(ct.Name), toCell(strings.Join(ct.Labels, labelSep)), excluded})
}

// flush writes what is buffered.
func (c *contactsCSV) flush() error {
	c.w.Flush()
	return c.w.Error()
}
