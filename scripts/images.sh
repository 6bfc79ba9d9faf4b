#!/usr/bin/env bash
# Builds the application images locally from Debian bookworm packages, for machines that reach
# no container registry (see images/README.md):
#
#   scripts/images.sh [--print-tags] [--rebuild] [NAME...]    NAME: debian wordpress mariadb haproxy
#
# With no NAME every image is built, in order: the base root filesystem (mmdebstrap + docker
# import), then each images/<name>/Dockerfile FROM it. Naming images builds those (and the base
# they need). --print-tags prints the tags and builds nothing. --rebuild builds the named images
# whatever their label says, without Docker's layer cache (to take in Debian's updates).
# MOORINGS_IMAGES="wordpress mariadb" does the same as naming them.
#
# An image is rebuilt only when its inputs changed: a sha256 over its folder's files, the upstream
# archive's sha256, the base image's id and the build logic below is kept as the image's label
# org.moorings.inputs, and a tag whose label matches is left as it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="$ROOT/images"
BUILD="$IMAGES/.build"  # git-ignored: build contexts, the unpacked upstream files, build logs
LABEL=org.moorings.inputs

# The official images' files, used unmodified (../shared/upstream/SOURCES.md).
UPSTREAM_ARCHIVE=application-images-sources.tar.gz
UPSTREAM_SHA256=f04b75b71336837301ec83c1e4f458565a35d615e9c17f142304ca76cfcc8cd1

SUITE=bookworm
VARIANT=minbase  # Essential and Priority: required packages with apt, as debian:bookworm-slim
# merged /usr set up by mmdebstrap's hook (usr-is-merged), not by the usrmerge package and perl
ORDER=(debian wordpress mariadb haproxy)
declare -A TAG=(
    [debian]=moorings-local/debian:bookworm
    [wordpress]=moorings-local/wordpress:6.1-apache
    [mariadb]=moorings-local/mariadb:10.11
    [haproxy]=moorings-local/haproxy:2.6
)
# Archive members copied into each image's build context, beside its own files.
declare -A FROM_UPSTREAM=(
    [wordpress]="docker-library-wordpress/latest/php8.2/apache/docker-entrypoint.sh
docker-library-wordpress/latest/php8.2/apache/wp-config-docker.php
docker-library-php/8.2/bookworm/apache/docker-php-entrypoint
docker-library-php/8.2/bookworm/apache/apache2-foreground"
    [mariadb]="mariadb-docker/10.11/docker-entrypoint.sh
mariadb-docker/10.11/healthcheck.sh"
    [haproxy]=""
)

fail() { echo "images: $*" >&2; exit 1; }
note() { echo "images: $*"; }

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }

# ---------------------------------------------------------------------------------------------
# Arguments
print_tags=false
rebuild=false
wanted=()
while [ $# -gt 0 ]; do
    case "$1" in
        --print-tags) print_tags=true ;;
        --rebuild) rebuild=true ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; fail "unknown option $1" ;;
        *) wanted+=("$1") ;;
    esac
    shift
