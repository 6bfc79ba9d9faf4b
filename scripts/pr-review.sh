#!/usr/bin/env bash
# The review of a pull request, as .github/workflows/preview-review.yml runs it:
#   scripts/pr-review.sh <base-ref> <changed-files.txt> <out-dir>
# For each stack the changed files touch (python -m preview_review.pull_request stacks), run
# the stack's preview with its policy pack and review it, with the stack file at <base-ref> as
# the settings before (to catch knobs that change nothing). Writes <out-dir>/stacks/<stack>.md
# and <stack>.exit, then <out-dir>/comment.md: the one comment, with its hidden marker.
# Exit status: the worst review's (0 clear, 1 needs a second reviewer, 2 blocked).
# Needs `pulumi` on PATH, logged in to the stacks' backend.
set -euo pipefail
base="$1" changed="$2" out="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${MOORINGS_PYTHON:-$root/venv/bin/python}"
cd "$root"
mkdir -p "$out/stacks"

stacks="$("$python" -m preview_review.pull_request stacks "$root" <"$changed")"
for stack in $stacks; do
    before="$out/stacks/$stack.before.yaml"
    settings=()
    if git show "$base:stacks/Pulumi.$stack.yaml" >"$before" 2>/dev/null; then
        settings=(--settings-before "$before")
    fi
    code=0
    "$python" -m preview_review --stack "$stack" --project "$root" --format markdown "${settings[@]}" \
        --output "$out/stacks/$stack.md" 2>"$out/stacks/$stack.err" || code=$?
    if [ ! -s "$out/stacks/$stack.md" ]; then
        # No review at all (the preview did not run): the comment says why.
        printf '### Preview review: `%s`\n\n⛔ **Verdict: blocked** (no review)\n\n```\n%s\n```\n' \
            "$stack" "$(cat "$out/stacks/$stack.err")" >"$out/stacks/$stack.md"
    fi
    echo "$code" >"$out/stacks/$stack.exit"
    echo "pr-review: $stack: exit $code"
done

code=0
"$python" -m preview_review.pull_request comment "$out/stacks" >"$out/comment.md" || code=$?
exit "$code"
