package conditiontest_test

import (
	"testing"

	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/condition/expr"
)

func TestBackends(t *testing.T) {
	conditiontest.Run(t, cel.New(), expr.New())
}

// BenchmarkBackends compares the backends in one run:
// go test -bench Backends -count 5 ./condition/conditiontest | benchstat -col /backend -
func BenchmarkBackends(b *testing.B) {
	b.Run("backend=expr", func(b *testing.B) { conditiontest.Bench(b, expr.New()) })
	b.Run("backend=cel", func(b *testing.B) { conditiontest.Bench(b, cel.New()) })
}
