#!/usr/bin/env bash
# The provider plugins toolchain/build.sh built, into Pulumi's plugin cache at their exact releases
# (requirements.txt's pins), so that any CLI, ours or the user's, finds them:
#   scripts/install_plugins.sh MODULE...   (random command docker kubernetes; other modules are not plugins)
# A plugin already there with the same binary is left alone. scripts/setup.sh runs it after its
# builds; scripts/cluster_build.sh after a background build.
set -euo pipefail
cd "$(dirname "$0")/.."
. toolchain/pins.sh
. toolchain/env.sh
plugins="${PULUMI_HOME:-$HOME/.pulumi}/plugins"
for module in "$@"; do
    case "$module" in
    random) version=$PIN_RANDOM ;;
    command) version=$PIN_COMMAND ;;
    docker) version=$PIN_DOCKER ;;
    kubernetes) version=$PIN_KUBERNETES ;;
    *) continue ;;
    esac
    built="toolchain/bin/pulumi-resource-$module"
    if ! cmp -s "$built" "$plugins/resource-$module-v$version/pulumi-resource-$module"; then
        pulumi plugin install resource "$module" "$version" --file "$built" >/dev/null
        echo "setup: plugin resource-$module v$version installed into $plugins"
    fi
done
