package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/waauto/waauto/workflow"
)

// oldest returns up to limit (0 or less: all) of keys whose time is
// before before, oldest first (ties by cmpKey).
func oldest[K comparable](all map[K]time.Time, before time.Time, limit int, cmpKey func(a, b K) int) []K {
	var ks []K
	for k, t := range all {
		if t.Before(before) {
			ks = append(ks, k)
		}
	}
	slices.SortFunc(ks, func(a, b K) int { return cmp.Or(all[a].Compare(all[b]), cmpKey(a, b)) })
	if limit > 0 && len(ks) > limit {
		ks = ks[:limit]
	}
	return ks
}

// PurgeMessages deletes up to limit messages older than before, oldest
// first, and returns how many.
func (s *Store) PurgeMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	times := make(map[msgKey]time.Time, len(s.messages))
	for k, m := range s.messages {
		times[k] = m.Time
	}
	ks := oldest(times, before, limit, func(a, b msgKey) int { return cmp.Or(cmp.Compare(a.session, b.session), cmp.Compare(a.id, b.id)) })
	for _, k := range ks {
		m := s.messages[k]
		delete(s.messages, k)
		if c, ok := s.conversations[convKey{m.Session, m.Phone}]; ok {
			c.messages = slices.DeleteFunc(c.messages, func(r workflow.MessageRecord) bool { return r.ID == m.ID })
		}
	}
	return len(ks), nil
}

// PurgeFirings deletes up to limit done firings older than before, oldest
// first, and returns how many; LastFired forgets the conversations whose
// last firing is older. Running firings stay for their job to resume.
func (s *Store) PurgeFirings(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	done := make(map[firingKey]time.Time, len(s.firings))
	for k, f := range s.firings {
		if f.State == workflow.FiringStateDone {
			done[k] = f.At
		}
	}
	ks := oldest(done, before, limit, func(a, b firingKey) int {
		return cmp.Or(cmp.Compare(a.workflowID, b.workflowID), cmp.Compare(a.session, b.session), cmp.Compare(a.messageID, b.messageID))
	})
	for _, k := range ks {
		delete(s.firings, k)
		mk := msgKey{k.session, k.messageID}
		if s.byMessage[mk] = slices.DeleteFunc(s.byMessage[mk], func(wf string) bool { return wf == k.workflowID }); len(s.byMessage[mk]) == 0 {
			delete(s.byMessage, mk)
		}
	}
	for k, t := range s.lastFired {
		if t.Before(before) {
			delete(s.lastFired, k)
		}
	}
	return len(ks), nil
}

// PurgeContacts deletes up to limit inactive conversations without
// messages, then up to limit contacts (neither excluded nor imported)
// created before before with no conversation, and returns how many.
func (s *Store) PurgeContacts(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	convs := map[convKey]time.Time{}
	for k, c := range s.conversations {
		last := c.facts.LastInboundAt
		if c.facts.LastReplyAt.After(last) {
			last = c.facts.LastReplyAt
		}
		if len(c.messages) == 0 {
			convs[k] = last
		}
	}
	cks := oldest(convs, before, limit, func(a, b convKey) int {
		return cmp.Or(cmp.Compare(a.session, b.session), cmp.Compare(a.phone, b.phone))
	})
	for _, k := range cks {
		delete(s.conversations, k)
	}
	talking := map[string]bool{}
	for k := range s.conversations {
		talking[k.phone] = true
	}
	contacts := map[string]time.Time{}
	for p, c := range s.contacts {
		if !c.Excluded && !c.Imported && !talking[p] {
			contacts[p] = c.CreatedAt
		}
	}
	pks := oldest(contacts, before, limit, cmp.Compare[string])
	for _, p := range pks {
		delete(s.contacts, p)
	}
	return len(cks) + len(pks), nil
}
