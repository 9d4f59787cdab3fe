package bun_test

import (
	"context"
	"testing"

	"github.com/waauto/waauto/workflow"
)

// A firing recorded before firings had states (schema 1: a row without
// state) reads as done after the migration, so that an upgrade never
// resumes, and re-sends, what was answered before it.
func TestFiringsFromBeforeTheMigrationAreDone(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			s := be.open(t)
			ctx := context.Background()
			_, err := s.DB().NewRaw(`INSERT INTO waauto_firings (workflow_id, session, message_id, phone, at) VALUES ('w1', 'main', 'm1', '+33611111111', 1)`).Exec(ctx)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := s.FiringsOf(ctx, "main", "m1")
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].State != workflow.FiringStateDone {
				t.Errorf("firing of schema 1 = %+v, want done", fs)
			}
		})
	}
}