done
if [ ${#wanted[@]} -eq 0 ] && [ -n "${MOORINGS_IMAGES:-}" ]; then
    read -r -a wanted <<<"$MOORINGS_IMAGES"
fi
[ ${#wanted[@]} -gt 0 ] || wanted=("${ORDER[@]}")
for name in "${wanted[@]}"; do
    [ -n "${TAG[$name]:-}" ] || fail "no image '$name' (one of: ${ORDER[*]})"
done

if $print_tags; then
    for name in "${ORDER[@]}"; do
        for w in "${wanted[@]}"; do [ "$w" = "$name" ] && echo "${TAG[$name]}"; done
    done
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# What the build needs on this machine
command -v docker >/dev/null || fail "docker not found: install Debian's docker.io package (apt-get install docker.io)"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
    || fail "the Docker daemon does not answer (is dockerd running, and may this user use /var/run/docker.sock?)"
command -v sha256sum >/dev/null || fail "sha256sum not found: install Debian's coreutils package"
# One run at a time on this machine: a second one (the app tests', while CI's builds in the
# background) waits for the first, then finds its images up to date.
if command -v flock >/dev/null; then
    exec 9>"${MOORINGS_IMAGES_LOCK:-/tmp/moorings-images.lock}"
    flock 9
fi

upstream_archive() {  # the archive: $MOORINGS_UPSTREAM, else the workspace's shared/upstream
    local d
    for d in "${MOORINGS_UPSTREAM:-}" "$ROOT/../shared/upstream" /work/shared/upstream; do
        [ -n "$d" ] && [ -f "$d/$UPSTREAM_ARCHIVE" ] && { echo "$(cd "$d" && pwd)/$UPSTREAM_ARCHIVE"; return; }
    done
    fail "no $UPSTREAM_ARCHIVE: set MOORINGS_UPSTREAM to the folder holding it (looked in ../shared/upstream and /work/shared/upstream)"
}

# ---------------------------------------------------------------------------------------------
# Hashes

# sha256 of a folder's files: each one's path, mode and content (sorted, so order is stable).
folder_hash() {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
        printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -d' ' -f1)"
    done) | sha256sum | cut -d' ' -f1
}

label_of() {  # the inputs label of a local image, empty when the tag is missing
    docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true
}

image_id() { docker image inspect -f '{{.Id}}' "$1"; }

# ---------------------------------------------------------------------------------------------
# The base: a bookworm root filesystem from mmdebstrap, imported as an image.

# The apt sources this machine uses, for the root filesystem (and so for apt in every build).
apt_sources() {
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        echo /etc/apt/sources.list.d/debian.sources
    elif [ -s /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
        echo /etc/apt/sources.list
    else
        fail "no Debian apt sources on this machine (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list)"
    fi
}

base_inputs() {  # the base's hash: its folder, the apt sources, suite, variant and the logic
    {
        echo "suite=$SUITE variant=$VARIANT"
        folder_hash "$IMAGES/debian"
        sed '/^[[:space:]]*#/d' "$(apt_sources)"
        declare -f build_base
    } | sha256sum | cut -d' ' -f1
}

build_base() {  # build_base HASH
    local hash="$1" dir="$IMAGES/debian" log="$BUILD/debian.log"
    command -v mmdebstrap >/dev/null || fail "mmdebstrap not found: install Debian's mmdebstrap package (apt-get install mmdebstrap)"
    mmdebstrap --quiet --variant="$VARIANT" --format=tar \
        --aptopt="$dir/apt.conf" \
        --dpkgopt="$dir/dpkg.cfg" \
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
        --skip=chroot/policy-rc.d \
        --extract-hook="upload $dir/policy-rc.d /usr/sbin/policy-rc.d" \
        --extract-hook='chmod 0755 "$1/usr/sbin/policy-rc.d"' \
        --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/ldconfig/aux-cache "$1"/var/log/*.log "$1"/var/log/apt/* "$1"/etc/machine-id' \
        --customize-hook=': > "$1/etc/machine-id"' \
        "$SUITE" - "$(apt_sources)" 2>"$log" \
    | docker import \
        --change 'CMD ["bash"]' \
        --change "LABEL $LABEL=$hash" \
        --change "LABEL org.opencontainers.image.description=\"Debian $SUITE ($VARIANT, slim) root filesystem from mmdebstrap\"" \
        --message "mmdebstrap --variant=$VARIANT $SUITE" \
        - "${TAG[debian]}" >/dev/null \
    || { tail -n 40 "$log" >&2; fail "building ${TAG[debian]} failed (whole log: ${log#"$ROOT"/})"; }
}

# ---------------------------------------------------------------------------------------------
# The applications: images/<name>/Dockerfile in a context of its files and the upstream files.

image_inputs() {  # image_inputs NAME
    {
        echo "image=$1 tag=${TAG[$1]}"
        folder_hash "$IMAGES/$1"
        echo "upstream=$UPSTREAM_SHA256"
        printf '%s\n' "${FROM_UPSTREAM[$1]}"
        echo "base=$(image_id "${TAG[debian]}")"
        declare -f build_image
    } | sha256sum | cut -d' ' -f1
}

unpack_upstream() {  # once per run: check the archive's sha256, unpack it under .build/upstream
    [ -n "${UNPACKED:-}" ] && return
    local archive have
    archive="$(upstream_archive)"
    have="$(sha256sum "$archive" | cut -d' ' -f1)"
    [ "$have" = "$UPSTREAM_SHA256" ] \
        || fail "$archive: sha256 $have, expected $UPSTREAM_SHA256 (SOURCES.md)"
    rm -rf "$BUILD/upstream"
    mkdir -p "$BUILD/upstream"
    tar -xzf "$archive" -C "$BUILD/upstream"
    UNPACKED=1
}

build_image() {  # build_image NAME HASH
    local name="$1" hash="$2" ctx="$BUILD/$1" member log="$BUILD/$1.log"
    unpack_upstream
    rm -rf "$ctx"
    mkdir -p "$ctx"
    cp -a "$IMAGES/$name/." "$ctx/"
    while IFS= read -r member; do
        [ -n "$member" ] || continue
        [ -f "$BUILD/upstream/$member" ] || fail "$UPSTREAM_ARCHIVE has no $member"
        [ ! -e "$ctx/${member##*/}" ] || fail "images/$name/${member##*/} would hide the upstream file"
        cp -p "$BUILD/upstream/$member" "$ctx/"
    done <<<"${FROM_UPSTREAM[$name]}"
    # The legacy builder (Docker Engine 20.10 without buildx) is enough: no BuildKit syntax.
    local nocache=()
    ! $rebuild || nocache=(--no-cache)
    if ! DOCKER_BUILDKIT=0 docker build "${nocache[@]}" --force-rm --label "$LABEL=$hash" -t "${TAG[$name]}" "$ctx" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        fail "building ${TAG[$name]} failed (whole log: ${log#"$ROOT"/})"
    fi
}

# ---------------------------------------------------------------------------------------------
mkdir -p "$BUILD"
want() { local w; for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
started=$SECONDS
built=0
for name in "${ORDER[@]}"; do
    [ "$name" = debian ] || want "$name" || continue
    if [ "$name" = debian ]; then hash="$(base_inputs)"; else hash="$(image_inputs "$name")"; fi
    if ! { $rebuild && want "$name"; } && [ "$(label_of "${TAG[$name]}")" = "$hash" ]; then
        printf 'images: %-36s up to date\n' "${TAG[$name]}"
        continue
    fi
    t0=$SECONDS
    old="$(docker image inspect -f '{{.Id}}' "${TAG[$name]}" 2>/dev/null || true)"
    if [ "$name" = debian ]; then build_base "$hash"; else build_image "$name" "$hash"; fi
    built=$((built + 1))
    # The version this build replaced, now untagged: removed unless a container still uses it.
    if [ -n "$old" ] && [ "$old" != "$(image_id "${TAG[$name]}")" ] \
        && [ -z "$(docker image inspect -f '{{join .RepoTags ","}}' "$old" 2>/dev/null)" ]; then
        docker image rm "$old" >/dev/null 2>&1 || true
    fi
    printf 'images: %-36s built in %ds (%s)\n' "${TAG[$name]}" $((SECONDS - t0)) \
        "$(docker image inspect -f '{{.Size}}' "${TAG[$name]}" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
done
note "$built built, $((SECONDS - started))s"
