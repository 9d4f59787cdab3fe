package bun

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/workflow"
)

// Contact returns the contact of phone, or ErrNotFound.
func (s *Store) Contact(ctx context.Context, phone string) (workflow.Contact, error) {
	var r contactRow
	if err := s.db.NewSelect().Model(&r).Where("phone = ?", phone).Scan(ctx); err != nil {
		return workflow.Contact{}, notFound(err, "contact "+phone)
	}
	return r.contact()
}

// PutContact creates or replaces a contact.
func (s *Store) PutContact(ctx context.Context, c workflow.Contact) error {
	r, err := contactToRow(c)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, s.db.NewInsert().Model(&r).On("CONFLICT (phone) DO UPDATE").
		Set("name = excluded.name, labels = excluded.labels, excluded = excluded.excluded").
		Set("imported = excluded.imported, created_at = excluded.created_at"))
	if err != nil {
		return fmt.Errorf("put contact %s: %w", c.Phone, err)
	}
	return nil
}

// createImported creates phone as an imported contact unless it exists.
const createImported = `INSERT INTO waauto_contacts (phone, labels, imported, created_at)
	VALUES (?, '[]', TRUE, ?) ON CONFLICT (phone) DO NOTHING`

// UpdateLabels adds then removes labels (no duplicates, order of first
// addition kept), creating the contact (Imported) when unknown. The row is
// locked while it is changed, so concurrent updates are not lost.
func (s *Store) UpdateLabels(ctx context.Context, phone string, add, remove []string) (workflow.Contact, error) {
	var out workflow.Contact
	err := s.write(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, createImported, phone, nanos(s.clock.Now())); err != nil {
			return err
		}
		var r contactRow
		q := tx.NewSelect().Model(&r).Where("phone = ?", phone)
		if s.pg {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		c, err := r.contact()
		if err != nil {
			return err
		}
		for _, l := range add {
			if !slices.Contains(c.Labels, l) {
				c.Labels = append(c.Labels, l)
			}
		}
		c.Labels = slices.DeleteFunc(c.Labels, func(l string) bool { return slices.Contains(remove, l) })
		if len(c.Labels) == 0 {
			c.Labels = nil
		}
		labels, err := toJSON(c.Labels)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE waauto_contacts SET labels = ? WHERE phone = ?`, labels, phone); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return workflow.Contact{}, fmt.Errorf("update labels of %s: %w", phone, err)
	}
	return out, nil
}

// SetExcluded excludes or includes a contact, creating it (Imported) when unknown.
func (s *Store) SetExcluded(ctx context.Context, phone string, excluded bool) error {
	_, err := s.exec(ctx, s.db.NewRaw(`INSERT INTO waauto_contacts (phone, labels, excluded, imported, created_at)
		VALUES (?, '[]', ?, TRUE, ?) ON CONFLICT (phone) DO UPDATE SET excluded = excluded.excluded`,
		phone, excluded, nanos(s.clock.Now())))
	if err != nil {
		return fmt.Errorf("set excluded %s: %w", phone, err)
	}
	return nil
}

// ListContacts returns contacts ordered by phone, after q.After.
func (s *Store) ListContacts(ctx context.Context, q workflow.ContactQuery) ([]workflow.Contact, error) {
	var rows []contactRow
	sel := s.db.NewSelect().Model(&rows).Where("phone > ?", q.After).Order("phone").Limit(int64(workflow.PageLimit(q.Limit, 100, 1000)))
	if q.Excluded != nil {
		sel = sel.Where("excluded = ?", *q.Excluded)
	}
	if q.Label != "" {
		lbl, err := json.Marshal(q.Label)
		if err != nil {
			return nil, err
		}
		sel = sel.Where(`labels LIKE ? ESCAPE '\'`, "%"+likeEscape.Replace(string(lbl))+"%")
	}
	if q.Search != "" {
		pat := "%" + likeEscape.Replace(strings.ToLower(q.Search)) + "%"
		sel = sel.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\')`, pat, pat)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	out := make([]workflow.Contact, len(rows))
	for i, r := range rows {
		c, err := r.contact()
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// importBatch is how many contacts one INSERT of ImportContacts writes.
const importBatch = 500

// ImportContacts upserts the rows in batches inside one transaction,
// checking each batch's rows before writing it: a bad row rolls back the
// batches already written, so either all rows are stored or none.
func (s *Store) ImportContacts(ctx context.Context, rows []workflow.ContactImport) error {
	now := nanos(s.clock.Now())
	err := s.write(ctx, func(ctx context.Context, tx bun.Tx) error {
		seen := make(map[string]int, len(rows))
		for start := 0; start < len(rows); start += importBatch {
			batch := rows[start:min(start+importBatch, len(rows))]
			for i := range batch {
				if err := workflow.CheckContactImport(rows, start+i, seen); err != nil {
					return err
				}
			}
			if err := importContacts(ctx, tx, batch, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %d contacts: %w", len(rows), err)
	}
	return nil
}

// importContacts upserts batch, whose rows are checked: rows setting the
// same fields go in one statement that updates only those fields of
// existing contacts.
func importContacts(ctx context.Context, tx bun.Tx, batch []workflow.ContactImport, now int64) error {
	groups := map[workflow.ContactField][]contactRow{}
	var order []workflow.ContactField
	for _, r := range batch {
		row, err := contactToRow(r.Apply(workflow.Contact{Phone: r.Phone, Imported: true}))
		if err != nil {
			return err
		}
		row.CreatedAt = now
		if _, ok := groups[r.Set]; !ok {
			order = append(order, r.Set)
		}
		groups[r.Set] = append(groups[r.Set], row)
	}
	for _, set := range order {
		rows := groups[set]
		q := tx.NewInsert().Model(&rows)
		var cols []string
		for _, f := range []struct {
			field workflow.ContactField
			col   string
		}{{workflow.ContactFieldName, "name"}, {workflow.ContactFieldLabels, "labels"}, {workflow.ContactFieldExcluded, "excluded"}} {
			if set.Has(f.field) {
				cols = append(cols, f.col+" = excluded."+f.col)
			}
		}
		if len(cols) == 0 {
			q = q.On("CONFLICT (phone) DO NOTHING")
		} else {
			q = q.On("CONFLICT (phone) DO UPDATE").Set(strings.Join(cols, ", "))
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
