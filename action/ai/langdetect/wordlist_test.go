package langdetect_test

import (
	"testing"

	"github.com/waauto/waauto/action/ai/langdetect"
)

func TestWordListShortShopMessages(t *testing.T) {
	cases := map[string][]string{
		"fr": {"Bonjour, vous avez le pull rouge en M ?", "Merci beaucoup !", "C'est combien la livraison ?", "Je voudrais annuler ma commande", "Vous êtes ouverts demain ?"},
		"es": {"Hola, ¿tienen el jersey rojo en talla M?", "¡Muchas gracias!", "¿Cuánto cuesta el envío?", "Quiero cancelar mi pedido", "¿Están abiertos mañana?"},
		"en": {"Hi, do you have the red sweater in M?", "Thank you so much!", "How much is delivery?", "I want to cancel my order", "Are you open tomorrow?"},
		"de": {"Hallo, haben Sie den roten Pullover in M?", "Vielen Dank!", "Was kostet die Lieferung?", "Ich möchte meine Bestellung stornieren", "Haben Sie morgen geöffnet?"},
		"it": {"Ciao, avete il maglione rosso in M?", "Grazie mille!", "Quanto costa la consegna?", "Vorrei annullare il mio ordine", "Siete aperti domani?"},
		"pt": {"Olá, vocês têm a camisola vermelha em M?", "Muito obrigado!", "Quanto custa a entrega?", "Quero cancelar o meu pedido", "Vocês estão abertos amanhã?"},
		"ru": {"Здравствуйте, есть красный свитер размера M?"},
		"ja": {"赤いセーターのMサイズはありますか？"},
		"zh": {"你们有红色毛衣M码吗？"},
		"ar": {"مرحبا، هل لديكم السترة الحمراء بمقاس M؟"},
	}
	d := langdetect.NewWordList()
	total, right := 0, 0
	for want, texts := range cases {
		for _, text := range texts {
			total++
			got, ok := d.Detect(text)
			if ok && got == want {
				right++
				continue
			}
			if ok {
				t.Errorf("%q: detected %s, want %s", text, got, want)
			} else {
				t.Logf("%q: unsure (want %s)", text, want)
			}
		}
	}
	t.Logf("%d/%d right, the rest unsure or wrong", right, total)
	if right < total*9/10 {
		t.Errorf("only %d/%d right", right, total)
	}
}

func TestWordListUnsure(t *testing.T) {
	d := langdetect.NewWordList()
	for _, text := range []string{"ok", "👍", "M", "12345", ""} {
		if l, ok := d.Detect(text); ok {
			t.Errorf("%q: detected %s, want unsure", text, l)
		}
	}
}

func TestWordListRestrictedAndJoined(t *testing.T) {
	// "in" and "per" are Italian and English words; restricted to fr/it,
	// English cannot win.
	d := langdetect.NewWordList("fr", "it")
	if l, ok := d.Detect("Grazie", "per il messaggio"); !ok || l != "it" {
		t.Errorf("got %q %v, want it", l, ok)
	}
	if l, ok := langdetect.NewWordList("fr").Detect("Thank you very much for the order"); ok {
		t.Errorf("a language outside the list was detected: %s", l)
	}
}
