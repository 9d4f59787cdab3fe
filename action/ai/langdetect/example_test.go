package langdetect_test

import (
	"fmt"

	"github.com/waauto/waauto/action/ai/langdetect"
)

func ExampleWordList_Detect() {
	d := langdetect.NewWordList("fr", "es", "en")
	fmt.Println(d.Detect("Hola", "¿cuánto cuesta el envío?"))
	fmt.Println(d.Detect("ok"))
	// Output:
	// es true
	//  false
}
