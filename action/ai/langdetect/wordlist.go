// Package langdetect is the small pure-Go ai.LanguageDetector behind
// reply.translate. It scores the short texts customers send with
// per-language lists of very frequent words and telltale letters (fr, es,
// en, de, it, pt, nl), recognises non-Latin scripts by their letters, and
// answers ok=false when the evidence is thin or close, so that the engine
// then sends the text untranslated.
//
// Why word lists: lingua-go is the most accurate library but embeds its
// models (a 128 MB module, ~130 MB more in every binary); whatlanggo is
// small but rated 13/30 short shop messages in our research. Word lists
// fit a handful of shop languages and short texts in a few kilobytes.
package langdetect

import (
	"strings"
	"unicode"

	"github.com/waauto/waauto/action/ai"
)

// WordList detects the language of the short messages customers send on
// WhatsApp. It scores texts with per-language
// lists of very frequent words and telltale letters (fr, es, en, de, it,
// pt, nl) and recognises non-Latin scripts (ru, uk, el, ar, he, zh, ja,
// ko, hi, th). It answers ok=false when the evidence is thin or close.
// The zero value is not usable; call NewWordList.
type WordList struct {
	langs map[string]bool
}

var _ ai.LanguageDetector = (*WordList)(nil)

// WordListLanguages lists the Latin-script languages WordList knows by words.
var WordListLanguages = []string{"fr", "es", "en", "de", "it", "pt", "nl"}

// NewWordList returns a detector limited to langs (ISO 639-1); none means
// all of WordListLanguages. Non-Latin scripts are always recognised.
func NewWordList(langs ...string) *WordList {
	if len(langs) == 0 {
		langs = WordListLanguages
	}
	d := &WordList{langs: map[string]bool{}}
	for _, l := range langs {
		d.langs[strings.ToLower(l)] = true
	}
	return d
}

// Detect returns the language of texts taken together.
func (d *WordList) Detect(texts ...string) (string, bool) {
	text := strings.ToLower(strings.Join(texts, "\n"))
	if l, ok := script(text); ok {
		return l, true
	}
	scores := map[string]float64{}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		for _, part := range strings.Split(w, "'") { // l'article, it's
			for lang, set := range words {
				if d.langs[lang] && set[part] {
					scores[lang] += 1
				}
			}
		}
	}
	for _, r := range text {
		for lang, letters := range hints {
			if d.langs[lang] && strings.ContainsRune(letters, r) {
				scores[lang] += 0.5
			}
		}
	}
	best, second := "", 0.0
	for _, lang := range WordListLanguages {
		s := scores[lang]
		if best == "" || s > scores[best] {
			if best != "" {
				second = max(second, scores[best])
			}
			best = lang
		} else {
			second = max(second, s)
		}
	}
	if scores[best] < 1 || scores[best]-second < 0.75 {
		return "", false
	}
	return best, true
}

// script recognises a language from a dominant non-Latin script.
func script(text string) (string, bool) {
	counts := map[string]int{}
	letters := 0
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			counts["ja"] += 3 // kana outweigh the kanji of a Japanese text
		case unicode.Is(unicode.Han, r):
			counts["zh"]++
		case unicode.Is(unicode.Hangul, r):
			counts["ko"]++
		case unicode.Is(unicode.Cyrillic, r):
			if strings.ContainsRune("іїєґ", r) {
				counts["uk"] += 5
			}
			counts["ru"]++
		case unicode.Is(unicode.Greek, r):
			counts["el"]++
		case unicode.Is(unicode.Arabic, r):
			counts["ar"]++
		case unicode.Is(unicode.Hebrew, r):
			counts["he"]++
		case unicode.Is(unicode.Devanagari, r):
			counts["hi"]++
		case unicode.Is(unicode.Thai, r):
			counts["th"]++
		}
	}
	best, n := "", 0
	for l, c := range counts {
		if c > n || (c == n && l < best) {
			best, n = l, c
		}
	}
	if best == "ru" && counts["uk"] > 0 {
		best = "uk"
	}
	if best == "zh" && counts["ja"] > 0 {
		best = "ja"
	}
	return best, letters > 0 && n*2 >= letters
}

var hints = map[string]string{
	"fr": "çœèêëîïûù",
	"es": "ñ¿¡",
	"de": "ßäöü",
	"pt": "ãõ",
	"it": "ò",
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var words = map[string]map[string]bool{
	"fr": wordSet(`bonjour bonsoir salut merci oui non je j tu il elle nous vous ils elles le la les l un une des du de d est et ou mais
		avec pour dans sur pas ne n ce c cette ces mon ma mes ton votre vos notre nos qui que qu quoi comment combien quand où
		avez avoir ai as a sont suis êtes être fait faire peux pouvez puis voudrais veux svp stp aujourd hui demain encore
		commande livraison taille prix disponible reçu bien très aussi merci beaucoup au aux y en`),
	"es": wordSet(`hola buenas buenos días gracias sí si no yo tú él ella nosotros ustedes el la los las un una unos de del y o pero
		con para por en es está están estoy soy son tengo tiene tienen quiero quisiera puedo puede cuánto cuanto cuesta cómo
		qué que cuándo dónde pedido envío talla precio disponible mañana hoy muy también mi mis su sus lo favor le`),
	"en": wordSet(`hello hi hey thanks thank you yes no i me my we our you your he she they it the a an of and or but with for in
		on at to is are am was be have has do does did can could would want like how much what when where which order
		delivery size price available today tomorrow please still not this that there`),
	"de": wordSet(`hallo guten tag morgen danke ja nein ich du er sie wir ihr der die das ein eine einen und oder aber mit für
		in auf ist sind bin habe hat haben möchte kann können wie viel was wann wo bestellung lieferung größe preis
		verfügbar heute bitte noch nicht auch mein meine ihre kostet gibt es vielen viele sehr schön`),
	"it": wordSet(`ciao buongiorno buonasera grazie sì no io tu lui lei noi voi il lo la gli le un una di del della e o ma con per
		in su è sono ho ha hanno voglio vorrei posso può quanto costa come cosa quando dove ordine consegna taglia prezzo
		disponibile oggi domani per favore ancora non anche mio mia questo`),
	"pt": wordSet(`olá ola oi bom dia boa tarde obrigado obrigada sim não eu tu ele ela nós vocês você o a os as um uma de do da e
		ou mas com para por em é está estão estou sou são tenho tem quero queria posso pode quanto custa como que quando
		onde pedido entrega tamanho preço disponível hoje amanhã favor ainda também meu minha isso`),
	"nl": wordSet(`hallo hoi goedemorgen dank bedankt ja nee ik jij je hij zij wij jullie de het een en of maar met voor in op is
		zijn ben heb heeft hebben wil wilde kan kunnen hoeveel kost hoe wat wanneer waar bestelling levering maat prijs
		beschikbaar vandaag morgen alstublieft graag nog niet ook mijn dit dat`),
}
