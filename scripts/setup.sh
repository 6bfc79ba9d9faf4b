#!/usr/bin/env bash
# The one set-up command. After it, in a new shell, `pulumi preview -s staging` and
# `pulumi up -s dev` work with no other step:
#   1. the virtualenvs Pulumi.yaml (venv/) and policies/PulumiPolicy.yaml (policies/venv) name,
#      and the tests' scanner's (.scanners/venv);
#   2. the Pulumi toolchain (toolchain/build.sh): a `pulumi` already on PATH is reused when it is
#      at least the pinned release and has its Python language host; the rest is built, with
#      the control plane the `cluster` tests start (etcd, kube, kwok) and their real node
#      (kube-node, runc, cni, pause, coredns, kube-router; runc needs gcc
#      and libseccomp-dev); MOORINGS_CLUSTER_BUILD=background builds those and the Kubernetes
#      provider in the background (scripts/cluster_build.sh), for a test run that starts before
#      they are done;
#   3. the provider plugins, installed into Pulumi's plugin cache at their exact releases
#      (scripts/install_plugins.sh);
#   4. `pulumi` on PATH: a link to toolchain/launcher/pulumi (offline defaults, toolchain/env.sh),
#      by scripts/link_launcher.sh;
#   5. the committed stacks, created in the default local backend when missing.
# Everything is skipped when already done: a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
project="$(pwd)"

virtualenv() {  # virtualenv DIR REQUIREMENTS: created once, reinstalled when the file changes
    [ -x "$1/bin/python" ] || python3 -m venv "$1"
    if ! cmp -s "$2" "$1/.moorings-requirements"; then
        "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r "$2"
        cp "$2" "$1/.moorings-requirements"
    fi
    echo "setup: $1 ready ($2)"
}
virtualenv venv requirements.txt
virtualenv policies/venv policies/requirements.txt
# The manifest scanner of the tests, apart: checkov would downgrade packages the SDKs need.
virtualenv .scanners/venv scripts/scanners-requirements.txt

. toolchain/pins.sh

# 2. A CLI of the user's own, not our launcher, at the pinned release or newer, with its Python host.
own_cli() {
    local cli dir have
    cli="$(command -v pulumi 2>/dev/null)" || return 1
    # A script is a launcher (this checkout's or another's), not a CLI of the user's own.
    [ "$(head -c 2 "$(readlink -f "$cli")")" = "#!" ] && return 1
    [ "$(readlink -f "$cli")" = "$(readlink -f toolchain/bin/pulumi)" ] && return 1
    dir="$(dirname "$(readlink -f "$cli")")"
    [ -x "$dir/pulumi-language-python" ] || command -v pulumi-language-python >/dev/null || return 1
    have="$("$cli" version 2>/dev/null)" || return 1
    [ "$(printf '%s\n%s\n' "v$PIN_PULUMI" "$have" | sort -V | head -1)" = "v$PIN_PULUMI" ] || return 1
    echo "$cli"
}
# runc (the cluster tests' node) is built with cgo against libseccomp: Debian's compiler and
# headers, installed when this runs as root on Debian (else its recipe says what is missing).
if { [ ! -f /usr/include/seccomp.h ] || ! command -v gcc >/dev/null; } \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev libseccomp-dev >/dev/null
fi
# What `pulumi` needs (CLI, language host, providers), and what only the `cluster` tests start.
cli_modules=(pulumi language-python)
provider_modules=(random command docker kubernetes)
cluster_modules=(etcd kube kwok kube-node runc cni pause coredns kube-router)
if [ "${MOORINGS_BUILD_CLI:-}" != 1 ] && cli="$(own_cli)"; then
    echo "setup: using your $cli ($("$cli" version)); building only the provider plugins"
    mkdir -p toolchain/bin && ln -sfn "$(readlink -f "$cli")" toolchain/bin/pulumi
    cli_modules=()
fi
if [ "${MOORINGS_CLUSTER_BUILD:-}" = background ]; then
    # The Kubernetes provider (the longest plugin build) and the cluster parts build at the lowest
    # priority beside everything after this, on the CPU the rest leaves idle (the tests mostly wait
    # on containers); the provider's plugin is installed at the end (scripts/cluster_build.sh).
    # The tests that need either run last and wait for that build (tests/cluster_toolchain.py).
    # It starts once the CLI is built, which the plugin's install runs. CI does this (.ci/run).
    [ ${#cli_modules[@]} -eq 0 ] || bash toolchain/build.sh "${cli_modules[@]}"
    provider_modules=(random command docker)
    bash scripts/cluster_build.sh start kubernetes "${cluster_modules[@]}"
    bash toolchain/build.sh "${provider_modules[@]}"
else
    rm -rf toolchain/.cluster-build  # the state of an earlier background build no longer holds
    bash toolchain/build.sh "${cli_modules[@]}" "${provider_modules[@]}" "${cluster_modules[@]}"
fi

. toolchain/env.sh

# 3. Plugins into the plugin cache, so any CLI (ours or the user's) finds these exact releases.
bash scripts/install_plugins.sh "${provider_modules[@]}"

# 4. `pulumi` on PATH: our launcher, unless the user's own CLI is there (scripts/link_launcher.sh:
# another checkout's launcher is re-pointed to this one's, a `pulumi` not Moorings' left alone).
if [ -z "${cli:-}" ]; then
    bash scripts/link_launcher.sh
fi

# 5. The committed stacks, in the default local backend (a backend the user chose is left to them).
if [ "${PULUMI_BACKEND_URL:-}" = "file://${MOORINGS_STATE_DIR:-$HOME/.moorings/state}?metadata=skip" ]; then
    mkdir -p "${MOORINGS_STATE_DIR:-$HOME/.moorings/state}"
    existing="$(pulumi stack ls --json 2>/dev/null || echo '[]')"
    for file in stacks/Pulumi.*.yaml; do
        stack="$(basename "$file" .yaml)"; stack="${stack#Pulumi.}"
        case "$existing" in *"\"name\": \"$stack\""*) continue ;; esac
        if ! out="$(pulumi stack init "$stack" --no-select 2>&1)"; then
            echo "setup: pulumi stack init $stack failed: $out" >&2
            exit 1
        fi
        echo "setup: stack $stack created in $PULUMI_BACKEND_URL"
    done
fi
echo "setup: done ($(pulumi version), backend ${PULUMI_BACKEND_URL:-of your pulumi login})"
