package main

import (
	"bytes"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	want := `→ +33611111111 (Welcome, fixed): Bonjour et merci pour votre message ! Nous vous répondons dès que possible.
  Welcome: fired (conditions matched)
→ +33611111111 (Prix, fixed): Bonjour Marie, nos prix sont sur https://laine.example/prix.
  Prix: fired (conditions matched)
`
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
