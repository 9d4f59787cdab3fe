//go:build !unix

package app

import "time"

// processCPU is 0 where getrusage is missing: the bench prints no CPU time.
func processCPU() time.Duration { return 0 }
