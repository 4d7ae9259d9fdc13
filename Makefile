# Ocard Desk. `make run` opens the window on the built-in demo server; `make test` runs
# every test. Both install the Debian packages they need first (see `deps`).
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin

APP      := ocard-desk
PKG      := github.com/ocard-desk/ocard-desk/service
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).BuildDate=$(DATE)
OUT      := build
# Release builds: Fyne's thread checks off ([Migrations] fyneDo). Adding no_emoji
# (RELEASE_TAGS=migrated_fynedo,no_emoji) drops Fyne's 4.2 MB colour emoji font, which
# Fyne parses again for every text style: measured 4.2 MB smaller, 13 MiB less idle RSS
# and 17 MiB less growth (docs/bench/findings.md, P5), but emoji in a member's name then
# need a system emoji font or show as boxes, so it is not the default.
RELEASE_TAGS ?= migrated_fynedo

# Debian packages: the cgo build of Fyne/GLFW, then the window tests (Xvfb, xdotool,
# screenshots with ImageMagick's `import`, barcode reading with zbarimg) and the real
# Secret Service test (dbus-run-session from dbus-daemon, gnome-keyring-daemon).
# libc6-dev (the C library's headers and crt files) is named because Debian's gcc only
# recommends it and .ci/apt-install installs without recommends. .ci/package/lib.sh has the
# same list; TestBuildDebsCoverTheCBuild (packaging_test.go) checks both against what the
# C build really opens.
BUILD_DEBS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
TEST_DEBS  := xvfb xauth xdotool imagemagick zbar-tools x11-utils dbus-daemon gnome-keyring

.PHONY: all deps deps-build deps-test build build-debug run test test-windows test-fast fuzz clean \
        package-linux package-windows package-macos package-check check-fresh

all: build

# deps installs whichever of the packages are missing (apt-get, as root or through sudo)
# and says which; it does nothing when all are present.
deps: deps-build deps-test
deps-build:
	@./.ci/apt-install $(BUILD_DEBS)
deps-test:
	@./.ci/apt-install $(TEST_DEBS)

# build is the release build: Fyne's thread checks off ([Migrations] fyneDo = true).
build: deps-build
	go build -tags $(RELEASE_TAGS) -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(OUT)/$(APP) .

# build-debug keeps Fyne's thread checks on, so a widget touched off the UI goroutine
# is reported; use it while developing.
build-debug: deps-build
	go build -race -ldflags "$(LDFLAGS)" -o $(OUT)/$(APP)-debug .

run: build
	./$(OUT)/$(APP) --demo

# test: vet and staticcheck, every test with the race detector, including the end-to-end
# test of the real binary in Xvfb and the fuzz seed corpora, then the gui's 1000-scan abuse
# test and 300 random cashiers without it (under -race they run 24 scans and 30 cashiers).
# .ci/test runs them as two chains side by side, each build variant compiled once; each
# step's log is printed whole when it ends, and again at the end if it failed.
test: deps
	STATICCHECK='$(STATICCHECK)' ./.ci/test

# staticcheck at a fixed version; `go run pkg@version` builds it without touching go.mod.
STATICCHECK ?= go run honnef.co/go/tools/cmd/staticcheck@v0.8.2

# test-windows: the tests of every package that builds without cgo (the service packages),
# cross-built for windows/amd64 and run under Wine, each from its own folder; one line per
# package, and it fails on any failure. Installs Wine and mingw-w64 the way deps does; its
# Wine prefix and test-only shims stay in $(OUT)/test-windows. See .ci/test-windows.
test-windows:
	./.ci/test-windows

# test-fast skips the end-to-end window test.
test-fast: deps-build
	go test -race -short -count=1 ./...

# fuzz runs each fuzz target for FUZZTIME (default 1m).
FUZZTIME ?= 1m
fuzz:
	go test ./service -run '^$$' -fuzz '^FuzzDecodeMember$$' -fuzztime $(FUZZTIME) -timeout 0
	go test ./service -run '^$$' -fuzz '^FuzzNormaliseMobile$$' -fuzztime $(FUZZTIME) -timeout 0
	go test ./service -run '^$$' -fuzz '^FuzzValidCarrier$$' -fuzztime $(FUZZTIME) -timeout 0
	go test ./service -run '^$$' -fuzz '^FuzzDecodeRewards$$' -fuzztime $(FUZZTIME) -timeout 0
	go test ./service -run '^$$' -fuzz '^FuzzDecodeAPIError$$' -fuzztime $(FUZZTIME) -timeout 0
	go test ./service -run '^$$' -fuzz '^FuzzPrintable$$' -fuzztime $(FUZZTIME) -timeout 0

clean:
	rm -rf $(OUT) dist

# Packaging (docs/PACKAGING.md). Artefacts go to dist/. The scripts install what they need.
# PROVISION=path/to/ocard-desk.json bundles a franchise provisioning file;
# SIGN_CERT/SIGN_KEY (or SIGN_PFX with SIGN_PASS) sign the Windows executables.
export VERSION COMMIT DATE RELEASE_TAGS PROVISION SIGN_CERT SIGN_KEY SIGN_PFX SIGN_PASS
package-linux:
	./.ci/package/linux
package-windows:
	./.ci/package/windows
package-macos:
	./.ci/package/macos
package-check:
	./.ci/package/check

# check-fresh: a clean Debian 12 root (debootstrap), the current commit cloned into it, and
# there the README's `make test`, `make run` (under Xvfb, a demo number scanned) and
# `make package-linux`, each timed. As root; 15-25 minutes. See docs/PACKAGING.md.
check-fresh:
	./.ci/check-fresh

# bench runs every benchmark of issue 6 (docs/bench/run.sh, about 6 minutes here) and
# regenerates docs/BENCHMARKS.md; raw results go to $(OUT)/bench. It needs the window
# tools (Xvfb, xdotool, xev), so it installs what deps installs.
BENCH_COUNT   ?= 10
BENCH_TIME    ?= 1s
BENCH_RUNS    ?= 20
BENCH_LOOKUPS ?= 1000
BENCH_SCANS   ?= 200
.PHONY: bench
bench: deps
	BENCH_DIR=$(CURDIR)/$(OUT)/bench BENCH_COUNT=$(BENCH_COUNT) BENCH_TIME=$(BENCH_TIME) BENCH_RUNS=$(BENCH_RUNS) \
		BENCH_LOOKUPS=$(BENCH_LOOKUPS) BENCH_SCANS=$(BENCH_SCANS) ./docs/bench/run.sh

# soak runs the long reliability loops (too slow for make test): the shutdown soak
# (RUNS times, default 200, about 8 minutes), the settings file killed mid-save (KILLS,
# 200) and the journal killed at every step (KILLS, 240). Results go to docs/RELIABILITY.md.
.PHONY: soak
soak: deps
	./.ci/soak-shutdown
	./.ci/soak-settings
	./.ci/soak-journal
	# 3000 random cashiers at the window (make test runs 300), 300 a process (Fyne's test
	# driver keeps every renderer it made), and 30000 at the journal.
	go test -c -o $(OUT)/gui-soak.test ./gui
	for from in 0 300 600 900 1200 1500 1800 2100 2400 2700; do \
		(cd gui && REDEEM_RANDOM_FROM=$$from REDEEM_RANDOM_RUNS=300 ../$(OUT)/gui-soak.test -test.count=1 \
			-test.timeout 30m -test.run '^TestRandomCashierNeverChargesTwice$$') || exit 1; \
	done
	OCARD_RANDOM_RUNS=30000 go test -count=1 -timeout 60m -run '^TestRandomCashierAgainstFaultyServer$$' ./service/journal
