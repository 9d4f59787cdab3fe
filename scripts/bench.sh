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
#	FIXED=0 scripts/bench.sh         # without the fixed-cost part
#
# The baselines are naive-expr, naive-cel (one program per workflow) and
# grule (one grule knowledge base; at 100,000 only with
# WAAUTO_BENCH_GRULE_100K=1, its build takes most of an hour).
#
# Then (unless FIXED=0) the fixed cost per message: BenchmarkFixedCost (no
# workflow) against BenchmarkFold's floor, lower-casing the same text once
# (impl=lower), and its ratio.
#
# The raw output is kept in bench.txt and fixed.txt (OUT=..., FIXED_OUT=...).
# Compare ratios measured in one run: absolute times move with the machine's
# load, printed before and after.
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-200ms}
BENCH=${BENCH:-BenchmarkMatch/}
PKG=${PKG:-./workflow/engine/}
OUT=${OUT:-bench.txt}
FIXED=${FIXED:-1}
FIXED_OUT=${FIXED_OUT:-fixed.txt}
echo "load before: $(uptime)"
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
echo "load after: $(uptime)"

[ "$FIXED" = 1 ] || exit 0
echo
echo "fixed cost per message (no workflow) against the lower-casing floor:"
: > "$FIXED_OUT"
for i in $(seq "$COUNT"); do # interleaved, so that the load falls on both alike
	go test -run '^$' -bench 'BenchmarkFixedCost' -benchmem -count 1 -benchtime "$BENCHTIME" ./workflow/engine/ >> "$FIXED_OUT"
	go test -run '^$' -bench 'BenchmarkFold/text=(fr|ascii)/impl=(new|lower)$' -benchmem -count 1 -benchtime "$BENCHTIME" ./condition/ >> "$FIXED_OUT"
done
go run golang.org/x/perf/cmd/benchstat@latest "$FIXED_OUT"
awk '
function median(s,   a, k, i, j, t) {
	k = split(s, a, " ")
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
/^BenchmarkFixedCost\/lang=/ { l = $1; sub(/^BenchmarkFixedCost\/lang=/, "", l); sub(/-[0-9]+$/, "", l); fixed[l] = fixed[l] " " $3 }
/^BenchmarkFold\/text=.*\/impl=lower/ { l = $1; sub(/^BenchmarkFold\/text=/, "", l); sub(/\/.*/, "", l); floor[l] = floor[l] " " $3 }
END { for (l in fixed) if (l in floor) printf "%-6s fixed %8.0f ns   floor (ToLower) %8.0f ns   %.2fx the floor\n", l, median(fixed[l]), median(floor[l]), median(fixed[l]) / median(floor[l]) }
' "$FIXED_OUT" | sort
echo "load after: $(uptime)"
