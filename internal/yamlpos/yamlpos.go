package yamlpos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Error is one problem at a position of a YAML document.
type Error struct {
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Path is the key path of the offending value ("" for the document).
	Path string
	Msg  string
	// Code names Msg's wording (Codes; Collector.Wordings), "" when Msg
	// has none (a YAML syntax error, another package's error). Msg is the
	// wording filled with Args, then with the words of Got and Want when
	// they are set (Words; Collector.Words).
	Code string
	Args []string
	// Got and Want are the codes of the words naming what was found and
	// what was expected ("list", "string", ...), "" when Msg names none.
	Got, Want string
}

// Error is "line:col: path: message".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Column)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found; it unwraps to its elements.
type Errors []*Error

// Error lists every error, one a line.
func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the individual errors.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// ErrReported is returned by Decoder.Decode when the problems were already
// recorded in the Collector: callers must not report it again.
var ErrReported = errors.New("yamlpos: errors reported")

// Parse parses one YAML document and returns its body: nil for an empty
// document (or one with only comments). A syntax error, a second
// document, or a document outside the bounds of limits.go (over MaxSize,
// nested deeper than MaxDepth, not UTF-8 text, with a NUL byte, a
// `!!binary` value or a trailing comma) is returned as an *Error.
func Parse(data []byte) (ast.Node, error) {
	if len(data) > MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("too large (%d bytes, limit %d MiB)", len(data), MaxSize>>20)}
	}
	if e := checkText(data); e != nil {
		return nil, e
	}
	tokens := lexer.Tokenize(string(data))
	if e := checkTokens(tokens); e != nil {
		return nil, e
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		var pe interface{ GetMessage() string }
		e := &Error{Msg: err.Error()}
		if errors.As(err, &pe) {
			e.Msg = pe.GetMessage()
			if tk, ok := pe.(interface{ GetToken() *token.Token }); ok && tk.GetToken() != nil {
				p := tk.GetToken().Position
				e.Line, e.Column = p.Line, p.Column
			}
		}
		return nil, e
	}
	if len(f.Docs) > 1 {
		l, c := Pos(f.Docs[1])
		return nil, &Error{Line: l, Column: c, Msg: "a second document (want one document per file)"}
	}
	if len(f.Docs) == 0 {
		return nil, nil
	}
	return body(f.Docs[0].Body), nil
}

func body(n ast.Node) ast.Node {
	if _, ok := n.(*ast.CommentGroupNode); ok {
		return nil
	}
	return n
}

// Pos returns the 1-based line and column where n starts: the first key of
// a block mapping, the key of a key/value pair, the token otherwise.
func Pos(n ast.Node) (line, col int) {
	switch m := n.(type) {
	case nil:
		return 0, 0
	case *ast.DocumentNode:
		if m.Start != nil {
			return m.Start.Position.Line, m.Start.Position.Column
		}
		return Pos(m.Body)
	case *ast.MappingNode:
		if m.Start == nil || m.Start.Value != "{" {
			if len(m.Values) > 0 {
				return Pos(m.Values[0].Key)
			}
		}
	case *ast.MappingValueNode:
		return Pos(m.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// Key appends a mapping key to path.
func Key(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index appends a list index to path.
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Collector records positioned errors while a document is walked. The zero
// value is ready to use.
type Collector struct {
	// Wordings and Words are the caller's error codes and words (English
	// formats and phrases), beside this package's.
	Wordings, Words map[string]string

	errs Errors
}

// Say records a problem at n worded by code, filled with args.
func (c *Collector) Say(n ast.Node, path, code string, args ...string) {
	c.add(n, &Error{Path: path, Code: code, Args: args})
}

// SayWant records a problem at n worded by code, filled with args and
// then the word want.
func (c *Collector) SayWant(n ast.Node, path, code, want string, args ...string) {
	c.add(n, &Error{Path: path, Code: code, Args: args, Want: want})
}

// add records e at n with its message.
func (c *Collector) add(n ast.Node, e *Error) {
	e.Line, e.Column = Pos(n)
	e.Msg = c.message(e)
	c.errs = append(c.errs, e)
}

// message is the English text of e: its wording filled with its Args and
// the words of Got and Want.
func (c *Collector) message(e *Error) string {
	format, ok := c.Wordings[e.Code]
	if !ok {
		format, ok = wordings[e.Code]
	}
	if !ok { // a caller's mistake: say what is known rather than panic
		format = e.Code + strings.Repeat(" %s", len(e.Args)+min(len(e.Got), 1)+min(len(e.Want), 1))
	}
	args := make([]any, 0, len(e.Args)+2)
	for _, a := range e.Args {
		args = append(args, a)
	}
	for _, w := range []string{e.Got, e.Want} {
		if w != "" {
			args = append(args, c.word(w))
		}
	}
	return fmt.Sprintf(format, args...)
}

// word is the English phrase of the word code w.
func (c *Collector) word(w string) string {
	if s, ok := c.Words[w]; ok {
		return s
	}
	if s, ok := words[w]; ok {
		return s
	}
	return w // a caller's word without a phrase reads as itself
}

// Addf records a problem at n, worded by format and without a code.
func (c *Collector) Addf(n ast.Node, path, format string, args ...any) {
	l, col := Pos(n)
	c.errs = append(c.errs, &Error{Line: l, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Add records an error value (e.g. a *Error from Parse) as is.
func (c *Collector) Add(e *Error) { c.errs = append(c.errs, e) }

// Len returns how many problems were recorded.
func (c *Collector) Len() int { return len(c.errs) }

// Errors returns the problems recorded, in the order found.
func (c *Collector) Errors() Errors { return c.errs }

// Err returns nil, or the problems as Errors.
func (c *Collector) Err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}
