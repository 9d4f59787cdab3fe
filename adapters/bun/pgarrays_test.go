package bun_test

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	bunstore "github.com/waauto/waauto/adapters/bun"
)

// textArray is an array bound as its PostgreSQL text, as lib/pq's
// pq.Array (River's database/sql driver) binds one.
type textArray string

func (a textArray) Value() (driver.Value, error) { return string(a), nil }

// TestPostgresArraysTravelAsText checks that a store Open made sends and
// reads arrays in PostgreSQL's text format, so that an array bound as its
// text is sent as is and one read is not converted from binary, and that
// arrays of every kind still reach the server and come back right.
func TestPostgresArraysTravelAsText(t *testing.T) {
	ctx := context.Background()
	store := newPostgres(t)
	conn, err := store.DB().DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(c any) error {
		m := c.(*stdlib.Conn).Conn().TypeMap()
		for _, oid := range bunstore.TextArrayOIDs {
			if f := m.FormatCodeForOID(oid); f != pgtype.TextFormatCode {
				t.Errorf("array type %d: format %d, want text (%d)", oid, f, pgtype.TextFormatCode)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, sql string
		arg       any
		want      string
	}{
		{"jsonb[] as text", `SELECT $1::jsonb[]::text`, textArray(`{"{\"b\": 1, \"a\": \"x,y\"}","[2]"}`), `{"{\"a\": \"x,y\", \"b\": 1}",[2]}`},
		{"bigint[] as text", `SELECT $1::bigint[]::text`, textArray(`{1,-2,3}`), `{1,-2,3}`},
		{"bytea[] as text", `SELECT $1::bytea[]::text`, textArray(`{"\\x0001ff"}`), `{"\\x0001ff"}`},
		{"bigint[] from a slice", `SELECT $1::bigint[]::text`, []int64{4, 5}, `{4,5}`},
		{"text[] from a slice", `SELECT $1::text[]::text`, []string{"a b", `c"d`, ""}, `{"a b","c\"d",""}`},
	} {
		var got string
		if err := conn.QueryRowContext(ctx, tc.sql, tc.arg).Scan(&got); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	var text string
	if err := conn.QueryRowContext(ctx, `SELECT ARRAY['{"k": [1]}'::jsonb, 'null']`).Scan(&text); err != nil {
		t.Fatalf("read a jsonb[]: %v", err)
	}
	if want := `{"{\"k\": [1]}","null"}`; text != want {
		t.Errorf("jsonb[] read as %s, want %s", text, want)
	}
}
