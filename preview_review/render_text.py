"""The review as plain text for a terminal."""

from __future__ import annotations

from preview_review.diff_rows import resource_diffs
from preview_review.model import stack_of
from preview_review.review import COUNTED, Review


def text(review: Review) -> str:
    counts = ", ".join(f"{review.counts[op]} {op}" for op in COUNTED)
    lines = [
        f"Preview review: {stack_of(review.preview)}",
        f"Verdict: {review.verdict}" + (f" ({'; '.join(review.reasons)})" if review.reasons else ""),
        f"Changes: {counts}",
    ]
    if review.errors:
        lines += ["", "Preview errors:"] + [_item(e.message) for e in review.errors]
    lines += ["", "Scaling:"]
    lines += [_item(s.line) for s in review.scaling] or ["  none"]
    lines += [_item("warning: " + w.replace("`", "")) for w in review.scaling_warnings]
    lines += ["", "Risky changes:"]
    lines += [_item(("[data] " if r.stateful else "") + r.line.replace("`", "")) for r in review.risks] or ["  none"]
    lines += ["", "Secrets:"]
    if review.rotation.secrets:
        lines += [_item("rotates: " + s) for s in review.rotation.secrets]
        lines += [_item("rolls: " + w) for w in review.rotation.rolled]
    else:
        lines += ["  none rotate"]
    lines += [_item("warning: " + w) for w in review.rotation.warnings]
    lines += [_item(n) for n in review.rotation.notes]
    lines += ["", "Policy:"]
    if review.violations:
        lines += [_item(f"{v.level} {v.policy} on {_urn_name(v.urn)}: {v.message}") for v in review.violations]
    else:
        lines += ["  no violation" if review.preview.policy_reported else "  not reported by this form of preview"]
    lines += ["", "Diff:"]
    for diff in resource_diffs(review.preview):
        lines.append(_item(diff.heading))
        lines += [f"      {r.path} ({r.kind}): {r.before} -> {r.after}" for r in diff.rows]
        if diff.same_value:
            lines.append(f"      (also reported, same value before and after: {', '.join(diff.same_value)})")
    return "\n".join(lines) + "\n"


def _item(message: str) -> str:
    first, *rest = message.strip().splitlines() or [""]
    return "\n".join([f"  - {first}"] + [f"    {line}" for line in rest])


def _urn_name(urn: str | None) -> str:
    return urn.split("::")[-1] if urn else "the stack"
