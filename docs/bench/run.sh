#!/usr/bin/env bash
# Runs every benchmark of issue 6 and regenerates docs/BENCHMARKS.md (`make bench`).
#
#   P1, P2  go test -bench in ./service against the demo server on loopback
#   P3      go test -bench in ./gui (Fyne's test driver) and the slow-avatar test
#   P4-P6   docs/bench/window: the release binary and the hello-world baseline under
#           a private Xvfb, driven by xdotool; and the start with a year of redemptions
#   P7      go test -bench in ./service/journal: confirm → redeem request sent
#   size    the release binary, the baseline and the embedded font
#
# Raw results go to build/bench/ (BENCH_DIR). Every loop here is bounded; every process
# started is ended on exit, also on Ctrl+C. Traffic stays on 127.0.0.1.
#
# Tunables (environment; the Makefile passes its BENCH_ variables through):
#   BENCH_COUNT    rounds of the P2 and P3 benchmarks (default 10)
#   BENCH_TIME     -benchtime of each P2 round (default 1s)
#   BENCH_RUNS     startup runs of each binary (default 20: the baseline alone moves by
#                  about 20% between runs of 10 on a 2-core VM)
#   BENCH_LOOKUPS  lookups for RSS growth (default 1000)
#   BENCH_WARMUP   lookups before the growth's baseline (default 20: the first-use step,
#                  reported on its own row)
#   BENCH_REST     how long the empty screen rests before the baseline and the growth
#                  are read (default 75s: Fyne frees a text's texture a minute after it
#                  was last drawn)
#   BENCH_SCANS    scans in the storm (default 200)
#   BENCH_HISTORY  redemption journal lines for the start with history (default 100000)
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${BENCH_DIR:-$ROOT/build/bench}
COUNT=${BENCH_COUNT:-10}
BTIME=${BENCH_TIME:-1s}
RUNS=${BENCH_RUNS:-20}
LOOKUPS=${BENCH_LOOKUPS:-1000}
WARMUP=${BENCH_WARMUP:-20}
REST=${BENCH_REST:-75s}
SCANS=${BENCH_SCANS:-200}
HISTORY=${BENCH_HISTORY:-100000}
RELEASE_FLAGS=(-tags migrated_fynedo -trimpath -ldflags "-s -w")

rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/logs"

bg_pid=""
cleanup() {
	# Only what this script started: the window tool ends its own Xvfb, xev and apps.
	if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then
		kill -TERM "$bg_pid" 2>/dev/null || true
		wait "$bg_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s (load %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)"; }

# Runs a command in the background so that the trap can end it, and waits for it.
run_bg() {
	"$@" &
	bg_pid=$!
	wait "$bg_pid"
	bg_pid=""
}

{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	if [ -n "$(git status --porcelain 2>/dev/null)" ]; then echo "dirty=yes"; else echo "dirty=no"; fi
	echo "go=$(go version | cut -d' ' -f3-)"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
	echo "cores=$(nproc)"
	echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "fyne=$(go list -m -f '{{.Version}}' fyne.io/fyne/v2)"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "uptime_start=$(uptime)"
	echo "count=$COUNT"
	echo "benchtime=$BTIME"
	echo "runs=$RUNS"
	echo "lookups=$LOOKUPS"
	echo "warmup=$WARMUP"
	echo "rest=$REST"
	echo "scans=$SCANS"
} >"$OUT/meta.txt"

step "build: release app, hello-world baseline, tools"
go build "${RELEASE_FLAGS[@]}" -o "$OUT/bin/ocard-desk" .
go build "${RELEASE_FLAGS[@]}" -o "$OUT/bin/hello" ./docs/bench/hello
# The same builds without -s -w, only to find the font's symbol with go tool nm.
go build -tags migrated_fynedo -trimpath -o "$OUT/bin/ocard-desk.syms" .
go build -o "$OUT/bin/window" ./docs/bench/window
go build -o "$OUT/bin/report" ./docs/bench/report
go test -c -o "$OUT/bin/service.test" ./service
go test -c -o "$OUT/bin/journal.test" ./service/journal
go test -c -o "$OUT/bin/gui.test" ./gui

step "size"
{
	echo "app_bytes=$(stat -c %s "$OUT/bin/ocard-desk")"
	echo "hello_bytes=$(stat -c %s "$OUT/bin/hello")"
	echo "font_file_bytes=$(stat -c %s resources/font/NotoSansTC-Regular-Big5.otf)"
} >"$OUT/size.txt"
# The largest symbols of the unstripped build; the report picks the font's.
go tool nm -size -sort size "$OUT/bin/ocard-desk.syms" >"$OUT/nm.txt"
head -8 "$OUT/nm.txt" | sed 's/^/nm=/' >>"$OUT/size.txt"

