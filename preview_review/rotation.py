"""Secrets: which secrets rotate, and which workloads roll because of it. Never a value, nor a
name derived from one (a Kubernetes Secret's name carries a digest of its content)."""

from __future__ import annotations

from dataclasses import dataclass

from preview_review.model import SECRET_TYPES, Change, Preview
from preview_review.risk import WORKLOAD_TYPES

KINDS = {
    "kubernetes:core/v1:Secret": "Kubernetes Secret",
    "docker:index/secret:Secret": "Swarm secret",
    "random:index/randomPassword:RandomPassword": "generated password",
}


@dataclass(frozen=True)
class Rotation:
    secrets: tuple[str, ...]
    """`mysql-password generated password (deleted)`..."""
    rolled: tuple[str, ...]
    """Labels of the workloads whose pods or tasks restart to read the new values."""


def rotation(preview: Preview) -> Rotation:
    rotated = tuple(
        f"{c.label}: {KINDS[c.type]}, {_what(c)}"
        for c in preview.changes
        if c.type in SECRET_TYPES and c.op not in ("same", "read")
    )
    rolled = tuple(
        c.label
        for c in preview.changes
        if c.type in WORKLOAD_TYPES and c.op in ("update", "replace") and _reads_secret(c)
    )
    return Rotation(rotated, rolled if rotated else ())


def _what(change: Change) -> str:
    return {
        "create": "new",
        "delete": "removed",
        "replace": "replaced with new values",
        "update": "values change",
    }.get(change.op, change.op)


def _reads_secret(change: Change) -> bool:
    paths = list(change.detailed_diff) or list(change.diff_reasons)
    return any("secret" in path.lower() for path in paths)
