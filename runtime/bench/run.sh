#!/usr/bin/env bash
# Runs the startorder-entrypoint benchmarks and prints Markdown tables.
#   bench/run.sh                 # 1000 hops for inotify and 10 ms polling, 20 for Tekton, 1000 kills
#   HOPS=200 SLOW_HOPS=5 KILLS=200 bench/run.sh
# Tekton's real entrypoint comes from tekton/build.sh (built and cached if missing).
# Needs a quiet machine: other load shows up in the p99 column.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
HOPS=${HOPS:-1000}
SLOW_HOPS=${SLOW_HOPS:-20}
KILLS=${KILLS:-1000}
export STARTORDER_TEKTON_ENTRYPOINT=${STARTORDER_TEKTON_ENTRYPOINT:-$(tekton/build.sh)}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
load0=$(cut -d' ' -f1-3 /proc/loadavg)
"$GO" test -run '^$' -bench 'Hop/(inotify|poll10ms)$' -benchtime "${HOPS}x" -count 1 ./bench/ | tee -a "$out" >&2
"$GO" test -run '^$' -bench 'Hop/tekton$' -benchtime "${SLOW_HOPS}x" -count 1 ./bench/ | tee -a "$out" >&2
"$GO" test -run '^$' -bench 'DeathDetection$' -benchtime "${KILLS}x" -count 1 ./bench/ | tee -a "$out" >&2
"$GO" test -run '^$' -bench 'Footprint' -benchtime 3x -count 1 ./bench/ | tee -a "$out" >&2
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# metric VALUE from a benchmark line: the number before the unit.
metric() { awk -v b="$1" -v u="$2" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 2; i < NF; i++) if ($(i+1) == u) print $i }' "$out"; }

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(uname -sr), $("$GO" version | cut -d' ' -f3); load average before: $load0, after: $load1"
echo
echo "| waiter | hops | wrapper started p50 | p99 | child running p50 | p99 | max |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for m in inotify poll10ms tekton; do
	b="BenchmarkHop/$m"
	label=$m
	case $m in
	inotify) label="startorder-entrypoint, inotify (default)" ;;
	poll10ms) label="startorder-entrypoint, polling fallback 10 ms" ;;
	tekton) label="Tekton's entrypoint v1.0.0 (polls every 1 s)" ;;
	esac
	printf '| %s | %d | %s ms | %s ms | %s ms | %s ms | %s ms |\n' "$label" "$(metric "$b" hops | cut -d. -f1)" \
		"$(metric "$b" started-p50-ms)" "$(metric "$b" started-p99-ms)" \
		"$(metric "$b" child-p50-ms)" "$(metric "$b" child-p99-ms)" "$(metric "$b" child-max-ms)"
done
echo
echo "| death detection, -wait_status DEP/exited | kills | dependent knows (started) p50 | p99 | dependent's child running p50 | p99 | max |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '| SIGKILL of the dependency'"'"'s wrapper | %d | %s ms | %s ms | %s ms | %s ms | %s ms |\n' "$(metric BenchmarkDeathDetection kills | cut -d. -f1)" \
	"$(metric BenchmarkDeathDetection known-p50-ms)" "$(metric BenchmarkDeathDetection known-p99-ms)" \
	"$(metric BenchmarkDeathDetection detect-p50-ms)" "$(metric BenchmarkDeathDetection detect-p99-ms)" "$(metric BenchmarkDeathDetection detect-max-ms)"
echo
echo "| footprint | startorder-entrypoint | Tekton's entrypoint v1.0.0 |"
echo "|---|---:|---:|"
printf '| binary, linux/amd64, -s -w | %s bytes | %s bytes |\n' "$(metric BenchmarkFootprint/startorder binary-bytes)" "$(metric BenchmarkFootprint/tekton binary-bytes)"
printf '| VmRSS while waiting for a dependency | %s MB | %s MB |\n' "$(metric BenchmarkFootprint/startorder rss-waiting-MB)" "$(metric BenchmarkFootprint/tekton rss-waiting-MB)"
printf '| VmRSS while supervising a child | %s MB | %s MB |\n' "$(metric BenchmarkFootprint/startorder rss-supervising-MB)" "$(metric BenchmarkFootprint/tekton rss-supervising-MB)"
