# Source me:  . toolchain/env.sh
# Puts toolchain/bin first on PATH and keeps the Pulumi CLI from downloading
# plugins or checking for updates (the machine has no internet but registries).
_tc_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
case ":$PATH:" in
    *":$_tc_dir/bin:"*) ;;
    *) export PATH="$_tc_dir/bin:$PATH" ;;
esac
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
unset _tc_dir
