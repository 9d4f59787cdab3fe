// Package langdetect is a small pure-Go ai.LanguageDetector over
// github.com/abadojack/whatlanggo (MIT, about 400 KB), restricted to the
// languages a shop expects. It was chosen over lingua-go, which is more
// accurate on very short texts but embeds 128 MB of models into every
// binary; with a whitelist whatlanggo is right on messages of a few words,
// and the engine sends the text untranslated when the detector is unsure.
package langdetect

import (
	"strings"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"

	"github.com/waauto/waauto/action/ai"
)

// DefaultLanguages are the ISO 639-1 codes considered when none are given.
var DefaultLanguages = []string{"fr", "es", "en", "de", "it", "pt"}

// Detector detects the language of customer texts among a fixed set.
type Detector struct {
	opts whatlanggo.Options
	// MinRunes is the shortest text (all texts joined) worth detecting; default 12.
	MinRunes int
	// MinConfidence below which the answer is "unsure"; default 0.2.
	MinConfidence float64
}

var _ ai.LanguageDetector = (*Detector)(nil)

// New returns a detector for the given ISO 639-1 codes (nil: DefaultLanguages).
// Unknown codes are ignored.
func New(langs ...string) *Detector {
	if len(langs) == 0 {
		langs = DefaultLanguages
	}
	d := &Detector{opts: whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{}}, MinRunes: 12, MinConfidence: 0.2}
	for code, l := range byCode() {
		for _, want := range langs {
			if code == want {
				d.opts.Whitelist[l] = true
			}
		}
	}
	return d
}

func byCode() map[string]whatlanggo.Lang {
	out := map[string]whatlanggo.Lang{}
	for l := range whatlanggo.Langs {
		if c := l.Iso6391(); c != "" {
			out[c] = l
		}
	}
	return out
}

// Detect returns the ISO 639-1 language of the texts taken together; ok is
// false when they are too short or the detector is unsure.
func (d *Detector) Detect(texts ...string) (string, bool) {
	s := strings.TrimSpace(strings.Join(texts, "\n"))
	if utf8.RuneCountInString(s) < d.MinRunes {
		return "", false
	}
	info := whatlanggo.DetectWithOptions(s, d.opts)
	if info.Confidence < d.MinConfidence || info.Lang.Iso6391() == "" {
		return "", false
	}
	return info.Lang.Iso6391(), true
}
