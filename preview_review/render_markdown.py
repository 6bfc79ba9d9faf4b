"""The review as Markdown for a pull-request comment: the verdict and the sections first, the
full per-resource diff folded in a <details> block."""

from __future__ import annotations

from preview_review.diff_rows import resource_diffs
from preview_review.model import stack_of
from preview_review.review import BLOCKED, CLEAR, COUNTED, Review

VERDICT_MARKS = {CLEAR: "✅", BLOCKED: "⛔"}


def markdown(review: Review) -> str:
    lines = [
        f"### Preview review: `{stack_of(review.preview)}`",
        "",
        f"{VERDICT_MARKS.get(review.verdict, '⚠️')} **Verdict: {review.verdict}**"
        + (f" ({'; '.join(review.reasons)})" if review.reasons else ""),
        "",
        "| " + " | ".join(COUNTED) + " |",
        "|" + "---:|" * len(COUNTED),
        "| " + " | ".join(str(review.counts[op]) for op in COUNTED) + " |",
    ]
    if review.errors:
        lines += ["", "#### Preview errors", ""]
        lines += [f"- {_cell(e.message)}" for e in review.errors]
    lines += ["", "#### Scaling", ""]
    lines += [f"- {s.line}" for s in review.scaling] or ["No replica count changes."]
    lines += [f"- ⚠️ {w}" for w in review.scaling_warnings]
    lines += ["", "#### Risky changes", ""]
    lines += [
        f"{n}. {'**' + r.change.label + '**' if r.stateful else r.change.label}: {r.why}"
        for n, r in enumerate(review.risks, start=1)
    ] or ["None."]
    lines += ["", "#### Secrets", ""]
    rotation = review.rotation
    if rotation.secrets:
        lines += [f"- Rotates: {s}" for s in rotation.secrets]
        lines += [f"- Rolls: {w}" for w in rotation.rolled] or ["- No workload rolls."]
    else:
        lines += ["No secret rotates."]
    lines += [f"- ⚠️ {w}" for w in rotation.warnings]
    lines += [f"- {n}" for n in rotation.notes]
    if rotation.secrets:
        lines += ["", "Values are never shown."]
    lines += ["", "#### Policy", ""]
    if review.violations:
        lines += ["| Level | Policy | Resource | Message |", "|---|---|---|---|"]
        lines += [
            f"| {v.level} | `{v.policy}` | {_resource(review, v.urn)} | {_cell(v.message)} |" for v in review.violations
        ]
    elif review.preview.policy_reported:
        lines += ["No violation."]
    else:
        lines += [
            "Not reported: `pulumi preview --json` leaves policy out. Review the event stream "
            "(PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true) or run `python -m preview_review --stack <stack>`."
            + (" A mandatory violation fails a preview with no other error shown." if review.errors else "")
        ]
    diffs = resource_diffs(review.preview)
    lines += ["", f"<details><summary>Full diff ({len(diffs)} resource{'s' if len(diffs) != 1 else ''})</summary>", ""]
    for diff in diffs:
        lines += [f"**{_cell(diff.heading)}**", ""]
        if diff.rows:
            lines += ["| Property | Change | Before | After |", "|---|---|---|---|"]
            lines += [f"| `{r.path}` | {r.kind} | {_cell(r.before)} | {_cell(r.after)} |" for r in diff.rows]
            lines += [""]
        if diff.same_value:
            paths = ", ".join(f"`{path}`" for path in diff.same_value)
            lines += [f"Also reported by the provider, with the same value before and after: {paths}.", ""]
    lines += ["</details>", ""]
    return "\n".join(lines)


def _resource(review: Review, urn: str | None) -> str:
    for change in review.preview.changes:
        if change.urn == urn:
            return change.label
    return urn.split("::")[-1] if urn else "the stack"


def _cell(text: str) -> str:
    return text.strip().replace("|", "\\|").replace("\n", "<br>")
