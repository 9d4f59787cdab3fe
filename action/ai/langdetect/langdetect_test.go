package langdetect

import "testing"

func TestDetect(t *testing.T) {
	d := NewWordList()
	cases := []struct {
		text, want string
		ok         bool
	}{
		{"Hola, quisiera saber si tienen este producto disponible en talla mediana", "es", true},
		{"Hello, I would like to know if this sweater is still available in medium", "en", true},
		{"Merci pour votre message, nous vous répondrons très bientôt.", "fr", true},
		{"Guten Tag, ich möchte wissen, ob dieser Pullover noch verfügbar ist", "de", true},
		{"ok", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := d.Detect(c.text)
		if got != c.want || ok != c.ok {
			t.Errorf("Detect(%q) = %q, %t; want %q, %t", c.text, got, ok, c.want, c.ok)
		}
	}
}
