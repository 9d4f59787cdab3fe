package engine

import (
	"reflect"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// A released record is reused for the next message: init must set every
// field again, or a customer's message would be evaluated with a value
// left by another's. The test fills every field with garbage, inits the
// record, and compares it, field by field, with a fresh record inited
// the same way; only the reused buffers may differ (they are reset by
// their own code: the facts' Set, the scope's Reset in run). A field
// added to execution without being set in init fails here.
func TestInitSetsEveryField(t *testing.T) {
	reused := map[string]bool{"factsVal": true, "scope": true, "text": true, "facts": true}
	in := condition.Input{Message: trigger.Message{ID: "m2", Session: "s", Phone: "+33600000002", Text: "Bonjour", Time: time.Unix(1_790_000_000, 0)}, Labels: []string{"vip"}}
	contact := workflow.Contact{Phone: "+33600000002", Name: "Ana"}
	sess := workflow.Session{ID: "s"}
	at := time.Unix(1_790_000_001, 0)

	dirty := new(execution)
	v := reflect.ValueOf(dirty).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if reused[v.Type().Field(i).Name] {
			continue
		}
		fill(t, v.Type().Field(i).Name, reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem())
	}
	dirty.init(in, contact, sess, 2, at)
	fresh := new(execution)
	fresh.init(in, contact, sess, 2, at)

	w := reflect.ValueOf(fresh).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if reused[name] {
			continue
		}
		got := reflect.NewAt(v.Field(i).Type(), v.Field(i).Addr().UnsafePointer()).Elem().Interface()
		want := reflect.NewAt(w.Field(i).Type(), w.Field(i).Addr().UnsafePointer()).Elem().Interface()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("field %s after init of a reused record = %+v, want %+v (init does not set it)", name, got, want)
		}
	}
	if dirty.facts != &dirty.factsVal || dirty.factsVal.Text != fresh.factsVal.Text || !reflect.DeepEqual(dirty.factsVal.Labels, fresh.factsVal.Labels) {
		t.Errorf("facts of the reused record = %+v, want %+v", dirty.factsVal, fresh.factsVal)
	}
}

// fill sets f to a non-zero value of its kind.
func fill(t *testing.T, name string, f reflect.Value) {
	switch f.Kind() {
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Int, reflect.Int64:
		f.SetInt(99)
	case reflect.String:
		f.SetString("stale")
	case reflect.Struct:
		for i := range f.NumField() {
			sub := f.Field(i)
			fill(t, name+"."+f.Type().Field(i).Name, reflect.NewAt(sub.Type(), sub.Addr().UnsafePointer()).Elem())
		}
	case reflect.Slice:
		f.Set(reflect.MakeSlice(f.Type(), 1, 1))
	case reflect.Pointer:
		f.Set(reflect.New(f.Type().Elem()))
	case reflect.Map:
		f.Set(reflect.MakeMap(f.Type()))
	case reflect.Interface, reflect.Func, reflect.Chan, reflect.Array, reflect.Uint8, reflect.Uint, reflect.Uint32, reflect.Uint64, reflect.Int32, reflect.Float64:
		// zero stays: not a kind the record's own fields use today
	default:
		t.Fatalf("field %s: kind %s not handled by fill", name, f.Kind())
	}
}
