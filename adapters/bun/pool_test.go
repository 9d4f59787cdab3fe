package bun_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/trigger"
)

// A saturated database slows the store down, never fails it: with a role
// allowed 4 connections (as a server with a low max_connections would
// allow), a pool bounded to 4 serves 64 concurrent writers, each waiting
// its turn; the server never sees a fifth connection (which it would
// refuse with SQLSTATE 53300). Group commit is off: on, the 64 writes
// share one connection's pipelined transactions and never fill the pool.
func TestPoolBoundUnderSaturation(t *testing.T) {
	dsn := buntest.PostgresDSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	role := fmt.Sprintf("waauto_pool_%d", time.Now().UnixNano()%1e9)
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 4",
		"GRANT ALL ON SCHEMA " + schemaOf(t, dsn) + " TO " + role,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP OWNED BY " + role)
		_, _ = admin.Exec("DROP ROLE " + role)
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	ctx := context.Background()
	st, err := bunstore.Open(ctx, u.String(), bunstore.Options{MaxOpenConns: 4, GroupCommit: bunstore.GroupCommitOff})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			m := trigger.Message{Session: "s1", ID: fmt.Sprint("m", i), Phone: fmt.Sprintf("+3361234%04d", i), Text: "prix", Time: time.Now()}
			if _, err := st.RecordInbound(ctx, m); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a writer failed instead of waiting: %v", err)
	}
	if s := st.DB().Stats(); s.MaxOpenConnections != 4 || s.WaitCount == 0 {
		t.Errorf("pool stats %+v: want a bound of 4 that made writers wait", s)
	}
}

// schemaOf is the schema buntest.PostgresDSN put in dsn's search_path.
func schemaOf(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	if schema == "" {
		t.Fatalf("no search_path in %q", dsn)
	}
	return schema
}
