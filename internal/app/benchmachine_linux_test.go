package app

import (
	"testing"
	"time"
)

// /proc/stat's aggregate line: busy is everything but idle and iowait,
// guest time (already in user) is not counted twice, and a file that is
// not /proc/stat reads as unknown.
func TestParseProcStat(t *testing.T) {
	const stat = "cpu  100 5 20 300 40 1 2 3 50 7\ncpu0 50 2 10 150 20 0 1 1 25 3\nintr 1\n"
	busy, total, ok := parseProcStat([]byte(stat))
	if !ok {
		t.Fatal("not read")
	}
	// user+nice+system+irq+softirq+steal = 131 ticks; + idle+iowait = 471.
	if busy != 131*10*time.Millisecond || total != 471*10*time.Millisecond {
		t.Errorf("busy %s, total %s; want 1.31s, 4.71s", busy, total)
	}
	for _, bad := range []string{"", "intr 1 2 3 4 5\n", "cpu 1 2 x 4 5\n", "cpu 1 2\n"} {
		if _, _, ok := parseProcStat([]byte(bad)); ok {
			t.Errorf("%q read as /proc/stat", bad)
		}
	}
	if busy, total, ok := machineCPU(); !ok || total <= 0 || busy > total {
		t.Errorf("this machine's /proc/stat: busy %s, total %s, ok %v", busy, total, ok)
	}
}

// The bench's report has the machine's line when it was measured, and
// none when it was not.
func TestBenchResultMachineLine(t *testing.T) {
	r := benchResult{Messages: 1000, MachineBusy: 1500 * time.Millisecond, MachineTotal: 2 * time.Second}
	if got, want := r.machine(), "machine    75% busy, 1.5ms CPU per message"; len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("machine line %q, want it to start with %q", got, want)
	}
	if got := (benchResult{Messages: 1000}).machine(); got != "" {
		t.Errorf("unmeasured machine printed %q", got)
	}
}
