# Sourced by the launcher. A `pulumi` killed while it holds a stack (SIGKILL, a reboot, a
# cancelled CI job) leaves its lock file in a file backend (.pulumi/locks/<org>/<project>/<stack>/),
# and every later command on that stack refuses to run ("the stack is currently locked by 1
# lock(s)") until someone runs `pulumi cancel`. A lock that this host's `pulumi` took and whose
# process no longer runs is stale: clear_stale_locks removes it, saying which, before the CLI
# starts. A lock of another host, or of a `pulumi` still running, is left alone.

clear_stale_locks() {
    local backend="${PULUMI_BACKEND_URL:-}" root lock content pid host when running here
    backend="${backend%%\?*}"  # the path, without the query (?metadata=skip)
    case "$backend" in
        file://~*) root="$HOME${backend#file://~}" ;;
        file://*) root="${backend#file://}" ;;
        *) return 0 ;;  # a service backend keeps its own locks
    esac
    [ -d "$root/.pulumi/locks" ] || return 0
    here="$(hostname 2>/dev/null || uname -n)"
    while IFS= read -r -d '' lock; do
        content="$(cat "$lock" 2>/dev/null)" || continue
        pid="$(printf '%s' "$content" | sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p')"
        host="$(printf '%s' "$content" | sed -n 's/.*"hostname": *"\([^"]*\)".*/\1/p')"
        when="$(printf '%s' "$content" | sed -n 's/.*"timestamp": *"\([^"]*\)".*/\1/p')"
        [ -n "$pid" ] && [ "$host" = "$here" ] || continue
        if [ -d /proc/self ]; then
            running="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
        elif command -v ps >/dev/null 2>&1; then
            running="$(ps -p "$pid" -o comm= 2>/dev/null || true)"
        else
            return 0  # no way to tell a running pulumi from a gone one: leave every lock
        fi
        case "$running" in pulumi*) continue ;; esac
        if rm -f "$lock"; then
            echo "pulumi (Moorings): removed a stale lock of stack ${lock#"$root"/.pulumi/locks/}: its pulumi (pid $pid, started $when) no longer runs on this host" >&2
        fi
    done < <(find "$root/.pulumi/locks" -type f -name '*.json' -print0 2>/dev/null)
}
