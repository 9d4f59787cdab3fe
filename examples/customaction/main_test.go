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
	want := `load error: bad.yaml:4:28: actions[0].notify_team.channel: "ventes" must start with #
#ventes: +34600000001 wrote "Je veux commander" (workflow Ventes) @alice
→ +34600000001 (Ventes, fixed): Merci ! Alice vous répond tout de suite.
labels: [notified]
→ +34600000002 (Catalogue, fixed): [image image/png catalogue.png, 82 bytes] Notre catalogue de printemps
`
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
