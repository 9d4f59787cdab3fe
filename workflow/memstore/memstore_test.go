package memstore_test

import (
	"errors"
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) workflow.Store { return memstore.New() })
}

func TestAppendLogsRetryAndMissingID(t *testing.T) {
	s, ctx := memstore.New(), t.Context()
	batch := []workflow.Execution{{ID: "01", WorkflowID: "w"}, {ID: "02", WorkflowID: "w"}}
	if err := s.AppendLogs(ctx, batch[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendLogs(ctx, batch); err != nil {
		t.Fatalf("retrying a partly stored batch: %v", err)
	}
	page, err := s.QueryLogs(ctx, workflow.LogQuery{})
	if err != nil || len(page.Entries) != 2 || page.Entries[0].ID != "02" || page.Entries[1].ID != "01" {
		t.Fatalf("after the retry QueryLogs = %+v, %v; want entries 02, 01 once each", page.Entries, err)
	}
	err = s.AppendLogs(ctx, []workflow.Execution{{ID: "03"}, {WorkflowID: "w"}})
	if !errors.Is(err, workflow.ErrLogWithoutID) {
		t.Fatalf("AppendLogs with an entry without ID: %v, want ErrLogWithoutID", err)
	}
	if page, _ := s.QueryLogs(ctx, workflow.LogQuery{}); len(page.Entries) != 2 {
		t.Errorf("a rejected batch stored %d entries, want none of it (2 in all)", len(page.Entries))
	}
}
