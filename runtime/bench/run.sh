#!/usr/bin/env bash
# Runs the startorder-entrypoint benchmarks and prints a Markdown table.
#   bench/run.sh                 # 1000 hops each for inotify and 10 ms polling, 20 for 1 s polling
#   HOPS=200 SLOW_HOPS=5 bench/run.sh
# Needs a quiet machine: other load shows up in the p99 column.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
HOPS=${HOPS:-1000}
SLOW_HOPS=${SLOW_HOPS:-20}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$GO" test -run '^$' -bench 'Hop/(inotify|poll10ms)$' -benchtime "${HOPS}x" -count 1 ./bench/ | tee -a "$out" >&2
"$GO" test -run '^$' -bench 'Hop/tekton1s$' -benchtime "${SLOW_HOPS}x" -count 1 ./bench/ | tee -a "$out" >&2
"$GO" test -run '^$' -bench 'Footprint$' -benchtime 3x -count 1 ./bench/ | tee -a "$out" >&2

# metric VALUE from a benchmark line: the number before the unit.
metric() { awk -v b="$1" -v u="$2" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 2; i < NF; i++) if ($(i+1) == u) print $i }' "$out"; }

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(uname -sr), $("$GO" version | cut -d' ' -f3)"
echo
echo "| waiter | hops | wrapper started p50 | p99 | child running p50 | p99 | max |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for m in inotify poll10ms tekton1s; do
	b="BenchmarkHop/$m"
	label=$m
	case $m in
	inotify) label="inotify (default)" ;;
	poll10ms) label="polling fallback, 10 ms (STARTORDER_WAIT=poll)" ;;
	tekton1s) label="polling every 1 s (Tekton's interval)" ;;
	esac
	printf '| %s | %d | %s ms | %s ms | %s ms | %s ms | %s ms |\n' "$label" "$(metric "$b" hops | cut -d. -f1)" \
		"$(metric "$b" started-p50-ms)" "$(metric "$b" started-p99-ms)" \
		"$(metric "$b" child-p50-ms)" "$(metric "$b" child-p99-ms)" "$(metric "$b" child-max-ms)"
done
echo
echo "| footprint | value |"
echo "|---|---:|"
printf '| binary, linux/amd64, -s -w | %s bytes |\n' "$(metric BenchmarkFootprint binary-bytes)"
printf '| VmRSS while waiting for a dependency | %s MB |\n' "$(metric BenchmarkFootprint rss-waiting-MB)"
printf '| VmRSS while supervising a child (tcp readiness probe running) | %s MB |\n' "$(metric BenchmarkFootprint rss-supervising-MB)"
