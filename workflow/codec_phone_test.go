package workflow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/workflow"
)

// TestLoadNormalizePhone: a product's normaliser reads the numbers of
// phone conditions (here: French national numbers), and its refusals are
// positioned load errors.
func TestLoadNormalizePhone(t *testing.T) {
	french := func(s string) (string, error) {
		d := strings.ReplaceAll(s, " ", "")
		if len(d) != 10 || d[0] != '0' {
			return "", errors.New("not a French number")
		}
		return "+33" + d[1:], nil
	}
	src := `
name: VIP
trigger: incoming_message
conditions: {phone: {in: ["06 12 34 56 78", "07 00 00 00 01"]}}
actions: [{reply: {text: hi}}]
`
	d, err := workflow.Load("w.yaml", []byte(src), workflow.LoadOptions{NormalizePhone: french})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := d.Workflows[0].Conditions.(condition.Phone)
	if !ok || len(p.Values) != 2 || p.Values[0] != "+33612345678" || p.Values[1] != "+33700000001" {
		t.Fatalf("conditions = %#v", d.Workflows[0].Conditions)
	}
	_, err = workflow.Load("w.yaml", []byte(strings.Replace(src, "07 00 00 00 01", "+1 415", 1)), workflow.LoadOptions{NormalizePhone: french})
	if err == nil || !strings.Contains(err.Error(), `w.yaml:4:45: conditions.phone.in[1]: phone number not a French number`) {
		t.Fatalf("bad number: %v", err)
	}
}
