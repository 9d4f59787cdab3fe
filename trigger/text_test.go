package trigger_test

import (
	"testing"
	"unicode/utf8"

	"github.com/waauto/waauto/trigger"
)

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"Bonjour été 👋":    "Bonjour été 👋",
		"a\x00b":           "a\uFFFDb",
		"a\xff\xfeb":       "a\uFFFDb",  // one replacement per run of invalid bytes
		"caf\xc3":          "caf\uFFFD", // a truncated é
		"\x00\xff\x00":     "\uFFFD\uFFFD\uFFFD",
		"\uFFFD stays one": "\uFFFD stays one",
	} {
		got := trigger.CleanText(in)
		if got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
		if !utf8.ValidString(got) || trigger.CleanText(got) != got {
			t.Errorf("CleanText(%q) = %q is not clean", in, got)
		}
	}
}

func TestMessageClean(t *testing.T) {
	m := trigger.Message{ID: "i\x00", Session: "s\xff", Phone: "+33\x00", PushName: "n\x00", Text: "t\x00",
		Media: &trigger.Media{MIMEType: "image/\xff", FileName: "f\x00.jpg"}}
	media := m.Media
	c := m.Clean()
	want := trigger.Message{ID: "i\uFFFD", Session: "s\uFFFD", Phone: "+33\uFFFD", PushName: "n\uFFFD", Text: "t\uFFFD"}
	if c.ID != want.ID || c.Session != want.Session || c.Phone != want.Phone || c.PushName != want.PushName || c.Text != want.Text ||
		c.Media.MIMEType != "image/\uFFFD" || c.Media.FileName != "f\uFFFD.jpg" {
		t.Fatalf("got %+v %+v", c, *c.Media)
	}
	if media.FileName != "f\x00.jpg" {
		t.Error("Clean changed the caller's Media")
	}
}
