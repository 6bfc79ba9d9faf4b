#!/usr/bin/env bash
# The `cluster` tests' toolchain (control plane and real node) and the Kubernetes provider built in
# the background, so that a test run can start before it is done (scripts/setup.sh with
# MOORINGS_CLUSTER_BUILD=background):
#   scripts/cluster_build.sh start MODULE...   build them at the lowest priority (nice 19, its session
#                                              too), then install the provider plugins among them
#   scripts/cluster_build.sh wait [SECONDS]    until that build ends (default 3600 s); its status
#   scripts/cluster_build.sh stop              end a build still running (CI's exit does)
# State: toolchain/.cluster-build/state holds "running PID", then "done" or "failed RC";
# the build's output is in toolchain/.cluster-build/log (MOORINGS_CLUSTER_BUILD_DIR: another
# folder). tests/cluster_toolchain.py reads them.
set -euo pipefail
dir="${MOORINGS_CLUSTER_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/toolchain/.cluster-build}"
state="$dir/state"
log="$dir/log"

case "${1:-}" in
start)
    shift
    mkdir -p "$dir"
    rm -f "$state" "$dir/waited"
    : >"$log"
    # The state is written before the build can end, and last by the build itself.
    setsid nice -n 19 bash -c '
        state=$1
        # With autogroup scheduling (Linux default) nice ranks processes within their session
        # only; setsid made this one a session of its own, so the session itself is made
        # the least: it then takes only the CPU the others leave.
        echo 19 2>/dev/null >/proc/self/autogroup || true
        echo "running $$" >"$state.tmp" && mv -f "$state.tmp" "$state"
        shift 2
        # Then the plugins among them into the plugin cache (the Kubernetes provider).
        if bash "$0" "$@" && bash "${0%/toolchain/build.sh}/scripts/install_plugins.sh" "$@"; then
            result=done
        else
            result="failed $?"
        fi
        echo "$result" >"$state.tmp" && mv -f "$state.tmp" "$state"
    ' "$(cd "$(dirname "$0")/.." && pwd)/toolchain/build.sh" "$state" "$log" "$@" >>"$log" 2>&1 </dev/null &
    for _ in $(seq 50); do [ -s "$state" ] && break; sleep 0.1; done
    echo "setup: building ${*} in the background (log: $log)"
    ;;
wait)
    limit=${2:-3600}
    waited=0
    while read -r status pid <"$state" && [ "$status" = running ]; do
        # Gone: it may have written its status since the read above (it writes, then exits).
        if ! kill -0 "$pid" 2>/dev/null; then
            read -r status _ <"$state" && [ "$status" != running ] && break
            echo "cluster build: process $pid is gone without a status; see $log" >&2
            exit 1
        fi
        [ "$waited" -lt "$limit" ] || { echo "cluster build: still running after $limit s; see $log" >&2; exit 1; }
        sleep 1
        waited=$((waited + 1))
    done
    read -r status rc <"$state" || true
    [ "$status" = done ] || { tail -n 20 "$log" >&2; echo "cluster build: ${status:-no state} ${rc:-} (log: $log)" >&2; exit 1; }
    echo "cluster build: done (waited ${waited} s)"
    ;;
stop)
    if [ -f "$state" ] && read -r status pid <"$state" && [ "$status" = running ]; then
        kill -- "-$pid" 2>/dev/null || true
        echo "failed stopped" >"$state"
    fi
    ;;
*)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
