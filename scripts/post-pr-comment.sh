#!/usr/bin/env bash
# Post the review comment on a pull request, or update the one posted before (found by the
# hidden marker that python -m preview_review.pull_request comment puts in its body):
#   scripts/post-pr-comment.sh <owner/repo> <pr number> <comment.md>
# Needs the GitHub CLI (`gh`) with GH_TOKEN; MOORINGS_PYTHON names the Python with preview_review.
set -euo pipefail
repo="$1" pr="$2" body="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${MOORINGS_PYTHON:-$root/venv/bin/python}"
existing="$(gh api "repos/$repo/issues/$pr/comments" --paginate --jq '.[] | {id, body}' \
    | (cd "$root" && "$python" -m preview_review.pull_request find-comment))"
if [ -n "$existing" ]; then
    gh api --method PATCH "repos/$repo/issues/comments/$existing" -F "body=@$body" >/dev/null
    echo "post-pr-comment: updated comment $existing"
else
    gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$body" >/dev/null
    echo "post-pr-comment: posted a new comment"
fi
