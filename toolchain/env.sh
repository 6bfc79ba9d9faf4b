# Source me:  . toolchain/env.sh   (the launcher, the tests and the scripts all do)
# The environment Moorings runs the Pulumi CLI in; a value the user already set is kept.
_tc_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
case ":$PATH:" in
    *":$_tc_dir/bin:"*) ;;
    *) export PATH="$_tc_dir/bin:$PATH" ;;   # the CLI and its language host
esac
# Offline by design: plugins come from toolchain/, never from the internet. The CLI takes the
# provider plugins from its plugin cache, where scripts/setup.sh installs them at their exact
# releases (from $PATH it would take any release, with a warning); the language host is found
# beside the CLI.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
# Default backend: a per-user local one, unless the user chose a backend or logged in to one.
# metadata=skip: the file backend writes each checkpoint to a temporary file and renames it, but
# its ".attrs" sidecar in place; an `up` killed in between left an empty sidecar and every later
# command failed "failed to load checkpoint: EOF" (seen here). Without sidecars the write is one rename.
if [ -z "${PULUMI_BACKEND_URL:-}" ] \
    && ! grep -qs '"current": *"[^"]' "${PULUMI_HOME:-$HOME/.pulumi}/credentials.json"; then
    export PULUMI_BACKEND_URL="file://${MOORINGS_STATE_DIR:-$HOME/.moorings/state}?metadata=skip"
fi
# The committed stack files carry salts made with the empty passphrase (README: "Backend and
# secrets"); a team that sets its own passphrase or secrets provider overrides this.
if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE=""
fi
unset _tc_dir