step "P1: round trips (1000 lookups)"
(cd service && "$OUT/bin/service.test" -test.run '^$' -test.bench '^BenchmarkRoundTrips$' \
	-test.benchtime 1000x -test.count 1) | tee "$OUT/p1.txt"

step "P2: LookupMember vs bare GET + json.Unmarshal, $COUNT rounds"
for i in $(seq 1 "$COUNT"); do
	(cd service && "$OUT/bin/service.test" -test.run '^$' -test.bench '^BenchmarkLookupOverhead$' \
		-test.benchtime "$BTIME" -test.count 1) >>"$OUT/p2.txt"
done
grep -E '^Benchmark' "$OUT/p2.txt" || true
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
if [ ! -x "$BENCHSTAT" ]; then
	echo "installing benchstat (golang.org/x/perf)"
	go install golang.org/x/perf/cmd/benchstat@latest || true
fi
if [ -x "$BENCHSTAT" ]; then
	"$BENCHSTAT" -col /impl "$OUT/p2.txt" >"$OUT/p2-benchstat.txt" || true
	cat "$OUT/p2-benchstat.txt"
else
	echo "benchstat unavailable; the report computes medians itself" | tee "$OUT/p2-benchstat.txt"
fi

step "P7: confirm -> redeem request sent, 100,000-line journal history, $COUNT rounds"
# Issue 21: what a confirm costs before the request leaves (twin check, order id,
# journal read, pending line fsynced, send lock) on a journal with a year of history
# (its first open rotated it into archives: first-open-ms). The journal is on the
# test's temporary folder: a real disk here.
(cd service/journal && "$OUT/bin/journal.test" -test.run '^$' -test.bench '^BenchmarkConfirmToRequestSent$' \
	-test.benchtime 200x -test.count "$COUNT") | tee "$OUT/p7.txt"

step "P4: the journal's open at start, empty and with a year (100,000 lines, rotated), $COUNT rounds"
# Issue 24: what the history costs each start; the window opens the journal beside its
# own creation (session.Inputs.JournalBeside), the history phase below times that whole.
(cd service/journal && "$OUT/bin/journal.test" -test.run '^$' -test.bench '^BenchmarkOpenAtStart$' \
	-test.benchtime 100x -test.count "$COUNT") | tee -a "$OUT/p7.txt"

step "P7: a Confirm press on the UI goroutine, $COUNT rounds"
# Issue 21: what the press itself costs the UI goroutine (the panel to "Sending…", the send
# started on its own goroutine); the journal is never touched there.
(cd gui && LANG=en_US.UTF-8 LC_ALL= LANGUAGE= "$OUT/bin/gui.test" -test.run '^$' \
	-test.bench '^BenchmarkConfirmOnTheUIGoroutine$' -test.benchtime 200x -test.count "$COUNT") | tee -a "$OUT/p7.txt"

step "P3: result to pixels (Fyne test driver), $COUNT rounds"
# en_US: Fyne's test app cannot parse a C locale and says so on stdout, between a
# benchmark's name and its figures.
(cd gui && LANG=en_US.UTF-8 LC_ALL= LANGUAGE= "$OUT/bin/gui.test" -test.run '^$' \
	-test.bench '^BenchmarkResultToPixels$' -test.count "$COUNT") | tee "$OUT/p3.txt"
(cd gui && LANG=en_US.UTF-8 LC_ALL= LANGUAGE= "$OUT/bin/gui.test" \
	-test.run '^TestTextShowsWhileSlowAvatarLoads$' -test.v -test.count 1) | tee "$OUT/p3-avatar.txt"

step "P4-P6: the real window under Xvfb (and the start with $HISTORY journal lines)"
run_bg "$OUT/bin/window" -app "$OUT/bin/ocard-desk" -hello "$OUT/bin/hello" -runs "$RUNS" \
	-lookups "$LOOKUPS" -warmup "$WARMUP" -rest "$REST" -scans "$SCANS" -history "$HISTORY" -phases startup,memory,storm,history \
	-logs "$OUT/logs" -out "$OUT/window.json"

{
	echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "uptime_end=$(uptime)"
	echo "date_end=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >>"$OUT/meta.txt"

step "report"
"$OUT/bin/report" -dir "$OUT" -findings docs/bench/findings.md -out docs/BENCHMARKS.md
echo "wrote docs/BENCHMARKS.md (raw results in ${OUT#"$ROOT"/})"
