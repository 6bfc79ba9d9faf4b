# Sourced by the toolchain scripts: reads the pinned versions from ONE place,
# the project's requirements.txt (or $REQUIREMENTS), lines like `pulumi==3.272.0`.
# Sets PIN_PULUMI, PIN_KUBERNETES, PIN_COMMAND, PIN_RANDOM, PIN_DOCKER (without a leading "v").

TOOLCHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REQUIREMENTS="${REQUIREMENTS:-$TOOLCHAIN_DIR/../requirements.txt}"

_pin() { # _pin NAME -> version pinned with == in $REQUIREMENTS, or fail
    local v
    if [ ! -f "$REQUIREMENTS" ]; then
        echo "toolchain: requirements file not found: $REQUIREMENTS (set REQUIREMENTS=path)" >&2
        return 1
    fi
    v="$(sed -E 's/#.*//; s/[[:space:]]+//g' "$REQUIREMENTS" \
        | awk -F'==' -v n="$1" 'tolower($1) == n && NF == 2 { print $2; exit }')"
    if [ -z "$v" ]; then
        echo "toolchain: no exact pin '$1==X.Y.Z' in $REQUIREMENTS" >&2
        return 1
    fi
    printf '%s\n' "$v"
}

PIN_PULUMI="$(_pin pulumi)"
PIN_KUBERNETES="$(_pin pulumi-kubernetes)"
PIN_COMMAND="$(_pin pulumi-command)"
PIN_RANDOM="$(_pin pulumi-random)"
PIN_DOCKER="$(_pin pulumi-docker)"
