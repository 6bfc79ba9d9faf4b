#!/usr/bin/env bash
# Makes sure a Pulumi CLI at the pinned version (requirements.txt, or $REQUIREMENTS)
# is available: uses a `pulumi` already on PATH (toolchain/bin first) when its
# `pulumi version` equals the pin. Otherwise it would build the toolchain from Go
# modules -- but the Go module proxy reachable here does not serve the needed
# module versions (see README.md), so it reports which ones and fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/pins.sh"
export PATH="$here/bin:$PATH"

if have="$(pulumi version 2>/dev/null)" && [ "$have" = "v$PIN_PULUMI" ]; then
    echo "ensure: using $(command -v pulumi) $have (pinned v$PIN_PULUMI)"
    exit 0
fi
echo "ensure: no pulumi v$PIN_PULUMI on PATH (found: ${have:-none})" >&2
if [ -x "$here/build.sh" ]; then
    exec "$here/build.sh"
fi
echo "ensure: cannot build it from Go modules here:" >&2
"$here/check-proxy.sh" >&2 || true
echo "ensure: FAILED -- see toolchain/README.md" >&2
exit 1
