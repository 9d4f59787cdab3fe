package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/adapters/bun/buntest"
)

// A tiny run of the load generator on every store and queue answers every
// message once and logs every firing; on PostgreSQL also with a pool of 2
// connections for 20 River workers (a saturated database waits, never fails).
func TestBenchAnswersEveryMessageOnce(t *testing.T) {
	cases := []benchOptions{
		{Store: "memory", Queue: "memory"},
		{Store: "sqlite", Queue: "memory"},
		{Store: "sqlite", Queue: "river", Poll: 20 * time.Millisecond},
	}
	if dsn := os.Getenv(buntest.PostgresEnv); dsn != "" {
		cases = append(cases,
			benchOptions{Store: dsn, Queue: "river", Poll: 20 * time.Millisecond},
			benchOptions{Store: dsn, Queue: "river", Poll: 20 * time.Millisecond, Workers: 20, Pool: 2})
	} else {
		t.Logf("PostgreSQL cases skipped: set %s", buntest.PostgresEnv)
	}
	for _, o := range cases {
		o.Workflows, o.Messages, o.Contacts, o.Timeout = 10, 200, 40, 2*time.Minute
		store := o.Store
		if isPostgres(store) {
			store = "postgres"
		}
		t.Run(fmt.Sprintf("%s/%s/pool=%d", store, o.Queue, o.Pool), func(t *testing.T) {
			res, err := runBench(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("\n%s", res)
			if res.Sent != o.Messages || res.Duplicates != 0 {
				t.Errorf("%d of %d messages answered, %d sent twice", res.Sent, o.Messages, res.Duplicates)
			}
			if res.LogRows != res.Fired || res.Fired != o.Messages {
				t.Errorf("%d fired log rows for %d firings of %d messages", res.LogRows, res.Fired, o.Messages)
			}
			if res.P99 < res.P50 || res.P50 <= 0 {
				t.Errorf("latencies p50 %s p99 %s", res.P50, res.P99)
			}
		})
	}
}

// The command prints its measurements and refuses a load whose replies
// cannot name their message.
func TestBenchCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"bench", "--store", "memory", "--queue", "memory", "--messages", "50", "--contacts", "10", "--workflows", "5", "--senders", "3"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"messages 50, replies 50", "duplicates 0", "log rows   50 of 50 fired", "p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	errb.Reset()
	if code := Run(context.Background(), []string{"bench", "--queue", "memory", "--messages", "100", "--contacts", "10", "--workflows", "5"}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "10 messages per contact but 5 workflows") {
		t.Errorf("exit %d, %q; want 1 and the reason", code, errb.String())
	}
}
