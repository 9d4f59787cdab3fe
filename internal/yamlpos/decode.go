package yamlpos

import (
	"encoding"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// interfaceUnmarshaler is goccy/go-yaml's and yaml.v2's custom unmarshaler.
type interfaceUnmarshaler interface {
	UnmarshalYAML(unmarshal func(any) error) error
}

// nodeUnmarshaler receives the AST node itself, null included.
type nodeUnmarshaler interface {
	UnmarshalYAML(n ast.Node) error
}

// Decoder decodes one node into Go values, recording problems in a
// Collector. It implements the Decode(v any) error shape of
// action.Decoder.
type Decoder struct {
	C    *Collector
	Node ast.Node
	Path string
}

// Decode fills v (a non-nil pointer) strictly from d.Node. It returns
// ErrReported when problems were recorded.
func (d Decoder) Decode(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("yamlpos: Decode needs a non-nil pointer")
	}
	before := d.C.Len()
	d.C.decode(d.Node, d.Path, rv.Elem())
	if d.C.Len() > before {
		return ErrReported
	}
	return nil
}

// Decode is Decoder{c, n, path}.Decode(v).
func (c *Collector) Decode(n ast.Node, path string, v any) error {
	return Decoder{C: c, Node: n, Path: path}.Decode(v)
}

var durationType = reflect.TypeFor[time.Duration]()

func (c *Collector) decode(n ast.Node, path string, v reflect.Value) {
	if v.CanAddr() {
		// A node unmarshaler gets every node, an explicit null included,
		// so that it can report problems at the null's position.
		if u, ok := v.Addr().Interface().(nodeUnmarshaler); ok {
			c.report(n, path, u.UnmarshalYAML(Unwrap(n)))
			return
		}
	}
	if IsNull(n) {
		v.SetZero()
		return
	}
	if c.custom(n, path, v) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		c.decode(n, path, v.Elem())
	case reflect.Struct:
		c.decodeStruct(n, path, v)
	case reflect.Slice:
		c.decodeSlice(n, path, v)
	case reflect.Map:
		c.decodeMap(n, path, v)
	case reflect.Interface:
		c.decodeAny(n, path, v)
	default:
		c.decodeScalar(n, path, v)
	}
}

// custom handles types with their own decoding. It reports whether it did.
func (c *Collector) custom(n ast.Node, path string, v reflect.Value) bool {
	if !v.CanAddr() {
		return false
	}
	switch u := v.Addr().Interface().(type) {
	case interfaceUnmarshaler:
		c.report(n, path, u.UnmarshalYAML(func(x any) error {
			var sub Collector
			if err := sub.Decode(n, path, x); err != nil {
				return sub.errs[0]
			}
			return nil
		}))
	case encoding.TextUnmarshaler:
		if !isScalar(n) {
			c.WrongType(n, path, WordString)
			return true
		}
		c.report(n, path, u.UnmarshalText([]byte(scalarText(n))))
	default:
		return false
	}
	return true
}

func (c *Collector) report(n ast.Node, path string, err error) {
	if err == nil || errors.Is(err, ErrReported) {
		return
	}
	var pe *Error
	if errors.As(err, &pe) {
		c.Add(pe)
		return
	}
	c.Addf(n, path, "%s", err.Error())
}

func (c *Collector) decodeStruct(n ast.Node, path string, v reflect.Value) {
	fields, ok := c.Mapping(n, path)
	if !ok {
		return
	}
	index := structFields(v.Type())
	known := make([]string, 0, len(index))
	for _, f := range index {
		known = append(known, f.name)
	}
	for _, f := range fields {
		sf, ok := lookup(index, f.Key)
		if !ok {
			c.Say(f.KeyNode, f.Path, CodeUnknownKey, f.Key, strings.Join(known, ", "))
			continue
		}
		c.decode(f.Value, f.Path, v.FieldByIndex(sf.index))
	}
}

type fieldInfo struct {
	name  string
	index []int
}

