"""The review: every section built from one `Preview`, the verdict and the exit code."""

from __future__ import annotations

from dataclasses import dataclass
from preview_review.model import Diagnostic, Preview, Violation
from preview_review.risk import Risk, risks
from preview_review.rotation import Rotation, rotation
from preview_review.scaling import Scaling, knob_warnings, scaling
from preview_review.stack_settings import StackSettings

COUNTED = ("create", "update", "replace", "delete", "same")

# The verdicts, each with the exit code a CI job gates on.
CLEAR = "clear"
SECOND_REVIEWER = "needs a second reviewer"
BLOCKED = "blocked"
EXIT_CODES = {CLEAR: 0, SECOND_REVIEWER: 1, BLOCKED: 2}


@dataclass(frozen=True)
class Review:
    preview: Preview
    counts: dict[str, int]
    scaling: list[Scaling]
    scaling_warnings: list[str]
    risks: list[Risk]
    rotation: Rotation
    violations: tuple[Violation, ...]
    errors: tuple[Diagnostic, ...]
    verdict: str
    reasons: list[str]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


def review(preview: Preview, settings: StackSettings = StackSettings()) -> Review:
    counts = {op: preview.counts.get(op, 0) for op in COUNTED}
    found_risks = risks(preview)
    rotated = rotation(preview)
    mandatory = [v for v in preview.violations if v.level == "mandatory"]
    reasons = []
    if mandatory:
        reasons.append(f"{len(mandatory)} mandatory policy violation{'s' if len(mandatory) > 1 else ''}")
    if preview.errors:
        reasons.append("the preview failed")
    if reasons:
        verdict = BLOCKED
    elif found_risks or rotated.warnings:
        verdict = SECOND_REVIEWER
        if found_risks:
            reasons.append(f"{len(found_risks)} risky change{'s' if len(found_risks) > 1 else ''}")
        if rotated.warnings:
            reasons.append("a rotation that breaks the running database")
    else:
        verdict = CLEAR
    return Review(
        preview=preview,
        counts=counts,
        scaling=scaling(preview),
        scaling_warnings=knob_warnings(preview, settings),
        risks=found_risks,
        rotation=rotated,
        violations=preview.violations,
        errors=preview.errors,
        verdict=verdict,
        reasons=reasons,
    )
