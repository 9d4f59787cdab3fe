package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waauto/waauto/workflow/lint"
)

const lintShadowed = `workflows:
  - name: Prix
    trigger: incoming_message
    priority: 10
    stop: true
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "Nos prix"}}]
  - name: Prix VIP
    trigger: incoming_message
    conditions: {all: [{text: {contains: "les prix"}}, {labels: {has: vip}}]}
    actions: [{reply: {text: "VIP"}}]
`

const lintWarnOnly = `name: Hook
trigger: new_contact
actions: [{webhook: {url: "https://example.com/h"}}]
`

func lintRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), append([]string{"lint"}, args...), nil, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestLintCommand(t *testing.T) {
	dir := t.TempDir()
	shadowed, warn := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yml")
	if err := os.WriteFile(shadowed, []byte(lintShadowed), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(warn, []byte(lintWarnOnly), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := lintRun(t, shadowed)
	if code != 1 || !strings.Contains(out, shadowed+`:8:5: error: workflow "Prix VIP" never runs`) || !strings.HasSuffix(out, "1 file: 1 error, 0 warnings\n") {
		t.Errorf("lint %s: exit %d, output:\n%s", shadowed, code, out)
	}
	out, _, code = lintRun(t, warn)
	if code != 0 || !strings.Contains(out, warn+":3:11: warning: ") {
		t.Errorf("lint %s: exit %d, output:\n%s", warn, code, out)
	}
	out, _, code = lintRun(t, "--json", dir)
	var fs []lint.Finding
	if err := json.Unmarshal([]byte(out), &fs); err != nil || code != 1 || len(fs) != 2 {
		t.Fatalf("lint --json %s: exit %d, %v, output:\n%s", dir, code, err, out)
	}
	if fs[0].Check != lint.CheckUnreachable || fs[0].Pos.Line != 8 || fs[1].Check != lint.CheckWebhookSecret {
		t.Errorf("findings = %+v", fs)
	}
	bad := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(bad, []byte("name: x\ntrigger: nope\nactions: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code = lintRun(t, bad)
	if code != 1 || !strings.Contains(out, bad+":2:10: error: trigger: \"nope\" is not a trigger") {
		t.Errorf("lint %s: exit %d, output:\n%s", bad, code, out)
	}
	// A scenario file: its workflows are linted.
	scenario := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(scenario, []byte("name: s\ntimezone: Europe/Paris\n"+lintShadowed+"steps: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code = lintRun(t, scenario)
	if code != 1 || !strings.Contains(out, scenario+`:10:5: error: workflow "Prix VIP" never runs`) {
		t.Errorf("lint %s: exit %d, output:\n%s", scenario, code, out)
	}
	for _, args := range [][]string{{}, {"--tz", "Mars/Olympus", shadowed}, {filepath.Join(dir, "missing.yaml")}} {
		if _, errOut, code := lintRun(t, args...); code != 2 || !strings.HasPrefix(errOut, "waauto lint: ") {
			t.Errorf("lint %q: exit %d, stderr %q", args, code, errOut)
		}
	}
}
