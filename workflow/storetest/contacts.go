package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

func testContacts(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("ListContacts/ordered_filtered_and_paged", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		if got := get(s.ListContacts(ctx, workflow.ContactQuery{})).must(t, "ListContacts(empty store)"); len(got) != 0 {
			t.Fatalf("ListContacts on an empty store = %v", got)
		}
		for i := 9; i >= 0; i-- { // inserted in reverse order
			ok(t, s.PutContact(ctx, workflow.Contact{Phone: "+3361111111" + string(rune('0'+i)), Excluded: i%3 == 0, Imported: true}), "PutContact")
		}
		phones := func(cs []workflow.Contact) string {
			out := ""
			for _, c := range cs {
				out += c.Phone[len(c.Phone)-1:]
			}
			return out
		}
		if got := phones(get(s.ListContacts(ctx, workflow.ContactQuery{})).must(t, "ListContacts")); got != "0123456789" {
			t.Errorf("ListContacts order = %s, want 0123456789 (last digits)", got)
		}
		yes, no := true, false
		if got := phones(get(s.ListContacts(ctx, workflow.ContactQuery{Excluded: &yes})).must(t, "ListContacts(excluded)")); got != "0369" {
			t.Errorf("excluded = %s, want 0369", got)
		}
		if got := phones(get(s.ListContacts(ctx, workflow.ContactQuery{Excluded: &no, Limit: 2})).must(t, "ListContacts(included, 2)")); got != "12" {
			t.Errorf("first page of included = %s, want 12", got)
		}
		if got := phones(get(s.ListContacts(ctx, workflow.ContactQuery{Excluded: &no, After: "+33611111112", Limit: 2})).must(t, "ListContacts(after)")); got != "45" {
			t.Errorf("second page of included = %s, want 45", got)
		}
	})

	t.Run("Contact/not_found", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		_, err := s.Contact(ctx, phoneA)
		wantErr(t, err, "Contact(unknown)", workflow.ErrNotFound)
	})

	t.Run("PutContact/creates_and_replaces", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		c := workflow.Contact{Phone: phoneA, Name: "Bob", Labels: []string{"vip", "lead"}, Excluded: true, Imported: true, CreatedAt: at(-5)}
		ok(t, s.PutContact(ctx, c), "PutContact")
		checkContact(t, "Contact after PutContact", get(s.Contact(ctx, phoneA)).must(t, "Contact"), c)
		c2 := workflow.Contact{Phone: phoneA, Name: "Robert", Labels: []string{"lead"}, CreatedAt: at(-5)}
		ok(t, s.PutContact(ctx, c2), "PutContact (replace)")
		checkContact(t, "Contact after replacing", get(s.Contact(ctx, phoneA)).must(t, "Contact"), c2)
		if _, err := s.Contact(ctx, phoneB); err == nil {
			t.Errorf("Contact(%s) found after putting only %s", phoneB, phoneA)
		}
	})

	t.Run("PutContact/labels_are_copied", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		labels := []string{"vip", "lead"}
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneA, Labels: labels, Imported: true}), "PutContact")
		labels[0] = "mutated input"
		got := get(s.Contact(ctx, phoneA)).must(t, "Contact")
		if !same(got.Labels, []string{"vip", "lead"}) {
			t.Fatalf("mutating the slice passed to PutContact changed the store: Labels = %q", got.Labels)
		}
		got.Labels[0] = "mutated output"
		if again := get(s.Contact(ctx, phoneA)).must(t, "Contact"); !same(again.Labels, []string{"vip", "lead"}) {
			t.Errorf("mutating the Labels returned by Contact changed the store: Labels = %q", again.Labels)
		}
		up := get(s.UpdateLabels(ctx, phoneA, nil, nil)).must(t, "UpdateLabels")
		up.Labels[1] = "mutated output"
		if again := get(s.Contact(ctx, phoneA)).must(t, "Contact"); !same(again.Labels, []string{"vip", "lead"}) {
			t.Errorf("mutating the Labels returned by UpdateLabels changed the store: Labels = %q", again.Labels)
		}
	})

	t.Run("UpdateLabels/adds_then_removes_in_order_without_duplicates", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		steps := []struct {
			add, remove, want []string
		}{
			{[]string{"a", "b"}, nil, []string{"a", "b"}},
			{[]string{"b", "c", "a"}, nil, []string{"a", "b", "c"}},
			{nil, []string{"b"}, []string{"a", "c"}},
			{[]string{"b"}, nil, []string{"a", "c", "b"}},
			{[]string{"d"}, []string{"d"}, []string{"a", "c", "b"}},
			{[]string{"e", "e"}, []string{"zzz"}, []string{"a", "c", "b", "e"}},
			{[]string{"e", "e"}, []string{"zzz"}, []string{"a", "c", "b", "e"}},
			{nil, []string{"a", "c", "b", "e"}, nil},
		}
		for i, st := range steps {
			got := get(s.UpdateLabels(ctx, phoneA, st.add, st.remove)).must(t, "UpdateLabels")
			if !same(got.Labels, st.want) {
				t.Errorf("step %d: UpdateLabels(add %q, remove %q) = %q, want %q", i, st.add, st.remove, got.Labels, st.want)
			}
			if c := get(s.Contact(ctx, phoneA)).must(t, "Contact"); !same(c.Labels, st.want) {
				t.Errorf("step %d: Contact.Labels = %q, want %q", i, c.Labels, st.want)
			}
		}
	})

	t.Run("UpdateLabels/creates_an_unknown_contact", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		got := get(s.UpdateLabels(ctx, phoneA, []string{"vip"}, nil)).must(t, "UpdateLabels")
		if got.Phone != phoneA || !same(got.Labels, []string{"vip"}) {
			t.Errorf("UpdateLabels on an unknown phone = %+v, want phone %s with label vip", got, phoneA)
		}
		checkContact(t, "Contact", get(s.Contact(ctx, phoneA)).must(t, "Contact"), got)
	})

	t.Run("UpdateLabels/keeps_other_fields", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		c := workflow.Contact{Phone: phoneA, Name: "Bob", Labels: []string{"x"}, Excluded: true, Imported: true, CreatedAt: at(-5)}
		ok(t, s.PutContact(ctx, c), "PutContact")
		got := get(s.UpdateLabels(ctx, phoneA, []string{"y"}, []string{"x"})).must(t, "UpdateLabels")
		c.Labels = []string{"y"}
		checkContact(t, "UpdateLabels result", got, c)
	})

	t.Run("SetExcluded/creates_an_imported_contact", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.SetExcluded(ctx, phoneA, true), "SetExcluded(true)")
		checkContact(t, "Contact after SetExcluded", get(s.Contact(ctx, phoneA)).must(t, "Contact"),
			workflow.Contact{Phone: phoneA, Excluded: true, Imported: true})
		in := get(s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))).must(t, "RecordInbound")
		if in.NewContact || !in.Contact.Excluded {
			t.Errorf("first message of an excluded contact: NewContact %v, Excluded %v; want false, true", in.NewContact, in.Contact.Excluded)
		}
	})

	t.Run("SetExcluded/toggles_and_keeps_other_fields", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		c := workflow.Contact{Phone: phoneA, Name: "Bob", Labels: []string{"vip"}, CreatedAt: at(-5)}
		ok(t, s.PutContact(ctx, c), "PutContact")
		ok(t, s.SetExcluded(ctx, phoneA, true), "SetExcluded(true)")
		c.Excluded = true
		checkContact(t, "after SetExcluded(true)", get(s.Contact(ctx, phoneA)).must(t, "Contact"), c)
		ok(t, s.SetExcluded(ctx, phoneA, false), "SetExcluded(false)")
		c.Excluded = false
		checkContact(t, "after SetExcluded(false)", get(s.Contact(ctx, phoneA)).must(t, "Contact"), c)
	})

	t.Run("ListContacts/label_and_search", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneA, Name: "Alice Martin", Labels: []string{"vip", "lead"}, Imported: true}), "PutContact A")
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneB, Name: "Bob", Labels: []string{"vipx"}, Imported: true}), "PutContact B")
		ok(t, s.PutContact(ctx, workflow.Contact{Phone: phoneC, Name: "50%_off", Imported: true}), "PutContact C")
		for _, c := range []struct {
			q    workflow.ContactQuery
			want []string
		}{
			{workflow.ContactQuery{Label: "vip"}, []string{phoneA}},
			{workflow.ContactQuery{Label: "vi"}, nil},
			{workflow.ContactQuery{Search: "martin"}, []string{phoneA}},
			{workflow.ContactQuery{Search: "BOB"}, []string{phoneB}},
			{workflow.ContactQuery{Search: "+3363"}, []string{phoneC}},
			{workflow.ContactQuery{Search: "%_"}, []string{phoneC}},
			{workflow.ContactQuery{Search: "_"}, []string{phoneC}},
			{workflow.ContactQuery{Search: "3362", Label: "vipx"}, []string{phoneB}},
			{workflow.ContactQuery{Search: "bob", Label: "vip"}, nil},
		} {
			var got []string
			for _, ct := range get(s.ListContacts(ctx, c.q)).must(t, "ListContacts") {
				got = append(got, ct.Phone)
			}
			if !same(got, c.want) {
				t.Errorf("ListContacts(label %q, search %q) = %q, want %q", c.q.Label, c.q.Search, got, c.want)
			}
		}
	})

	t.Run("ImportContacts/creates_and_merges", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		old := workflow.Contact{Phone: phoneA, Name: "Alice", Labels: []string{"old"}, Excluded: true, CreatedAt: at(-5)}
		ok(t, s.PutContact(ctx, old), "PutContact")
		all := workflow.ContactFieldName | workflow.ContactFieldLabels | workflow.ContactFieldExcluded
		ok(t, s.ImportContacts(ctx, []workflow.ContactImport{
			{Phone: phoneA, Name: "Alice M.", Labels: []string{"vip"}, Set: all},
			{Phone: phoneB, Name: "Bob", Labels: []string{"lead", "vip"}, Excluded: true, Set: all},
		}), "ImportContacts")
		checkContact(t, "existing contact after import", get(s.Contact(ctx, phoneA)).must(t, "Contact A"),
			workflow.Contact{Phone: phoneA, Name: "Alice M.", Labels: []string{"vip"}, CreatedAt: at(-5)})
		checkContact(t, "new contact after import", get(s.Contact(ctx, phoneB)).must(t, "Contact B"),
			workflow.Contact{Phone: phoneB, Name: "Bob", Labels: []string{"lead", "vip"}, Excluded: true, Imported: true})
		in := get(s.RecordInbound(ctx, inbound(sess1, phoneB, "m1", 0))).must(t, "RecordInbound")
		if in.NewContact {
			t.Errorf("first message of an imported contact: NewContact = true, want false")
		}
	})

	t.Run("ImportContacts/keeps_fields_it_does_not_set", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		old := workflow.Contact{Phone: phoneA, Name: "Alice", Labels: []string{"old"}, Excluded: true, Imported: true, CreatedAt: at(-5)}
		ok(t, s.PutContact(ctx, old), "PutContact")
		ok(t, s.ImportContacts(ctx, []workflow.ContactImport{
			{Phone: phoneA, Labels: []string{"new"}, Set: workflow.ContactFieldLabels},
			{Phone: phoneB, Name: "Bob", Labels: []string{"ignored"}, Set: workflow.ContactFieldName},
			{Phone: phoneC},
		}), "ImportContacts")
		old.Labels = []string{"new"}
		checkContact(t, "labels only", get(s.Contact(ctx, phoneA)).must(t, "Contact A"), old)
		checkContact(t, "name only, new", get(s.Contact(ctx, phoneB)).must(t, "Contact B"), workflow.Contact{Phone: phoneB, Name: "Bob", Imported: true})
		checkContact(t, "phone only, new", get(s.Contact(ctx, phoneC)).must(t, "Contact C"), workflow.Contact{Phone: phoneC, Imported: true})
		ok(t, s.ImportContacts(ctx, []workflow.ContactImport{{Phone: phoneA}}), "ImportContacts(phone only)")
		checkContact(t, "phone only, existing", get(s.Contact(ctx, phoneA)).must(t, "Contact A"), old)
		ok(t, s.ImportContacts(ctx, nil), "ImportContacts(nothing)")
	})

	t.Run("ImportContacts/labels_are_copied", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		labels := []string{"vip"}
		ok(t, s.ImportContacts(ctx, []workflow.ContactImport{{Phone: phoneA, Labels: labels, Set: workflow.ContactFieldLabels}}), "ImportContacts")
		labels[0] = "mutated"
		if got := get(s.Contact(ctx, phoneA)).must(t, "Contact"); !same(got.Labels, []string{"vip"}) {
			t.Errorf("mutating the imported slice changed the store: Labels = %q", got.Labels)
		}
	})

	// A bad row after many good ones (more than one batch of a database
	// store) must roll back everything: nothing half-imported.
	t.Run("ImportContacts/a_bad_row_imports_nothing", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		old := workflow.Contact{Phone: phoneA, Name: "Alice", Labels: []string{"old"}, Imported: true, CreatedAt: at(-5)}
		ok(t, s.PutContact(ctx, old), "PutContact")
		good := make([]workflow.ContactImport, 0, 1300)
		good = append(good, workflow.ContactImport{Phone: phoneA, Name: "changed", Set: workflow.ContactFieldName})
		for i := range 1200 {
			good = append(good, workflow.ContactImport{Phone: fmt.Sprintf("+3361%07d", 1000+i), Name: "new", Set: workflow.ContactFieldName})
		}
		for _, c := range []struct {
			name string
			bad  workflow.ContactImport
			want error
		}{
			{"not E.164", workflow.ContactImport{Phone: "06 12 34 56 78"}, trigger.ErrBadPhone},
			{"empty", workflow.ContactImport{}, trigger.ErrBadPhone},
			{"duplicate", workflow.ContactImport{Phone: good[700].Phone}, workflow.ErrDuplicatePhone},
		} {
			rows := append(append([]workflow.ContactImport(nil), good...), c.bad)
			err := s.ImportContacts(ctx, rows)
			wantErr(t, err, "ImportContacts("+c.name+")", c.want)
			var ie *workflow.ContactImportError
			if !errors.As(err, &ie) || ie.Row != len(good) {
				t.Errorf("ImportContacts(%s): error %v, want a *ContactImportError of row %d", c.name, err, len(good))
			}
			checkContact(t, "existing contact after a refused import ("+c.name+")", get(s.Contact(ctx, phoneA)).must(t, "Contact"), old)
			if got := get(s.ListContacts(ctx, workflow.ContactQuery{Limit: 1000})).must(t, "ListContacts"); len(got) != 1 {
				t.Errorf("after a refused import (%s) the store holds %d contacts, want 1", c.name, len(got))
			}
		}
		ok(t, s.ImportContacts(ctx, good), "ImportContacts(good rows)")
		if got := get(s.Contact(ctx, good[1200].Phone)).must(t, "Contact"); got.Name != "new" {
			t.Errorf("last contact of a big import: Name %q, want new", got.Name)
		}
	})
}
