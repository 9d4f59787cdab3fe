package riverqueue_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
)

// starts records the numbers an instance started, and fails those in fail once.
type starts struct {
	mu      sync.Mutex
	started []string
	fail    map[string]bool
}

func (s *starts) start(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail[id] {
		delete(s.fail, id)
		return errors.New("socket refused")
	}
	s.started = append(s.started, id)
	return nil
}

func (s *starts) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.started
	s.started = nil
	slices.Sort(out)
	return out
}

func newLeases(db *bun.DB, numbers []string, st *starts) *riverqueue.NumberLeases {
	return riverqueue.NewNumberLeases(riverqueue.NumberLeasesConfig{
		DB:      db,
		Numbers: func(context.Context) ([]string, error) { return numbers, nil },
		Start:   st.start,
	})
}

// TestNumberLeasesStartOnceAndRetryFailures: on SQLite every lease is
// granted; a number starts once, a failed start is retried at the next
// pass, and a released number starts again.
func TestNumberLeasesStartOnceAndRetryFailures(t *testing.T) {
	ctx := t.Context()
	st := &starts{fail: map[string]bool{"b": true}}
	l := newLeases(newSQLite(t).DB(), []string{"a", "b"}, st)
	l.Acquire(ctx)
	if got := st.take(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("first pass started %v, want [a] (b fails)", got)
	}
	l.Acquire(ctx)
	if got := st.take(); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("second pass started %v, want only the failed b", got)
	}
	l.Release("a")
	l.Acquire(ctx)
	if got := st.take(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("after releasing a: started %v", got)
	}
	l.ReleaseAll()
	l.Acquire(ctx)
	if got := st.take(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("after releasing all: started %v", got)
	}
}

// TestNumberLeasesRunRetriesUntilCancelled: Run makes passes every
// Interval (here the list fails first, then succeeds) and returns when its
// context ends.
func TestNumberLeasesRunRetriesUntilCancelled(t *testing.T) {
	st := &starts{}
	var mu sync.Mutex
	calls := 0
	l := riverqueue.NewNumberLeases(riverqueue.NumberLeasesConfig{
		DB: newSQLite(t).DB(),
		Numbers: func(context.Context) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				return nil, errors.New("device store unreachable")
			}
			return []string{"shop"}, nil
		},
		Start:    st.start,
		Interval: 10 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	var got []string
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0; time.Sleep(5 * time.Millisecond) {
		got = st.take()
		if time.Now().After(deadline) {
			t.Fatal("Run never started the number after the failed listing")
		}
	}
	cancel()
	<-done
	if !slices.Equal(got, []string{"shop"}) {
		t.Fatalf("started %v", got)
	}
}

// TestNumberLeasesOneInstancePerNumber: two instances on one PostgreSQL;
// the first runs both numbers, the second none until the first lets go.
func TestNumberLeasesOneInstancePerNumber(t *testing.T) {
	ctx := t.Context()
	dsn := postgresDSN(t)
	suffix := time.Now().UnixNano()
	numbers := []string{fmt.Sprintf("shop-a-%d", suffix), fmt.Sprintf("shop-b-%d", suffix)}
	stA, stB := &starts{}, &starts{}
	a := newLeases(openPostgres(t, dsn).DB(), numbers, stA)
	b := newLeases(openPostgres(t, dsn).DB(), numbers, stB)
	a.Acquire(ctx)
	b.Acquire(ctx)
	if got := stA.take(); !slices.Equal(got, numbers) {
		t.Fatalf("first instance started %v, want %v", got, numbers)
	}
	if got := stB.take(); len(got) != 0 {
		t.Fatalf("second instance started %v while the first runs them", got)
	}
	a.Release(numbers[0])
	b.Acquire(ctx)
	if got := stB.take(); !slices.Equal(got, numbers[:1]) {
		t.Fatalf("after one release the second instance started %v, want %v", got, numbers[:1])
	}
	a.ReleaseAll()
	b.Acquire(ctx)
	if got := stB.take(); !slices.Equal(got, numbers[1:]) {
		t.Fatalf("after the first let go the second started %v, want %v", got, numbers[1:])
	}
	b.ReleaseAll()
}

// NumberLeases starts each linked number on the one instance that leases
// it; Run retries the others every 30 s.
func ExampleNumberLeases() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "leases-example-*")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	store, err := bunstore.Open(ctx, filepath.Join(dir, "waauto.db"), bunstore.Options{})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	leases := riverqueue.NewNumberLeases(riverqueue.NumberLeasesConfig{
		DB:      store.DB(),
		Numbers: func(context.Context) ([]string, error) { return []string{"shop-1", "shop-2"}, nil },
		Start: func(_ context.Context, id string) error {
			fmt.Println("start", id) // e.g. Manager.Start
			return nil
		},
	})
	leases.Acquire(ctx) // at boot; then go leases.Run(ctx)
	leases.Acquire(ctx) // a later pass: both are held, nothing starts twice
	leases.ReleaseAll()
	// Output:
	// start shop-1
	// start shop-2
}
