#!/bin/sh
# bench.sh runs the matching benchmarks (BenchmarkMatch/: the engine's path
# against naive expr and CEL loops, N = 10, 1,000, 10,000 and 100,000
# workflows, unique keywords and open20 = 20 % keyword-less) with -count and
# prints benchstat's table and the engine's speed-up over each naive loop.
#
#	scripts/bench.sh                 # -count 6, -benchtime 200ms
#	COUNT=10 BENCHTIME=1s scripts/bench.sh
#	WAAUTO_BENCH_NAIVE_100K=1 scripts/bench.sh   # the naive loops at 100,000 too (~0.5 s a message)
#	BENCH='BenchmarkMatch/open20/' scripts/bench.sh
#
# The raw output is kept in bench.txt (OUT=...). Compare ratios measured in
# one run: absolute times move with the machine's load.
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-200ms}
BENCH=${BENCH:-BenchmarkMatch/}
PKG=${PKG:-./workflow/engine/}
OUT=${OUT:-bench.txt}
go test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -benchtime "$BENCHTIME" -timeout 60m "$PKG" | tee "$OUT"
echo
go run golang.org/x/perf/cmd/benchstat@latest "$OUT"
echo
echo "speed-up of the engine (median ns/op of naive / engine):"
awk '
/^BenchmarkMatch\// {
	name = $1; sub(/-[0-9]+$/, "", name)
	n = split(name, p, "/"); impl = p[n]; set = name; sub("/" impl "$", "", set)
	v[set, impl] = v[set, impl] " " $3; sets[set] = 1; impls[impl] = 1
}
function median(s,   a, k, i, j, t) {
	k = split(s, a, " ")
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
END {
	for (s in sets) {
		if (!((s, "engine") in v)) continue
		e = median(v[s, "engine"])
		line = sprintf("%-40s engine %12.0f ns", s, e)
		for (i in impls) if (i != "engine" && (s, i) in v) line = line sprintf("   %s %10.1fx", i, median(v[s, i]) / e)
		print line
	}
}' "$OUT" | sort
