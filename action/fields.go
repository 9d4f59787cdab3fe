package action

import (
	"encoding"
	"reflect"
	"strings"
	"time"
)

// Field describes one field of a registered action, so that a form can
// offer it.
type Field struct {
	// Name is the field's key in workflow files.
	Name string `json:"name"`
	// Kind is string, bool, int, strings (a list), duration, optbool or
	// optint (a pointer: left out differs from false or 0), object (Fields
	// holds its own fields) or text (any other value written as a string).
	Kind string `json:"kind"`
	// Required: the file always spells the field out (no omitempty).
	Required bool `json:"required,omitempty"`
	// Fields are the fields of an object.
	Fields []Field `json:"fields,omitempty"`
}

// Fields describes the fields of the action registered as name, read from
// its type; false when name is unknown.
func (r *Registry) Fields(name string) ([]Field, bool) {
	d, ok := r.m[name]
	if !ok {
		return nil, false
	}
	return structFields(d.typ), true
}

var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

func structFields(t reflect.Type) []Field {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []Field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, omit := tagName(sf)
		if name == "-" {
			continue
		}
		f := Field{Name: name, Required: !omit, Kind: kindOf(sf.Type)}
		if f.Kind == "object" {
			f.Fields = structFields(sf.Type)
		}
		out = append(out, f)
	}
	return out
}

// tagName reads the key as the workflow loader does: yaml tag, json tag,
// then the lower-cased field name.
func tagName(sf reflect.StructField) (string, bool) {
	for _, key := range []string{"yaml", "json"} {
		if tag, ok := sf.Tag.Lookup(key); ok {
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = strings.ToLower(sf.Name)
			}
			return name, strings.Contains(opts, "omitempty")
		}
	}
	return strings.ToLower(sf.Name), false
}

func kindOf(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[Duration]() || t == reflect.TypeFor[time.Duration]():
		return "duration"
	case t.Implements(textMarshaler):
		return "text"
	}
	switch t.Kind() {
	case reflect.Pointer:
		switch kindOf(t.Elem()) {
		case "bool":
			return "optbool"
		case "int":
			return "optint"
		case "object":
			return "object"
		}
		return "text"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "strings"
		}
	case reflect.Struct:
		return "object"
	}
	return "text"
}
