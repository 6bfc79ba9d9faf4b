"""The full per-resource diff: for each resource that changes, each property that changes, with
its value before and after as the review may show it (values.shown).

A property the provider reports with the same value on both sides is not a row: pulumi-docker
5.1.0 lists a Swarm service's empty `taskSpec.containerSpec.sysctl` (and an empty `env`) in every
update of it. Such paths are kept apart (`same_value`), so the review names them once, quietly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from preview_review.model import UNKNOWN, Change, Preview
from preview_review.values import MISSING, contains_secret, is_secret_type, lookup, shown

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
    same_value: tuple[str, ...] = ()
    """Paths the provider reported whose value is the same before and after."""

    @property
    def heading(self) -> str:
        return f"{OP_SYMBOLS.get(self.change.op, '?')} {self.change.label}: {self.change.op}"


def resource_diffs(preview: Preview) -> list[ResourceDiff]:
    changed = [c for c in preview.changes if c.op not in ("same", "read", "refresh")]
    return [_resource_diff(c) for c in sorted(changed, key=lambda c: (c.label, c.urn))]


def changed_paths(change: Change) -> list[str]:
    """The properties an update really changes: the diff's rows, less same-value reports."""
    return [row.path for row in _resource_diff(change).rows]


def _resource_diff(change: Change) -> ResourceDiff:
    if change.op in ("create", "delete"):
        return ResourceDiff(change, ())
    paths = change.detailed_diff or {path: "update" for path in change.diff_reasons}
    rows, same = [], []
    for path, kind in sorted(paths.items()):
        before, after = (lookup(inputs, path) if inputs is not None else MISSING
                         for inputs in (change.old_inputs, change.new_inputs))
        if _same(before, after) and not kind.endswith("-replace") and not is_secret_type(change):
            same.append(path)
        else:
            rows.append(Row(path, kind, shown(change, path, change.old_inputs), shown(change, path, change.new_inputs)))
    return ResourceDiff(change, tuple(rows), tuple(same))


def _same(before: Any, after: Any) -> bool:
    """Equal values, where a masked secret or an unknown is never known to be equal."""
    if any(v == UNKNOWN or (v is not MISSING and contains_secret(v)) for v in (before, after)):
        return False
    return _empty_or(before) == _empty_or(after)


def _empty_or(value: Any) -> Any:
    """Absent, null, {} and [] are one value: nothing set."""
    return None if value is MISSING or value in (None, {}, []) else value
