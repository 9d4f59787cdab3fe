package engine

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

var timeType = reflect.TypeFor[time.Time]()

// fillDistinct sets every field of v reachable from it (nested structs, pointers,
// slices, maps) to a value of its own, not zero, so that a field the
// payload leaves out shows in a round trip. Funcs stay nil.
func fillDistinct(v reflect.Value, n *int) {
	*n++
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Unix(0, 1_700_000_000_000_000_000+int64(*n)*1_000_003).In(time.FixedZone("X", 3600))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strconv.Itoa(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillDistinct(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillDistinct(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillDistinct(k, n)
		fillDistinct(e, n)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() && f.Kind() != reflect.Func {
				fillDistinct(f, n)
			}
		}
	}
}

// utc returns v with its times in UTC, for comparing: the payload keeps
// the instant, not the zone.
func utc(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			utc(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			utc(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				utc(f)
			}
		}
	}
}

// roundTrip encodes j, decodes it back and checks that nothing changed.
func roundTrip(t *testing.T, name string, j inboundJob) []byte {
	t.Helper()
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var got inboundJob
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: decode %s: %v", name, b, err)
	}
	utc(reflect.ValueOf(&j).Elem())
	utc(reflect.ValueOf(&got).Elem())
	if !reflect.DeepEqual(got, j) {
		t.Errorf("%s: round trip through %s\n got %+v\nwant %+v", name, b, got, j)
	}
	return b
}

// An evaluation's payload gives back every field of the job, whatever
// is set (every field of the message, contact and number, filled by
// reflection, so that a field added to them later and left out of the
// payload fails here), zero or not, nil or empty.
func TestInboundPayloadKeepsEveryField(t *testing.T) {
	var full inboundJob
	n := 0
	fillDistinct(reflect.ValueOf(&full).Elem(), &n)
	full.Message.Media.Fetch = nil
	same := full
	same.Contact.Phone, same.Session.ID = same.Message.Phone, same.Message.Session
	empty := same
	empty.Labels, empty.Contact.Labels, empty.Session.Disabled, empty.TraceContext = []string{}, []string{}, []workflow.Module{}, map[string]string{}
	for name, j := range map[string]inboundJob{
		"every field":                         full,
		"contact and number as the message's": same,
		"empty, not nil":                      empty,
		"zero":                                {},
		"text message": {Message: trigger.Message{ID: "A1", Session: "main", Phone: "+33612345678", Text: "prix ?", Type: trigger.MessageText, Time: time.Now()},
			Contact: workflow.Contact{Phone: "+33612345678"}, Session: workflow.Session{ID: "main"}, At: time.Now(), Fresh: true},
	} {
		if b := roundTrip(t, name, j); !strings.HasPrefix(string(b), `{"v":2`) {
			t.Errorf("%s: payload %s, want the compact one", name, b)
		}
	}
}

// A job whose times have no Unix nanoseconds, or whose contact or number
// has no key while the message has, is queued by its fields' names, and
// read back whole.
func TestInboundPayloadFallsBackToFieldNames(t *testing.T) {
	m := trigger.Message{ID: "A1", Session: "main", Phone: "+33612345678"}
	for name, j := range map[string]inboundJob{
		"year 2300":             {Message: m, At: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)},
		"1970-01-01":            {Message: m, LastReply: time.Unix(0, 0)},
		"contact without phone": {Message: m, Session: workflow.Session{ID: "main"}},
		"number without id":     {Message: m, Contact: workflow.Contact{Phone: m.Phone}},
	} {
		if b := roundTrip(t, name, j); strings.HasPrefix(string(b), `{"v":2`) {
			t.Errorf("%s: payload %s, want the fields' names", name, b)
		}
	}
}

// Jobs queued by earlier versions (the fields by name) are still read.
func TestInboundPayloadReadsEarlierJobs(t *testing.T) {
	var j inboundJob
	n := 0
	fillDistinct(reflect.ValueOf(&j).Elem(), &n)
	j.Message.Media.Fetch = nil
	b, err := json.Marshal(legacyInbound(j))
	if err != nil {
		t.Fatal(err)
	}
	var got inboundJob
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	utc(reflect.ValueOf(&j).Elem())
	utc(reflect.ValueOf(&got).Elem())
	if !reflect.DeepEqual(got, j) {
		t.Errorf("earlier payload %s read as %+v, want %+v", b, got, j)
	}
}

// A text message's payload is at most half the size of its fields by name.
// The instant is fixed: the named form's length moves with the trailing
// zeros of the nanoseconds (RFC 3339 drops them), which made a time.Now()
// fail this test about once in ten runs.
func TestInboundPayloadIsCompact(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 30, 15, 123456789, time.UTC)
	j := inboundJob{Message: trigger.Message{ID: "3EB0C767D71A2B3C4D5E", Session: "main", Phone: "+33612345678", PushName: "Marie",
		Text: "bonjour, je voudrais savoir le prix", Type: trigger.MessageText, Time: now},
		NewContact: true, Seq: 1, MessageCount: 1, Contact: workflow.Contact{Phone: "+33612345678", Name: "Marie", CreatedAt: now},
		Session: workflow.Session{ID: "main", Label: "Shop", Status: workflow.SessionConnected, CreatedAt: now}, At: now, Fresh: true}
	compact, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	named, err := json.Marshal(legacyInbound(j))
	if err != nil {
		t.Fatal(err)
	}
	if 2*len(compact) > len(named) {
		t.Errorf("payload of %d bytes, fields by name %d: want at most half", len(compact), len(named))
	}
	t.Logf("payload %d bytes, fields by name %d", len(compact), len(named))
}
