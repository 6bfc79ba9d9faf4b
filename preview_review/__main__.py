"""python -m preview_review: review a Pulumi preview (docs/reviewers/preview-review.md).

Exit codes: 0 nothing risky; 1 risky changes, a second reviewer must approve; 2 blocked
(a mandatory policy violation or a failed preview), or input that is not a preview.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from preview_review.load import MalformedPreview, load
from preview_review.render_json import as_json
from preview_review.render_markdown import markdown
from preview_review.render_text import text
from preview_review.review import review
from preview_review.run_preview import PreviewNotRun, run_preview
from preview_review.stack_settings import SettingsUnreadable, stack_settings

RENDERERS = {"markdown": markdown, "text": text, "json": as_json}
INPUT_ERROR = 2


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m preview_review",
        description="Review a Pulumi preview: scaling, risky changes, secrets, policy, and a verdict.",
        epilog="Exit codes: 0 nothing risky; 1 risky changes need a second reviewer; "
        "2 blocked by policy, failed preview, or input that is not a preview.",
    )
    source = cli.add_mutually_exclusive_group(required=True)
    source.add_argument("preview", nargs="?", help="a file of `pulumi preview --json` output (either form), or - for stdin")
    source.add_argument("--stack", help="run the preview of this stack, with its policy pack config, and review it")
    cli.add_argument("--format", choices=sorted(RENDERERS), default="text", help="output form (default: text)")
    cli.add_argument("--project", type=Path, default=Path("."), help="project directory for --stack (default: .)")
    cli.add_argument("--settings-before", type=Path, help="the stack file before the change, to catch knobs that change nothing")
    cli.add_argument("--settings-after", type=Path, help="the stack file after (default with --stack: stacks/Pulumi.<stack>.yaml)")
    cli.add_argument("--output", type=Path, help="write the review here instead of stdout")
    return cli


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.stack:
            raw, source = run_preview(args.stack, args.project), f"the preview of {args.stack}"
            after = args.settings_after or args.project / "stacks" / f"Pulumi.{args.stack}.yaml"
        else:
            raw, source = _read(args.preview), ("stdin" if args.preview == "-" else args.preview)
            after = args.settings_after
        result = review(load(raw, source), stack_settings(args.settings_before, after))
    except (MalformedPreview, PreviewNotRun, SettingsUnreadable, OSError, UnicodeDecodeError) as error:
        print(f"preview_review: error: {error}", file=sys.stderr)
        return INPUT_ERROR
    rendered = RENDERERS[args.format](result)
    if args.output:
        args.output.write_text(rendered)
    else:
        sys.stdout.write(rendered)
    return result.exit_code


def _read(path: str) -> str:
    return sys.stdin.read() if path == "-" else Path(path).read_text()


if __name__ == "__main__":
    sys.exit(main())
