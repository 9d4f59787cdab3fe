//go:build !linux

package app

import "time"

// machineCPU is unknown off Linux: the bench prints the process's CPU only.
func machineCPU() (busy, total time.Duration, ok bool) { return 0, 0, false }
