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
