package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validateFiles are workflow files for waauto validate, by name.
var validateFiles = map[string]string{
	"plain.yaml":   "name: Prix\ntrigger: incoming_message\nconditions: {text: {contains: prix}}\nactions: [{reply: {text: hi}}]\n",
	"cel.yaml":     "name: VIP\ntrigger: incoming_message\nconditions:\n  cel: 'message_count > 3 && \"vip\" in labels && text.contains(\"commande\")'\nactions: [{reply: {text: hi}}]\n",
	"expr.yaml":    "name: VIP\ntrigger: incoming_message\nconditions:\n  expr: 'message_count > 3 && \"vip\" in labels'\nactions: [{reply: {text: hi}}]\n",
	"cel-bad.yaml": "name: VIP\ntrigger: incoming_message\nconditions:\n  cel: 'message_count > && text.contains(\"x\")'\nactions: [{reply: {text: hi}}]\n",
	"regexp.yaml":  "name: Prix\ntrigger: incoming_message\nconditions:\n  text: {matches: \"(prix\"}\nactions: [{reply: {text: hi}}]\n",
	"mixed.yaml": "workflows:\n  - name: A\n    trigger: incoming_message\n    conditions: {cel: 'message_count > 3'}\n    actions: [{reply: {text: a}}]\n" +
		"  - name: B\n    trigger: incoming_message\n    conditions: {expr: 'message_count > 3'}\n    actions: [{reply: {text: b}}]\n",
}

func validateRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	dir := t.TempDir()
	for i, a := range args {
		if src, ok := validateFiles[a]; ok {
			p := filepath.Join(dir, a)
			if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			args[i] = p
		}
	}
	var out, errOut bytes.Buffer
	code := Run(context.Background(), append([]string{"validate"}, args...), nil, &out, &errOut)
	return strings.ReplaceAll(out.String(), dir+string(filepath.Separator), ""), strings.ReplaceAll(errOut.String(), dir+string(filepath.Separator), ""), code
}

// TestValidateBothBackends: waauto validate loads a file with the cel and
// the expr backend, so a cel: leaf (which the expr backend refuses) is
// valid, and a broken one is reported at its position with the cel
// compiler's message, not the expr backend's refusal.
func TestValidateBothBackends(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		out      string
		errs     []string // lines of stderr, in order
		notInErr string
	}{
		{name: "plain", args: []string{"plain.yaml"}, out: "plain.yaml: ok, 1 workflows\n"},
		{name: "cel leaf", args: []string{"cel.yaml"}, out: "cel.yaml: ok, 1 workflows (cel backend only)\n"},
		{name: "expr leaf", args: []string{"expr.yaml"}, out: "expr.yaml: ok, 1 workflows (expr backend only)\n"},
		{name: "bad cel leaf", args: []string{"cel-bad.yaml"}, code: 2,
			errs:     []string{`cel-bad.yaml:4:8: conditions.cel: "message_count > && text.contains(\"x\")": cel expression: ERROR: <input>:1:17: Syntax error`},
			notInErr: "not supported by this backend"},
		{name: "error of both backends printed once", args: []string{"regexp.yaml"}, code: 2,
			errs: []string{`regexp.yaml:4:19: conditions.text.matches: "(prix" is not a regular expression`}},
		{name: "cel and expr leaves in one file", args: []string{"mixed.yaml"}, code: 2,
			errs: []string{
				`mixed.yaml:4:23: conditions.cel: "message_count > 3": cel expressions need the cel backend: not supported by this backend (expr backend)`,
				`mixed.yaml:8:24: conditions.expr: "message_count > 3": expr expressions need the expr backend: not supported by this backend (cel backend)`,
			}},
		{name: "one backend", args: []string{"--backend", "expr", "cel.yaml"}, code: 2,
			errs: []string{`cel.yaml:4:8: conditions.cel: "message_count > 3 && \"vip\" in labels && text.contains(\"commande\")": cel expressions need the cel backend`}},
		{name: "bad backend", args: []string{"--backend", "lua", "plain.yaml"}, code: 2, errs: []string{`waauto validate: --backend "lua" (want cel, expr or both)`}},
		{name: "no file", code: 2, errs: []string{"waauto validate: no FILE given"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := validateRun(t, tc.args...)
			if code != tc.code || out != tc.out {
				t.Errorf("exit %d, stdout %q; want %d, %q (stderr %q)", code, out, tc.code, tc.out, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if errOut == "" {
				lines = nil
			}
			if len(tc.errs) > 0 && len(lines) < len(tc.errs) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(tc.errs), errOut)
			}
			for i, want := range tc.errs {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("stderr line %d:\n%s\nwant it to start with\n%s", i+1, lines[i], want)
				}
			}
			if tc.errs == nil && errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			if tc.notInErr != "" && strings.Contains(errOut, tc.notInErr) {
				t.Errorf("stderr has %q:\n%s", tc.notInErr, errOut)
			}
		})
	}
}
