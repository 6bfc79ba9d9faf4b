#!/usr/bin/env bash
# Step 4 of scripts/setup.sh, apart so that it can be run (and tested) without the rest:
# `pulumi` on PATH, a link to this checkout's toolchain/launcher/pulumi, in the first writable
# folder of PATH among $MOORINGS_BIN_DIR, ~/.local/bin, ~/bin and /usr/local/bin.
#   - already a link to this checkout's launcher: nothing changes;
#   - a link to another Moorings checkout's launcher: re-pointed here, with a message naming
#     both (the checkout being set up is the one meant to be used); exit 0;
#   - a dangling link (its target gone): replaced, as before;
#   - anything else (a `pulumi` of the user's own, a file, a link elsewhere): left alone, exit 1.
# A launcher is Moorings' when it is a file toolchain/launcher/pulumi whose second line is the
# launcher's own comment, "# `pulumi` for Moorings:" (every Moorings launcher has it).
set -euo pipefail
cd "$(dirname "$0")/.."
project="$(pwd)"
launcher="$project/toolchain/launcher/pulumi"

moorings_launcher() {  # moorings_launcher FILE: FILE (resolved) is a Moorings checkout's launcher
    case "$1" in */toolchain/launcher/pulumi) ;; *) return 1 ;; esac
    [ -f "$1" ] && sed -n 2p "$1" | grep -q '^# `pulumi` for Moorings:'
}

target=""
for dir in "${MOORINGS_BIN_DIR:-}" "$HOME/.local/bin" "$HOME/bin" /usr/local/bin; do
    [ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] && case ":$PATH:" in *":$dir:"*) target="$dir"; break ;; esac
done
if [ -z "$target" ]; then
    echo "setup: no writable folder on PATH for the 'pulumi' launcher; add $project/toolchain/launcher to PATH" >&2
    exit 1
fi

link="$target/pulumi"
if [ -e "$link" ]; then
    current="$(readlink -f "$link")"
    if [ "$current" = "$(readlink -f "$launcher")" ]; then
        echo "setup: $link -> $launcher (already)"
        exit 0
    fi
    if [ ! -L "$link" ] || ! moorings_launcher "$current"; then
        echo "setup: $link exists and is not Moorings' launcher; left alone (use $launcher)" >&2
        exit 1
    fi
    ln -sfn "$launcher" "$link"
    echo "setup: $link was another Moorings checkout's launcher ($current); re-pointed to this checkout's, $launcher" >&2
    exit 0
fi
ln -sfn "$launcher" "$link"
echo "setup: $link -> $launcher"
