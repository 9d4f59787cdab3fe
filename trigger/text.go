package trigger

import (
	"strings"
	"unicode/utf8"
)

// CleanText returns s as valid UTF-8 without NUL bytes: each NUL byte and
// each run of invalid bytes becomes U+FFFD, the replacement character
// (replaced rather than stripped, so that a reader sees something was
// there and two words never run together). Text from a customer may hold
// either, and neither database stores it: PostgreSQL refuses both in text
// columns, and bun's query text breaks on them with SQLite too.
func CleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Clean returns m with CleanText applied to every text it holds: ID,
// Session, Phone, PushName, Text and the media's MIMEType and FileName.
// The engine cleans every message it receives.
func (m Message) Clean() Message {
	m.ID, m.Session, m.Phone = CleanText(m.ID), CleanText(m.Session), CleanText(m.Phone)
	m.PushName, m.Text = CleanText(m.PushName), CleanText(m.Text)
	if m.Media != nil {
		md := *m.Media
		md.MIMEType, md.FileName = CleanText(md.MIMEType), CleanText(md.FileName)
		m.Media = &md
	}
	return m
}
