package workflow

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
)

// secretShapes are what secrets look like inside error texts: API keys
// (sk-…, Shopify shp…_), Authorization schemes, passwords in URLs and in
// key=value lists, and key parameters of query strings.
var secretShapes = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\bsk-[A-Za-z0-9_\-]{8,}`), "sk-[redacted]"},
	{regexp.MustCompile(`\bshp(?:at|ca|pa|ss)_[0-9A-Fa-f]{16,}`), "shp_[redacted]"},
	{regexp.MustCompile(`(?i)\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=\-]{8,}`), "$1$2[redacted]"},
	{regexp.MustCompile(`(://[^/\s:@]+:)[^/\s@]+@`), "${1}xxxxx@"},
	{regexp.MustCompile(`(?i)\b((?:password|passwd|api[_-]?key|access[_-]?token|secret)=)[^\s&"']+`), "${1}xxxxx"},
}

// Redactor removes secrets from text before it is logged or stored: the
// configured values (API keys, tokens) wherever they appear, and anything
// shaped like a key, a bearer token or a password in a URL. A nil
// *Redactor removes the shapes only. The engine redacts what it logs and
// the errors it stores in the execution log and on scheduled messages.
type Redactor struct {
	values []string
}

// NewRedactor returns a Redactor of the shapes and of values (empty ones
// are ignored).
func NewRedactor(values ...string) *Redactor {
	r := &Redactor{}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			r.values = append(r.values, v)
		}
	}
	return r
}

// Redact returns s with every secret replaced.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		for _, v := range r.values {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	for _, sh := range secretShapes {
		s = sh.re.ReplaceAllString(s, sh.repl)
	}
	return s
}

// Error returns err with a redacted message, still matching err with
// errors.Is and errors.As; nil stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.Redact(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Handler returns a slog.Handler writing to h with the message and every
// string, error and other value attribute redacted.
func (r *Redactor) Handler(h slog.Handler) slog.Handler { return &redactHandler{r: r, h: h} }

type redactHandler struct {
	r *Redactor
	h slog.Handler
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.attr(a)
	}
	return &redactHandler{r: h.r, h: h.h.WithAttrs(red)}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{r: h.r, h: h.h.WithGroup(name)}
}

// attr redacts a's value: strings and anything printed (errors,
// Stringers), group members one by one; numbers, times and durations
// are kept.
func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.Redact(v.String()))
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.Any(a.Key, h.r.Error(err))
		}
		return slog.String(a.Key, h.r.Redact(v.String()))
	case slog.KindGroup:
		as := v.Group()
		red := make([]any, len(as))
		for i, g := range as {
			red[i] = h.attr(g)
		}
		return slog.Group(a.Key, red...)
	}
	return slog.Attr{Key: a.Key, Value: v}
}
