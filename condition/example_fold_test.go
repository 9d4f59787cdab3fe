package condition_test

import (
	"fmt"

	"github.com/waauto/waauto/condition"
)

func ExampleFold() {
	fmt.Println(condition.Fold("  Gros PROBLÈME à Œuvre  "))
	fmt.Println(condition.Fold("Ελλάδα, Йогурт")) // other scripts too
	// Output:
	// gros probleme a œuvre
	// ελλαδα, иогурт
}
