# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
# Sourced by the packaging scripts in this folder (docs/PACKAGING.md); not run on its own.
# It moves to the repository root and settles the version strings every artefact carries.
#
# From the Makefile (or the environment): VERSION, COMMIT, DATE. Derived here:
#   NUMVER   x.y.z for places that take numbers only (fyne, Windows file version, .deb base):
#            VERSION's own x.y.z when it is a tag such as v1.2.3, else FyneApp.toml's Version
#   BUILDNUM FyneApp.toml's Build
#   DEBVER   the .deb version: 1.2.3, 1.2.3~rc1, 1.2.3+4.gabc1234 after a tag, or
#            0.1.0~git.db4fb18.dirty when there is no tag (sorts before the release)
#   WINVER   a.b.c.d for Windows version resources
#   LDFLAGS  the -X stamps of `make build`
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
ROOT=$PWD
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "package: Go is not on the PATH (need Go 1.26)" >&2; exit 1; }
GOPATH_BIN="$(go env GOPATH)/bin"
export PATH="$PATH:$GOPATH_BIN"

APP=ocard-desk
APP_NAME="Ocard Desk"
APP_ID=tw.ocard.desk
PUBLISHER="Ocard Desk"
HOMEPAGE="https://github.com/ocard-desk/ocard-desk"
DIST=${DIST:-$ROOT/dist}
PKG=github.com/ocard-desk/ocard-desk/service

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
DATE=${DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
export VERSION COMMIT DATE
case "$VERSION" in
*[!A-Za-z0-9.+~_-]* | "") echo "package: VERSION '$VERSION' may only hold letters, digits and . + ~ _ -" >&2; exit 2 ;;
esac

# toml_value KEY: the value of the first `KEY = …` line of FyneApp.toml, quotes removed.
toml_value() { sed -n "s/^$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" FyneApp.toml | head -n1; }
BUILDNUM=$(toml_value Build)
BUILDNUM=${BUILDNUM:-1}

if [[ $VERSION =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+)(.*)$ ]]; then
	NUMVER="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
	rest=${BASH_REMATCH[4]}
	if [ -z "$rest" ]; then
		DEBVER=$NUMVER
	elif [[ $rest =~ ^-[0-9]+-g ]]; then # commits after a tag: later than the tag
		DEBVER="$NUMVER+${rest#-}"
	else # a pre-release such as -rc1: earlier than the tag
		DEBVER="$NUMVER~${rest#-}"
	fi
else
	NUMVER=$(toml_value Version)
	NUMVER=${NUMVER:-0.0.0}
	DEBVER="$NUMVER~git.$VERSION"
fi
DEBVER=${DEBVER//[-_]/.}
WINVER="$NUMVER.$BUILDNUM"
LDFLAGS="-X $PKG.Version=$VERSION -X $PKG.Commit=$COMMIT -X $PKG.BuildDate=$DATE"
# The Makefile's BUILD_DEBS (packaging_test.go checks they are the same): the cgo build's C
# toolchain, libc6-dev included (gcc only recommends it), and the X11/OpenGL headers.
BUILD_DEBS=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev)

# go_tool NAME MODULE/PATH VERSION: installs a Go tool at a pinned version unless that
# version is already in GOPATH/bin.
go_tool() {
	local name=$1 path=$2 want=$3 have=""
	if [ -x "$(go env GOPATH)/bin/$name" ]; then
		have=$(go version -m "$(go env GOPATH)/bin/$name" 2>/dev/null | awk '$1 == "mod" {print $3; exit}')
	fi
	if [ "$have" != "$want" ]; then
		echo "Installing $name $want (go install $path@$want)"
		go install "$path@$want"
	fi
}

# stage_source DIR: copies the working tree (tracked and untracked files, not ignored ones)
# to DIR, so a build can add generated files without touching the checkout.
stage_source() {
	mkdir -p "$1"
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$1"
}

mkdir -p "$DIST"
