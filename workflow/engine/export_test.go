package engine

// Test-only names for the external tests (package engine_test).
type (
	MemQueue       = memQueue
	PrefilterStats = prefilterStats
)

// NewMemQueue is newMemQueue.
var NewMemQueue = newMemQueue

// Prefilter is prefilterStats.
func (e *Engine) Prefilter() PrefilterStats { return e.prefilterStats() }
