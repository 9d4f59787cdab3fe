package app

import (
	"fmt"
	"io"
	"os"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
)

// cmdValidate checks workflow files: every positioned error is printed;
// exit 2 when any file is invalid.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "waauto validate: no FILE given")
		return 2
	}
	code := 0
	for _, f := range args {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", f, err)
			code = 2
			continue
		}
		defs, err := workflow.Load(f, data, workflow.LoadOptions{Compiler: expr.New()})
		if err != nil {
			fmt.Fprintln(stderr, err)
			code = 2
			continue
		}
		fmt.Fprintf(stdout, "%s: ok, %d workflows\n", f, len(defs.Workflows))
	}
	return code
}
