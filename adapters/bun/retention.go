package bun

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/workflow"
)

// purge runs one bounded DELETE (limit 0 or less: no bound) and returns
// how many rows it deleted.
func (s *Store) purge(ctx context.Context, what string, before time.Time, q *bun.DeleteQuery) (int, error) {
	res, err := s.exec(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("purge %s before %s: %w", what, before.Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge %s: %w", what, err)
	}
	return int(n), nil
}

func limited(q *bun.SelectQuery, limit int) *bun.SelectQuery {
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	return q
}

// PurgeMessages deletes up to limit messages older than before, oldest
// first, and returns how many.
func (s *Store) PurgeMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	sub := limited(s.db.NewSelect().Model((*messageRow)(nil)).Column("session", "id").
		Where("at < ?", nanos(before)).OrderExpr("at, session, id"), limit)
	return s.purge(ctx, "messages", before, s.db.NewDelete().Model((*messageRow)(nil)).Where("(session, id) IN (?)", sub))
}

// PurgeFirings deletes up to limit done firings older than before, oldest
// first, and returns how many. Running firings stay for their job to resume.
func (s *Store) PurgeFirings(ctx context.Context, before time.Time, limit int) (int, error) {
	sub := limited(s.db.NewSelect().Model((*firingRow)(nil)).Column("workflow_id", "session", "message_id").
		Where("at < ? AND state = ?", nanos(before), string(workflow.FiringStateDone)).OrderExpr("at, workflow_id, session, message_id"), limit)
	return s.purge(ctx, "firings", before, s.db.NewDelete().Model((*firingRow)(nil)).Where("(workflow_id, session, message_id) IN (?)", sub))
}

// PurgeContacts deletes up to limit conversations without messages whose
// last inbound and reply are older than before, then up to limit contacts
// created before before, neither excluded nor imported, without
// conversation; it returns how many rows it deleted.
func (s *Store) PurgeContacts(ctx context.Context, before time.Time, limit int) (int, error) {
	b := nanos(before)
	convs := limited(s.db.NewSelect().TableExpr("waauto_conversations AS v").Column("v.session", "v.phone").
		Where("v.last_inbound_at < ? AND v.last_reply_at < ?", b, b).
		Where("NOT EXISTS (SELECT 1 FROM waauto_messages AS m WHERE m.session = v.session AND m.phone = v.phone)").
		OrderExpr(s.greatest()+"(v.last_inbound_at, v.last_reply_at), v.session, v.phone"), limit)
	n, err := s.purge(ctx, "conversations", before, s.db.NewDelete().Model((*conversationRow)(nil)).Where("(session, phone) IN (?)", convs))
	if err != nil {
		return n, err
	}
	contacts := limited(s.db.NewSelect().TableExpr("waauto_contacts AS c").Column("c.phone").
		Where("c.created_at < ? AND NOT c.excluded AND NOT c.imported", b).
		Where("NOT EXISTS (SELECT 1 FROM waauto_conversations AS v WHERE v.phone = c.phone)").
		OrderExpr("c.created_at, c.phone"), limit)
	m, err := s.purge(ctx, "contacts", before, s.db.NewDelete().Model((*contactRow)(nil)).Where("phone IN (?)", contacts))
	return n + m, err
}
