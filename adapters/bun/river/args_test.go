package riverqueue_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/waauto/waauto/workflow"
)

// oldArgs is a job as versions before JSON payloads queued it: the
// payload in base64 under "payload", River kind waauto_job.
type oldArgs struct {
	ID      string `json:"id" river:"unique"`
	Type    string `json:"type"`
	Payload []byte `json:"payload,omitempty"`
}

func (oldArgs) Kind() string { return "waauto_job" }

// TestPayloadsReachTheHandler: on each database the handler gets every
// payload byte for byte — JSON (kept as JSON in River's args), bytes that
// are not JSON (base64), none — and a job queued by an earlier version,
// its payload in base64, is read as before.
func TestPayloadsReachTheHandler(t *testing.T) {
	want := map[string]string{
		"json":    `{"Message":{"Text":"prix ?"},"Seq":3,"Labels":["vip"]}`,
		"string":  `"sched-1"`,
		"bytes":   "\x00\xffnot json",
		"none":    "",
		"old":     `{"Message":{"Text":"queued before the upgrade"}}`,
		"old-raw": "\x01binary",
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			store, q := newQueue(t, b.open)
			var mu sync.Mutex
			got := map[string]string{}
			done := make(chan struct{}, len(want))
			for id, p := range want {
				if id == "old" || id == "old-raw" {
					if _, err := q.Client().Insert(ctx, oldArgs{ID: id, Type: workflow.JobSend, Payload: []byte(p)}, nil); err != nil {
						t.Fatal(err)
					}
					continue
				}
				var payload []byte
				if p != "" {
					payload = []byte(p)
				}
				if err := q.Enqueue(ctx, workflow.Job{ID: id, Kind: workflow.JobSend, Payload: payload}); err != nil {
					t.Fatal(err)
				}
			}
			// SQLite keeps a JSON payload as JSON (no base64), PostgreSQL
			// never (its jsonb would reorder the payload's keys).
			argsText := "CAST(json(args) AS TEXT)"
			if b.name != "sqlite" {
				argsText = "args::text"
			}
			var stored string
			if err := store.DB().QueryRowContext(ctx, "SELECT "+argsText+" FROM river_job WHERE kind = 'waauto_job' AND "+argsText+" LIKE '%json%'").Scan(&stored); err != nil {
				t.Fatal(err)
			}
			var keys map[string]json.RawMessage
			if err := json.Unmarshal([]byte(stored), &keys); err != nil {
				t.Fatal(err)
			}
			if _, asJSON := keys["json"]; asJSON != (b.name == "sqlite") {
				t.Errorf("%s: the JSON payload's job is stored as %s", b.name, stored)
			}
			start(t, q, func(_ context.Context, j workflow.Job) error {
				mu.Lock()
				got[j.ID] = string(j.Payload)
				mu.Unlock()
				done <- struct{}{}
				return nil
			})
			for range want {
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					t.Fatalf("ran %v of %d jobs in 20 s", got, len(want))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for id, p := range want {
				if got[id] != p {
					t.Errorf("job %s: payload %q, want %q", id, got[id], p)
				}
			}
		})
	}
}

var _ river.JobArgs = oldArgs{}
