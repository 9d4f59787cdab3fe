package workflow

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors of the workflow package and of its Store contract,
// testable with errors.Is.
var (
	// ErrNotFound: the named record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a definition failed validation; the error also holds *LoadError values.
	ErrInvalid = errors.New("invalid workflow definition")
	// ErrConflict: a compare-and-set lost (e.g. a scheduled message is no longer pending).
	ErrConflict = errors.New("state changed concurrently")
	// ErrNegativeDebit: Credits.DebitCredits was asked to debit a negative amount.
	ErrNegativeDebit = errors.New("negative credit debit")
	// ErrLogWithoutID: Logs.AppendLogs got an entry without an ID.
	ErrLogWithoutID = errors.New("execution log entry without ID")
)

// LoadError is one problem of a workflow definition, with its position.
// Printed as "file:line:col: path: message".
type LoadError struct {
	File         string
	Line, Column int
	// Path is the key path of the offending value: relative to its workflow
	// for a value inside one ("conditions.all[1].schedule.from"), from the
	// file's root otherwise ("hours.shop.weekly.mon[0]", "workflows[2]").
	Path string
	// Msg is the problem in English. When Code is set, Msg is its wording
	// filled with Args, then with the phrases of the words Got and Want
	// when set; a program shows the error in another language by one
	// format per code (LoadErrorCodes) and one phrase per word
	// (LoadErrorWords). Code is "" for a message without a wording of its
	// own: a YAML syntax error, or the text of another package's error (an
	// action's field, a pattern, a duration, a time, an expression).
	Msg  string
	Code string
	Args []string
	// Got and Want are the codes of the words naming what the file has
	// and what was expected ("list", "string", "name", ...), "" when Msg
	// names none.
	Got, Want string
}

// Error is "file:line:col: path: message".
func (e *LoadError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes every LoadError match ErrInvalid.
func (e *LoadError) Is(target error) bool { return target == ErrInvalid }

// LoadErrors is every problem found in one load. It unwraps to its
// elements, so errors.As finds a *LoadError.
type LoadErrors []*LoadError

// Error lists every error, one a line.
func (es LoadErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the individual errors.
func (es LoadErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
