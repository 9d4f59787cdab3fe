package bun

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// textArrayOIDs are the array types River's database/sql driver
// (riverdatabasesql) binds and reads: its batch insert binds one array per
// column, its fetch and completion read and bind more.
var textArrayOIDs = []uint32{
	pgtype.BoolArrayOID, pgtype.ByteaArrayOID, pgtype.Int2ArrayOID, pgtype.Int4ArrayOID, pgtype.Int8ArrayOID,
	pgtype.TextArrayOID, pgtype.VarcharArrayOID, pgtype.TimestamptzArrayOID, pgtype.BitArrayOID,
	pgtype.JSONArrayOID, pgtype.JSONBArrayOID,
}

// textArrays makes conn send and read the textArrayOIDs in PostgreSQL's
// text format. Through database/sql, arrays come as lib/pq's pq.Array,
// whose Value is the array's text; pgx, preferring the binary format for
// arrays, parsed that text back into values and encoded them again, and
// turned every array it read from binary into text for database/sql. Sent
// and read as text, the text passes through: River's batch insert of a
// waauto_job per message was 26 % of `waauto bench` on PostgreSQL, 16 %
// in this parsing and encoding (BENCHMARKS.md). Arrays bound as Go slices
// are still encoded, as text.
func textArrays(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	for _, oid := range textArrayOIDs {
		t, ok := m.TypeForOID(oid)
		if !ok {
			continue
		}
		if c, ok := t.Codec.(*pgtype.ArrayCodec); ok {
			m.RegisterType(&pgtype.Type{Name: t.Name, OID: t.OID, Codec: textArrayCodec{c}})
		}
	}
	return nil
}

// textArrayCodec is an array codec that prefers the text format.
type textArrayCodec struct{ *pgtype.ArrayCodec }

func (textArrayCodec) PreferredFormat() int16 { return pgtype.TextFormatCode }
