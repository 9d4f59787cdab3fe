package langdetect_test

import (
	"testing"

	"github.com/waauto/waauto/action/ai/langdetect"
)

func BenchmarkDetect(b *testing.B) {
	d := langdetect.New()
	b.ReportAllocs()
	for b.Loop() {
		d.Detect("Bonjour, vous avez le pull rouge en M ?", "Merci beaucoup !", "C'est combien la livraison ?")
	}
}
