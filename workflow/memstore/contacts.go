package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/waauto/waauto/workflow"
)

// Contact returns the contact of phone, or an error wrapping
// workflow.ErrNotFound.
func (s *Store) Contact(ctx context.Context, phone string) (workflow.Contact, error) {
	if err := ctx.Err(); err != nil {
		return workflow.Contact{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contacts[phone]
	if !ok {
		return workflow.Contact{}, fmt.Errorf("contact %s: %w", phone, workflow.ErrNotFound)
	}
	return copyContact(c), nil
}

// PutContact creates or replaces a contact.
func (s *Store) PutContact(ctx context.Context, c workflow.Contact) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contacts[c.Phone] = copyContact(c)
	return nil
}

// UpdateLabels adds then removes labels, keeping the order of first
// addition and no duplicates, creating the contact (Imported) when unknown.
func (s *Store) UpdateLabels(ctx context.Context, phone string, add, remove []string) (workflow.Contact, error) {
	if err := ctx.Err(); err != nil {
		return workflow.Contact{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactOrNew(phone)
	labels := slices.Clone(c.Labels)
	for _, l := range add {
		if !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	labels = slices.DeleteFunc(labels, func(l string) bool { return slices.Contains(remove, l) })
	c.Labels = labels
	s.contacts[phone] = c
	return copyContact(c), nil
}

// SetExcluded excludes or includes a contact, creating it (Imported) when
// unknown.
func (s *Store) SetExcluded(ctx context.Context, phone string, excluded bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contactOrNew(phone)
	c.Excluded = excluded
	s.contacts[phone] = c
	return nil
}

// contactOrNew returns the stored contact of phone, or a new imported one
// (not yet stored). The caller holds s.mu.
func (s *Store) contactOrNew(phone string) workflow.Contact {
	if c, ok := s.contacts[phone]; ok {
		return c
	}
	return workflow.Contact{Phone: phone, Imported: true, CreatedAt: s.now()}
}

// ListContacts returns contacts ordered by phone, after q.After.
func (s *Store) ListContacts(ctx context.Context, q workflow.ContactQuery) ([]workflow.Contact, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	search := strings.ToLower(q.Search)
	phones := make([]string, 0, len(s.contacts))
	for p, c := range s.contacts {
		if p > q.After && contactMatches(q, search, c) {
			phones = append(phones, p)
		}
	}
	slices.Sort(phones)
	phones = phones[:min(len(phones), workflow.PageLimit(q.Limit, 100, 1000))]
	out := make([]workflow.Contact, len(phones))
	for i, p := range phones {
		out[i] = copyContact(s.contacts[p])
	}
	return out, nil
}

// contactMatches applies q's filters to c; search is q.Search in lower case.
func contactMatches(q workflow.ContactQuery, search string, c workflow.Contact) bool {
	switch {
	case q.Excluded != nil && c.Excluded != *q.Excluded,
		q.Label != "" && !slices.Contains(c.Labels, q.Label):
		return false
	}
	return search == "" || strings.Contains(strings.ToLower(c.Name), search) || strings.Contains(c.Phone, search)
}

// ImportContacts checks every row, then stores them all under the lock:
// either all rows are stored or none.
func (s *Store) ImportContacts(ctx context.Context, rows []workflow.ContactImport) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	seen := make(map[string]int, len(rows))
	for i := range rows {
		if err := workflow.CheckContactImport(rows, i, seen); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rows {
		c := r.Apply(s.contactOrNew(r.Phone))
		if len(c.Labels) == 0 {
			c.Labels = nil
		}
		s.contacts[r.Phone] = c
	}
	return nil
}
