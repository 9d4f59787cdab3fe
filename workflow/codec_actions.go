package workflow

import (
	"errors"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/internal/yamlpos"
)

// actions decodes the action list; each item is a one-key mapping built by
// the registry with a strict positioned decoder.
func (l *loader) actions(n ast.Node, path string) []Step {
	items, ok := l.c.List(n, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		l.c.Say(n, path, CodeNoActions)
		return nil
	}
	steps := make([]Step, 0, len(items))
	for i, it := range items {
		if s, ok := l.step(it, yamlpos.Index(path, i)); ok {
			steps = append(steps, s)
		}
	}
	return steps
}

func (l *loader) step(n ast.Node, path string) (Step, bool) {
	f, ok := l.c.One(n, path, WordAction)
	if !ok {
		return Step{}, false
	}
	if !l.reg.Has(f.Key) {
		l.c.Say(f.KeyNode, f.Path, CodeUnknownAction, f.Key, strings.Join(l.reg.Names(), ", "))
		return Step{}, false
	}
	body := f.Value
	if yamlpos.IsNull(body) {
		body = emptyMapping()
	}
	a, err := l.reg.Build(f.Key, yamlpos.Decoder{C: l.c, Node: body, Path: f.Path})
	if err != nil {
		l.actionError(err, f, body, f.Value)
		return Step{}, false
	}
	return Step{Type: f.Key, Action: a}, true
}

// actionError places an error of a factory: decode problems are already
// recorded; a *action.FieldError points at its field, or at the action
// when the field is absent.
func (l *loader) actionError(err error, f yamlpos.Field, body, orig ast.Node) {
	if errors.Is(err, yamlpos.ErrReported) {
		return
	}
	var fe *action.FieldError
	if !errors.As(err, &fe) {
		l.c.Addf(orig, f.Path, "%v", err)
		return
	}
	at := yamlpos.Find(body, fe.Field)
	if at == nil {
		at = orig
	}
	l.c.Addf(at, yamlpos.Key(f.Path, fe.Field), "%s", fe.Msg)
}

func emptyMapping() ast.Node {
	return ast.Mapping(nil, true)
}
