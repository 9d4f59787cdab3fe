package app

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// machineCPU reads the first line of /proc/stat: the busy (all but idle
// and iowait) and total CPU time of every core since boot, summed over
// the cores. ok is false when it cannot be read.
func machineCPU() (busy, total time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	return parseProcStat(b)
}

// parseProcStat reads the aggregate "cpu" line of /proc/stat's contents
// b, in USER_HZ ticks (100 per second on Linux).
func parseProcStat(b []byte) (busy, total time.Duration, ok bool) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	fields := bytes.Fields(line)
	if len(fields) < 5 || string(fields[0]) != "cpu" {
		return 0, 0, false
	}
	const tick = 10 * time.Millisecond
	var idle int64
	// user nice system idle iowait irq softirq steal [guest guest_nice]:
	// guest time is already counted in user, so the sum stops at steal.
	for i, f := range fields[1:min(len(fields), 9)] {
		v, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += time.Duration(v) * tick
		if i == 3 || i == 4 {
			idle += v
		}
	}
	return total - time.Duration(idle)*tick, total, true
}
