"""The review as JSON for machines: the same content as the other forms."""

from __future__ import annotations

import json

from preview_review.diff_rows import resource_diffs
from preview_review.model import stack_of
from preview_review.review import Review


def as_json(review: Review) -> str:
    document = {
        "stack": stack_of(review.preview),
        "form": review.preview.form,
        "verdict": review.verdict,
        "exitCode": review.exit_code,
        "reasons": review.reasons,
        "counts": review.counts,
        "errors": [{"message": e.message, "urn": e.urn} for e in review.errors],
        "scaling": [
            {"resource": s.label, "field": s.field, "before": s.before, "after": s.after} for s in review.scaling
        ],
        "scalingWarnings": review.scaling_warnings,
        "risks": [
            {"resource": r.change.label, "urn": r.change.urn, "op": r.change.op, "stateful": r.stateful, "why": r.why}
            for r in review.risks
        ],
        "secrets": {
            "rotated": list(review.rotation.secrets),
            "rolled": list(review.rotation.rolled),
            "notes": list(review.rotation.notes),
            "warnings": list(review.rotation.warnings),
        },
        "policy": {
            "reported": review.preview.policy_reported,
            "violations": [
                {"policy": v.policy, "level": v.level, "urn": v.urn, "message": v.message} for v in review.violations
            ],
        },
        "changes": [
            {
                "resource": d.change.label,
                "urn": d.change.urn,
                "op": d.change.op,
                "diff": [{"path": r.path, "kind": r.kind, "before": r.before, "after": r.after} for r in d.rows],
                "sameValue": list(d.same_value),
            }
            for d in resource_diffs(review.preview)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
