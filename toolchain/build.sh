#!/usr/bin/env bash
# Builds the Pulumi toolchain into toolchain/bin from Go modules and ../shared/upstream:
# one module per binary under toolchain/modules/<name>/ (go.mod, go.sum, recipe.sh).
#
#   toolchain/build.sh [MODULE...]     (default: every module)
#
# A module is rebuilt only when its binaries are missing or its inputs changed (recipe, go.mod,
# go.sum, Go files, archive checksums, pins, Go version): a run that finds everything built
# takes seconds. Versions come from the exact pins in requirements.txt (pins.sh); a module whose
# go.mod does not require that release is refused. Archives are checked against SOURCES.md.
set -euo pipefail
TOOLCHAIN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$TOOLCHAIN/pins.sh"
BIN="$TOOLCHAIN/bin"
STAMPS="$TOOLCHAIN/.stamps"
mkdir -p "$BIN" "$STAMPS"

# Only the Go module proxy is reachable: no direct VCS fetches, no Go toolchain downloads.
export GOPROXY="${MOORINGS_GOPROXY:-https://proxy.golang.org}" GOTOOLCHAIN=local
export GOFLAGS="-buildvcs=false -mod=readonly" CGO_ENABLED=0

fail() { echo "toolchain: $*" >&2; exit 1; }

upstream_dir() {  # the archives: $MOORINGS_UPSTREAM, else the workspace's shared/upstream
    local d
    for d in "${MOORINGS_UPSTREAM:-}" "$TOOLCHAIN/../../shared/upstream" /work/shared/upstream; do
        [ -n "$d" ] && [ -f "$d/SOURCES.md" ] && { (cd "$d" && pwd); return; }
    done
    fail "no upstream archives: set MOORINGS_UPSTREAM to the folder holding SOURCES.md (looked in ../shared/upstream and /work/shared/upstream)"
}

archive_sha() {  # the sha256 SOURCES.md records for an archive (last column of its table row)
    awk -F'|' -v a="$1" '{ gsub(/ /, "", $2) } $2 == a { gsub(/ /, "", $(NF-1)); print $(NF-1) }' \
        "$UPSTREAM/SOURCES.md"
}

unpack() {  # unpack ARCHIVE: checks its sha256, unpacks into $WORK
    local file="$UPSTREAM/$1" want have
    [ -f "$file" ] || fail "missing archive $file"
    want="$(archive_sha "$1")"
    [ -n "$want" ] || fail "$1 is not listed in $UPSTREAM/SOURCES.md"
    have="$(sha256sum "$file" | cut -d' ' -f1)"
    [ "$have" = "$want" ] || fail "$1: sha256 $have does not match SOURCES.md ($want)"
    tar -xzf "$file" -C "$WORK"
}

embedgen() { "$BIN/.embedgen" "$@"; }

kubernetes_version_ldflags() {  # the -X flags that stamp a k8s.io/kubernetes binary with VERSION
    local pkg flags=""
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $pkg.gitVersion=v$1 -X $pkg.gitMajor=${1%%.*}"
        flags+=" -X $pkg.gitMinor=$(echo "$1" | cut -d. -f2) -X $pkg.gitTreeState=clean"
    done
    echo "${flags# }"
}

module_dir() {  # module_dir MODULE: its folder in the module cache, downloaded when missing
    local dir
    go mod download "$1" || fail "cannot download $1 from $GOPROXY"
    dir="$(go list -m -f '{{.Dir}}' "$1")"
    [ -d "$dir" ] || fail "no folder for $1 in the module cache"
    echo "$dir"
}

build_module() {  # build_module NAME, in a subshell so recipes cannot leak into each other
    local name="$1" dir="$TOOLCHAIN/modules/$1"
    [ -f "$dir/recipe.sh" ] || fail "no module '$name' (expected $dir/recipe.sh)"
    (
        cd "$dir"
        version="" requires="" ldflags="" archives=() binaries=()
        prepare() { :; }
        finish() { :; }
        . ./recipe.sh
        # A module of the standard library only (pause) has no requirement to check.
        [ -z "$requires" ] || grep -qF "	$requires" go.mod || grep -qF "require $requires" go.mod \
            || fail "$name: go.mod does not require '$requires' (the pin in requirements.txt)"

        local a key out missing=0 started elapsed entry
        key="$( {
            echo "$version $(go version)"
            cat recipe.sh go.mod go.sum
            cat ./*.go 2>/dev/null || true
            for a in "${archives[@]}"; do archive_sha "$a"; done
        } | sha256sum | cut -d' ' -f1)"
        for entry in "${binaries[@]}"; do
            [ -x "$BIN/${entry%%=*}" ] || missing=1
        done
        if [ "$missing" = 0 ] && [ "$(cat "$STAMPS/$name" 2>/dev/null)" = "$key" ]; then
            echo "toolchain: $name $version up to date"
            exit 0
        fi

        started=$SECONDS
        WORK="$TOOLCHAIN/.work/$name"
        rm -rf "$WORK" && mkdir -p "$WORK"
        for a in "${archives[@]}"; do unpack "$a"; done
        prepare
        for entry in "${binaries[@]}"; do
            out="$BIN/${entry%%=*}"
            go build -trimpath -ldflags "$ldflags" -o "$out.new" "${entry#*=}" \
                || fail "$name: go build of ${entry#*=} failed"
            mv -f "$out.new" "$out"
        done
        finish
        echo "$key" > "$STAMPS/$name"
        elapsed=$((SECONDS - started))
        printf 'toolchain: built %s %s in %dm%02ds\n' "$name" "$version" $((elapsed / 60)) $((elapsed % 60))
    )
}

UPSTREAM="$(upstream_dir)"
# embedgen (standard library only) writes the schema files the providers embed.
# Written by rename: scripts/cluster_build.sh runs a second build.sh beside the set-up's.
(cd "$TOOLCHAIN/embedgen" && go build -o "$BIN/.embedgen.$$" . && mv -f "$BIN/.embedgen.$$" "$BIN/.embedgen")

if [ $# -eq 0 ]; then
    set -- $(cd "$TOOLCHAIN/modules" && ls)
fi
total=$SECONDS
for module in "$@"; do
    build_module "$module"
done
echo "toolchain: $# module(s) ready in $((SECONDS - total)) s ($BIN)"
