package langdetect_test

import (
	"testing"

	"github.com/waauto/waauto/action/ai/langdetect"
)

func BenchmarkWordList(b *testing.B) {
	d := langdetect.NewWordList()
	b.ReportAllocs()
	for b.Loop() {
		d.Detect("Bonjour, vous avez le pull rouge en M ?", "Merci beaucoup !", "C'est combien la livraison ?")
	}
}