// structFields lists the decodable fields of t under the names goccy/go-yaml
// uses: the yaml tag, else the json tag, else the lower-cased field name.
func structFields(t reflect.Type) []fieldInfo {
	var out []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "" {
			tag = f.Tag.Get("json")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && (strings.Contains(opts, "inline") || tag == "") && f.Type.Kind() == reflect.Struct {
			for _, in := range structFields(f.Type) {
				out = append(out, fieldInfo{in.name, append([]int{i}, in.index...)})
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, fieldInfo{name, []int{i}})
	}
	return out
}

func lookup(fs []fieldInfo, name string) (fieldInfo, bool) {
	for _, f := range fs {
		if f.name == name {
			return f, true
		}
	}
	return fieldInfo{}, false
}

func (c *Collector) decodeSlice(n ast.Node, path string, v reflect.Value) {
	items, ok := c.List(n, path)
	if !ok {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, it := range items {
		c.decode(it, Index(path, i), s.Index(i))
	}
	v.Set(s)
}

func (c *Collector) decodeMap(n ast.Node, path string, v reflect.Value) {
	if v.Type().Key().Kind() != reflect.String {
		c.Addf(n, path, "cannot decode into %s (want string keys)", v.Type())
		return
	}
	fields, ok := c.Mapping(n, path)
	if !ok {
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(fields))
	for _, f := range fields {
		e := reflect.New(v.Type().Elem()).Elem()
		c.decode(f.Value, f.Path, e)
		m.SetMapIndex(reflect.ValueOf(f.Key).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// decodeAny fills an interface with plain values: map[string]any, []any,
// string, bool, int64 or float64.
func (c *Collector) decodeAny(n ast.Node, path string, v reflect.Value) {
	var out any
	switch u := Unwrap(n).(type) {
	case ast.MapNode:
		m := map[string]any{}
		fields, _ := c.Mapping(n, path)
		for _, f := range fields {
			var e any
			c.decodeAny(f.Value, f.Path, reflect.ValueOf(&e).Elem())
			m[f.Key] = e
		}
		out = m
	case *ast.SequenceNode:
		l := make([]any, len(u.Values))
		for i, it := range u.Values {
			c.decodeAny(it, Index(path, i), reflect.ValueOf(&l[i]).Elem())
		}
		out = l
	case *ast.BoolNode:
		out = u.Value
	case *ast.IntegerNode:
		out = u.Value
	case *ast.FloatNode:
		out = u.Value
	case *ast.NullNode, nil:
	default:
		out = scalarText(u)
	}
	if out != nil && !reflect.TypeOf(out).AssignableTo(v.Type()) {
		c.Addf(n, path, "cannot decode %s into %s", Kind(n), v.Type())
		return
	}
	if out != nil {
		v.Set(reflect.ValueOf(out))
	}
}

func (c *Collector) decodeScalar(n ast.Node, path string, v reflect.Value) {
	switch {
	case v.Type() == durationType:
		s, ok := c.String(n, path)
		if !ok {
			return
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			c.Say(n, path, CodeNotDuration, s)
			return
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		if s, ok := c.String(n, path); ok {
			v.SetString(s)
		}
	case v.Kind() == reflect.Bool:
		if b, ok := c.Bool(n, path); ok {
			v.SetBool(b)
		}
	case v.CanInt():
		c.decodeInt(n, path, v)
	case v.CanUint():
		i, err := strconv.ParseUint(scalarText(n), 0, v.Type().Bits())
		if _, isInt := Unwrap(n).(*ast.IntegerNode); !isInt || err != nil {
			c.WrongType(n, path, WordUint)
			return
		}
		v.SetUint(i)
	case v.CanFloat():
		f, err := strconv.ParseFloat(scalarText(n), v.Type().Bits())
		switch Unwrap(n).(type) {
		case *ast.IntegerNode, *ast.FloatNode:
		default:
			err = errors.New("not a number")
		}
		if err != nil {
			c.WrongType(n, path, WordNumber)
			return
		}
		v.SetFloat(f)
	default:
		c.Addf(n, path, "cannot decode into %s", v.Type())
	}
}

func (c *Collector) decodeInt(n ast.Node, path string, v reflect.Value) {
	_, isInt := Unwrap(n).(*ast.IntegerNode)
	i, err := strconv.ParseInt(scalarText(n), 0, v.Type().Bits())
	if !isInt || err != nil {
		c.WrongType(n, path, WordInt)
		return
	}
	v.SetInt(i)
}
