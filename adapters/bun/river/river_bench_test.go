package riverqueue_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
)

// enqueueDue inserts n jobs due a minute ago (River state "scheduled",
// like a due scheduled message) in transactions of 1,000.
func enqueueDue(tb testing.TB, store *bunstore.Store, q *riverqueue.Queue, prefix string, n int) {
	tb.Helper()
	ctx := context.Background()
	due := time.Now().Add(-time.Minute)
	for lo := 0; lo < n; lo += 1000 {
		jobs := make([]workflow.Job, 0, 1000)
		for i := lo; i < min(lo+1000, n); i++ {
			jobs = append(jobs, workflow.Job{ID: fmt.Sprintf("%s/%d", prefix, i), Kind: workflow.JobSend, RunAt: due, Payload: []byte(`{}`)})
		}
		if err := store.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { return q.EnqueueTx(ctx, tx.Tx, jobs...) }); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkRiverNoop measures River's own throughput on this machine:
// b.N due jobs with a handler that does nothing, one instance, from
// Start until the last job ran (so River's start-up, leader election
// and first scheduler pass are included). ns/op is per job.
func BenchmarkRiverNoop(b *testing.B) {
	for _, be := range backends {
		for _, cfg := range []struct {
			name string
			cfg  riverqueue.Config
		}{
			{"poll20ms-workers20", riverqueue.Config{FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 20}},
			{"poll20ms-workers100", riverqueue.Config{FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 100}},
		} {
			b.Run(be.name+"/"+cfg.name, func(b *testing.B) {
				ctx := context.Background()
				store := be.open(b)
				var ran atomic.Int64
				done := make(chan struct{})
				target := int64(b.N)
				q, err := riverqueue.New(ctx, store, cfg.cfg)
				if err != nil {
					b.Fatal(err)
				}
				enqueueDue(b, store, q, "noop", b.N)
				b.ResetTimer()
				if err := q.Start(ctx, func(context.Context, workflow.Job) error {
					if ran.Add(1) == target {
						close(done)
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				select {
				case <-done:
				case <-time.After(5 * time.Minute):
					b.Fatalf("%d of %d jobs ran in 5 minutes", ran.Load(), b.N)
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
				if err := q.Stop(ctx); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

// BenchmarkEnqueueParallel inserts one job per call from 16 goroutines
// per core, as Receive does under a burst (on SQLite the inserts share
// group-commit transactions). The payload is an inbound message's job as
// the engine makes it (731 bytes of JSON). One op is one job.
func BenchmarkEnqueueParallel(b *testing.B) {
	payload := []byte(`{"Message":{"ID":"wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQUIzNDU2Nzg5MEFCQ0RFRjEyAA==","Session":"shop","Phone":"+33612345678",` +
		`"PushName":"Marie","Type":"","Text":"bonjour quel est le prix de livraison ?","Time":"2026-11-27T16:41:53.942187434Z","Group":false,` +
		`"Media":null},"NewContact":false,"Seq":3,"Agent":"","Labels":null,"MessageCount":3,"LastReply":"0001-01-01T00:00:00Z",` +
		`"Contact":{"Phone":"+33612345678","Name":"Marie","Labels":null,"Excluded":false,"Imported":false,"CreatedAt":"2026-11-27T16:41:53.942187495Z"},` +
		`"Session":{"ID":"shop","Label":"Boutique","Status":"connected","Disabled":null,"DisconnectedAt":"0001-01-01T00:00:00Z",` +
		`"CreatedAt":"2026-11-27T16:41:53.942187544Z"},"At":"2026-11-27T16:41:53.942187604Z","Fresh":true}`)
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			ctx := context.Background()
			store := be.open(b)
			q, err := riverqueue.New(ctx, store, riverqueue.Config{})
			if err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					j := workflow.Job{ID: fmt.Sprintf("inbound/shop/wamid.%d", next.Add(1)), Kind: workflow.JobInbound, Payload: payload}
					if err := q.Enqueue(ctx, j); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}
