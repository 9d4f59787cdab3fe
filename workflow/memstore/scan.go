package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/waauto/waauto/workflow"
)

// ScanMessages calls fn with every stored message, one conversation per
// call, ordered by session, phone and Seq. fn runs without the store's
// lock, so it may use the store. An error of fn stops the scan and is
// returned. It writes nothing (replay.Store).
func (s *Store) ScanMessages(ctx context.Context, fn func([]workflow.MessageRecord) error) error {
	s.mu.Lock()
	keys := make([]convKey, 0, len(s.conversations))
	for k := range s.conversations {
		keys = append(keys, k)
	}
	s.mu.Unlock()
	slices.SortFunc(keys, func(a, b convKey) int {
		return cmp.Or(cmp.Compare(a.session, b.session), cmp.Compare(a.phone, b.phone))
	})
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.Lock()
		var msgs []workflow.MessageRecord
		if c, ok := s.conversations[k]; ok {
			msgs = slices.Clone(c.messages)
		}
		s.mu.Unlock()
		if len(msgs) == 0 {
			continue
		}
		if err := fn(msgs); err != nil {
			return err
		}
	}
	return nil
}
