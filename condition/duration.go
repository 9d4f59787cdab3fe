package condition

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses Go duration syntax plus a days unit: "90s", "15m",
// "1h30m", "3d", "1d12h". Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	var days int64
	if i := strings.IndexByte(in, 'd'); i > 0 {
		n, err := strconv.ParseInt(in[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (want e.g. 90s, 15m, 2h, 3d)", s)
		}
		days, in = n, in[i+1:]
	}
	var d time.Duration
	if in != "" {
		var err error
		if d, err = time.ParseDuration(in); err != nil {
			return 0, fmt.Errorf("%q is not a duration (want e.g. 90s, 15m, 2h, 3d)", s)
		}
	}
	d += time.Duration(days) * 24 * time.Hour
	if d < 0 {
		return 0, fmt.Errorf("%q is negative (want a duration of 0 or more)", s)
	}
	return d, nil
}

// FormatDuration formats d the way ParseDuration reads it, with whole days as "Nd".
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}
