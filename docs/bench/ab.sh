#!/usr/bin/env bash
# A/B-tests a proposed fix (a patch under docs/bench/experiments/) against the work tree,
# interleaved, with the benchmark it targets. docs/BENCHMARKS.md quotes its results.
#
#   docs/bench/ab.sh PATCH MODE [ROUNDS]
#
#   MODE  p2      BenchmarkLookupOverhead and a DecodeMember benchmark (./service)
#         p3      BenchmarkResultToPixels/stage=widgets (./gui)
#         storm   the P6 scanner storm (docs/bench/window -phases storm)
#         memory  the P5 RSS run (docs/bench/window -phases memory), BENCH_LOOKUPS lookups
#         startup P4: both builds started in turn under one Xvfb (window -phases startup
#                 -hello-is-app), BENCH_RUNS starts each per round (default 20); ready and
#                 map medians, paired ratios and idle RSS per round
#
# Each round runs the unpatched build, then the patched one (ROUNDS defaults to 6 for
# p2/p3, 2 for storm/memory). The copies live in a temporary directory that is removed
# on exit; the window tool ends its own Xvfb and apps. Loopback traffic only.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,14p' "$0"; exit 2; }
cd "$(dirname "$0")/../.."
ROOT=$PWD
PATCH=$(realpath "$1")
MODE=$2
case $MODE in p2 | p3) ROUNDS=${3:-6} ;; storm | memory | startup) ROUNDS=${3:-2} ;; *) echo "unknown mode $MODE" >&2; exit 2 ;; esac

TMP=$(mktemp -d /tmp/ocard-ab-XXXXXX)
bg_pid=""
cleanup() {
	if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then kill -TERM "$bg_pid" 2>/dev/null || true; wait "$bg_pid" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two copies of the work tree (tracked and untracked files, not build/ or dist/).
for v in base patched; do
	mkdir -p "$TMP/$v"
	git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$TMP/$v"
done
patch -s -d "$TMP/patched" -p1 <"$PATCH"
echo "A/B: $(basename "$PATCH"), mode $MODE, $ROUNDS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"

# A DecodeMember benchmark that exists only in the copies.
decode_bench='package service_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service"
)

func BenchmarkABDecodeMember(b *testing.B) {
	raw, err := os.ReadFile("demo/responses/several-expiring.json")
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(strings.NewReplacer("{{BASE_URL}}", "http://127.0.0.1:1", "{{DATE+75}}", "2027/02/10",
		"{{DATE+12}}", "2026/12/09", "{{DATE+200}}", "2027/06/15").Replace(string(raw)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if _, err := service.DecodeMember(body); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}'

build() { # build VARIANT
	local d=$TMP/$1
	case $MODE in
	p2)
		echo "$decode_bench" >"$d/service/ab_decode_bench_test.go"
		(cd "$d" && go test -c -o "$TMP/$1.test" ./service)
		;;
	p3) (cd "$d" && go test -c -o "$TMP/$1.test" ./gui) ;;
	storm | memory | startup)
		(cd "$d" && go build -tags migrated_fynedo -trimpath -ldflags "-s -w" -o "$TMP/$1.app" .)
		(cd "$d" && go build -o "$TMP/window" ./docs/bench/window)
		;;
	esac
}
build base
build patched

BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
if [ "$MODE" = startup ]; then
	# Interleaved within each round by the window tool itself: "app" is the patched build,
	# "hello" the base one.
	for r in $(seq 1 "$ROUNDS"); do
		"$TMP/window" -app "$TMP/patched.app" -hello "$TMP/base.app" -hello-is-app -phases startup \
			-runs "${BENCH_RUNS:-20}" -settle "${BENCH_SETTLE:-3s}" -out "$TMP/startup-$r.json" &
		bg_pid=$!
		wait "$bg_pid"
		bg_pid=""
		python3 - "$TMP/startup-$r.json" "$r" <<'EOF'
import json, statistics as st, sys
s = json.load(open(sys.argv[1]))["startup"]
a, b = s["app_ready_ms"], s["hello_ready_ms"]
paired = st.median([x / y for x, y in zip(a, b)])
print(f"round {sys.argv[2]}: ready patched {st.median(a):.1f} ms vs base {st.median(b):.1f} ms, {st.median(a)/st.median(b):.3f}x "
      f"(paired {paired:.3f}x); map {st.median(s['app_map_ms']):.1f} vs {st.median(s['hello_map_ms']):.1f} ms; "
      f"idle RSS {st.median(s['app_rss_kib'])/1024:.1f} vs {st.median(s['hello_rss_kib'])/1024:.1f} MiB; n={len(a)}")
EOF
	done
	exit 0
fi
for r in $(seq 1 "$ROUNDS"); do
	for v in base patched; do
		case $MODE in
		p2) (cd "$TMP/$v/service" && "$TMP/$v.test" -test.run '^$' -test.bench '^(BenchmarkLookupOverhead|BenchmarkABDecodeMember)$') >>"$TMP/$v.txt" ;;
		p3) (cd "$TMP/$v/gui" && LANG=en_US.UTF-8 LC_ALL= LANGUAGE= "$TMP/$v.test" -test.run '^$' \
			-test.bench '^BenchmarkResultToPixels/stage=widgets$') >>"$TMP/$v.txt" ;;
		storm | memory)
			"$TMP/window" -app "$TMP/$v.app" -phases "$MODE" -lookups "${BENCH_LOOKUPS:-1000}" \
				-scans "${BENCH_SCANS:-200}" -out "$TMP/$v-$r.json" &
			bg_pid=$!
			wait "$bg_pid"
			bg_pid=""
			python3 - "$TMP/$v-$r.json" "$v" "$r" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); v, n = sys.argv[2], sys.argv[3]
if r.get("storm"):
    s = r["storm"]
    print(f"{v:8} round {n}: invalid {s['invalid']}, garbled {s['garbled_scans']}, missing {s['missing_scans']}, "
          f"never completed {s['never_completed']}, stale {s['stale_shown']}, completed {s['completed']}, superseded {s['superseded']}")
if r.get("memory"):
    m = r["memory"]
    samples = " ".join(f"{x['lookups']}:{x['rss_kib']/1024:.0f}" for x in m["samples"])
    print(f"{v:8} round {n}: idle {m['idle_rss_kib']/1024:.1f} MiB, end {m['end_rss_kib']/1024:.1f} MiB, "
          f"growth {(m['end_rss_kib']-m['warm_rss_kib'])/1024:+.1f} MiB; samples {samples}")
EOF
			;;
		esac
	done
done
if [ "$MODE" = p2 ] || [ "$MODE" = p3 ]; then
	if [ -x "$BENCHSTAT" ]; then
		(cd "$TMP" && "$BENCHSTAT" base=base.txt patched=patched.txt)
	else
		cat "$TMP/base.txt" "$TMP/patched.txt"
	fi
fi
