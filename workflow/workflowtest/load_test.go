package workflowtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/workflowtest"
)

func TestLoadScenarioErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown key", "name: x\nsteps:\n  - mesage: {from: \"+33611111111\"}\n", `bad.yaml:3:5: steps[0].mesage:`},
		{"wrong type", "name: x\ncredits: {balance: lots}\n", `bad.yaml:2:20: credits.balance:`},
		{"bad time", "name: x\nsteps:\n  - at: 2026-13-40T25:00\n", `bad.yaml:3:9: steps[0].at: "2026-13-40T25:00" is not a local time (want YYYY-MM-DDTHH:MM)`},
		{"bad zone", "name: x\ntimezone: Europe/Pariss\n", `bad.yaml:2:11: timezone: "Europe/Pariss" is not an IANA time zone`},
		{"unknown workflow in effect", "name: x\nsteps:\n  - expect: [{send: {workflow: Nope}}]\n", `bad.yaml:3:32: steps[0].expect[0].send.workflow: "Nope" is not a workflow of this scenario`},
		{"unknown effect", "name: x\nsteps:\n  - expect: [{sent: {to: x}}]\n", `bad.yaml:3:15: steps[0].expect[0]: "sent" is not an effect`},
		{"field of another effect", "name: x\nsteps:\n  - expect: [{assign: {text: hi}}]\n", `steps[0].expect[0].assign.text: is not a field of assign`},
		{"two events", "name: x\nsteps:\n  - {exclude: {phone: \"+33611111111\"}, include: {phone: \"+33611111111\"}}\n", `steps[0]: has 2 events (want at most one per step)`},
		{"missing name", "steps: []\n", `bad.yaml:1:1: name: is required`},
		{"empty expectation", "name: x\nsteps:\n  - expect:\n    -\n", `bad.yaml:4:7: steps[0].expect[0]: is empty (want a mapping of keys to values)`},
		{"empty file", "# nothing\n", `bad.yaml:1:1: is empty (want a scenario: name, workflows and steps)`},
		{"bad workflow", "name: x\nworkflows:\n  - name: W\n    trigger: incoming_message\n    actions: []\n", `bad.yaml:5:14: actions:`},
		{"bad message type", "name: x\nsteps:\n  - message: {from: \"+33611111111\", type: photo}\n", `bad.yaml:3:43: steps[0].message.type: "photo" is not a message type (want text, image, audio, video, document, sticker, location, contact or other)`},
		{"steps out of order", "name: x\nstart: 2026-01-05T09:00\nsteps:\n  - at: 2026-01-05T08:00\n", `is before the previous step`},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.yaml")
			if err := os.WriteFile(p, []byte(tc.src), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := workflowtest.LoadScenario(p, workflow.LoadOptions{})
			if err == nil {
				t.Fatal("loaded without error")
			}
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("error:\n%s\nwant it to contain:\n%s", msg, tc.want)
			}
		})
	}
}
