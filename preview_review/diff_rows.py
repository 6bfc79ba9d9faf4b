"""The full per-resource diff: for each resource that changes, each property that changes, with
its value before and after as the review may show it (values.shown)."""

from __future__ import annotations

from dataclasses import dataclass

from preview_review.model import Change, Preview
from preview_review.values import shown

OP_SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}


@dataclass(frozen=True)
class Row:
    path: str
    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class ResourceDiff:
    change: Change
    rows: tuple[Row, ...]

    @property
    def heading(self) -> str:
        return f"{OP_SYMBOLS.get(self.change.op, '?')} {self.change.label}: {self.change.op}"


def resource_diffs(preview: Preview) -> list[ResourceDiff]:
    changed = [c for c in preview.changes if c.op not in ("same", "read", "refresh")]
    return [ResourceDiff(c, tuple(_rows(c))) for c in sorted(changed, key=lambda c: (c.label, c.urn))]


def _rows(change: Change) -> list[Row]:
    if change.op in ("create", "delete"):
        return []
    paths = change.detailed_diff or {path: "update" for path in change.diff_reasons}
    return [
        Row(path, kind, shown(change, path, change.old_inputs), shown(change, path, change.new_inputs))
        for path, kind in sorted(paths.items())
    ]
