#!/usr/bin/env bash
# `make bench`: run the Go benchmarks and print a summary with operations per second.
#
# Environment:
#   BENCH       benchmark regexp (default: all)
#   BENCHTIME   go test -benchtime (default 2s)
#   COUNT       go test -count (default 1; use 6+ and benchstat to compare runs)
#   PKGS        packages (default ./...)
# The raw `go test -bench` output is kept in bench/results/ (not committed) for benchstat.
#
# On the 2-core development machine, close other heavy work first: numbers from a loaded
# machine are not comparable.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BENCH=${BENCH:-.}
BENCHTIME=${BENCHTIME:-2s}
COUNT=${COUNT:-1}
PKGS=${PKGS:-./...}

mkdir -p bench/results
raw=bench/results/bench-$(date -u +%Y%m%dT%H%M%SZ).txt

echo "go test -run '^\$' -bench '$BENCH' -benchtime $BENCHTIME -count $COUNT -benchmem $PKGS"
go test -run '^$' -bench "$BENCH" -benchtime "$BENCHTIME" -count "$COUNT" -benchmem $PKGS | tee "$raw"

echo
echo "Summary ($(nproc) cores; raw output in $raw):"
awk '
/^pkg: / { pkg = $2; sub(/.*\//, "", pkg) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	nsop = ""; extra = ""
	for (i = 3; i < NF; i += 2) {
		if ($(i+1) == "ns/op") nsop = $i
		else if ($(i+1) == "B/op" || $(i+1) == "allocs/op") extra = extra sprintf("  %s %s", $i, $(i+1))
		else extra = extra sprintf("  %s %s", $i, $(i+1))
	}
	ops = (nsop != "" && nsop > 0) ? sprintf("%.0f", 1e9 / nsop) : "-"
	printf "  %-12s %-48s %14s ns/op %12s ops/s%s\n", pkg, name, nsop, ops, extra
	n++
}
END {
	if (n == 0) { print "  no benchmark ran"; exit 1 }
}' "$raw"
