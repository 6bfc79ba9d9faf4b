#!/usr/bin/env bash
# Checks that the Go module proxy serves every module version the toolchain
# needs to build the pinned Pulumi binaries (pins read from requirements.txt,
# or from $REQUIREMENTS). Prints one line per binary; exits 1 if any is missing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/pins.sh"

export GOPROXY="${TOOLCHAIN_GOPROXY:-https://proxy.golang.org}"   # no 'direct': github.com is unreachable
export GOFLAGS=
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cd "$work"

missing=0
reason=
_why() { printf '%s' "$1" | grep -Eo '(40[34] [A-Za-z ]*[a-z]|Could not resolve host[^ ]*)' | head -1; }
served() { # served MODULE@VERSION -> 0 if the proxy serves it; else sets $reason
    local out
    if out="$(go list -m -json "$1" 2>&1)"; then return 0; fi
    reason="$(_why "$out")"; return 1
}
listed() { # listed MODULE -> 0 if the proxy lists at least one version of it; else sets $reason
    local out
    if out="$(go list -m -versions "$1" 2>&1)" && [ "$out" != "$1" ]; then return 0; fi
    reason="$(_why "$out")"; reason="${reason:-empty version list}"; return 1
}
check() { # check LABEL OPTIONAL MODULE[@VERSION]...  (no @VERSION: any version listed)
    local label="$1" optional="$2" ok=1 m; shift 2
    for m in "$@"; do
        if [ "${m%@*}" = "$m" ]; then
            listed "$m" || { ok=0; echo "  NOT SERVED  $label: no version of $m listed ($reason)"; }
        else
            served "$m" || { ok=0; echo "  NOT SERVED  $label: $m ($reason)"; }
        fi
    done
    if [ $ok = 1 ]; then echo "  served      $label: $*"
    elif [ "$optional" = no ]; then missing=1; fi
}

echo "Go module proxy ($GOPROXY) check for the pins in $REQUIREMENTS:"
check "pulumi v$PIN_PULUMI (CLI)" no \
    "github.com/pulumi/pulumi/pkg/v3@v$PIN_PULUMI" "github.com/pulumi/pulumi/sdk/v3@v$PIN_PULUMI"
# Untagged module: needs the pseudo-version at the release commit; at least a version list is required.
check "pulumi-language-python (for v$PIN_PULUMI)" no \
    "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
check "pulumi-resource-kubernetes v$PIN_KUBERNETES" no \
    "github.com/pulumi/pulumi-kubernetes/provider/v4@v$PIN_KUBERNETES"
check "pulumi-resource-command v$PIN_COMMAND" no \
    "github.com/pulumi/pulumi-command/provider@v$PIN_COMMAND"
check "pulumi-resource-random v$PIN_RANDOM (optional)" yes \
    "github.com/pulumi/pulumi-random/provider/v4@v$PIN_RANDOM"
exit $missing
