package storetest

import (
	"testing"

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
}
