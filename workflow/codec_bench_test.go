package workflow_test

import (
	"testing"

	"github.com/waauto/waauto/condition"

	"github.com/waauto/waauto/workflow"
)

func BenchmarkLoadAndMarshal(b *testing.B) {
	w := every()
	data, err := workflow.Marshal(w, nil)
	if err != nil {
		b.Fatal(err)
	}
	opts := workflow.LoadOptions{Hours: map[string]condition.Hours{"boutique": {}}}
	b.Run("Load", func(b *testing.B) {
		for b.Loop() {
			if _, err := workflow.Load("w.json", data, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := workflow.Marshal(w, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
