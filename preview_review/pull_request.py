"""The pull-request side of the review, for .github/workflows/preview-review.yml (through
scripts/pr-review.sh): which stacks a change touches, the one comment's body, and which
existing comment is it.

    python -m preview_review.pull_request stacks < changed-files.txt
    python -m preview_review.pull_request comment <dir of <stack>.md and <stack>.exit>
    python -m preview_review.pull_request find-comment < comments.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable, Optional, Sequence

MARKER = "<!-- moorings-preview-review -->"
# Files that change what every stack deploys or how it is judged.
SHARED = ("Pulumi.yaml", "__main__.py", "requirements.txt", "moorings/", "pyproject.toml", "stacks/", "policies/", "docker/")
VERDICTS = {0: "clear", 1: "needs a second reviewer", 2: "blocked"}


def stacks_touched(changed: Iterable[str], stacks: Iterable[str]) -> list[str]:
    """A stack file or a stack's policy config touches that stack; shared program or policy
    code touches every stack; anything else (docs, tests, CI) touches none."""
    known, touched = sorted(set(stacks)), set()
    for path in (p.strip() for p in changed):
        if not path:
            continue
        own = _own_stack(path)
        if own is not None:
            if own in known:
                touched.add(own)
        elif path.startswith(SHARED) or path in SHARED:
            touched.update(known)
    return sorted(touched)


def _own_stack(path: str) -> Optional[str]:
    if path.startswith("stacks/Pulumi.") and path.endswith(".yaml") and path.count("/") == 1:
        return path.removeprefix("stacks/Pulumi.").removesuffix(".yaml")
    if path.startswith("policies/config/") and path.endswith(".json"):
        return path.removeprefix("policies/config/").removesuffix(".json")
    return None


def comment_body(reviews: dict[str, tuple[str, int]]) -> str:
    """One comment for every stack: the hidden marker, a line per stack, then each review."""
    lines = [MARKER, "## Infrastructure review", ""]
    if not reviews:
        return "\n".join(lines + ["This pull request touches no stack.", ""])
    lines += [f"- `{stack}`: {VERDICTS.get(code, 'blocked')}" for stack, (_, code) in sorted(reviews.items())]
    for stack, (markdown, _) in sorted(reviews.items()):
        lines += ["", markdown.rstrip()]
    return "\n".join(lines) + "\n"


def read_reviews(directory: Path) -> dict[str, tuple[str, int]]:
    reviews = {}
    for markdown in sorted(directory.glob("*.md")):
        exit_file = markdown.with_suffix(".exit")
        code = int(exit_file.read_text().strip() or 2) if exit_file.exists() else 2
        reviews[markdown.stem] = (markdown.read_text(), code)
    return reviews


def find_comment(comments_json: str) -> Optional[int]:
    """The id of the comment that carries the marker, from `gh api .../comments` (a JSON array,
    or one object a line as --paginate --jq '.[]' prints)."""
    text = comments_json.strip()
    if not text:
        return None
    try:
        document = json.loads(text)
        comments = document if isinstance(document, list) else [document]
    except json.JSONDecodeError:
        comments = [json.loads(line) for line in text.splitlines() if line.strip()]
    for comment in comments:
        if isinstance(comment, dict) and MARKER in (comment.get("body") or ""):
            return comment.get("id")
    return None


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] not in ("stacks", "comment", "find-comment"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "stacks":
        project = Path(argv[1]) if len(argv) > 1 else Path(".")
        stacks = [p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (project / "stacks").glob("Pulumi.*.yaml")]
        print("\n".join(stacks_touched(sys.stdin.read().splitlines(), stacks)))
        return 0
    if argv[0] == "comment":
        reviews = read_reviews(Path(argv[1]))
        sys.stdout.write(comment_body(reviews))
        return max((code for _, code in reviews.values()), default=0)
    found = find_comment(sys.stdin.read())
    if found is not None:
        print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
